//! One event row as both backends store it, and its mapping to and from [`RecordedEvent`].
//!
//! Both schemas use the same column names and compatible types, so one `FromRow` struct serves
//! SQLite and PostgreSQL alike. `recorded_at` is kept as integer microseconds since the epoch:
//! that is exactly what the hash covers, so it round-trips without any rounding.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use crate::error::StoreError;
use crate::event::{LogEntry, Metadata, RecordedEvent};
use crate::hash::ChainedFields;

/// The column list of `events`, in the order [`StoredRow`] binds them on insert.
pub(crate) const EVENT_COLUMNS: &str = "position, stream, version, event_id, event_type, \
    schema_version, data, effective_date, recorded_at_us, command_id, correlation_id, \
    causation_id, actor, actor_role, reason, hash";

/// How many bind parameters one event row takes on insert.
pub(crate) const EVENT_COLUMN_COUNT: usize = 16;

#[derive(Debug, Clone)]
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

/// An event row as the driver holds it: text and bytes borrowed, nothing copied. Verification
/// hashes these directly; reads turn them into [`StoredRow`]s.
pub(crate) struct RowRef<'r> {
    pub position: i64,
    pub stream: &'r str,
    pub version: i64,
    pub event_id: Uuid,
    pub event_type: &'r str,
    pub schema_version: i64,
    pub data: &'r str,
    pub effective_date: NaiveDate,
    pub recorded_at_us: i64,
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub actor: &'r str,
    pub actor_role: &'r str,
    pub reason: &'r str,
    pub hash: &'r [u8],
}

/// Decodes by column index in [`EVENT_COLUMNS`] order: a name lookup per column per row is a
/// measurable share of a full replay.
macro_rules! decode_by_index {
    ($row:ty) => {
        impl<'r> FromRow<'r, $row> for RowRef<'r> {
            fn from_row(r: &'r $row) -> Result<Self, sqlx::Error> {
                Ok(RowRef {
                    position: r.try_get(0)?,
                    stream: r.try_get(1)?,
                    version: r.try_get(2)?,
                    event_id: r.try_get(3)?,
                    event_type: r.try_get(4)?,
                    schema_version: r.try_get(5)?,
                    data: r.try_get(6)?,
                    effective_date: r.try_get(7)?,
                    recorded_at_us: r.try_get(8)?,
                    command_id: r.try_get(9)?,
                    correlation_id: r.try_get(10)?,
                    causation_id: r.try_get(11)?,
                    actor: r.try_get(12)?,
                    actor_role: r.try_get(13)?,
                    reason: r.try_get(14)?,
                    hash: r.try_get(15)?,
                })
            }
        }

        impl<'r> FromRow<'r, $row> for StoredRow {
            fn from_row(r: &'r $row) -> Result<Self, sqlx::Error> {
                RowRef::from_row(r).map(StoredRow::from)
            }
        }
    };
}
decode_by_index!(SqliteRow);
decode_by_index!(PgRow);

impl RowRef<'_> {
    /// The fields the hash chain covers; `date` must be this row's effective date as `YYYY-MM-DD`.
    pub fn chained<'a>(&'a self, date: &'a str) -> ChainedFields<'a> {
        ChainedFields {
            position: self.position as u64,
            stream: self.stream,
            version: self.version as u64,
            event_id: self.event_id,
            event_type: self.event_type,
            schema_version: self.schema_version as u32,
            effective_date: date,
            recorded_at_micros: self.recorded_at_us,
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            actor: self.actor,
            actor_role: self.actor_role,
            reason: self.reason,
            data: self.data,
        }
    }
}

impl<'a> From<&'a StoredRow> for RowRef<'a> {
    fn from(r: &'a StoredRow) -> Self {
        RowRef {
            position: r.position,
            stream: &r.stream,
            version: r.version,
            event_id: r.event_id,
            event_type: &r.event_type,
            schema_version: r.schema_version,
            data: &r.data,
            effective_date: r.effective_date,
            recorded_at_us: r.recorded_at_us,
            command_id: r.command_id,
            correlation_id: r.correlation_id,
            causation_id: r.causation_id,
            actor: &r.actor,
            actor_role: &r.actor_role,
            reason: &r.reason,
            hash: &r.hash,
        }
    }
}

