-- The audit trail's actor and recording time are the log's own columns: they are indexed where
-- they are written, in `events`, and the trail's per-event table goes. What the log does not
-- say is kept: the case an employee event belongs to (a case's own events are its stream), in
-- `audit_cases`, and the employees other events touch, in `audit_employees` (0011).
--
-- A rebuild wrote the old table's row, its key and three index entries again for every event:
-- on a 1,018,368-event ledger, 1,018,368 of the 2,775,552 rows it wrote. The log's two indexes
-- are written once, as events are appended: recording times rise, so the time index grows at
-- its end, and the actor index at the end of each actor's run (a page per adviser).
--
-- The trail's case entries for employee events are carried over and the checkpoint is kept:
-- what is left is what the projector now writes. Records of the old indexes set aside by a
-- rebuild stopped part-way go with them.
CREATE INDEX events_by_actor ON events (actor, position);
CREATE INDEX events_by_recorded_at ON events (recorded_at_us, position);

CREATE TABLE audit_cases (
    position  INTEGER PRIMARY KEY,
    case_id   TEXT NOT NULL
);
INSERT INTO audit_cases (position, case_id)
    SELECT a.position, a.case_id FROM audit_trail a JOIN events l ON l.position = a.position
    WHERE a.case_id IS NOT NULL AND substr(l.stream, 1, length('employee-')) = 'employee-';
CREATE INDEX audit_cases_by_case ON audit_cases (case_id, position);

DELETE FROM projection_deferred_indexes
    WHERE name IN ('audit_by_actor', 'audit_by_case', 'audit_by_time');
DROP TABLE audit_trail;
