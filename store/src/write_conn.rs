//! The writer task's own connection and the few SQL steps an append batch is made of: begin
//! (and lock the head), read what the batch needs, write it, move the head and commit.
//!
//! Each step is a constant number of statements whatever the batch size, because on
//! PostgreSQL every statement is a network round trip and on SQLite a hop to sqlx's worker
//! thread. SQLite takes the database write lock with `BEGIN IMMEDIATE` and gets multi-row
//! `VALUES` lists; PostgreSQL locks the one `ledger_head` row, gets whole columns as arrays,
//! and announces the new head with `NOTIFY`.

use std::fmt::Write;
use std::sync::LazyLock;

use futures::future::BoxFuture;
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Executor, Row};
use uuid::Uuid;

use crate::lookup::{Keys, LookupText, Opening};
use crate::plan::{Known, Writes};
use crate::record::{StoredRow, EVENT_COLUMNS, EVENT_COLUMN_COUNT};
use crate::validate::ValidAppend;

/// PostgreSQL channel on which every commit announces the new head position.
pub(crate) const NOTIFY_CHANNEL: &str = "hrledger_events";

/// Rows per multi-row INSERT: 16 binds each stays well under both engines' parameter limits.
const INSERT_CHUNK: usize = 1000;

/// Why a batch's write-and-commit failed.
#[derive(Debug)]
pub(crate) enum WriteFailure {
    /// The write (or, on SQLite, the commit sent with it) failed: the transaction may still
    /// be open, and the batch can be rolled back and run again request by request.
    Refused(sqlx::Error),
    /// The commit failed after the write: the batch failed as a whole.
    Commit(sqlx::Error),
}

/// The end of the hash chain: the last position and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainHead {
    pub position: u64,
    pub hash: [u8; 32],
}

impl ChainHead {
    /// The head as `ledger_head` stores it.
    pub fn from_row(position: i64, hash: Vec<u8>) -> Result<ChainHead, sqlx::Error> {
        let hash = hash
            .as_slice()
            .try_into()
            .map_err(|_| sqlx::Error::Decode("ledger_head.hash is not 32 bytes".into()))?;
        Ok(ChainHead {
            position: position as u64,
            hash,
        })
    }
}

pub(crate) enum WriteConn {
    Sqlite(SqliteConnection, SqliteConnectOptions),
    Postgres(PgConnection, PgConnectOptions),
}

/// Runs the same code against whichever connection type the writer holds.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            WriteConn::Sqlite($c, _) => $body,
            WriteConn::Postgres($c, _) => $body,
        }
    };
}

