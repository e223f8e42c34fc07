//! Reads of hot read-model pages straight from the SQLite file, on blocking threads.
//!
//! Through sqlx's SQLite pool every row crosses from its worker thread to the async task as a
//! message with an owned value per column. For a 500-row page of the payroll change feed that
//! hand-over, not SQLite, was most of the page's cost. Here a plain SQLite connection steps
//! through the rows where they are read and only the finished page crosses threads (as the
//! store's verification does for the log).
//!
//! Connections are WAL readers like the pool's: each query is one statement, so one committed
//! snapshot, and the projector carries on writing alongside. They are opened writable (a
//! read-only open cannot always attach to the shared-memory index of a live WAL file) and
//! then made `query_only`, so they can never write.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::ProjectionError;

/// As long as the pool's readers wait for a lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections kept for the next reads; more may be open while many reads run at once.
const IDLE: usize = 8;

/// Plain connections to one SQLite file, lent out one per read.
#[derive(Clone, Debug)]
pub struct SqliteFile {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl SqliteFile {
    pub fn new(path: PathBuf) -> Self {
        SqliteFile {
            path: Arc::new(path),
            idle: Arc::default(),
        }
    }

    /// Runs `read` on a connection of its own, on a blocking thread.
    pub async fn read<T, F>(&self, read: F) -> Result<T, ProjectionError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let file = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = file.lend()?;
            let result = read(&conn);
            file.give_back(conn);
            Ok(result?)
        })
        .await
        .map_err(|e| ProjectionError::ReaderStopped(e.to_string()))?
    }

    fn lend(&self) -> Result<Connection, ProjectionError> {
        if let Some(conn) = self.idle.lock().expect("idle connections").pop() {
            return Ok(conn);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&*self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().expect("idle connections");
        if idle.len() < IDLE {
            idle.push(conn);
        }
    }
}
