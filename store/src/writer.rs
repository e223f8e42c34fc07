//! Group commit: one writer task per store owns the write connection and turns every queued
//! append into part of one transaction.
//!
//! Callers send a validated request and a oneshot reply over an mpsc channel. The writer takes
//! whatever is queued (bounded), opens one transaction, runs each request inside its own
//! SAVEPOINT — so a conflicting request or a duplicate command fails or replays alone and never
//! takes its neighbours down — and COMMITs once: one fsync for the whole batch. Only after the
//! commit does it publish the new head and answer the callers, so an acknowledged append is
//! durable. Batches form naturally: while one commit is being flushed the next requests queue.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::{StoreError, StreamPosition};
use crate::event::{AppendResult, ExpectedVersion, Metadata, StreamVersion};
use crate::record::{micros_to_time, now_micros, StoredRow};
use crate::validate::{ValidAppend, ValidEvent, ValidStream};
use crate::write_conn::{ChainHead, WriteConn};

pub(crate) type Reply = oneshot::Sender<Result<AppendResult, StoreError>>;

pub(crate) struct Job {
    pub append: ValidAppend,
    pub reply: Reply,
}

/// Queue depth before appenders wait (back-pressure instead of unbounded memory).
const QUEUE: usize = 1024;
/// Bounds on one batch, so one transaction stays short.
const MAX_BATCH_REQUESTS: usize = 512;
const MAX_BATCH_EVENTS: usize = 20_000;
/// At most this many yields while the queue keeps growing (see `gather`).
const MAX_GATHER_YIELDS: usize = 8;
const SAVEPOINT: &str = "SAVEPOINT hrledger_append";
const RELEASE: &str = "RELEASE SAVEPOINT hrledger_append";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT hrledger_append";

/// Starts the writer; it stops when every sender is dropped.
pub(crate) fn spawn(
    conn: WriteConn,
    head: Arc<watch::Sender<u64>>,
) -> (mpsc::Sender<Job>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(QUEUE);
    (tx, tokio::spawn(run(conn, rx, head)))
}

/// Raises the published head; never lowers it (several sources may report heads).
pub(crate) fn publish_head(head: &watch::Sender<u64>, position: u64) {
    head.send_if_modified(|h| {
        let newer = position > *h;
        if newer {
            *h = position;
        }
        newer
    });
}

async fn run(mut conn: WriteConn, mut rx: mpsc::Receiver<Job>, head: Arc<watch::Sender<u64>>) {
    while let Some(first) = rx.recv().await {
        gather(&rx).await;
        let (appends, replies): (Vec<_>, Vec<_>) = drain(first, &mut rx)
            .into_iter()
            .map(|j| (j.append, j.reply))
            .unzip();
        match commit_batch(&mut conn, &appends).await {
            Ok((new_head, results)) => {
                publish_head(&head, new_head.position);
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result); // the caller may have given up; the append stands
                }
            }
            Err(e) => {
                conn.abort_batch().await;
                let detail = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::CommitFailed(detail.clone())));
                }
            }
        }
    }
}

/// Gives appenders that are already runnable — typically the callers just answered, now
/// sending their next append — a chance to queue before the batch is cut. A yield costs
/// microseconds; a request that misses the batch costs a whole extra fsync.
async fn gather(rx: &mpsc::Receiver<Job>) {
    for _ in 0..MAX_GATHER_YIELDS {
        let queued = rx.len();
        tokio::task::yield_now().await;
        if rx.len() == queued {
            return;
        }
    }
}

fn drain(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut events = first.append.event_count();
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH_REQUESTS && events < MAX_BATCH_EVENTS {
        match rx.try_recv() {
            Ok(job) => {
                events += job.append.event_count();
                batch.push(job);
            }
            Err(_) => break,
        }
    }
    batch
}

type Outcomes = Vec<Result<AppendResult, StoreError>>;

/// One transaction for the whole batch. `Err` means the batch as a whole failed.
async fn commit_batch(
    conn: &mut WriteConn,
    appends: &[ValidAppend],
) -> Result<(ChainHead, Outcomes), sqlx::Error> {
    let start = conn.begin_batch().await?;
    let mut head = start;
    let recorded_at = now_micros();
    let mut outcomes = Vec::with_capacity(appends.len());
    for append in appends {
        outcomes.push(append_in_savepoint(conn, &mut head, append, recorded_at).await?);
    }
    if head == start {
        conn.exec("COMMIT").await?; // only replays and refusals: nothing to publish
    } else {
        conn.finish_batch(head).await?;
    }
    Ok((head, outcomes))
}