impl WriteConn {
    pub fn exec<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(
            async move { on_conn!(self, c => sqlx::query(sql).execute(&mut *c).await.map(|_| ())) },
        )
    }

    /// Opens the batch transaction and returns the chain head, locked against other writers.
    pub fn begin_batch<'a>(&'a mut self) -> BoxFuture<'a, Result<ChainHead, sqlx::Error>> {
        Box::pin(async move {
            // One message for both statements: a round trip less per batch.
            let begin_and_head = match self {
                // IMMEDIATE takes the write lock now, so a second process cannot slip a commit in
                // between our read of the head and our inserts.
                WriteConn::Sqlite(..) => {
                    "BEGIN IMMEDIATE; SELECT position, hash FROM ledger_head WHERE id = 1"
                }
                // The append lock, held until COMMIT: positions commit in position order (see the
                // `postgres` module documentation).
                WriteConn::Postgres(..) => {
                    "BEGIN; SELECT position, hash FROM ledger_head WHERE id = 1 FOR UPDATE"
                }
            };
            let (position, hash): (i64, Vec<u8>) = on_conn!(self, c => {
                let row = c.fetch_one(begin_and_head).await?;
                (row.try_get(0)?, row.try_get(1)?)
            });
            ChainHead::from_row(position, hash)
        })
    }

    /// Opens the batch transaction, locks the chain head and reads what the batch needs, in
    /// one message (see `lookup`).
    pub fn open_batch<'a>(
        &'a mut self,
        appends: &'a [ValidAppend],
    ) -> BoxFuture<'a, Result<(ChainHead, Known), sqlx::Error>> {
        Box::pin(async move {
            let (head, known) = self.lookup(appends, Opening::Begin).await?;
            Ok((head.ok_or(sqlx::Error::RowNotFound)?, known))
        })
    }

    /// Moves the head, wakes other processes' subscribers (PostgreSQL) and commits.
    pub fn finish_batch<'a>(
        &'a mut self,
        head: ChainHead,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            const MOVE: &str = "UPDATE ledger_head SET position = $1, hash = $2 WHERE id = 1";
            match self {
                WriteConn::Sqlite(c, _) => {
                    sqlx::query(MOVE)
                        .bind(head.position as i64)
                        .bind(head.hash.as_slice())
                        .execute(&mut *c)
                        .await?;
                    self.exec("COMMIT").await
                }
                // One message, so one round trip: a statement with bound parameters would need
                // a message of its own. The NOTIFY is delivered only on COMMIT, so a listener
                // never hears of uncommitted positions; if any statement fails, the ones after
                // it do not run and the transaction is left for `abort_batch` to roll back.
                WriteConn::Postgres(c, _) => c
                    .execute(move_and_commit_pg(head).as_str())
                    .await
                    .map(|_| ()),
            }
        })
    }

    /// Abandons the batch; if the connection itself is broken, replaces it.
    pub fn abort_batch(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.exec("ROLLBACK").await.is_ok() {
                return;
            }
            let fresh = match self {
                WriteConn::Sqlite(_, o) => {
                    o.connect().await.map(|c| WriteConn::Sqlite(c, o.clone()))
                }
                WriteConn::Postgres(_, o) => {
                    o.connect().await.map(|c| WriteConn::Postgres(c, o.clone()))
                }
            };
            match fresh {
                Ok(conn) => *self = conn,
                Err(e) => tracing::error!(error = %e, "event store writer could not reconnect"),
            }
        })
    }

    /// What the database holds for a batch, inside a transaction already open: which of its
    /// command ids were recorded before, and the current version of each stream it names.
    pub fn known<'a>(
        &'a mut self,
        appends: &'a [ValidAppend],
    ) -> BoxFuture<'a, Result<Known, sqlx::Error>> {
        Box::pin(async move { Ok(self.lookup(appends, Opening::LookupOnly).await?.1) })
    }

    async fn lookup(
        &mut self,
        appends: &[ValidAppend],
        opening: Opening,
    ) -> Result<(Option<ChainHead>, Known), sqlx::Error> {
        let keys = Keys::of(appends);
        match self {
            WriteConn::Postgres(..) => {
                // Its own message: the lookups must run after the lock is granted, and a
                // statement with bound parameters cannot share a message with others.
                let head = match opening {
                    Opening::Begin => Some(self.begin_batch().await?),
                    Opening::LookupOnly => None,
                };
                let WriteConn::Postgres(c, _) = self else {
                    unreachable!("the connection's backend does not change");
                };
                Ok((head, known_pg(c, &keys).await?))
            }
            WriteConn::Sqlite(c, _) => {
                let text = LookupText::sqlite(&keys, opening);
                let mut q = sqlx::query(&text.sql);
                for id in &keys.ids {
                    q = q.bind(*id);
                }
                for stream in &keys.streams {
                    q = q.bind(stream.as_str());
                }
                // The SQLite driver binds a multi-statement text's parameters in order across
                // its statements.
                let results: Vec<_> = c.fetch_many(q).try_collect().await?;
                text.sort(results)
            }
        }
    }

    /// Writes a planned batch and commits it, moving the head from `start` to `head`. SQLite
    /// sends it all as one text; PostgreSQL sends the write, then the head move, its NOTIFY
    /// and the COMMIT as one message.
    pub fn write_and_commit<'a>(
        &'a mut self,
        writes: &'a Writes,
        start: ChainHead,
        head: ChainHead,
    ) -> BoxFuture<'a, Result<(), WriteFailure>> {
        Box::pin(async move {
            if head == start {
                // Only replays and refusals: nothing to write, the head stays.
                return self.exec("COMMIT").await.map_err(WriteFailure::Commit);
            }
            match self {
                WriteConn::Sqlite(c, _) => write_sqlite(c, writes, Some(head))
                    .await
                    .map_err(WriteFailure::Refused),
                WriteConn::Postgres(c, _) => {
                    write_pg(c, writes).await.map_err(WriteFailure::Refused)?;
                    self.finish_batch(head).await.map_err(WriteFailure::Commit)
                }
            }
        })
    }

    /// Writes a planned batch: its events, its streams' new versions and its command results.
    pub fn write<'a>(&'a mut self, writes: &'a Writes) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            if writes.is_empty() {
                return Ok(());
            }
            match self {
                WriteConn::Postgres(c, _) => write_pg(c, writes).await,
                WriteConn::Sqlite(c, _) => write_sqlite(c, writes, None).await,
            }
        })
    }
}

