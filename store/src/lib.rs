//! hrledger's event store.
//!
//! The contract (see DESIGN.md): atomic, optimistic-concurrency appends to one or many streams,
//! idempotent by command id; a gapless global log in commit order; a hash chain over every
//! event; catch-up-then-live subscriptions. Two backends implement it: `sqlite` (the embedded
//! default, one file) and `postgres` (shared deployments). [`EventStore`] picks one from a URL.

pub mod error;
pub mod event;
pub mod hash;
pub mod limits;
#[cfg(feature = "testing")]
pub mod raw_table;
#[cfg(feature = "testing")]
pub mod testing;

mod chain_hasher;
mod command_log;
mod copy;
mod lookup;
mod memo;
mod pg_write;
mod plan;
mod postgres;
mod record;
mod sqlite;
mod sqlite_library;
mod sqlite_scan;
mod sqlite_writer;
mod store;
mod subscribe;
mod validate;
mod verify;
mod write_conn;
mod writer;

pub use error::{InvalidAppend, StoreError, StreamPosition};
pub use event::{
    AppendRequest, AppendResult, ChainBreak, Digest, ExpectedVersion, LogEntry, Metadata, NewEvent,
    RecordedEvent, StreamAppend, StreamVersion, Verification,
};
pub use record::{canonical_date, date_text, push_date_text, push_digits};
pub use sqlite_scan::{file_of as sqlite_file_of, open_query_only as open_sqlite_reader};
pub use store::{Backend, EventStore};
