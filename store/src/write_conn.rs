//! The writer task's own connection and the few steps an append batch is made of: begin (and
//! lock the head), read what the batch needs, write it, move the head and commit.
//!
//! Each step costs a constant number of hand-overs whatever the batch size: on PostgreSQL a
//! statement is a network round trip (`pg_write`); on SQLite a step is one hop to the
//! connection's own thread (`sqlite_writer`). SQLite takes the database write lock with
//! `BEGIN IMMEDIATE`; PostgreSQL locks the one `ledger_head` row and announces the new head
//! with `NOTIFY`.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor};

use crate::error::StoreError;
use crate::lookup::Keys;
use crate::pg_write;
use crate::plan::{Known, Writes};
use crate::sqlite_writer::{self, SqliteWriter};
use crate::validate::ValidAppend;

/// Why a batch's write-and-commit failed.
#[derive(Debug)]
pub(crate) enum WriteFailure {
    /// The write failed: the transaction is still open, and the batch can be rolled back and
    /// run again request by request.
    Refused(StoreError),
    /// The commit (or the head move before it) failed: the batch failed as a whole.
    Commit(StoreError),
}

/// The end of the hash chain: the last position and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainHead {
    pub position: u64,
    pub hash: [u8; 32],
}

impl ChainHead {
    /// The head as `ledger_head` stores it.
    pub fn from_row(position: i64, hash: Vec<u8>) -> Result<ChainHead, StoreError> {
        let hash = hash
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt {
                position: position as u64,
                detail: "ledger_head.hash is not 32 bytes".into(),
            })?;
        Ok(ChainHead {
            position: position as u64,
            hash,
        })
    }
}

// One per store, moved only when the writer starts: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum WriteConn {
    Sqlite(SqliteWriter),
    Postgres(PgConnection, PgConnectOptions),
}

impl WriteConn {
    /// One statement without parameters (`ROLLBACK`, savepoints).
    pub async fn exec(&mut self, sql: &'static str) -> Result<(), StoreError> {
        match self {
            WriteConn::Sqlite(w) => w.run(move |c| Ok(c.execute_batch(sql)?)).await,
            WriteConn::Postgres(c, _) => {
                c.execute(sql).await?;
                Ok(())
            }
        }
    }

    /// Opens the batch transaction and returns the chain head, locked against other writers.
    pub async fn begin_batch(&mut self) -> Result<ChainHead, StoreError> {
        match self {
            WriteConn::Sqlite(w) => w.run(|c| sqlite_writer::begin(c)).await,
            WriteConn::Postgres(c, _) => pg_write::begin(c).await,
        }
    }

    /// Opens the batch transaction, locks the chain head and reads what the batch needs.
    pub async fn open_batch(
        &mut self,
        appends: &[ValidAppend],
    ) -> Result<(ChainHead, Known), StoreError> {
        let keys = Keys::of(appends);
        match self {
            WriteConn::Sqlite(w) => {
                w.run(move |c| Ok((sqlite_writer::begin(c)?, sqlite_writer::known(c, &keys)?)))
                    .await
            }
            WriteConn::Postgres(c, _) => {
                let head = pg_write::begin(c).await?;
                Ok((head, pg_write::known(c, &keys).await?))
            }
        }
    }

    /// What the database holds for a batch, inside a transaction already open: which of its
    /// command ids were recorded before, and the current version of each stream it names.
    pub async fn known(&mut self, appends: &[ValidAppend]) -> Result<Known, StoreError> {
        let keys = Keys::of(appends);
        match self {
            WriteConn::Sqlite(w) => w.run(move |c| sqlite_writer::known(c, &keys)).await,
            WriteConn::Postgres(c, _) => pg_write::known(c, &keys).await,
        }
    }

    /// Writes a planned batch and commits it, moving the head from `start` to `head`.
    pub async fn write_and_commit(
        &mut self,
        writes: Writes,
        start: ChainHead,
        head: ChainHead,
    ) -> Result<(), WriteFailure> {
        if head == start {
            // Only replays and refusals: nothing to write, the head stays.
            return self.exec("COMMIT").await.map_err(WriteFailure::Commit);
        }
        match self {
            WriteConn::Sqlite(w) => {
                let step = move |c: &mut rusqlite::Connection| {
                    Ok(sqlite_writer::write(c, &writes)
                        .map_err(WriteFailure::Refused)
                        .and_then(|()| {
                            sqlite_writer::finish(c, head).map_err(WriteFailure::Commit)
                        }))
                };
                // A writer thread gone away is a failed commit for the whole batch.
                w.run(step)
                    .await
                    .unwrap_or_else(|e| Err(WriteFailure::Commit(e)))
            }
            WriteConn::Postgres(c, _) => {
                pg_write::write(c, &writes)
                    .await
                    .map_err(WriteFailure::Refused)?;
                pg_write::finish(c, head)
                    .await
                    .map_err(WriteFailure::Commit)
            }
        }
    }

    /// PostgreSQL: writes and commits a batch planned without reading, in one statement, if
    /// the head is still at `start` (see `pg_write::write_if_head`). `Ok(false)`: nothing was
    /// written, because the head had moved (or there is no such statement: SQLite).
    /// `Refused`: the database refused the batch, and nothing was written.
    pub async fn write_if_head(
        &mut self,
        writes: &Writes,
        start: ChainHead,
        head: ChainHead,
    ) -> Result<bool, WriteFailure> {
        match self {
            WriteConn::Sqlite(_) => Ok(false),
            WriteConn::Postgres(c, _) => {
                match pg_write::write_if_head(c, writes, start, head).await {
                    Err(e @ sqlx::Error::Database(_)) => Err(WriteFailure::Refused(e.into())),
                    other => other.map_err(|e| WriteFailure::Commit(e.into())),
                }
            }
        }
    }

    /// Whether [`WriteConn::write_if_head`] can write a batch in one go.
    pub fn writes_unread(&self) -> bool {
        matches!(self, WriteConn::Postgres(..))
    }

    /// Writes a planned batch: its events and its command results.
    pub async fn write(&mut self, writes: Writes) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        match self {
            WriteConn::Sqlite(w) => w.run(move |c| sqlite_writer::write(c, &writes)).await,
            WriteConn::Postgres(c, _) => pg_write::write(c, &writes).await,
        }
    }

    /// Moves the head, wakes other processes' subscribers (PostgreSQL) and commits.
    pub async fn finish_batch(&mut self, head: ChainHead) -> Result<(), StoreError> {
        match self {
            WriteConn::Sqlite(w) => w.run(move |c| sqlite_writer::finish(c, head)).await,
            WriteConn::Postgres(c, _) => pg_write::finish(c, head).await,
        }
    }

    /// Abandons the batch; if the connection itself is broken, replaces it.
    pub async fn abort_batch(&mut self) {
        let outcome = match self {
            WriteConn::Sqlite(w) => w.abort().await,
            WriteConn::Postgres(c, options) => {
                if c.execute("ROLLBACK").await.is_ok() {
                    return;
                }
                options
                    .connect()
                    .await
                    .map(|fresh| *c = fresh)
                    .map_err(StoreError::from)
            }
        };
        if let Err(e) = outcome {
            tracing::error!(error = %e, "event store writer could not reconnect");
        }
    }

    /// Closes the connection, once the writer has nothing left to write.
    pub async fn close(self) {
        match self {
            WriteConn::Sqlite(w) => w.close().await,
            WriteConn::Postgres(c, _) => {
                let _ = c.close().await;
            }
        }
    }
}
