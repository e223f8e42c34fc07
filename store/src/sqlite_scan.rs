//! Reads of a SQLite file's log that step through many rows: verification's read of the chain
//! and `read_all` (the projector's feed, the API's ledger pages), each on a plain SQLite
//! connection on a blocking thread. The read models open the same kind of connection for their
//! hottest pages ([`open_query_only`]).
//!
//! Through the pool, every row crosses from sqlx's worker thread to the async task as a
//! message carrying an owned value per column; that hand-over, not SQLite, capped verification
//! at about a hundred thousand rows a second. Here the rows are read where they are stepped,
//! straight from SQLite's buffers, and only whole batches cross to the hasher.
//!
//! The connection is a WAL reader like the pool's: each page is one statement, so one
//! committed snapshot, and appends carry on alongside. It is opened writable (a read-only open
//! cannot always attach to the shared-memory index of a live WAL file) and then made
//! `query_only`, so it can never write.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OpenFlags, Row};
use uuid::Uuid;

use crate::chain_hasher::BatchSender;
use crate::error::StoreError;
use crate::event::LogEntry;
use crate::record::{canonical_date, date_text, recorded_at, RowRef, StoredRow};
use crate::sqlite::BUSY_TIMEOUT;
use crate::store::{Backend, AFTER_SQL, RANGE_SQL};
use crate::verify::{Halt, Sequencer, PAGE};

/// The file behind a SQLite backend; `None` for PostgreSQL or an in-memory database, which
/// are read through the pool.
pub fn file_of(backend: &Backend) -> Option<PathBuf> {
    let Backend::Sqlite(pool) = backend else {
        return None;
    };
    let path = pool.connect_options().get_filename().to_path_buf();
    path.is_file().then_some(path)
}

/// Reads `sequencer.next()..=to` from the file into the hasher (see `EventStore::verify`).
pub(crate) async fn read_chain(
    path: PathBuf,
    mut sequencer: Sequencer,
    to: u64,
    hasher: BatchSender,
) -> Result<(Sequencer, Option<Halt>), StoreError> {
    tokio::task::spawn_blocking(move || {
        let outcome = open_query_only(&path)
            .map_err(StoreError::from)
            .and_then(|conn| read_pages(&conn, &mut sequencer, to, &hasher));
        // Rows before a halt or an error still get hashed: a break among them comes first. A
        // failed send means the hasher already holds its break.
        let _ = hasher.blocking_send(sequencer.take());
        outcome.map(|halt| (sequencer, halt))
    })
    .await
    .expect("the SQLite chain reader panicked")
}

/// Idle connections kept between reads, beyond which a returned one is closed.
const IDLE_READERS: usize = 4;

/// The file's log read in pages for [`EventStore::read_all`](crate::EventStore::read_all): a
/// page of 2,000 events through the pool cost more in the hand-over of every row's values from
/// sqlx's worker thread than in SQLite. Connections are kept between reads, so a page does not
/// pay for opening one.
#[derive(Clone)]
pub(crate) struct LogReader {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl LogReader {
    pub fn new(path: PathBuf) -> LogReader {
        LogReader {
            path: Arc::new(path),
            idle: Arc::default(),
        }
    }

    /// Up to `limit` rows after `after`, in position order, as one snapshot.
    pub async fn after(&self, after: i64, limit: i64) -> Result<Vec<StoredRow>, StoreError> {
        self.on_connection(move |conn| read_after(conn, after, limit))
            .await
    }

    /// What `keep` makes of each of up to `limit` events after `after`, in position order, as
    /// one snapshot (see [`EventStore::read_log`](crate::EventStore::read_log)).
    pub async fn log_after<T, E, F>(&self, after: i64, limit: i64, keep: F) -> Result<Vec<T>, E>
    where
        F: FnMut(LogEntry<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.on_connection(move |conn| read_log_after(conn, after, limit, keep))
            .await
    }

