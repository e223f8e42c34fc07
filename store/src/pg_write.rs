//! PostgreSQL's steps of a batch on the writer's own connection: lock the head, look up what
//! the batch needs, write it, move the head and commit.
//!
//! Every statement is a network round trip, so each step is a constant number of messages
//! whatever the batch size: the lookups are one prepared statement, the rows go over as one
//! array per column, and the head move, its `NOTIFY` and the `COMMIT` share one message.

use std::sync::LazyLock;

use sqlx::postgres::{PgArguments, PgConnection};
use sqlx::query::Query;
use sqlx::{Executor, Postgres, Row};
use uuid::Uuid;

use crate::error::StoreError;
use crate::lookup::Keys;
use crate::plan::{Known, Writes};
use crate::record::{StoredRow, EVENT_COLUMNS};
use crate::write_conn::ChainHead;

/// PostgreSQL channel on which every commit announces the new head position.
pub(crate) const NOTIFY_CHANNEL: &str = "hrledger_events";

/// Opens the batch transaction and takes the append lock, held until COMMIT: positions commit
/// in position order (see the `postgres` module). One message for both statements.
pub(crate) async fn begin(c: &mut PgConnection) -> Result<ChainHead, StoreError> {
    const BEGIN_AND_LOCK: &str =
        "BEGIN; SELECT position, hash FROM ledger_head WHERE id = 1 FOR UPDATE";
    let row = c.fetch_one(BEGIN_AND_LOCK).await?;
    ChainHead::from_row(row.try_get(0)?, row.try_get(1)?)
}

/// Both lookups in one prepared statement, as `(kind, key, value)` text rows: one round trip.
/// A stream's version is the last entry of its events' (stream, version) key, one backward
/// index step per stream; a stream without events gives no row.
const KNOWN: &str = "SELECT 'c', command_id::text, result FROM commands \
     WHERE command_id = ANY($1) \
     UNION ALL SELECT 's', s.stream, last.version::text FROM UNNEST($2::text[]) AS s(stream) \
     CROSS JOIN LATERAL (SELECT version FROM events WHERE stream = s.stream \
     ORDER BY version DESC LIMIT 1) AS last";

/// Which of the batch's command ids were recorded before, and its streams' versions. Its own
/// message: it must run after the lock is granted, and a statement with bound parameters
/// cannot share a message with others.
pub(crate) async fn known(c: &mut PgConnection, keys: &Keys) -> Result<Known, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(KNOWN)
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

/// Moves the head, wakes other processes' subscribers and commits, in one message: a
/// statement with bound parameters would need a message of its own. The NOTIFY is delivered
/// only on COMMIT, so a listener never hears of uncommitted positions; if any statement fails,
/// the ones after it do not run and the transaction is left for the writer to roll back.
pub(crate) async fn finish(c: &mut PgConnection, head: ChainHead) -> Result<(), StoreError> {
    // Only the writer's own numbers and hex digits go into the text, so literals are safe.
    let (position, hash) = (head.position, hex::encode(head.hash));
    let text = format!(
        "UPDATE ledger_head SET position = {position}, hash = '\\x{hash}'::bytea WHERE id = 1; \
         SELECT pg_notify('{NOTIFY_CHANNEL}', '{position}'); COMMIT"
    );
    c.execute(text.as_str()).await?;
    Ok(())
}

/// One statement, inside the batch's transaction: every column goes over as one array and is
/// unnested, so the text never changes with the batch size and stays prepared.
pub(crate) async fn write(c: &mut PgConnection, w: &Writes) -> Result<(), StoreError> {
    with_rows(sqlx::query(&WRITE), w).execute(c).await?;
    Ok(())
}

/// The whole batch in one statement outside any transaction, so it commits on its own: the
/// head moves from `start` to `head` only if it is still at `start` (the row lock is the
/// append lock, held until that commit), and the rows are written only if it moved. `false`:
/// another writer had moved the head, and nothing was written. A database error means nothing
/// was written either (the statement was its own transaction).
pub(crate) async fn write_if_head(
    c: &mut PgConnection,
    w: &Writes,
    start: ChainHead,
    head: ChainHead,
) -> Result<bool, sqlx::Error> {
    let moved = with_rows(sqlx::query(&WRITE_IF_HEAD), w)
        .bind(head.position as i64)
        .bind(head.hash.as_slice())
        .bind(start.position as i64)
        .fetch_optional(c)
        .await?;
    Ok(moved.is_some())
}

/// Binds a batch's rows as the 18 column arrays of [`write_sql`].
fn with_rows<'q>(
    q: Query<'q, Postgres, PgArguments>,
    w: &'q Writes,
) -> Query<'q, Postgres, PgArguments> {
    let e = &w.events;
    let col = |f: fn(&StoredRow) -> i64| e.iter().map(f).collect::<Vec<i64>>();
    let text = |f: for<'r> fn(&'r StoredRow) -> &'r str| e.iter().map(f).collect::<Vec<&str>>();
    let uuid = |f: fn(&StoredRow) -> Uuid| e.iter().map(f).collect::<Vec<Uuid>>();
    let (ids, results): (Vec<Uuid>, Vec<&str>) =
        w.commands.iter().map(|(id, r)| (*id, r.as_str())).unzip();
    q.bind(col(|r| r.position))
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
        .bind(ids)
        .bind(results)
}

/// The two inserts of a batch as common table expressions, each row source filtered by
/// `gate` (empty, or a `WHERE` clause).
fn write_sql(gate: &str) -> String {
    format!(
        "written AS (INSERT INTO events ({EVENT_COLUMNS}) SELECT * FROM UNNEST(\
         $1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::bigint[], \
         $7::text[], $8::date[], $9::bigint[], $10::uuid[], $11::uuid[], $12::uuid[], \
         $13::text[], $14::text[], $15::text[], $16::bytea[]){gate}), \
         recorded AS (INSERT INTO commands (command_id, result) \
         SELECT * FROM UNNEST($17::uuid[], $18::text[]){gate})"
    )
}

static WRITE: LazyLock<String> = LazyLock::new(|| format!("WITH {} SELECT 1", write_sql("")));

/// Returns one row (and notifies) when the head moved, none when it was not at `start`.
static WRITE_IF_HEAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH head AS (UPDATE ledger_head SET position = $19, hash = $20 \
         WHERE id = 1 AND position = $21 RETURNING position), {} \
         SELECT pg_notify('{NOTIFY_CHANNEL}', position::text) FROM head",
        write_sql(" WHERE EXISTS (SELECT FROM head)")
    )
});
