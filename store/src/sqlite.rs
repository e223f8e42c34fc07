//! The embedded backend: one SQLite file in WAL mode.
//!
//! Durability: `synchronous=FULL`. In WAL mode `NORMAL` skips the fsync of the WAL on each
//! commit, so a power loss can roll back the last acknowledged commits; an HR decision the
//! ledger has acknowledged must not vanish, so every commit is flushed. Group commit (see
//! `writer`) is what keeps this affordable: one fsync per batch, not per append.
//!
//! One writer task owns a dedicated write connection; reads go through a separate pool, which
//! WAL lets run alongside the writer. `busy_timeout` makes a second process (or a projection
//! writing its read model through the pool) wait for the write lock instead of failing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions;

use crate::error::StoreError;
use crate::store::{schema_error, Backend, Opened};
use crate::write_conn::WriteConn;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/sqlite");

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const READ_CONNECTIONS: u32 = 4;

pub(crate) async fn open(url: &str) -> Result<Opened, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        // Statement journals (kept so one failing statement can be undone inside a batch) go
        // to memory instead of a temporary file: they never need to survive a crash, and
        // writing them was a fifth of a batch's time.
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(READ_CONNECTIONS)
        .connect_with(options.clone())
        .await?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| schema_error(&MIGRATOR, e))?;
    let writer = options.connect().await?;
    Ok(Opened {
        backend: Backend::Sqlite(pool),
        writer: WriteConn::Sqlite(writer, options),
    })
}