/// The head move, its NOTIFY and the COMMIT as one simple-query text. Only the writer's own
/// numbers and hex digits go into it, so writing them as literals is safe.
fn move_and_commit_pg(head: ChainHead) -> String {
    let (position, hash) = (head.position, hex::encode(head.hash));
    format!(
        "UPDATE ledger_head SET position = {position}, hash = '\\x{hash}'::bytea WHERE id = 1; \
         SELECT pg_notify('{NOTIFY_CHANNEL}', '{position}'); COMMIT"
    )
}

/// Both lookups in one prepared statement, as `(kind, key, value)` text rows: one round trip.
const KNOWN_PG: &str = "SELECT 'c', command_id::text, result FROM commands \
     WHERE command_id = ANY($1) \
     UNION ALL SELECT 's', stream, version::text FROM streams WHERE stream = ANY($2)";

async fn known_pg(c: &mut PgConnection, keys: &Keys) -> Result<Known, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(KNOWN_PG)
        .bind(&keys.ids)
        .bind(&keys.streams)
        .fetch_all(c)
        .await?;
    let unreadable = |e: Box<dyn std::error::Error + Send + Sync>| sqlx::Error::Decode(e);
    let mut known = Known::default();
    for (kind, key, value) in rows {
        if kind == "c" {
            let id = key.parse().map_err(|e: uuid::Error| unreadable(e.into()))?;
            known.commands.insert(id, value);
        } else {
            let version = value
                .parse()
                .map_err(|e: std::num::ParseIntError| unreadable(e.into()))?;
            known.versions.insert(key, version);
        }
    }
    Ok(known)
}

/// One statement on PostgreSQL: every column goes over as one array and is unnested, so the
/// text never changes with the batch size and stays prepared.
async fn write_pg(c: &mut PgConnection, w: &Writes) -> Result<(), sqlx::Error> {
    let e = &w.events;
    let col = |f: fn(&StoredRow) -> i64| e.iter().map(f).collect::<Vec<i64>>();
    let text = |f: for<'r> fn(&'r StoredRow) -> &'r str| e.iter().map(f).collect::<Vec<&str>>();
    let uuid = |f: fn(&StoredRow) -> Uuid| e.iter().map(f).collect::<Vec<Uuid>>();
    let (streams, versions): (Vec<&str>, Vec<i64>) = w
        .streams
        .iter()
        .map(|(s, v)| (s.as_str(), *v as i64))
        .unzip();
    let (ids, results): (Vec<Uuid>, Vec<&str>) =
        w.commands.iter().map(|(id, r)| (*id, r.as_str())).unzip();
    sqlx::query(&WRITE_PG)
        .bind(col(|r| r.position))
        .bind(text(|r| &r.stream))
        .bind(col(|r| r.version))
        .bind(uuid(|r| r.event_id))
        .bind(text(|r| &r.event_type))
        .bind(col(|r| r.schema_version))
        .bind(text(|r| &r.data))
        .bind(e.iter().map(|r| r.effective_date).collect::<Vec<_>>())
        .bind(col(|r| r.recorded_at_us))
        .bind(uuid(|r| r.command_id))
        .bind(uuid(|r| r.correlation_id))
        .bind(e.iter().map(|r| r.causation_id).collect::<Vec<_>>())
        .bind(text(|r| &r.actor))
        .bind(text(|r| &r.actor_role))
        .bind(text(|r| &r.reason))
        .bind(e.iter().map(|r| r.hash.as_slice()).collect::<Vec<_>>())
        .bind(streams)
        .bind(versions)
        .bind(ids)
        .bind(results)
        .execute(c)
        .await
        .map(|_| ())
}

