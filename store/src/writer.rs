//! Group commit: one writer task per store owns the write connection and turns every queued
//! append into part of one transaction.
//!
//! Callers send a validated request and a oneshot reply over an mpsc channel. The writer takes
//! whatever is queued (bounded), opens one transaction, reads the batch's command ids and
//! stream versions, decides every request in memory (see `plan`) — so a conflicting request
//! or a duplicate command fails or replays alone and never takes its neighbours down — writes
//! the rest with a few multi-row statements and COMMITs once: one fsync for the whole batch. Only after the
//! commit does it publish the new head and answer the callers, so an acknowledged append is
//! durable. Batches form naturally: while one commit is being flushed the next requests queue.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::error::StoreError;
use crate::event::AppendResult;
use crate::memo::Memo;
use crate::plan::{plan_batch, Outcomes};
use crate::record::now_micros;
use crate::validate::ValidAppend;
use crate::write_conn::{ChainHead, WriteConn, WriteFailure};

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
    let mut memo = Memo::new(conn.writes_unread());
    while let Some(first) = rx.recv().await {
        let gathering = Instant::now();
        gather(&rx).await;
        let gathering = gathering.elapsed();
        let (appends, replies): (Vec<_>, Vec<_>) = drain(first, &mut rx)
            .into_iter()
            .map(|j| (j.append, j.reply))
            .unzip();
        let committing = Instant::now();
        let outcome = commit_batch(&mut conn, &mut memo, &appends).await;
        // Where a batch's time goes; BENCHMARKS.md quotes these (`RUST_LOG=hrledger_store=debug`).
        tracing::debug!(
            requests = appends.len(),
            events = appends.iter().map(ValidAppend::event_count).sum::<usize>(),
            gathering = ?gathering,
            committing = ?committing.elapsed(),
            "append batch committed"
        );
        match outcome {
            Ok((new_head, results)) => {
                publish_head(&head, new_head.position);
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result); // the caller may have given up; the append stands
                }
            }
            Err(e) => {
                memo.forget();
                conn.abort_batch().await;
                let detail = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::CommitFailed(detail.clone())));
                }
            }
        }
    }
    conn.close().await;
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

/// One transaction for the whole batch. `Err` means the batch as a whole failed.
///
/// The batch is planned in memory and written with a few multi-row statements. If that write
/// fails (a database error, e.g. a constraint or trigger refusing one request's rows), the
/// transaction is rolled back and the batch is run again one request at a time, so only the
/// request at fault fails.
async fn commit_batch(
    conn: &mut WriteConn,
    memo: &mut Memo,
    appends: &[ValidAppend],
) -> Result<(ChainHead, Outcomes), StoreError> {
    let recorded_at = now_micros();
    if let Some(done) = commit_unread(conn, memo, appends, recorded_at).await? {
        return Ok(done);
    }
    let (start, known) = conn.open_batch(appends).await?;
    let plan = plan_batch(start, appends, known, recorded_at);
    match conn.write_and_commit(plan.writes, start, plan.head).await {
        Ok(()) => {
            memo.committed(start, plan.head, plan.versions);
            Ok((plan.head, plan.outcomes))
        }
        Err(WriteFailure::Commit(e)) => Err(e),
        Err(WriteFailure::Refused(e)) => {
            memo.forget();
            tracing::warn!(error = %e, "a batch write failed; retrying its requests one by one");
            if let Err(rollback) = conn.exec("ROLLBACK").await {
                // The transaction is gone (e.g. SQLite ended it when its commit failed): the
                // batch failed, and the write's error says why.
                tracing::warn!(error = %rollback, "the failed batch could not be rolled back");
                return Err(e);
            }
            one_by_one(conn, appends, recorded_at).await
        }
    }
}

/// PostgreSQL, while this writer is the only one committing: the batch planned on what the
/// writer remembers (`memo`) and written in one statement, which commits only if the head is
/// still the one remembered — one round trip instead of four. Only a batch of clean first runs
/// goes this way: a remembered conflict or replay might be stale. `None`: the memory could not
/// tell, another writer had moved the head, or the database refused a row (a command id
/// recorded before, a stream created meanwhile, a trigger); nothing was written, and the batch
/// goes the ordinary way, reading under the lock.
async fn commit_unread(
    conn: &mut WriteConn,
    memo: &mut Memo,
    appends: &[ValidAppend],
    recorded_at: i64,
) -> Result<Option<(ChainHead, Outcomes)>, StoreError> {
    let Some((start, known)) = memo.known(appends) else {
        return Ok(None);
    };
    let plan = plan_batch(start, appends, known, recorded_at);
    if plan.writes.is_empty() || !plan.all_first_runs() {
        return Ok(None);
    }
    match conn.write_if_head(&plan.writes, start, plan.head).await {
        Ok(true) => {
            memo.committed(start, plan.head, plan.versions);
            Ok(Some((plan.head, plan.outcomes)))
        }
        Ok(false) | Err(WriteFailure::Refused(_)) => {
            memo.forget();
            Ok(None)
        }
        // Whether the statement committed is unknown: the batch fails as a whole.
        Err(WriteFailure::Commit(e)) => Err(e),
    }
}

/// The fallback: each request planned and written inside its own SAVEPOINT, so a request whose
/// rows the database refuses fails alone and never takes its neighbours down.
async fn one_by_one(
    conn: &mut WriteConn,
    appends: &[ValidAppend],
    recorded_at: i64,
) -> Result<(ChainHead, Outcomes), StoreError> {
    let start = conn.begin_batch().await?;
    let mut head = start;
    let mut outcomes = Vec::with_capacity(appends.len());
    for append in appends.chunks(1) {
        let known = conn.known(append).await?;
        let plan = plan_batch(head, append, known, recorded_at);
        let outcome = plan
            .outcomes
            .into_iter()
            .next()
            .expect("one outcome per request");
        if plan.writes.is_empty() {
            outcomes.push(outcome); // a replay or a conflict: nothing to write
            continue;
        }
        conn.exec(SAVEPOINT).await?;
        match conn.write(plan.writes).await {
            Ok(()) => {
                head = plan.head;
                outcomes.push(outcome);
            }
            Err(e) => {
                conn.exec(ROLLBACK_TO).await?;
                outcomes.push(Err(e));
            }
        }
        conn.exec(RELEASE).await?;
    }
    conclude(conn, start, head).await?;
    Ok((head, outcomes))
}

/// Commits; moves the head first unless the batch held only replays and refusals.
async fn conclude(
    conn: &mut WriteConn,
    start: ChainHead,
    head: ChainHead,
) -> Result<(), StoreError> {
    if head == start {
        conn.exec("COMMIT").await
    } else {
        conn.finish_batch(head).await
    }
}