    /// Runs `read` on a kept connection, on a blocking thread.
    async fn on_connection<T, E>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let reader = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lend()?;
            let read = read(&conn);
            reader.give_back(conn);
            read
        })
        .await
        .expect("the SQLite log reader panicked")
    }

    /// Closes the idle connections (the store is closing).
    pub fn close(&self) {
        self.idle.lock().expect("idle readers").clear();
    }

    fn lend(&self) -> Result<Connection, StoreError> {
        match self.idle.lock().expect("idle readers").pop() {
            Some(conn) => Ok(conn),
            None => Ok(open_query_only(&self.path)?),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().expect("idle readers");
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

fn read_after(conn: &Connection, after: i64, limit: i64) -> Result<Vec<StoredRow>, StoreError> {
    read_page(conn, &AFTER_SQL, after, limit, |row| {
        Ok(StoredRow::from(row_ref(row)?.0))
    })
}

/// The columns of [`LogEntry`], in the order [`log_entry`] reads them.
const LOG_SQL: &str = "SELECT position, stream, version, event_type, schema_version, data, \
    effective_date, recorded_at_us FROM events WHERE position > $1 ORDER BY position LIMIT $2";

fn read_log_after<T, E: From<StoreError>>(
    conn: &Connection,
    after: i64,
    limit: i64,
    mut keep: impl FnMut(LogEntry<'_>) -> Result<T, E>,
) -> Result<Vec<T>, E> {
    read_page(conn, LOG_SQL, after, limit, |row| keep(log_entry(row)?))
}

/// What `take` makes of each row `sql` (`$1` after, `$2` limit) returns, in order.
fn read_page<T, E: From<StoreError>>(
    conn: &Connection,
    sql: &str,
    after: i64,
    limit: i64,
    mut take: impl FnMut(&Row<'_>) -> Result<T, E>,
) -> Result<Vec<T>, E> {
    let mut page = conn.prepare_cached(sql).map_err(StoreError::from)?;
    let mut rows = page
        .query(params![after, limit])
        .map_err(StoreError::from)?;
    let mut read = Vec::with_capacity(usize::try_from(limit).map_or(0, |l| l.min(4_096)));
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        read.push(take(row)?);
    }
    Ok(read)
}

/// Decodes one row of [`LOG_SQL`], borrowed from SQLite's buffers.
fn log_entry<'r>(row: &'r Row<'_>) -> Result<LogEntry<'r>, StoreError> {
    let position = integer(row, 0, 0)?;
    let at = position as u64;
    Ok(LogEntry {
        position: at,
        stream: text(row, 1, at)?,
        version: integer(row, 2, at)? as u64,
        event_type: text(row, 3, at)?,
        schema_version: integer(row, 4, at)? as u32,
        data: text(row, 5, at)?,
        effective_date: effective_date(text(row, 6, at)?, at)?.0,
        recorded_at: recorded_at(position, integer(row, 7, at)?)?,
    })
}

/// Decodes one row in `EVENT_COLUMNS` order, as the pool's decoder does, borrowed from
/// SQLite's buffers; with it the canonical text of its effective date, which the chain covers.
fn row_ref<'r>(row: &'r Row<'_>) -> Result<(RowRef<'r>, Cow<'r, str>), StoreError> {
    let position = integer(row, 0, 0)?;
    let at = position as u64;
    let (effective_date, date) = effective_date(text(row, 7, at)?, at)?;
    let fields = RowRef {
        position,
        stream: text(row, 1, at)?,
        version: integer(row, 2, at)?,
        event_id: uuid(row, 3, at)?,
        event_type: text(row, 4, at)?,
        schema_version: integer(row, 5, at)?,
        data: text(row, 6, at)?,
        effective_date,
        recorded_at_us: integer(row, 8, at)?,
        command_id: uuid(row, 9, at)?,
        correlation_id: uuid(row, 10, at)?,
        causation_id: optional_uuid(row, 11, at)?,
        actor: text(row, 12, at)?,
        actor_role: text(row, 13, at)?,
        reason: text(row, 14, at)?,
        hash: blob(row, 15, at)?,
    };
    Ok((fields, date))
}

/// How much of the file a reader maps: the largest SQLite allows by default (2 GiB); a map
/// takes address space, not memory. The ledger is never shrunk in place (no VACUUM), which is
/// what could pull pages from under a map.
const READER_MMAP_BYTES: i64 = 0x7fff_0000;

/// A plain connection that reads `path` beside the pool's (see the module documentation):
/// for reads that step through many rows, which through the pool cross threads one by one.
pub fn open_query_only(path: &Path) -> rusqlite::Result<Connection> {
    crate::sqlite_library::configure_sqlite_library();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    // Pages of the file are read through a memory map instead of a read call each, which
    // copied every 4 KiB page of the log from the kernel's cache into SQLite's: that copy and
    // its system call were 4% of a SQLite rebuild's CPU samples (BENCHMARKS.md, session 17).
    // Frames still in the WAL are read as before. SQLite caps the map at its compiled limit.
    conn.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
    Ok(conn)
}

fn read_pages(
    conn: &Connection,
    sequencer: &mut Sequencer,
    to: u64,
    hasher: &BatchSender,
) -> Result<Option<Halt>, StoreError> {
    let mut page = conn.prepare(&RANGE_SQL)?;
    while sequencer.next() <= to {
        let first = sequencer.next();
        let mut rows = page.query(params![first as i64, to as i64, PAGE as i64])?;
        while let Some(row) = rows.next()? {
            if let Err(halt) = push_row(row, sequencer, hasher)? {
                return Ok(Some(halt));
            }
        }
        if sequencer.next() - first < PAGE {
            break; // the range ran out of rows: `finish` reports any missing at its end
        }
    }
    Ok(None)
}

/// Decodes one row (see [`row_ref`]) and packs it.
fn push_row(
    row: &Row<'_>,
    sequencer: &mut Sequencer,
    hasher: &BatchSender,
) -> Result<Result<(), Halt>, StoreError> {
    let (row, date) = row_ref(row)?;
    let fields = row.chained(&date);
    let stored = row.hash;
    Ok(match sequencer.push(&fields, stored) {
        Ok(Some(full)) => hasher.blocking_send(full).map_err(|_| Halt::HasherStopped),
        Ok(None) => Ok(()),
        Err(halt) => Err(halt),
    })
}

fn integer(row: &Row<'_>, column: usize, at: u64) -> Result<i64, StoreError> {
    row.get_ref(column)?
        .as_i64()
        .map_err(|e| corrupt(at, column, e))
}

fn text<'r>(row: &'r Row<'_>, column: usize, at: u64) -> Result<&'r str, StoreError> {
    row.get_ref(column)?
        .as_str()
        .map_err(|e| corrupt(at, column, e))
}

fn blob<'r>(row: &'r Row<'_>, column: usize, at: u64) -> Result<&'r [u8], StoreError> {
    row.get_ref(column)?
        .as_blob()
        .map_err(|e| corrupt(at, column, e))
}

fn uuid(row: &Row<'_>, column: usize, at: u64) -> Result<Uuid, StoreError> {
    Uuid::from_slice(blob(row, column, at)?).map_err(|e| corrupt(at, column, e))
}

fn optional_uuid(row: &Row<'_>, column: usize, at: u64) -> Result<Option<Uuid>, StoreError> {
    row.get_ref(column)?
        .as_blob_or_null()
        .map_err(|e| corrupt(at, column, e))?
        .map(|bytes| Uuid::from_slice(bytes).map_err(|e| corrupt(at, column, e)))
        .transpose()
}

/// A stored date and its canonical text, exactly as decoding it (sqlx parses `%F`) and
/// re-encoding it with `date_text` would give. A valid date already in `YYYY-MM-DD` form is
/// its own canonical text, which saves formatting every row.
fn effective_date(stored: &str, at: u64) -> Result<(NaiveDate, Cow<'_, str>), StoreError> {
    if let Some(date) = canonical_date(stored) {
        return Ok((date, stored.into()));
    }
    let date = NaiveDate::parse_from_str(stored, "%F").map_err(|e| corrupt(at, 7, e))?;
    Ok((date, date_text(date).into()))
}

fn corrupt(at: u64, column: usize, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        position: at,
        detail: format!("column {column}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn canonical_dates_are_their_own_text_and_others_are_normalised_as_on_decode() {
        for text in ["2025-04-01", "0001-01-09", "9999-12-31", "2024-02-29"] {
            assert!(super::canonical_date(text).is_some(), "{text}");
            let (date, canonical) = super::effective_date(text, 1).unwrap();
            assert_eq!(canonical, text);
            assert_eq!(date, NaiveDate::parse_from_str(text, "%F").unwrap());
        }
        for text in ["2025-02-30", "2025-4-1", "+10000-01-01", "2025-04-01 "] {
            assert!(super::canonical_date(text).is_none(), "{text}");
            let decoded = NaiveDate::parse_from_str(text, "%F").map(super::date_text);
            match super::effective_date(text, 1) {
                Ok((date, ours)) => {
                    assert_eq!(ours, decoded.unwrap());
                    assert_eq!(date, NaiveDate::parse_from_str(text, "%F").unwrap());
                }
                Err(_) => assert!(decoded.is_err(), "{text}"),
            }
        }
    }
}
