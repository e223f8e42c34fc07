-- Staff record versions are folded from the payroll change feed when asked for.
--
-- A version's record is the pay-relevant changes known at a ledger position, folded in
-- effective-date order: exactly what `staff_changes` holds for the employee, read through its
-- (employee_id, effective_date, position) index. Keeping the versions as rows as well cost a
-- rebuild nearly one more row per event (each change rewrote the employee's whole timeline and
-- closed the rows it superseded with an update). The table is derived data; nothing is lost.
DROP TABLE staff_record_versions;
