//! The read-model database: the same database as the ledger (SQLite file or PostgreSQL).
//!
//! Read-model SQL is written once, in the dialect both engines share (`$n` parameters,
//! `ON CONFLICT`, text dates), and run on either pool through the [`on_pool!`] and [`on_tx!`]
//! macros, which expand the same code for each backend's native driver.

use hrledger_store::{sqlite_file_of, Backend};
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

/// Dates and times as read models store them (see the migration's header). Every event
/// formats several, so these avoid `strftime`-style format strings, which are parsed per call.
pub fn date_text(date: chrono::NaiveDate) -> String {
    // ISO 8601 `YYYY-MM-DD` for the years 0 to 9999.
    date.to_string()
}

pub fn time_text(time: chrono::DateTime<chrono::Utc>) -> String {
    // RFC 3339 UTC with microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{date_text, time_text};

    #[test]
    fn dates_and_times_keep_the_stored_text_format() {
        let date = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(date_text(date), date.format("%Y-%m-%d").to_string());
        for micros in [0, 7, 892_161, 999_999] {
            let time = Utc.with_ymd_and_hms(2026, 1, 9, 3, 4, 5).unwrap()
                + chrono::Duration::microseconds(micros);
            assert_eq!(
                time_text(time),
                time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
            );
        }
    }
}