impl From<RowRef<'_>> for StoredRow {
    fn from(r: RowRef<'_>) -> Self {
        StoredRow {
            position: r.position,
            stream: r.stream.to_owned(),
            version: r.version,
            event_id: r.event_id,
            event_type: r.event_type.to_owned(),
            schema_version: r.schema_version,
            data: r.data.to_owned(),
            effective_date: r.effective_date,
            recorded_at_us: r.recorded_at_us,
            command_id: r.command_id,
            correlation_id: r.correlation_id,
            causation_id: r.causation_id,
            actor: r.actor.to_owned(),
            actor_role: r.actor_role.to_owned(),
            reason: r.reason.to_owned(),
            hash: r.hash.to_vec(),
        }
    }
}

impl StoredRow {
    /// Recomputes this row's hash on top of `prev`.
    pub fn compute_hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        let date = date_text(self.effective_date);
        RowRef::from(self).chained(&date).chain_hash(prev)
    }

    pub fn stored_hash(&self) -> Result<[u8; 32], StoreError> {
        self.hash
            .as_slice()
            .try_into()
            .map_err(|_| self.corrupt("hash is not 32 bytes"))
    }

    pub fn into_recorded(self) -> Result<RecordedEvent, StoreError> {
        let hash = self.stored_hash()?;
        let recorded_at = recorded_at(self.position, self.recorded_at_us)?;
        let data = serde_json::from_str(&self.data).map_err(|e| StoreError::Corrupt {
            position: self.position as u64,
            detail: format!("body is not JSON: {e}"),
        })?;
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

    /// What a reader of the whole log needs of this row (see [`LogEntry`]).
    pub fn log_entry(&self) -> Result<LogEntry<'_>, StoreError> {
        Ok(LogEntry {
            position: self.position as u64,
            stream: &self.stream,
            version: self.version as u64,
            event_type: &self.event_type,
            schema_version: self.schema_version as u32,
            data: &self.data,
            effective_date: self.effective_date,
            recorded_at: recorded_at(self.position, self.recorded_at_us)?,
        })
    }

    fn corrupt(&self, detail: &str) -> StoreError {
        StoreError::Corrupt {
            position: self.position as u64,
            detail: detail.to_owned(),
        }
    }
}

/// The canonical `YYYY-MM-DD` text of an effective date (chrono's `%Y-%m-%d`), as the ledger
/// stores it and the read models write it.
pub fn date_text(date: NaiveDate) -> String {
    let mut text = String::with_capacity(10);
    push_date_text(&mut text, date);
    text
}

/// Appends [`date_text`]'s text to `out`. Four-digit years are written digit by digit: chrono's
/// format machinery costs more than hashing the event, and the read models write several dates
/// per event.
pub fn push_date_text(out: &mut String, date: NaiveDate) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&date.format("%Y-%m-%d").to_string());
        return;
    }
    push_digits(out, year as u32, 4);
    out.push('-');
    push_digits(out, date.month(), 2);
    out.push('-');
    push_digits(out, date.day(), 2);
}

/// Appends `value` in decimal, zero-padded to `width` digits (`value` has at most `width`).
pub fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
    }
}

/// The date written as `text` when it is in canonical `YYYY-MM-DD` form (what [`date_text`]
/// writes for years 0 to 9999) and valid; `None` for any other text, which callers that
/// accept other forms hand to chrono's parser. Reading the digits directly is far cheaper.
pub fn canonical_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(
        number(&b[0..4])? as i32,
        number(&b[5..7])?,
        number(&b[8..10])?,
    )
}

/// The store's clock: now, truncated to whole microseconds so what is hashed is what is kept.
pub(crate) fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

pub(crate) fn micros_to_time(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}

/// The recording time of the event at `position`, stored as `micros` since the epoch.
pub(crate) fn recorded_at(position: i64, micros: i64) -> Result<DateTime<Utc>, StoreError> {
    micros_to_time(micros).ok_or_else(|| StoreError::Corrupt {
        position: position as u64,
        detail: "recorded_at is out of range".into(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn date_text_matches_chrono_for_every_year_shape() {
        for (y, m, d) in [
            (2025, 4, 1),
            (1, 1, 9),
            (999, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-5, 6, 7),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::date_text(date), date.format("%Y-%m-%d").to_string());
        }
    }
}
