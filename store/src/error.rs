//! Typed store errors: the command path and the API map each to its own error code.

use crate::event::ExpectedVersion;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Optimistic concurrency: the stream is not at the version the writer expected.
    #[error("stream {stream} is at {actual}, but the command expected {expected:?}: someone else changed it first; reload and try again")]
    Conflict {
        stream: String,
        expected: ExpectedVersion,
        /// `None` when the stream has no events.
        actual: StreamPosition,
    },
    /// The request is malformed; nothing was written.
    #[error("invalid append: {0}")]
    Invalid(#[from] InvalidAppend),
    /// The database schema is newer than this binary understands.
    #[error("the ledger database has schema version {found}, newer than the {supported} this hrledger build knows; upgrade hrledger before opening it")]
    SchemaTooNew { found: i64, supported: i64 },
    /// The transaction holding this append's batch failed (e.g. the connection dropped during
    /// COMMIT). The append may or may not be durable: re-send it with the same command id, which
    /// returns the first result if it was.
    #[error("the append's batch could not be committed: {0}; re-send the same command id to find out whether it was recorded")]
    CommitFailed(String),
    /// A ledger was to be copied into a database that holds events of its own.
    #[error("the database to copy the ledger into holds a ledger of its own (its head is at position {head}); copy into an empty database")]
    NotEmpty { head: u64 },
    /// The store's writer has stopped (e.g. the store was closed).
    #[error("the event store is closed")]
    Closed,
    /// A stored event could not be read back (corrupt row).
    #[error("stored event at position {position} is unreadable: {detail}")]
    Corrupt { position: u64, detail: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Verification reads SQLite files directly, outside the pool.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A stream's current version, shown in conflict messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamPosition {
    NoStream,
    At(u64),
}

impl std::fmt::Display for StreamPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamPosition::NoStream => write!(f, "no events"),
            StreamPosition::At(v) => write!(f, "version {v}"),
        }
    }
}

/// Why an append request was refused before touching the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAppend {
    #[error("an append needs at least one event")]
    NoEvents,
    #[error("stream name is empty")]
    EmptyStreamName,
    #[error("stream name {0:?} is too long (at most {max} bytes)", max = crate::limits::MAX_STREAM_NAME_BYTES)]
    StreamNameTooLong(String),
    #[error("stream {0} appears twice in one append; put all its events in one entry")]
    DuplicateStream(String),
    #[error("stream {stream}: event body of {bytes} bytes exceeds the {max}-byte limit", max = crate::limits::MAX_EVENT_BYTES)]
    EventTooLarge { stream: String, bytes: usize },
    #[error("stream {stream}: event body must be a JSON object, got {found}")]
    BodyNotAnObject { stream: String, found: &'static str },
    #[error("event type is empty")]
    EmptyEventType,
    #[error("an append of {0} events exceeds the {max}-event limit", max = crate::limits::MAX_EVENTS_PER_APPEND)]
    TooManyEvents(usize),
    #[error("actor is empty: every event must say who recorded it")]
    EmptyActor,
}
