//! One event row as both backends store it, and its mapping to and from [`RecordedEvent`].
//!
//! Both schemas use the same column names and compatible types, so one `FromRow` struct serves
//! SQLite and PostgreSQL alike. `recorded_at` is kept as integer microseconds since the epoch:
//! that is exactly what the hash covers, so it round-trips without any rounding.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::StoreError;
use crate::event::{Metadata, RecordedEvent};
use crate::hash::ChainedFields;

/// The column list of `events`, in the order [`StoredRow`] binds them on insert.
pub(crate) const EVENT_COLUMNS: &str = "position, stream, version, event_id, event_type, \
    schema_version, data, effective_date, recorded_at_us, command_id, correlation_id, \
    causation_id, actor, actor_role, reason, hash";

/// How many bind parameters one event row takes on insert.
pub(crate) const EVENT_COLUMN_COUNT: usize = 16;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StoredRow {
    pub position: i64,
    pub stream: String,
    pub version: i64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: i64,
    pub data: String,
    pub effective_date: NaiveDate,
    pub recorded_at_us: i64,
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    pub hash: Vec<u8>,
}

impl StoredRow {
    pub fn position(&self) -> u64 {
        self.position as u64
    }

    /// The fields the hash chain covers; `date` must be this row's effective date as `YYYY-MM-DD`.
    pub fn chained<'a>(&'a self, date: &'a str) -> ChainedFields<'a> {
        ChainedFields {
            position: self.position as u64,
            stream: &self.stream,
            version: self.version as u64,
            event_id: self.event_id,
            event_type: &self.event_type,
            schema_version: self.schema_version as u32,
            effective_date: date,
            recorded_at_micros: self.recorded_at_us,
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            actor: &self.actor,
            actor_role: &self.actor_role,
            reason: &self.reason,
            data: &self.data,
        }
    }

    /// Recomputes this row's hash on top of `prev`.
    pub fn compute_hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        let date = date_text(self.effective_date);
        self.chained(&date).chain_hash(prev)
    }

    pub fn stored_hash(&self) -> Result<[u8; 32], StoreError> {
        self.hash
            .as_slice()
            .try_into()
            .map_err(|_| self.corrupt("hash is not 32 bytes"))
    }

    pub fn into_recorded(self) -> Result<RecordedEvent, StoreError> {
        let data = serde_json::from_str(&self.data)
            .map_err(|e| self.corrupt(&format!("body is not JSON: {e}")))?;
        let hash = self.stored_hash()?;
        let recorded_at = micros_to_time(self.recorded_at_us)
            .ok_or_else(|| self.corrupt("recorded_at is out of range"))?;
        Ok(RecordedEvent {
            position: self.position as u64,
            stream: self.stream,
            version: self.version as u64,
            event_id: self.event_id,
            event_type: self.event_type,
            schema_version: self.schema_version as u32,
            data,
            effective_date: self.effective_date,
            recorded_at,
            metadata: Metadata {
                command_id: self.command_id,
                correlation_id: self.correlation_id,
                causation_id: self.causation_id,
                actor: self.actor,
                actor_role: self.actor_role,
                reason: self.reason,
            },
            hash,
        })
    }

    fn corrupt(&self, detail: &str) -> StoreError {
        StoreError::Corrupt {
            position: self.position as u64,
            detail: detail.to_owned(),
        }
    }
}

/// The canonical `YYYY-MM-DD` text of an effective date.
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The store's clock: now, truncated to whole microseconds so what is hashed is what is kept.
pub(crate) fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

pub(crate) fn micros_to_time(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}
