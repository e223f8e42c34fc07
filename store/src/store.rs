//! [`EventStore`]: the one entry point other crates use, whichever backend is behind it.

use std::sync::{Arc, LazyLock, Mutex};

use sqlx::migrate::{MigrateError, Migrator};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::error::{StoreError, StreamPosition};
use crate::event::{AppendRequest, AppendResult, Digest, LogEntry, RecordedEvent};
use crate::record::{StoredRow, EVENT_COLUMNS};
use crate::sqlite_scan::{self, LogReader};
use crate::validate::validate;
use crate::write_conn::WriteConn;
use crate::writer::{self, Job};
use crate::{postgres, sqlite};

/// The database behind a store, for crates that keep their read models in the same database.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs the same code against whichever pool type the backend holds: the SQL is shared.
macro_rules! on_pool {
    ($backend:expr, $p:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite($p) => $body,
            Backend::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// What a backend hands over when opened: its read pool and the writer's own connection.
pub(crate) struct Opened {
    pub backend: Backend,
    pub writer: WriteConn,
    /// SQLite only: the background WAL checkpoint's connection.
    pub checkpointer: Option<sqlite::Checkpointer>,
}

/// The event store. Cheap to clone; every clone shares one writer and one pool.
#[derive(Clone)]
pub struct EventStore {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    /// `None` once closed.
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    writer_task: Mutex<Option<JoinHandle<()>>>,
    /// PostgreSQL: relays other processes' commits into `head`; SQLite: checkpoints the WAL.
    background_task: Option<JoinHandle<()>>,
    /// The committed head position, raised after every commit this store learns of.
    head: Arc<watch::Sender<u64>>,
    /// A SQLite file: `read_all` reads it on plain connections, not through the pool.
    log_reader: Option<LogReader>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = &self.background_task {
            task.abort();
        }
    }
}

/// Queries over the `events` table, shared by both backends.
pub(crate) enum RowQuery<'a> {
    /// A stream's events from a version on.
    Stream(&'a str, i64),
    /// The global log after a position, at most `limit` events.
    After(i64, i64),
    /// Positions `from..=to`, at most `limit` events.
    Range(i64, i64, i64),
}

static STREAM_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version"
    )
});
pub(crate) static AFTER_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2")
});
pub(crate) static RANGE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE position >= $1 AND position <= $2 \
         ORDER BY position LIMIT $3"
    )
});

