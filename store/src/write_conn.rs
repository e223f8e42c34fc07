//! The writer task's own connection and the few SQL steps an append batch is made of: begin
//! (and lock the head), read what the batch needs, write it, move the head and commit.
//!
//! Each step is a constant number of statements whatever the batch size, because on
//! PostgreSQL every statement is a network round trip and on SQLite a hop to sqlx's worker
//! thread. SQLite takes the database write lock with `BEGIN IMMEDIATE` and gets multi-row
//! `VALUES` lists; PostgreSQL locks the one `ledger_head` row, gets whole columns as arrays,
//! and announces the new head with `NOTIFY`.

use std::sync::LazyLock;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{ConnectOptions, Encode, Executor, FromRow, Row, Sqlite, Type};
use uuid::Uuid;

use crate::plan::{Known, Writes};
use crate::record::{StoredRow, EVENT_COLUMNS, EVENT_COLUMN_COUNT};
use crate::validate::ValidAppend;

/// PostgreSQL channel on which every commit announces the new head position.
pub(crate) const NOTIFY_CHANNEL: &str = "hrledger_events";

/// Rows per multi-row INSERT: 16 binds each stays well under both engines' parameter limits.
const INSERT_CHUNK: usize = 1000;

/// The end of the hash chain: the last position and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainHead {
    pub position: u64,
    pub hash: [u8; 32],
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
            let hash = hash
                .as_slice()
                .try_into()
                .map_err(|_| sqlx::Error::Decode("ledger_head.hash is not 32 bytes".into()))?;
            Ok(ChainHead {
                position: position as u64,
                hash,
            })
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

    /// What the database holds for a batch: which of its command ids were recorded before,
    /// and the current version of each stream it names.
    pub fn known<'a>(
        &'a mut self,
        appends: &'a [ValidAppend],
    ) -> BoxFuture<'a, Result<Known, sqlx::Error>> {
        Box::pin(async move {
            let ids: Vec<Uuid> = appends.iter().map(|a| a.metadata.command_id).collect();
            let mut streams: Vec<&str> = appends
                .iter()
                .flat_map(|a| a.streams.iter().map(|s| s.stream.as_str()))
                .collect();
            streams.sort_unstable();
            streams.dedup();
            let (commands, versions): Found = match self {
                WriteConn::Postgres(c, _) => (
                    sqlx::query_as(FIND_COMMANDS_PG)
                        .bind(&ids)
                        .fetch_all(&mut *c)
                        .await?,
                    sqlx::query_as(STREAM_VERSIONS_PG)
                        .bind(&streams)
                        .fetch_all(&mut *c)
                        .await?,
                ),
                WriteConn::Sqlite(c, _) => (
                    select_in(c, FIND_COMMANDS_SQLITE, &ids).await?,
                    // Owned names: the chunked query outlives no borrowed key.
                    select_in(c, STREAM_VERSIONS_SQLITE, &owned(&streams)).await?,
                ),
            };
            Ok(Known {
                commands: commands.into_iter().collect(),
                versions: versions.into_iter().map(|(s, v)| (s, v as u64)).collect(),
            })
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
                WriteConn::Sqlite(c, _) => write_sqlite(c, writes).await,
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

/// Recorded command results, and stream versions, as the prefetch queries return them.
type Found = (Vec<(Uuid, String)>, Vec<(String, i64)>);

const FIND_COMMANDS_PG: &str = "SELECT command_id, result FROM commands WHERE command_id = ANY($1)";
const STREAM_VERSIONS_PG: &str = "SELECT stream, version FROM streams WHERE stream = ANY($1)";
const FIND_COMMANDS_SQLITE: &str = "SELECT command_id, result FROM commands WHERE command_id IN ";
const STREAM_VERSIONS_SQLITE: &str = "SELECT stream, version FROM streams WHERE stream IN ";

/// Keys per `IN (...)` list on SQLite, well under its parameter limit.
const IN_CHUNK: usize = 1000;

/// `select` followed by `(?, ..., ?)` for every chunk of `keys`: SQLite has no arrays.
async fn select_in<K, R>(
    c: &mut SqliteConnection,
    select: &str,
    keys: &[K],
) -> Result<Vec<R>, sqlx::Error>
where
    K: for<'q> Encode<'q, Sqlite> + Type<Sqlite> + Clone + Send + Sync,
    R: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    let mut out = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        let sql = format!("{select}{}", values_sql(chunk.len(), 1));
        let mut q = sqlx::query_as(&sql);
        for k in chunk {
            q = q.bind(k.clone());
        }
        out.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(out)
}

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
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

/// Three multi-row statements on SQLite (each a hop to its worker thread, not a round trip).
async fn write_sqlite(c: &mut SqliteConnection, w: &Writes) -> Result<(), sqlx::Error> {
    for chunk in w.events.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES {}",
            values_sql(EVENT_COLUMN_COUNT, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
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
        q.execute(&mut *c).await?;
    }
    let streams: Vec<_> = w.streams.iter().collect();
    for chunk in streams.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO streams (stream, version) VALUES {} {STREAM_UPSERT}",
            values_sql(2, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (s, v) in chunk {
            q = q.bind(s.as_str()).bind(**v as i64);
        }
        q.execute(&mut *c).await?;
    }
    for chunk in w.commands.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO commands (command_id, result) VALUES {}",
            values_sql(2, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (id, result) in chunk {
            q = q.bind(*id).bind(result.as_str());
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
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
