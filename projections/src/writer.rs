//! Commits batches in a task of its own, so the projector builds the next batch while the
//! database writes the previous one. At most one batch is in flight and batches commit in
//! order, each with its checkpoint: a crash still leaves the read models at a batch boundary.

use std::time::Instant;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::batch::Batch;
use crate::db::ReadDb;
use crate::{checkpoint, ProjectionError};

pub(crate) struct BatchWriter {
    sink: ReadDb,
    in_flight: Option<JoinHandle<Result<u64, ProjectionError>>>,
    /// Moved only once a batch has committed: readers waiting for their write see it.
    position: watch::Sender<u64>,
}

impl BatchWriter {
    pub fn new(sink: ReadDb, position: watch::Sender<u64>) -> Self {
        BatchWriter {
            sink,
            in_flight: None,
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
        self.position.send_replace(committed);
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
        self.position.send_replace(committed);
        Ok(())
    }
}

async fn commit(sink: ReadDb, batch: Batch, last: u64) -> Result<u64, ProjectionError> {
    let started = Instant::now();
    let mut tx = sink.begin().await?;
    batch.write(&mut tx).await?;
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
