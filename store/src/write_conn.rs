//! The writer task's own connection and the few SQL steps an append batch is made of.
//!
//! Both backends share the SQL text (SQLite accepts `$n` placeholders too); only how a batch
//! begins and ends differs: SQLite takes the database write lock with `BEGIN IMMEDIATE`,
//! PostgreSQL locks the one `ledger_head` row and announces the new head with `NOTIFY`.

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;
use uuid::Uuid;

use crate::record::{StoredRow, EVENT_COLUMNS, EVENT_COLUMN_COUNT};

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
            let (begin, head_sql) = match self {
                // IMMEDIATE takes the write lock now, so a second process cannot slip a commit in
                // between our read of the head and our inserts.
                WriteConn::Sqlite(..) => (
                    "BEGIN IMMEDIATE",
                    "SELECT position, hash FROM ledger_head WHERE id = 1",
                ),
                // The append lock, held until COMMIT: positions commit in position order (see the
                // `postgres` module documentation).
                WriteConn::Postgres(..) => (
                    "BEGIN",
                    "SELECT position, hash FROM ledger_head WHERE id = 1 FOR UPDATE",
                ),
            };
            self.exec(begin).await?;
            let (position, hash): (i64, Vec<u8>) =
                on_conn!(self, c => sqlx::query_as(head_sql).fetch_one(&mut *c).await)?;
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
            on_conn!(self, c => {
                sqlx::query(MOVE)
                    .bind(head.position as i64)
                    .bind(head.hash.as_slice())
                    .execute(&mut *c)
                    .await?;
            });
            if let WriteConn::Postgres(c, _) = self {
                // Delivered only on COMMIT, so a listener never hears of uncommitted positions.
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(NOTIFY_CHANNEL)
                    .bind(head.position.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            self.exec("COMMIT").await
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

    /// The stored result of an earlier append with this command id.
    pub fn find_command(&mut self, id: Uuid) -> BoxFuture<'_, Result<Option<String>, sqlx::Error>> {
        Box::pin(async move {
            const SQL: &str = "SELECT result FROM commands WHERE command_id = $1";
            on_conn!(self, c => sqlx::query_scalar(SQL).bind(id).fetch_optional(&mut *c).await)
        })
    }

    pub fn insert_command<'a>(
        &'a mut self,
        id: Uuid,
        result: &'a str,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            const SQL: &str = "INSERT INTO commands (command_id, result) VALUES ($1, $2)";
            on_conn!(self, c => sqlx::query(SQL).bind(id).bind(result).execute(&mut *c).await.map(|_| ()))
        })
    }

    /// The version of a stream's last event, `None` if it has none.
    pub fn stream_version<'a>(
        &'a mut self,
        stream: &'a str,
    ) -> BoxFuture<'a, Result<Option<u64>, sqlx::Error>> {
        Box::pin(async move {
            const SQL: &str = "SELECT version FROM streams WHERE stream = $1";
            let v: Option<i64> = on_conn!(self, c => sqlx::query_scalar(SQL).bind(stream).fetch_optional(&mut *c).await)?;
            Ok(v.map(|v| v as u64))
        })
    }

    pub fn set_stream_version<'a>(
        &'a mut self,
        stream: &'a str,
        version: u64,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            const SQL: &str = "INSERT INTO streams (stream, version) VALUES ($1, $2) \
                ON CONFLICT (stream) DO UPDATE SET version = excluded.version";
            on_conn!(self, c => sqlx::query(SQL).bind(stream).bind(version as i64).execute(&mut *c).await.map(|_| ()))
        })
    }

    pub fn insert_events<'a>(
        &'a mut self,
        rows: &'a [StoredRow],
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            for chunk in rows.chunks(INSERT_CHUNK) {
                let sql = insert_sql(chunk.len());
                on_conn!(self, c => {
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
                });
            }
            Ok(())
        })
    }
}

/// `INSERT INTO events (...) VALUES ($1..$16), ($17..$32), ...` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for col in 0..EVENT_COLUMN_COUNT {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * EVENT_COLUMN_COUNT + col + 1));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn insert_sql_numbers_every_placeholder_once() {
        let sql = super::insert_sql(2);
        assert!(sql.contains("($1, $2,"));
        assert!(sql.contains("$16), ($17,"));
        assert!(sql.ends_with("$32)"));
    }
}
