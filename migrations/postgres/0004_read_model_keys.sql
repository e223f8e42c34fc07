-- Read-model indexes a PostgreSQL rebuild can build once, after its rows.
--
-- `audit_employees` was keyed by a primary key on (employee_id, position): a constraint, which
-- a rebuild cannot set aside while it loads. The same unique index without the constraint is an
-- index like the others (the projector writes each pair once; the index still refuses a second).
--
-- `staff_versions_open` (employee_id, recorded_to) repeated what the key's own prefix serves:
-- versions are read and closed only by employee, and an employee has a handful.
--
-- Derived rows are kept: nothing here changes what a row means.

ALTER TABLE audit_employees DROP CONSTRAINT audit_employees_pkey;
CREATE UNIQUE INDEX audit_employees_by_employee ON audit_employees (employee_id, position);

DROP INDEX staff_versions_open;
