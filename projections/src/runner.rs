//! The projection runner: reads the global log from the checkpoint in batches and applies each
//! batch to every read model in ONE transaction together with the new checkpoint. A crash at any
//! point leaves the read models exactly at a batch boundary; the next start resumes there.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hrledger_store::{EventStore, RecordedEvent};
use tokio::sync::watch;

use crate::batch::Batch;
use crate::db::ReadDb;
use crate::history::StaffHistories;
use crate::states::{decode, FoldedStates};
use crate::{checkpoint, ProjectionError};

/// How far to project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Everything committed so far.
    Head,
    /// Up to and including this global position.
    Position(u64),
    /// Every event recorded at or before this time.
    Time(DateTime<Utc>),
}

/// Reads from `source` (the ledger), writes read models to `sink` (usually the same database;
/// another one for `replay --until`).
pub struct Projector {
    source: EventStore,
    sink: ReadDb,
    states: FoldedStates,
    histories: StaffHistories,
    batch_size: usize,
    position: watch::Sender<u64>,
}

impl Projector {
    pub fn new(source: EventStore, sink: ReadDb) -> Self {
        Projector {
            source,
            sink,
            states: FoldedStates::new(100_000),
            histories: StaffHistories::new(100_000),
            batch_size: 1_000,
            position: watch::channel(0).0,
        }
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// The checkpoint as it moves: lets the API report lag and wait for a client's own write.
    pub fn progress(&self) -> watch::Receiver<u64> {
        self.position.subscribe()
    }

    /// Projects from the checkpoint to `until`; returns the new checkpoint.
    pub async fn run(&mut self, until: Until) -> Result<u64, ProjectionError> {
        let mut at = checkpoint::load(&self.sink).await?;
        self.position.send_replace(at);
        loop {
            let mut batch = self.source.read_all(at, self.batch_size as u64).await?;
            let fetched = batch.len();
            batch.retain(|e| within(e, until));
            let cut_short = batch.len() < fetched;
            if let Some(last) = batch.last().map(|e| e.position) {
                self.apply_batch(&batch, last).await?;
                at = last;
                self.position.send_replace(at);
            }
            // A short batch means the head was reached; a batch cut by `until` means nothing
            // later can qualify either.
            if fetched < self.batch_size || cut_short {
                return Ok(at);
            }
        }
    }

    /// Catches up, then follows the log live until `stop` resolves.
    pub async fn follow(
        mut self,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(), ProjectionError> {
        let mut head = self.source.head_watch();
        tokio::pin!(stop);
        loop {
            self.run(Until::Head).await?;
            tokio::select! {
                _ = &mut stop => return Ok(()),
                changed = head.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
                // A safety net for writers in other processes when no notification arrives.
                _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
    }

    /// Empties every read model and replays the whole ledger.
    pub async fn rebuild(&mut self) -> Result<u64, ProjectionError> {
        crate::tables::truncate_all(&self.sink).await?;
        self.states.clear();
        self.histories.clear();
        self.run(Until::Head).await
    }

    async fn apply_batch(
        &mut self,
        batch: &[RecordedEvent],
        last: u64,
    ) -> Result<(), ProjectionError> {
        self.histories.trim();
        let outcome = self.write_batch(batch, last).await;
        if outcome.is_err() {
            // The caches may be ahead of what was committed: start them afresh.
            self.states.clear();
            self.histories.clear();
        }
        outcome
    }

    async fn write_batch(
        &mut self,
        batch: &[RecordedEvent],
        last: u64,
    ) -> Result<(), ProjectionError> {
        let started = Instant::now();
        let mut tx = self.sink.begin().await?;
        let mut changes = Batch::default();
        let (mut folding, mut building) = (Duration::ZERO, Duration::ZERO);
        for recorded in batch {
            let step = Instant::now();
            let event = decode(recorded)?;
            let (before, after) = self.states.apply(&self.source, recorded, &event).await?;
            folding += step.elapsed();
            let step = Instant::now();
            changes
                .add(
                    &mut tx,
                    &mut self.histories,
                    recorded,
                    &event,
                    &before,
                    &after,
                )
                .await?;
            building += step.elapsed();
        }
        let step = Instant::now();
        changes.write(&mut tx).await?;
        let writing = step.elapsed();
        checkpoint::save(&mut tx, last).await?;
        tx.commit().await?;
        // Where a batch's time goes: the figures BENCHMARKS.md quotes come from this event.
        tracing::debug!(
            events = batch.len(),
            position = last,
            ?folding,
            ?building,
            ?writing,
            total = ?started.elapsed(),
            "read models batch committed"
        );
        Ok(())
    }
}

fn within(event: &RecordedEvent, until: Until) -> bool {
    match until {
        Until::Head => true,
        Until::Position(p) => event.position <= p,
        Until::Time(t) => event.recorded_at <= t,
    }
}
