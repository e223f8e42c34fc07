//! Reads of hot read-model pages straight from the SQLite file, on blocking threads.
//!
//! Through sqlx's SQLite pool every row crosses from its worker thread to the async task as a
//! message with an owned value per column. For a 500-row page of the payroll change feed that
//! hand-over, not SQLite, was most of the page's cost. Here a plain connection (the store's
//! query-only reader, as verification uses) steps through the rows where they are read and
//! only the finished page crosses threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hrledger_store::open_sqlite_reader;
use rusqlite::Connection;
use tokio::sync::Semaphore;

use crate::error::ProjectionError;

/// Reads at once, each on a connection of its own; further reads wait for one. Bounded so that
/// connections are kept and reused, never opened and dropped per read under load.
const CONNECTIONS: usize = 8;

/// Plain connections to one SQLite file, lent out one per read.
#[derive(Clone, Debug)]
pub struct SqliteFile {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl SqliteFile {
    pub fn new(path: PathBuf) -> Self {
        SqliteFile {
            path: Arc::new(path),
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(CONNECTIONS)),
        }
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
