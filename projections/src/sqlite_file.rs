//! The SQLite file's own connections for read models: plain connections for hot pages, read on
//! blocking threads, and the one connection read-model batches commit on.
//!
//! Through sqlx's SQLite pool every row crosses from its worker thread to the async task as a
//! message with an owned value per column. For a 500-row page of the payroll change feed that
//! hand-over, not SQLite, was most of the page's cost. Here a plain connection (the store's
//! query-only reader, as verification uses) steps through the rows where they are read and
//! only the finished page crosses threads.
//!
//! Read-model batches commit on a connection of their own, with the ledger pool's settings but
//! a larger page cache (see [`BATCH_CACHE_KIB`]), so the pool's readers do not each grow one,
//! and two more differences, both because read models are derived from the ledger:
//! - `synchronous = NORMAL`: a batch's commit does not wait for the WAL to reach the disk. A
//!   power loss can roll back the last batches, never corrupt the file (WAL mode), and their
//!   checkpoint rolls back with them, so the next run projects those events again. The
//!   ledger's own commits still flush the WAL, and with it every frame before theirs.
//! - The WAL is checkpointed by another connection after a batch commits (see
//!   [`SqliteFile::checkpoint`]), not inside the commit, which in a rebuild copied every page
//!   of the batch into the file and flushed it twice while the next batch waited.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hrledger_store::open_sqlite_reader;
use rusqlite::Connection;
use sqlx::sqlite::{SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::Semaphore;

use crate::error::ProjectionError;

/// Reads at once, each on a connection of its own; further reads wait for one. Bounded so that
/// connections are kept and reused, never opened and dropped per read under load.
const CONNECTIONS: usize = 8;

/// The batch connection's page cache, in KiB. A rebuild batch touches pages all over every
/// read-model index; with SQLite's default 2 MB cache it spilled dirty pages to the log
/// mid-batch and read index pages back from the file, both visible in profiles of a rebuild.
/// Kept across batches, so the pages stay warm; one connection, so one such cache.
///
/// 96 MiB holds a 60,000-event batch's dirty pages and the staff records it upserts. The
/// 256 MiB it was filled up too, with pages no later batch read, and memory the kernel zeroes
/// on first touch costs: a 1,018,368-event SQLite rebuild took 6.75–7.41 s with 96 MiB against
/// 7.14–9.08 s with 256 MiB, 160 MB less resident (BENCHMARKS.md, session 17).
pub const BATCH_CACHE_KIB: u32 = 98_304;

/// WAL pages (512 MiB) at which the batch connection checkpoints inside its own commit: a
/// backstop only, should the checkpoints beside the writer (see `writer`) fall behind.
const BATCH_CHECKPOINT_PAGES: u32 = 131_072;

/// Connections to one SQLite file: plain ones lent out one per read, and one for batches.
#[derive(Clone, Debug)]
pub struct SqliteFile {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
    batches: SqlitePool,
}

impl SqliteFile {
    /// The file at `path`, which the ledger's `pool` opened.
    pub fn new(path: PathBuf, pool: &SqlitePool) -> Self {
        let options = (*pool.connect_options())
            .clone()
            .pragma("cache_size", format!("-{BATCH_CACHE_KIB}"))
            .synchronous(SqliteSynchronous::Normal)
            .pragma("wal_autocheckpoint", BATCH_CHECKPOINT_PAGES.to_string());
        SqliteFile {
            path: Arc::new(path),
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(CONNECTIONS)),
            batches: SqlitePoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(options),
        }
    }

    /// Opens a read-model batch's transaction.
    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.batches.begin().await
    }

    /// Copies what the WAL holds into the file, on a connection of its own, without blocking
    /// the batch connection or readers (PASSIVE): frames a reader still needs wait for the next
    /// checkpoint. A failed checkpoint loses nothing; the frames stay in the WAL.
    pub async fn checkpoint(&self) -> Result<(), ProjectionError> {
        self.read(|conn| conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())))
            .await
    }

    /// Runs `read` on a connection of its own, on a blocking thread.
    pub async fn read<T, F>(&self, read: F) -> Result<T, ProjectionError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let file = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = file.lend()?;
            let result = read(&conn);
            file.idle.lock().expect("idle connections").push(conn);
            drop(permit); // after the connection is back: the next read finds it idle
            Ok(result?)
        })
        .await
        .map_err(|e| ProjectionError::ReaderStopped(e.to_string()))?
    }

    fn lend(&self) -> Result<Connection, ProjectionError> {
        match self.idle.lock().expect("idle connections").pop() {
            Some(conn) => Ok(conn),
            None => Ok(open_sqlite_reader(&self.path)?),
        }
    }
}
