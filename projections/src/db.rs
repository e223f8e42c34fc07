//! The read-model database: the same database as the ledger (SQLite file or PostgreSQL).
//!
//! Read-model SQL is written once, in the dialect both engines share (`$n` parameters,
//! `ON CONFLICT`, text dates), and run on either pool through the [`on_pool!`] and [`on_tx!`]
//! macros, which expand the same code for each backend's native driver.

use hrledger_store::{push_digits, sqlite_file_of, Backend};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use crate::sqlite_file::{SqliteFile, BATCH_CACHE_KIB};

/// A handle on the read-model tables.
#[derive(Clone, Debug)]
pub enum ReadDb {
    /// The pool, and plain connections to its file for the hottest pages (`None` for an
    /// in-memory database).
    Sqlite(SqlitePool, Option<SqliteFile>),
    Postgres(PgPool),
}

impl From<Backend> for ReadDb {
    fn from(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite(ref pool) => {
                let file = sqlite_file_of(&backend).map(|path| SqliteFile::new(path, pool));
                ReadDb::Sqlite(pool.clone(), file)
            }
            Backend::Postgres(pool) => ReadDb::Postgres(pool),
        }
    }
}

/// An open read-model transaction.
pub enum ReadTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the backend's native pool.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::ReadDb::Sqlite($pool, _) => $body,
            $crate::db::ReadDb::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's native connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::ReadTx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::ReadTx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

impl ReadDb {
    /// Opens a read-model batch's transaction.
    pub async fn begin(&self) -> Result<ReadTx, sqlx::Error> {
        Ok(match self {
            ReadDb::Sqlite(_, Some(file)) => ReadTx::Sqlite(file.begin().await?),
            ReadDb::Sqlite(pool, None) => ReadTx::Sqlite(pool.begin().await?),
            ReadDb::Postgres(pool) => ReadTx::Postgres(pool.begin().await?),
        })
    }

    /// Moves committed batches from SQLite's WAL into the file (see `sqlite_file`); PostgreSQL
    /// checkpoints by itself.
    pub(crate) async fn checkpoint(&self) -> Result<(), crate::ProjectionError> {
        match self {
            ReadDb::Sqlite(_, Some(file)) => file.checkpoint().await,
            ReadDb::Sqlite(_, None) | ReadDb::Postgres(_) => Ok(()),
        }
    }
}

impl ReadTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            ReadTx::Sqlite(t) => t.commit().await,
            ReadTx::Postgres(t) => t.commit().await,
        }
    }
}

/// Dates, times and ids as read models store them (see the migration's header). Every event
/// formats several, so these write digits rather than going through `fmt`'s machinery
/// (chrono's `Debug` for dates, its RFC 3339 writer, uuid's `Display`), which took 4% of a
/// rebuild's samples (BENCHMARKS.md, session 12). Dates are the ledger's own text.
pub use hrledger_store::{date_text, push_date_text};

pub fn time_text(time: chrono::DateTime<chrono::Utc>) -> String {
    let mut text = String::with_capacity(27);
    push_time_text(&mut text, time);
    text
}

/// Appends [`time_text`]'s text to `out`.
pub fn push_time_text(out: &mut String, time: chrono::DateTime<chrono::Utc>) {
    use chrono::Timelike;
    // RFC 3339 UTC with microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. A leap second (nanoseconds
    // past 10^9) and years outside 0–9999 take chrono's own writer.
    let (date, clock) = (time.date_naive(), time.time());
    let nanos = clock.nanosecond();
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&chrono::Datelike::year(&date)) {
        out.push_str(&time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        return;
    }
    push_date_text(out, date);
    out.push('T');
    push_digits(out, clock.hour(), 2);
    out.push(':');
    push_digits(out, clock.minute(), 2);
    out.push(':');
    push_digits(out, clock.second(), 2);
    out.push('.');
    push_digits(out, nanos / 1_000, 6);
    out.push('Z');
}

/// A uuid in its hyphenated lower-case form, as `Display` writes it.
pub fn uuid_text(id: &uuid::Uuid) -> String {
    let mut text = String::with_capacity(36);
    push_uuid_text(&mut text, id);
    text
}

/// Appends [`uuid_text`]'s text to `out`.
pub fn push_uuid_text(out: &mut String, id: &uuid::Uuid) {
    out.push_str(
        id.hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer()),
    );
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{date_text, time_text, uuid_text};

    #[test]
    fn dates_and_times_keep_the_stored_text_format() {
        for (y, m, d) in [(2026, 4, 1), (1999, 12, 31), (7, 1, 9), (9999, 12, 31)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_text(date), date.format("%Y-%m-%d").to_string());
        }
        let odd = NaiveDate::from_ymd_opt(-1, 3, 4).unwrap();
        assert_eq!(
            date_text(odd),
            odd.to_string(),
            "outside 0–9999, chrono's form"
        );
        for micros in [0, 7, 892_161, 999_999] {
            for (h, min, s) in [(3, 4, 5), (0, 0, 0), (23, 59, 59)] {
                let time = Utc.with_ymd_and_hms(2026, 1, 9, h, min, s).unwrap()
                    + chrono::Duration::microseconds(micros);
                assert_eq!(
                    time_text(time),
                    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
                );
            }
        }
        // Nanoseconds below a microsecond are cut, as chrono's writer cuts them.
        let time = Utc.with_ymd_and_hms(2026, 1, 9, 3, 4, 5).unwrap()
            + chrono::Duration::nanoseconds(1_999);
        assert_eq!(time_text(time), "2026-01-09T03:04:05.000001Z");
    }

    #[test]
    fn ids_are_written_as_display_writes_them() {
        for _ in 0..100 {
            let id = uuid::Uuid::new_v4();
            assert_eq!(uuid_text(&id), id.to_string());
        }
    }
}
