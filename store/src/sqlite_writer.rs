//! SQLite's write connection: a plain SQLite connection on a thread of its own, driven by the
//! writer task one step of a batch at a time (open and look up, write and commit).
//!
//! Through sqlx every statement was handed to the connection's worker thread with a copy of
//! every bound value, and writing a batch in one hand-over meant one multi-statement text with
//! its parameters bound across its statements, which upstream sqlx has deprecated. Here a step
//! is one hand-over whatever its number of statements, values are bound straight from the
//! batch, and each statement is prepared once and kept. Inserts go one row per statement: a
//! statement that writes a single row never has to be undone halfway, so SQLite keeps no
//! statement journal for it (multi-row inserts copied every page they touched into one).

use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::sync::LazyLock;
use std::thread;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use tokio::sync::oneshot;

use crate::error::StoreError;
use crate::lookup::Keys;
use crate::plan::{Known, Writes};
use crate::record::{date_text, EVENT_COLUMNS, EVENT_COLUMN_COUNT};
use crate::sqlite::BUSY_TIMEOUT;
use crate::write_conn::ChainHead;

/// WAL pages at which the writer checkpoints inside its own commit: the backstop only, ten
/// times SQLite's default, reached only when the background checkpoints do not keep up (see
/// the `sqlite` module).
const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

const HEAD: &str = "SELECT position, hash FROM ledger_head WHERE id = 1";
const MOVE_HEAD: &str = "UPDATE ledger_head SET position = ?1, hash = ?2 WHERE id = 1";
const COMMAND: &str = "SELECT result FROM commands WHERE command_id = ?1";
/// A stream's version is the last entry of its events' (stream, version) key: one index seek.
const VERSION: &str = "SELECT max(version) FROM events WHERE stream = ?1";
const INSERT_COMMAND: &str = "INSERT INTO commands (command_id, result) VALUES (?1, ?2)";

static INSERT_EVENT: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=EVENT_COLUMN_COUNT).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    )
});

/// Where the writer's connection opens: the store's file, or the shared in-memory database
/// sqlx names `file:sqlx-in-memory-N` for `sqlite::memory:`.
#[derive(Debug, Clone)]
pub(crate) struct Target(PathBuf);

impl Target {
    pub fn new(filename: &Path) -> Target {
        Target(filename.to_path_buf())
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match self.0.to_str().filter(|f| f.starts_with("file:")) {
            Some(uri) => Connection::open_with_flags(
                format!("{uri}?mode=memory&cache=shared"),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )?,
            None => Connection::open_with_flags(&self.0, flags)?,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // The pool made the file WAL; durability and the rest as the `sqlite` module explains.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES};"
        ))?;
        Ok(conn)
    }
}

type Task = Box<dyn FnOnce(&mut Connection) + Send>;

/// The handle the writer task holds; the connection lives on the thread.
pub(crate) struct SqliteWriter {
    tasks: std_mpsc::Sender<Task>,
    target: Target,
    /// Answered (or dropped) once the thread has closed the connection.
    closed: oneshot::Receiver<()>,
}

impl SqliteWriter {
    /// Opens the connection on its thread. The thread ends when the handle is dropped.
    pub async fn open(target: Target) -> Result<SqliteWriter, StoreError> {
        let (tasks, queue) = std_mpsc::channel::<Task>();
        let (opened, is_open) = oneshot::channel();
        let (done, closed) = oneshot::channel();
        let at = target.clone();
        thread::Builder::new()
            .name("hrledger-sqlite-writer".into())
            .spawn(move || {
                let mut conn = match at.connect() {
                    Ok(conn) => conn,
                    Err(e) => return drop(opened.send(Err(e))),
                };
                let _ = opened.send(Ok(()));
                for task in queue {
                    task(&mut conn);
                }
                drop(conn);
                let _ = done.send(());
            })
            .map_err(|e| StoreError::CommitFailed(format!("no SQLite writer thread: {e}")))?;
        is_open.await.map_err(|_| StoreError::Closed)??;
        Ok(SqliteWriter {
            tasks,
            target,
            closed,
        })
    }

    /// Runs `step` on the connection's thread and waits for its answer.
    pub async fn run<T: Send + 'static>(
        &self,
        step: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let task: Task = Box::new(move |conn| {
            let _ = reply.send(step(conn));
        });
        self.tasks.send(task).map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Rolls back whatever transaction is open; if that fails, opens the connection afresh.
    pub async fn abort(&self) -> Result<(), StoreError> {
        let target = self.target.clone();
        self.run(move |conn| {
            if conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok() {
                return Ok(());
            }
            *conn = target.connect()?;
            Ok(())
        })
        .await
    }

    /// Closes the connection and waits until it is closed.
    pub async fn close(self) {
        drop(self.tasks); // the thread's queue ends
        let _ = self.closed.await;
    }
}

/// `BEGIN IMMEDIATE` and the head: the write lock is taken now, so a second process cannot
/// slip a commit in between this read of the head and the batch's inserts.
pub(crate) fn begin(conn: &Connection) -> Result<ChainHead, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let (position, hash): (i64, Vec<u8>) = conn
        .prepare_cached(HEAD)?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    ChainHead::from_row(position, hash)
}

/// Which of the batch's command ids were recorded before, and its streams' versions.
pub(crate) fn known(conn: &Connection, keys: &Keys) -> Result<Known, StoreError> {
    let mut known = Known::default();
    let mut command = conn.prepare_cached(COMMAND)?;
    for id in &keys.ids {
        let result: Option<String> = command
            .query_row([&id.as_bytes()[..]], |row| row.get(0))
            .optional()?;
        if let Some(result) = result {
            known.commands.insert(*id, result);
        }
    }
    let mut version = conn.prepare_cached(VERSION)?;
    for stream in &keys.streams {
        let at: Option<i64> = version.query_row([stream], |row| row.get(0))?;
        if let Some(at) = at {
            known.versions.insert(stream.clone(), at as u64);
        }
    }
    Ok(known)
}

/// Writes a planned batch: its events and its command results.
pub(crate) fn write(conn: &Connection, w: &Writes) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(&INSERT_EVENT)?;
    for r in &w.events {
        insert.execute(params![
            r.position,
            r.stream,
            r.version,
            &r.event_id.as_bytes()[..],
            r.event_type,
            r.schema_version,
            r.data,
            date_text(r.effective_date),
            r.recorded_at_us,
            &r.command_id.as_bytes()[..],
            &r.correlation_id.as_bytes()[..],
            r.causation_id.as_ref().map(|id| &id.as_bytes()[..]),
            r.actor,
            r.actor_role,
            r.reason,
            r.hash,
        ])?;
    }
    let mut record = conn.prepare_cached(INSERT_COMMAND)?;
    for (id, result) in &w.commands {
        record.execute(params![&id.as_bytes()[..], result])?;
    }
    Ok(())
}

/// Moves the head and commits.
pub(crate) fn finish(conn: &Connection, head: ChainHead) -> Result<(), StoreError> {
    conn.prepare_cached(MOVE_HEAD)?
        .execute(params![head.position as i64, &head.hash[..]])?;
    conn.execute_batch("COMMIT")?;
    Ok(())
}
