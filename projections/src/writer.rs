//! Commits batches in a task of its own, so the projector builds the next batch while the
//! database writes the previous one. At most one batch is in flight and batches commit in
//! order, each with its checkpoint: a crash still leaves the read models at a batch boundary.
//!
//! Once batches of [`CHECKPOINT_EVERY_EVENTS`] have committed, SQLite's WAL is checkpointed in
//! another task, at most one at a time, while the next batch is written. That is for rebuilds
//! and replays: while the log is followed live, the store's own checkpointer copies the WAL as
//! events are appended, and a checkpoint per small batch would only compete with it.

use std::time::Instant;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::batch::Batch;
use crate::db::ReadDb;
use crate::{checkpoint, ProjectionError};

/// Events committed between two WAL checkpoints: a rebuild checkpoints after each of its
/// batches, the live projector hardly ever.
const CHECKPOINT_EVERY_EVENTS: u64 = 10_000;

pub(crate) struct BatchWriter {
    sink: ReadDb,
    in_flight: Option<JoinHandle<Result<u64, ProjectionError>>>,
    /// The WAL checkpoint started after an earlier commit, if one is still running.
    checkpoint: Option<JoinHandle<()>>,
    /// The position committed when the last checkpoint started (or the run began).
    checkpoint_from: u64,
    /// Moved only once a batch has committed: readers waiting for their write see it.
    position: watch::Sender<u64>,
}

impl BatchWriter {
    pub fn new(sink: ReadDb, position: watch::Sender<u64>) -> Self {
        let checkpoint_from = *position.borrow();
        BatchWriter {
            sink,
            in_flight: None,
            checkpoint: None,
            checkpoint_from,
            position,
        }
    }

    /// Starts committing `batch` (which ends at position `last`) once the batch before it has.
    pub async fn submit(&mut self, batch: Batch, last: u64) -> Result<(), ProjectionError> {
        self.settle().await?;
        let sink = self.sink.clone();
        self.in_flight = Some(tokio::spawn(commit(sink, batch, last)));
        Ok(())
    }

    /// Commits `batch` here and now, after the batch before it: for the last batch of a run,
    /// which nothing would overlap with, so following the log live pays no task hand-off.
    pub async fn commit_now(&mut self, batch: Batch, last: u64) -> Result<(), ProjectionError> {
        self.settle().await?;
        let committed = commit(self.sink.clone(), batch, last).await?;
        self.committed(committed);
        Ok(())
    }

    /// Waits for the batch in flight, if any, to commit.
    pub async fn settle(&mut self) -> Result<(), ProjectionError> {
        let Some(in_flight) = self.in_flight.take() else {
            return Ok(());
        };
        let committed = match in_flight.await {
            Ok(committed) => committed?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => return Err(ProjectionError::WriterStopped),
        };
        self.committed(committed);
        Ok(())
    }

    /// Waits for the WAL checkpoint in flight, if any: at the end of a run, so that the one
    /// after a rebuild's index builds (see `deferred_indexes`) is not refused as busy.
    pub async fn checkpointed(&mut self) {
        if let Some(checkpoint) = self.checkpoint.take() {
            let _ = checkpoint.await;
        }
    }

    /// Publishes a committed position, and checkpoints the WAL if enough has been committed
    /// since the last checkpoint and none still runs.
    fn committed(&mut self, position: u64) {
        self.position.send_replace(position);
        let running = self.checkpoint.as_ref().is_some_and(|c| !c.is_finished());
        if running || position < self.checkpoint_from + CHECKPOINT_EVERY_EVENTS {
            return;
        }
        self.checkpoint_from = position;
        let sink = self.sink.clone();
        self.checkpoint = Some(tokio::spawn(async move {
            if let Err(e) = sink.checkpoint().await {
                tracing::warn!(error = %e, "read-model WAL checkpoint failed");
            }
        }));
    }
}

async fn commit(sink: ReadDb, batch: Batch, last: u64) -> Result<u64, ProjectionError> {
    let started = Instant::now();
    let mut tx = sink.begin().await?;
    batch.write(&mut tx).await?;
    // Freeing a rebuild batch's rows took 4% of a rebuild's samples, on this task, which the
    // next batch waits for: they are freed on a thread of their own instead.
    tokio::task::spawn_blocking(move || drop(batch));
    let writing = started.elapsed();
    checkpoint::save(&mut tx, last).await?;
    tx.commit().await?;
    // With the runner's `read models batch built`, where a batch's time goes.
    tracing::debug!(
        position = last,
        ?writing,
        total = ?started.elapsed(),
        "read models batch committed"
    );
    Ok(last)
}
