-- `audit_employees` becomes a plain table with a unique index on (employee_id, position), the
-- shape it has on PostgreSQL since 0004.
--
-- Stored in key order (WITHOUT ROWID, 0004), every batch of a rebuild inserted its entries
-- all over the key's B-tree, employee ids being random: each batch dirtied most of its pages,
-- and each dirty page was written to the WAL and again into the file. Appended in rowid
-- order, a batch's entries fill new pages at the end, and a rebuild sets the index aside and
-- builds it once from the loaded rows, as it does for the other reader-only indexes. The cost
-- is a second copy of each pair (the table's and the index's): the file grew by 4.5% on a
-- 1,018,368-event ledger (BENCHMARKS.md, session 11).
--
-- The rows are derived and kept: they are copied, not replayed.
CREATE TABLE audit_employees_appended (
    employee_id  TEXT NOT NULL,
    position     BIGINT NOT NULL
);
INSERT INTO audit_employees_appended (employee_id, position)
    SELECT employee_id, position FROM audit_employees ORDER BY position, employee_id;
DROP TABLE audit_employees;
ALTER TABLE audit_employees_appended RENAME TO audit_employees;
CREATE UNIQUE INDEX audit_employees_by_employee ON audit_employees (employee_id, position);
