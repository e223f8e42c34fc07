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
//! a larger page cache (see [`BATCH_CACHE_KIB`]), so the pool's readers do not each grow one.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hrledger_store::open_sqlite_reader;
use rusqlite::Connection;
use sqlx::sqlite::SqlitePoolOptions;
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
pub const BATCH_CACHE_KIB: u32 = 262_144;

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
            .pragma("cache_size", format!("-{BATCH_CACHE_KIB}"));
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
