//! The shapes that go into and come out of the event store.
//!
//! The store knows events only as envelopes with a JSON body: it never interprets `data`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a writer expects a stream's version to be before its events are appended.
///
/// A stream's version is the 0-based index of its last event: a stream with one event is at
/// version 0. `NoStream` means the stream must have no events yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds (no concurrency check).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must be at exactly this version.
    Exact(u64),
}

/// Who did it, on whose behalf, and why: written into every event a command appends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The client's id for the command; re-sending it appends nothing and returns the first result.
    pub command_id: Uuid,
    /// Groups every command of one user action (e.g. one import run).
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// The authenticated actor (token name or user), never claimed by the client.
    pub actor: String,
    /// The actor's role when the command ran (`admin`, `hr_adviser`, ...).
    pub actor_role: String,
    /// Why, in the adviser's words.
    pub reason: String,
}

/// An event to append: its type, schema version, body and the date it is true in the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub event_type: String,
    pub schema_version: u32,
    pub data: serde_json::Value,
    /// When the fact is true in the world (records are bitemporal: this plus `recorded_at`).
    pub effective_date: NaiveDate,
}

/// The events for one stream within an append, with the version that stream must be at.
///
/// A stream with no events is a pure version check: the append fails with `Conflict` if that
/// stream is no longer at `expected`. A command path uses it for streams its decision read but
/// does not change, so a decision is never made on state that moved underneath it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamAppend {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// One atomic append: every stream's events are committed together or not at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppendRequest {
    pub metadata: Metadata,
    pub streams: Vec<StreamAppend>,
}

impl AppendRequest {
    /// The common case: events for one stream.
    pub fn single(
        stream: impl Into<String>,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        metadata: Metadata,
    ) -> Self {
        AppendRequest {
            metadata,
            streams: vec![StreamAppend {
                stream: stream.into(),
                expected,
                events,
            }],
        }
    }

    /// How many events the request carries across all its streams.
    pub fn event_count(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }
}

/// Where one stream stands after an append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamVersion {
    pub stream: String,
    /// The version of the stream's last event after the append.
    pub version: u64,
}

/// What an append wrote. Returned again, unchanged, when the same `command_id` is re-sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendResult {
    /// Global position of the first event written.
    pub first_position: u64,
    /// Global position of the last event written.
    pub last_position: u64,
    pub streams: Vec<StreamVersion>,
    pub recorded_at: DateTime<Utc>,
    /// True when this answers a re-sent command id: the first result, nothing new written.
    /// Never stored (the stored first result always says `false`).
    #[serde(default, skip_serializing)]
    pub replayed: bool,
}

/// An event as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Gapless position in the global log, starting at 1, in commit order.
    pub position: u64,
    pub stream: String,
    /// 0-based index within its stream.
    pub version: u64,
    /// UUIDv7, time-ordered.
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub data: serde_json::Value,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub metadata: Metadata,
    /// SHA-256 of the previous event's hash and this event's canonical bytes (see `hash`).
    pub hash: [u8; 32],
}

/// What a reader of the whole log needs of an event, borrowed from the page being read: its
/// place, its type and its data as the stored JSON text, without the metadata and hash that
/// auditors and verification read. The projector decodes `data` straight into domain events
/// and keeps nothing else of the row (see [`EventStore::read_log`](crate::EventStore::read_log)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogEntry<'r> {
    pub position: u64,
    pub stream: &'r str,
    pub version: u64,
    pub event_type: &'r str,
    pub schema_version: u32,
    pub data: &'r str,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

/// A point in the hash chain an auditor can keep and check later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub position: u64,
    pub hash: [u8; 32],
}

impl Digest {
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }
}

/// The outcome of recomputing the hash chain over a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    /// Every event in the range chains correctly; `last` is the digest at the range's end.
    Intact { checked: u64, last: Option<Digest> },
    /// The first position where the chain breaks, and what differs.
    Broken { position: u64, problem: ChainBreak },
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        matches!(self, Verification::Intact { .. })
    }
}

/// Why the chain breaks at a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainBreak {
    /// The stored hash is not the hash of the stored content: the event was altered.
    HashMismatch { stored: String, computed: String },
    /// A position is missing: an event was removed (or positions were reordered).
    MissingPosition { expected: u64, found: u64 },
    /// The stored body is not what was hashed (e.g. not valid JSON any more).
    Unreadable { detail: String },
}