static WRITE_PG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH written AS (INSERT INTO events ({EVENT_COLUMNS}) SELECT * FROM UNNEST(\
         $1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::bigint[], \
         $7::text[], $8::date[], $9::bigint[], $10::uuid[], $11::uuid[], $12::uuid[], \
         $13::text[], $14::text[], $15::text[], $16::bytea[])), \
         moved AS (INSERT INTO streams (stream, version) \
         SELECT * FROM UNNEST($17::text[], $18::bigint[]) {STREAM_UPSERT}) \
         INSERT INTO commands (command_id, result) SELECT * FROM UNNEST($19::uuid[], $20::text[])"
    )
});

const STREAM_UPSERT: &str = "ON CONFLICT (stream) DO UPDATE SET version = excluded.version";

/// The batch's rows as one multi-statement text — its events, its streams' new versions, its
/// command results and, given `commit`, the head move and the COMMIT — so writing (and
/// committing) a batch is one hop to the worker thread, not one per statement. The SQLite
/// driver binds the text's parameters in order across its statements.
async fn write_sqlite(
    c: &mut SqliteConnection,
    w: &Writes,
    commit: Option<ChainHead>,
) -> Result<(), sqlx::Error> {
    let mut sql = String::new();
    for chunk in w.events.chunks(INSERT_CHUNK) {
        let values = values_sql(EVENT_COLUMN_COUNT, chunk.len());
        let _ = write!(
            sql,
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES {values}; "
        );
    }
    let pairs = |n: usize| values_sql(2, n);
    for chunk in w.streams.keys().collect::<Vec<_>>().chunks(INSERT_CHUNK) {
        let values = pairs(chunk.len());
        let _ = write!(
            sql,
            "INSERT INTO streams (stream, version) VALUES {values} {STREAM_UPSERT}; "
        );
    }
    for chunk in w.commands.chunks(INSERT_CHUNK) {
        let values = pairs(chunk.len());
        let _ = write!(
            sql,
            "INSERT INTO commands (command_id, result) VALUES {values}; "
        );
    }
    if commit.is_some() {
        sql.push_str("UPDATE ledger_head SET position = ?, hash = ? WHERE id = 1; COMMIT");
    }
    let mut q = sqlx::query(&sql);
    for r in &w.events {
        q = q
            .bind(r.position)
            .bind(&r.stream)
            .bind(r.version)
            .bind(r.event_id)
            .bind(&r.event_type)
            .bind(r.schema_version)
            .bind(&r.data)
            .bind(r.effective_date)
            .bind(r.recorded_at_us)
            .bind(r.command_id)
            .bind(r.correlation_id)
            .bind(r.causation_id)
            .bind(&r.actor)
            .bind(&r.actor_role)
            .bind(&r.reason)
            .bind(&r.hash);
    }
    for (stream, version) in &w.streams {
        q = q.bind(stream.as_str()).bind(*version as i64);
    }
    for (id, result) in &w.commands {
        q = q.bind(*id).bind(result.as_str());
    }
    let hash;
    if let Some(head) = commit {
        hash = head.hash;
        q = q.bind(head.position as i64).bind(hash.as_slice());
    }
    c.execute(q).await.map(|_| ())
}

/// `(?, ..., ?), (?, ..., ?), ...`: `rows` tuples of `columns` anonymous placeholders, bound in
/// order. Anonymous, not `$n`: sqlx asks SQLite for every parameter's name, which SQLite finds
/// by a linear scan of the named ones, so numbered placeholders make a big insert quadratic.
fn values_sql(columns: usize, rows: usize) -> String {
    let tuple = format!("({})", vec!["?"; columns].join(", "));
    vec![tuple; rows].join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_sql_has_one_placeholder_per_value() {
        assert_eq!(super::values_sql(2, 3), "(?, ?), (?, ?), (?, ?)");
        assert_eq!(super::values_sql(3, 1), "(?, ?, ?)");
    }
}
