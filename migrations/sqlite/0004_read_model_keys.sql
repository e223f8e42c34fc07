-- Read-model keys that SQLite stores once instead of twice.
--
-- `position BIGINT PRIMARY KEY` is not SQLite's rowid: each such table kept its rows under a
-- rowid and a second B-tree mapping position to rowid. `position INTEGER PRIMARY KEY` is the
-- rowid itself. `audit_employees` holds nothing but its key: WITHOUT ROWID stores it once, in
-- key order, where a rowid table kept every pair in the table and again in its key's index.
-- `staff_record_versions` is read and closed only by employee, through its key: stored in key
-- order WITHOUT ROWID, and without a second index on (employee_id, recorded_to) that the key's
-- own prefix already serves (an employee has a handful of versions).
-- A rebuild writes these rows for every event, so each B-tree saved is a write saved.
--
-- PostgreSQL has no rowid and needs no such change; its read models are unchanged.
--
-- Every read model is derived from the log: rather than copying rows between table shapes,
-- this empties them all and moves the checkpoint back to 0, and the projector replays the
-- ledger on its next start.

DROP TABLE audit_trail;
CREATE TABLE audit_trail (
    position        INTEGER PRIMARY KEY,
    stream          TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    case_id         TEXT,
    actor           TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    command_id      TEXT NOT NULL,
    effective_date  TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit_trail (actor, position);
CREATE INDEX audit_by_case ON audit_trail (case_id, position);
CREATE INDEX audit_by_time ON audit_trail (recorded_at, position);

DROP TABLE audit_employees;
CREATE TABLE audit_employees (
    employee_id  TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (employee_id, position)
) WITHOUT ROWID;

DROP TABLE staff_changes;
CREATE TABLE staff_changes (
    position        INTEGER PRIMARY KEY,
    employee_id     TEXT NOT NULL,
    change_kind     TEXT NOT NULL,
    effective_date  TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX staff_changes_by_employee ON staff_changes (employee_id, effective_date, position);

DROP TABLE staff_record_versions;
CREATE TABLE staff_record_versions (
    employee_id          TEXT NOT NULL,
    valid_from           TEXT NOT NULL,
    valid_to             TEXT,
    recorded_from        BIGINT NOT NULL,
    recorded_to          BIGINT,
    recorded_from_time   TEXT NOT NULL,
    recorded_to_time     TEXT,
    record               TEXT NOT NULL,
    PRIMARY KEY (employee_id, recorded_from, valid_from)
) WITHOUT ROWID;

DELETE FROM staff_records;
DELETE FROM cases;
DELETE FROM deadlines;
DELETE FROM programmes;
DELETE FROM case_programme_links;
DELETE FROM projection_checkpoints;