/// The outer `Err` abandons the batch; the inner result is this request's own outcome.
async fn append_in_savepoint(
    conn: &mut WriteConn,
    head: &mut ChainHead,
    append: &ValidAppend,
    recorded_at: i64,
) -> Result<Result<AppendResult, StoreError>, sqlx::Error> {
    let command_id = append.metadata.command_id;
    if let Some(stored) = conn.find_command(command_id).await? {
        return Ok(replayed(command_id, &stored));
    }
    conn.exec(SAVEPOINT).await?;
    let mut next = *head;
    let outcome = write_request(conn, &mut next, append, recorded_at).await;
    if outcome.is_ok() {
        *head = next;
    } else {
        conn.exec(ROLLBACK_TO).await?;
    }
    conn.exec(RELEASE).await?;
    Ok(outcome)
}

fn replayed(command_id: Uuid, stored: &str) -> Result<AppendResult, StoreError> {
    let first: AppendResult = serde_json::from_str(stored).map_err(|e| StoreError::Corrupt {
        position: 0,
        detail: format!("stored result of command {command_id} is unreadable: {e}"),
    })?;
    Ok(AppendResult {
        replayed: true,
        ..first
    })
}

async fn write_request(
    conn: &mut WriteConn,
    head: &mut ChainHead,
    append: &ValidAppend,
    recorded_at: i64,
) -> Result<AppendResult, StoreError> {
    let first_position = head.position + 1;
    let mut rows = Vec::with_capacity(append.event_count());
    let mut versions = Vec::with_capacity(append.streams.len());
    for stream in &append.streams {
        let current = conn.stream_version(&stream.stream).await?;
        check_expected(stream, current)?;
        if stream.events.is_empty() {
            continue; // a read the decision relied on: checked, nothing written
        }
        let mut version = current.map_or(0, |v| v + 1);
        for event in &stream.events {
            rows.push(chain_row(
                head,
                stream,
                event,
                version,
                &append.metadata,
                recorded_at,
            ));
            version += 1;
        }
        versions.push(StreamVersion {
            stream: stream.stream.clone(),
            version: version - 1,
        });
    }
    conn.insert_events(&rows).await?;
    for v in &versions {
        conn.set_stream_version(&v.stream, v.version).await?;
    }
    let result = AppendResult {
        first_position,
        last_position: head.position,
        streams: versions,
        recorded_at: micros_to_time(recorded_at).expect("the clock is within chrono's range"),
        replayed: false,
    };
    let json = serde_json::to_string(&result).expect("an append result always serializes");
    conn.insert_command(append.metadata.command_id, &json)
        .await?;
    Ok(result)
}

fn check_expected(stream: &ValidStream, current: Option<u64>) -> Result<(), StoreError> {
    let matches = match stream.expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => current.is_none(),
        ExpectedVersion::Exact(v) => current == Some(v),
    };
    if matches {
        return Ok(());
    }
    Err(StoreError::Conflict {
        stream: stream.stream.clone(),
        expected: stream.expected,
        actual: current.map_or(StreamPosition::NoStream, StreamPosition::At),
    })
}

/// The next event row on the chain: takes the next position and extends the hash.
fn chain_row(
    head: &mut ChainHead,
    stream: &ValidStream,
    event: &ValidEvent,
    version: u64,
    meta: &Metadata,
    recorded_at: i64,
) -> StoredRow {
    let mut row = StoredRow {
        position: (head.position + 1) as i64,
        stream: stream.stream.clone(),
        version: version as i64,
        event_id: Uuid::now_v7(),
        event_type: event.event_type.clone(),
        schema_version: i64::from(event.schema_version),
        data: event.data.clone(),
        effective_date: event.effective_date,
        recorded_at_us: recorded_at,
        command_id: meta.command_id,
        correlation_id: meta.correlation_id,
        causation_id: meta.causation_id,
        actor: meta.actor.clone(),
        actor_role: meta.actor_role.clone(),
        reason: meta.reason.clone(),
        hash: Vec::new(),
    };
    let hash = row.compute_hash(&head.hash);
    row.hash = hash.to_vec();
    *head = ChainHead {
        position: head.position + 1,
        hash,
    };
    row
}
