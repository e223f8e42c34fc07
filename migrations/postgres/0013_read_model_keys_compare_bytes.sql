-- The read models' keys and indexed columns compare byte by byte (COLLATE "C"), as SQLite's
-- BINARY collation does. They hold UUIDs, codes, statuses and ISO dates, whose byte order is
-- their order: no language's rules apply to them, and both backends now page through them in
-- the same order.
--
-- Under the database's locale every comparison went through the C library's strcoll, and
-- PostgreSQL sorts such text without its abbreviated keys. On a 1,018,368-event ledger (a
-- database in C.UTF-8) a rebuild's four index builds took 5.3 s, 2.9 s with these columns
-- in "C", and upserting a batch's staff records 390-490 ms, 290-360 ms (BENCHMARKS.md,
-- session 16). Every column that a read model's key or index covers changes, and with it
-- every column compared or joined with one, so no comparison mixes two collations.
--
-- PostgreSQL rebuilds the indexes on these columns; the rows themselves are not rewritten.
ALTER TABLE staff_records
    ALTER COLUMN employee_id TYPE TEXT COLLATE "C",
    ALTER COLUMN employer_code TYPE TEXT COLLATE "C";
ALTER TABLE staff_changes
    ALTER COLUMN employee_id TYPE TEXT COLLATE "C",
    ALTER COLUMN effective_date TYPE TEXT COLLATE "C";
ALTER TABLE audit_employees
    ALTER COLUMN employee_id TYPE TEXT COLLATE "C";
ALTER TABLE audit_cases
    ALTER COLUMN case_id TYPE TEXT COLLATE "C";
ALTER TABLE cases
    ALTER COLUMN case_id TYPE TEXT COLLATE "C",
    ALTER COLUMN kind TYPE TEXT COLLATE "C",
    ALTER COLUMN status TYPE TEXT COLLATE "C",
    ALTER COLUMN programme_id TYPE TEXT COLLATE "C";
ALTER TABLE case_programme_links
    ALTER COLUMN case_id TYPE TEXT COLLATE "C",
    ALTER COLUMN programme_id TYPE TEXT COLLATE "C";
ALTER TABLE deadlines
    ALTER COLUMN deadline_id TYPE TEXT COLLATE "C",
    ALTER COLUMN case_id TYPE TEXT COLLATE "C",
    ALTER COLUMN status TYPE TEXT COLLATE "C",
    ALTER COLUMN due_date TYPE TEXT COLLATE "C";
ALTER TABLE programmes
    ALTER COLUMN programme_id TYPE TEXT COLLATE "C";