impl EventStore {
    /// Opens (creating if needed) and migrates the store at `url`: `sqlite://path.db` or
    /// `postgres://...`. Refuses a database whose schema is newer than this build.
    pub async fn open(url: &str) -> Result<EventStore, StoreError> {
        let opened = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres::open(url).await?
        } else {
            sqlite::open(url).await?
        };
        let initial = read_head(&opened.backend).await?;
        let head = Arc::new(watch::channel(initial).0);
        let (sender, writer_task) = writer::spawn(opened.writer, Arc::clone(&head));
        let background_task = match (&opened.backend, opened.checkpointer) {
            (Backend::Postgres(pool), _) => {
                Some(postgres::spawn_listener(pool.clone(), Arc::clone(&head)))
            }
            (Backend::Sqlite(_), checkpointer) => checkpointer.map(|c| c.spawn(head.subscribe())),
        };
        let log_reader = sqlite_scan::file_of(&opened.backend).map(LogReader::new);
        Ok(EventStore {
            inner: Arc::new(Inner {
                log_reader,
                backend: opened.backend,
                writer: Mutex::new(Some(sender)),
                writer_task: Mutex::new(Some(writer_task)),
                background_task,
                head,
            }),
        })
    }

    /// Appends atomically across every stream of the request (see [`AppendRequest`]).
    pub async fn append(&self, request: AppendRequest) -> Result<AppendResult, StoreError> {
        let append = validate(request)?;
        let sender = self.inner.writer.lock().expect("writer lock").clone();
        let sender = sender.ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Job { append, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// A stream's events from `from_version` on, in version order.
    pub async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read(RowQuery::Stream(stream, from_version as i64))
            .await
    }

    /// Where a stream stands now.
    pub async fn stream_version(&self, stream: &str) -> Result<StreamPosition, StoreError> {
        // The last entry of the events' (stream, version) key; NULL when it has none.
        const SQL: &str = "SELECT max(version) FROM events WHERE stream = $1";
        let v: Option<i64> = on_pool!(&self.inner.backend, p => sqlx::query_scalar(SQL).bind(stream).fetch_one(p).await)?;
        Ok(v.map_or(StreamPosition::NoStream, |v| StreamPosition::At(v as u64)))
    }

    /// Up to `limit` events of the global log after `after_position`, in position order.
    pub async fn read_all(
        &self,
        after_position: u64,
        limit: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = self.log_rows(after_position, limit).await?;
        rows.into_iter().map(StoredRow::into_recorded).collect()
    }

    /// Up to `limit` events of the global log after `after_position`, in position order, each
    /// made into what `keep` returns while its row is still borrowed: for a reader of the whole
    /// log that keeps little of each row (the projector), so the rest is never copied. On a
    /// SQLite file `keep` runs on the thread that steps through the rows.
    pub async fn read_log<T, E, F>(
        &self,
        after_position: u64,
        limit: u64,
        mut keep: F,
    ) -> Result<Vec<T>, E>
    where
        F: FnMut(LogEntry<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let Some(reader) = self.log_reader()? else {
            let rows = self
                .rows(RowQuery::After(after_position as i64, limit))
                .await?;
            return rows.iter().map(|row| keep(row.log_entry()?)).collect();
        };
        reader.log_after(after_position as i64, limit, keep).await
    }

    async fn log_rows(
        &self,
        after_position: u64,
        limit: u64,
    ) -> Result<Vec<StoredRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match self.log_reader()? {
            Some(reader) => reader.after(after_position as i64, limit).await,
            None => {
                self.rows(RowQuery::After(after_position as i64, limit))
                    .await
            }
        }
    }

    /// The SQLite file's own reader of the log, if the store has one; an error once the store
    /// is closed, when it reads nothing on any connection.
    fn log_reader(&self) -> Result<Option<&LogReader>, StoreError> {
        let Some(reader) = &self.inner.log_reader else {
            return Ok(None);
        };
        if self.inner.writer.lock().expect("writer lock").is_none() {
            return Err(StoreError::Closed);
        }
        Ok(Some(reader))
    }

    /// The last committed position; 0 when the ledger is empty.
    pub async fn head(&self) -> Result<u64, StoreError> {
        read_head(&self.inner.backend).await
    }

    /// The end of the hash chain, to hand to auditors; `None` when the ledger is empty.
    pub async fn digest(&self) -> Result<Option<Digest>, StoreError> {
        let (position, hash) = read_chain_head(&self.inner.backend).await?;
        Ok((position > 0).then_some(Digest { position, hash }))
    }

    /// The database behind the store (read models live in the same database).
    pub fn backend(&self) -> Backend {
        self.inner.backend.clone()
    }

    /// The committed head, updated after every commit (and, on PostgreSQL, other processes').
    pub fn head_watch(&self) -> watch::Receiver<u64> {
        self.inner.head.subscribe()
    }

    /// Finishes queued appends, stops the writer and closes the pool. Later appends get `Closed`.
    pub async fn close(&self) {
        drop(self.inner.writer.lock().expect("writer lock").take());
        let task = self
            .inner
            .writer_task
            .lock()
            .expect("writer task lock")
            .take();
        if let Some(task) = task {
            let _ = task.await; // a panicked writer has nothing left to flush
        }
        if let Some(task) = &self.inner.background_task {
            task.abort();
        }
        if let Some(reader) = &self.inner.log_reader {
            reader.close();
        }
        on_pool!(&self.inner.backend, p => p.close().await);
    }

    pub(crate) async fn rows(&self, query: RowQuery<'_>) -> Result<Vec<StoredRow>, StoreError> {
        let rows = on_pool!(&self.inner.backend, p => {
            let q = match query {
                RowQuery::Stream(s, v) => sqlx::query_as(&STREAM_SQL).bind(s).bind(v),
                RowQuery::After(a, l) => sqlx::query_as(&AFTER_SQL).bind(a).bind(l),
                RowQuery::Range(f, t, l) => sqlx::query_as(&RANGE_SQL).bind(f).bind(t).bind(l),
            };
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// The sender of the head every subscriber of this store watches.
    pub(crate) fn head_sender(&self) -> &watch::Sender<u64> {
        &self.inner.head
    }

    pub(crate) async fn chain_head(&self) -> Result<(u64, [u8; 32]), StoreError> {
        read_chain_head(&self.inner.backend).await
    }

    async fn read(&self, query: RowQuery<'_>) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rows(query)
            .await?
            .into_iter()
            .map(StoredRow::into_recorded)
            .collect()
    }
}

async fn read_head(backend: &Backend) -> Result<u64, StoreError> {
    Ok(read_chain_head(backend).await?.0)
}

async fn read_chain_head(backend: &Backend) -> Result<(u64, [u8; 32]), StoreError> {
    const SQL: &str = "SELECT position, hash FROM ledger_head WHERE id = 1";
    let (position, hash): (i64, Vec<u8>) =
        on_pool!(backend, p => sqlx::query_as(SQL).fetch_one(p).await)?;
    let hash = hash
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt {
            position: position as u64,
            detail: "ledger_head.hash is not 32 bytes".into(),
        })?;
    Ok((position as u64, hash))
}

/// Runs `migrator`, naming a database that is ahead of this build as [`StoreError::SchemaTooNew`].
pub(crate) fn schema_error(migrator: &Migrator, error: MigrateError) -> StoreError {
    let supported = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match error {
        // sqlx reports a migration applied to the database but unknown to this build.
        MigrateError::VersionMissing(found) if found > supported => {
            StoreError::SchemaTooNew { found, supported }
        }
        other => StoreError::Migrate(other),
    }
}
