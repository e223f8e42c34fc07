//! The shared-deployment backend: PostgreSQL.
//!
//! # Why a single append lock (and not a sequence)
//!
//! The global log must be gapless and in commit order: a reader that has processed position N
//! must never later meet a committed event at a position <= N. Positions taken from a sequence
//! (`BIGSERIAL`) are handed out when a transaction *inserts*, not when it *commits*: transaction
//! A takes 10, B takes 11, B commits first, a subscriber reads 11 and moves its cursor past
//! 10 — when A commits, event 10 is never delivered. That is the classic lost-event bug of
//! Postgres event stores.
//!
//! Here every append batch first locks the one row of `ledger_head(position, hash)` with
//! `SELECT ... FOR UPDATE` and numbers its events head+1..head+n. The lock is held until COMMIT,
//! and a transaction becomes visible before it releases its locks, so the next batch can only
//! number (and commit) after the previous one is visible: commit order is position order, with
//! no gaps, across any number of processes. The same row carries the hash of the last event,
//! so the chain is extended under the same lock. A batch the writer plans on what it remembers
//! (`memo`) takes the same lock differently: its one statement, committing on its own, moves
//! the row with `UPDATE ... WHERE position = <the head it planned on>` before any row is
//! inserted, so it too numbers and commits under the lock, and writes nothing if another
//! process committed in between. The cost — appends are serialized — is paid
//! back by group commit: one writer task per process puts many queued appends into one
//! transaction (a savepoint each) and takes the lock once per batch.
//!
//! Each commit runs `NOTIFY hrledger_events, '<head>'`; a LISTEN task in every process raises
//! that process's head watch, so subscribers wake when *another* process commits.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::StoreError;
use crate::pg_write::NOTIFY_CHANNEL;
use crate::store::{schema_error, Backend, Opened};
use crate::write_conn::WriteConn;
use crate::writer::publish_head;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

const POOL_CONNECTIONS: u32 = 8;
const RELISTEN_DELAY: Duration = Duration::from_secs(1);

pub(crate) async fn open(url: &str) -> Result<Opened, StoreError> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(POOL_CONNECTIONS)
        // sqlx pings a pooled connection before every acquire by default: a round trip per
        // read. A connection that has died fails its next query instead, and is discarded.
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await?;
    // sqlx serializes concurrent migrators with an advisory lock, so several processes may
    // open the same database at once.
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| schema_error(&MIGRATOR, e))?;
    let writer = options.connect().await?;
    Ok(Opened {
        backend: Backend::Postgres(pool),
        writer: WriteConn::Postgres(writer, options),
        checkpointer: None,
    })
}

/// Relays `NOTIFY hrledger_events` into the head watch for as long as the store lives.
pub(crate) fn spawn_listener(pool: PgPool, head: Arc<watch::Sender<u64>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&pool, &head).await {
                tracing::warn!(error = %e, "event store LISTEN connection lost; retrying");
            }
            tokio::time::sleep(RELISTEN_DELAY).await;
        }
    })
}

async fn listen(pool: &PgPool, head: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    loop {
        let note = listener.recv().await?;
        if let Ok(position) = note.payload().parse() {
            publish_head(head, position);
        }
    }
}
