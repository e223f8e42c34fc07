-- Read models built by the projection runner from the global log. Every table is derived:
-- `hrledger rebuild` empties them and replays the ledger. Dates are ISO `YYYY-MM-DD` text and
-- timestamps RFC 3339 UTC text with microseconds, so the same SQL runs on SQLite and PostgreSQL
-- and both sort correctly as text.

-- Where each projection has got to, written in the same transaction as its read-model changes.
CREATE TABLE projection_checkpoints (
    name        TEXT PRIMARY KEY,
    position    BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Current staff record per employee, as the ledger knows it now (every change applied).
CREATE TABLE staff_records (
    employee_id              TEXT PRIMARY KEY,
    employee_number          TEXT,
    given_name               TEXT,
    family_name              TEXT,
    ni_number                TEXT,
    employer_code            TEXT,
    assignment_number        TEXT,
    position_code            TEXT,
    job_title                TEXT,
    staff_group              TEXT,
    band                     TEXT,
    pay_point                TEXT,
    fte                      DOUBLE PRECISION,
    cost_centre              TEXT,
    location                 TEXT,
    start_date               TEXT,
    continuous_service_date  TEXT,
    status                   TEXT NOT NULL,
    protected_terms          TEXT NOT NULL,
    open_cases               TEXT NOT NULL,
    last_position            BIGINT NOT NULL
);
CREATE INDEX staff_records_by_employer ON staff_records (employer_code, employee_id);

-- Payroll change feed: one row per change of a pay-relevant field, in ledger order.
-- `position` is the global position of the event: a stable, resumable cursor.
CREATE TABLE staff_changes (
    position        BIGINT PRIMARY KEY,
    employee_id     TEXT NOT NULL,
    change_kind     TEXT NOT NULL,
    effective_date  TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX staff_changes_by_employee ON staff_changes (employee_id, effective_date, position);

-- Bitemporal staff record versions: valid_from/valid_to are effective dates (world time),
-- recorded_from/recorded_to ledger positions and times (what the ledger knew when).
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
);
CREATE INDEX staff_versions_open ON staff_record_versions (employee_id, recorded_to);

-- Every case, by kind, status, programme.
CREATE TABLE cases (
    case_id        TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    programme_id   TEXT,
    title          TEXT NOT NULL,
    organisations  TEXT NOT NULL,
    key_dates      TEXT NOT NULL,
    summary        TEXT NOT NULL,
    next_deadline  TEXT,
    opened_on      TEXT,
    last_position  BIGINT NOT NULL
);
CREATE INDEX cases_by_kind ON cases (kind, status, case_id);
CREATE INDEX cases_by_programme ON cases (programme_id, case_id);

-- Statutory deadlines per case, recomputed whenever the case changes.
CREATE TABLE deadlines (
    deadline_id     TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    rule            TEXT NOT NULL,
    description     TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    status          TEXT NOT NULL,
    met_on          TEXT,
    employees       BIGINT NOT NULL,
    exposure_pence  BIGINT,
    exposure_note   TEXT
);
CREATE INDEX deadlines_by_case ON deadlines (case_id);
CREATE INDEX deadlines_by_status ON deadlines (status, due_date);

-- Audit trail: who did what, when and why, with the employees and case each event touches.
CREATE TABLE audit_trail (
    position        BIGINT PRIMARY KEY,
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

CREATE TABLE audit_employees (
    employee_id  TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (employee_id, position)
);

-- Programme dashboard: counts kept per programme.
CREATE TABLE programmes (
    programme_id     TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    successor_code   TEXT NOT NULL,
    predecessors     TEXT NOT NULL,
    legal_day_one    TEXT NOT NULL,
    status           TEXT NOT NULL,
    last_position    BIGINT NOT NULL
);

CREATE TABLE case_programme_links (
    case_id       TEXT PRIMARY KEY,
    programme_id  TEXT NOT NULL
);
