//! The embedded backend: one SQLite file in WAL mode.
//!
//! Durability: `synchronous=FULL`. In WAL mode `NORMAL` skips the fsync of the WAL on each
//! commit, so a power loss can roll back the last acknowledged commits; an HR decision the
//! ledger has acknowledged must not vanish, so every commit is flushed. Group commit (see
//! `writer`) is what keeps this affordable: one fsync per batch, not per append.
//!
//! One writer task drives a dedicated write connection on a thread of its own
//! (`sqlite_writer`); reads go through a separate pool, which
//! WAL lets run alongside the writer. `busy_timeout` makes a second process (or a projection
//! writing its read model through the pool) wait for the write lock instead of failing.
//!
//! Checkpoints run off the commit path. SQLite's automatic checkpoint runs inside the commit
//! that crosses its threshold, so one batch in every few paid for copying the WAL into the
//! database file and two more fsyncs while its callers waited. Here a [`Checkpointer`] task
//! with its own connection runs a PASSIVE checkpoint (never blocks readers or the writer)
//! every [`CHECKPOINT_EVERY_EVENTS`] committed events, and the writer's automatic checkpoint
//! is kept only as a backstop at a much higher threshold: if the background task falls behind
//! (or is starved), the writer checkpoints itself, so the WAL cannot grow without bound.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::StoreError;
use crate::sqlite_writer::{SqliteWriter, Target};
use crate::store::{schema_error, Backend, Opened};
use crate::write_conn::WriteConn;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/sqlite");

/// How long any of the store's SQLite connections waits for another's lock before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const READ_CONNECTIONS: u32 = 4;
/// Committed events between two background checkpoints (a few thousand WAL pages).
pub(crate) const CHECKPOINT_EVERY_EVENTS: u64 = 2_000;

pub(crate) async fn open(url: &str) -> Result<Opened, StoreError> {
    crate::sqlite_library::configure_sqlite_library();
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
    let checkpointer = Checkpointer(options.connect().await?);
    let writer = SqliteWriter::open(Target::new(options.get_filename())).await?;
    Ok(Opened {
        backend: Backend::Sqlite(pool),
        writer: WriteConn::Sqlite(writer),
        checkpointer: Some(checkpointer),
    })
}

/// The connection that checkpoints the WAL in the background (see the module documentation).
pub(crate) struct Checkpointer(SqliteConnection);

impl Checkpointer {
    /// Checkpoints every [`CHECKPOINT_EVERY_EVENTS`] events the head watch reports, until the
    /// store (the watch's sender) is gone.
    pub fn spawn(self, mut head: watch::Receiver<u64>) -> JoinHandle<()> {
        let Checkpointer(mut conn) = self;
        tokio::spawn(async move {
            let mut last = *head.borrow_and_update();
            while let Ok(now) = head
                .wait_for(|h| *h >= last + CHECKPOINT_EVERY_EVENTS)
                .await
                .map(|h| *h)
            {
                last = now;
                // A failed checkpoint loses nothing: the frames stay in the WAL for the next one
                // (or the writer's backstop).
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut conn)
                    .await
                {
                    tracing::warn!(error = %e, "background WAL checkpoint failed");
                }
            }
        })
    }
}
