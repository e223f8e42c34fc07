-- An employee event touches its own employee and no other, and the log's (stream, version) key
-- already finds an employee's own events: the audit trail's employee entries keep only the
-- other events that touch an employee (transfers, appointments, displacements, mediations),
-- and an auditor's query by employee reads both (see `queries::audit_statement`).
--
-- The entries for employee events were 924,672 of a 1,018,368-event ledger's 1,726,464 and
-- every rebuild wrote them again. Deleting them keeps the checkpoint: what is left is what the
-- projector now writes.
DELETE FROM audit_employees
    WHERE EXISTS (SELECT 1 FROM events l
                  WHERE l.position = audit_employees.position
                    AND l.stream = 'employee-' || audit_employees.employee_id);
