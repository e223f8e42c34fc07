-- The event store (hrledger-store). Read models add 0002+ migrations beside this file.

-- The global log. Positions are gapless, assigned by the single writer in commit order.
-- `data` is the compact JSON text exactly as hashed (TEXT, never re-encoded).
-- `recorded_at_us` is microseconds since the Unix epoch, exactly what the hash covers.
CREATE TABLE events (
    position        INTEGER PRIMARY KEY,
    stream          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    event_id        BLOB    NOT NULL UNIQUE,
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL,
    data            TEXT    NOT NULL,
    effective_date  TEXT    NOT NULL,
    recorded_at_us  INTEGER NOT NULL,
    command_id      BLOB    NOT NULL,
    correlation_id  BLOB    NOT NULL,
    causation_id    BLOB,
    actor           TEXT    NOT NULL,
    actor_role      TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    hash            BLOB    NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX events_recorded_at ON events (recorded_at_us);
CREATE INDEX events_command ON events (command_id);

-- Each stream's current version: the optimistic-concurrency check reads one row.
CREATE TABLE streams (
    stream   TEXT    PRIMARY KEY,
    version  INTEGER NOT NULL
);

-- Idempotency: the first AppendResult (JSON) of every command id, returned on a re-send.
CREATE TABLE commands (
    command_id  BLOB PRIMARY KEY,
    result      TEXT NOT NULL
);

-- The end of the hash chain: last position and its hash. Exactly one row.
CREATE TABLE ledger_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    position  INTEGER NOT NULL,
    hash      BLOB    NOT NULL
);
INSERT INTO ledger_head (id, position, hash) VALUES (1, 0, zeroblob(32));
