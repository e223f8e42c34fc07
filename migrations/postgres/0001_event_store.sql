-- The event store (hrledger-store). Read models add 0002+ migrations beside this file.

-- The global log. Positions are gapless and in commit order: they are assigned under the
-- ledger_head row lock (see store/src/postgres.rs), never from a sequence.
-- `data` is TEXT, not JSONB: JSONB re-orders keys and drops whitespace, and the hash covers
-- the exact stored bytes.
-- `recorded_at_us` is microseconds since the Unix epoch, exactly what the hash covers.
CREATE TABLE events (
    position        BIGINT  PRIMARY KEY,
    stream          TEXT    NOT NULL,
    version         BIGINT  NOT NULL,
    event_id        UUID    NOT NULL UNIQUE,
    event_type      TEXT    NOT NULL,
    schema_version  BIGINT  NOT NULL,
    data            TEXT    NOT NULL,
    effective_date  DATE    NOT NULL,
    recorded_at_us  BIGINT  NOT NULL,
    command_id      UUID    NOT NULL,
    correlation_id  UUID    NOT NULL,
    causation_id    UUID,
    actor           TEXT    NOT NULL,
    actor_role      TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    hash            BYTEA   NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX events_recorded_at ON events (recorded_at_us);
CREATE INDEX events_command ON events (command_id);

-- Each stream's current version: the optimistic-concurrency check reads one row.
CREATE TABLE streams (
    stream   TEXT   PRIMARY KEY,
    version  BIGINT NOT NULL
);

-- Idempotency: the first AppendResult (JSON) of every command id, returned on a re-send.
CREATE TABLE commands (
    command_id  UUID PRIMARY KEY,
    result      TEXT NOT NULL
);

-- The end of the hash chain and the append lock: appenders SELECT ... FOR UPDATE this row.
CREATE TABLE ledger_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    position  BIGINT  NOT NULL,
    hash      BYTEA   NOT NULL
);
INSERT INTO ledger_head (id, position, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
