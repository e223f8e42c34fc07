//! The projection runner: reads the global log from the checkpoint in batches and applies each
//! batch to every read model in ONE transaction together with the new checkpoint. A crash at any
//! point leaves the read models exactly at a batch boundary; the next start resumes there.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hrledger_store::EventStore;
use tokio::sync::watch;

use crate::audit_trail::AUDIT_EMPLOYEE_INDEX;
use crate::batch::{Batch, BatchSizes};
use crate::db::ReadDb;
use crate::deferred_indexes;
use crate::feed::{Decoded, Feed};
use crate::kept_memory::KeptMemory;
use crate::payroll::PayrollSnapshot;
use crate::staff_record::employee_record;
use crate::states::FoldedStates;
use crate::writer::BatchWriter;
use crate::{checkpoint, ProjectionError};

/// The largest page read from the log at once.
const MAX_PAGE: usize = 2_000;

/// Events per transaction in a rebuild: rows that later events supersede (staff records,
/// cases) are written once per batch, and every index page a batch touches is written to the
/// log (and on SQLite again into the file) once per commit, so larger batches write less; the
/// cost is memory. On a 212,160-event SQLite ledger, 20,000 wrote 1,610 MB for a 480 MB file
/// and 60,000 wrote 954 MB, with 140 MB more resident (BENCHMARKS.md, session 8).
pub const REBUILD_BATCH: usize = 60_000;

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
    batch_size: usize,
    position: watch::Sender<u64>,
    /// Whether indexes a rebuild set aside have been looked for since the last rebuild.
    indexes_checked: bool,
    /// Whether this run inserts into the employee index of the audit trail (not set aside).
    employee_index_kept: bool,
    /// The payroll fields before the event being folded, in a buffer kept for the next one.
    prior: PayrollSnapshot,
}

impl Projector {
    pub fn new(source: EventStore, sink: ReadDb) -> Self {
        Projector {
            source,
            sink,
            states: FoldedStates::new(100_000),
            batch_size: 1_000,
            position: watch::channel(0).0,
            indexes_checked: false,
            employee_index_kept: true,
            prior: PayrollSnapshot::default(),
        }
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Keeps at most about `capacity` streams' folded states between events (100,000 unless
    /// set); the others are folded again from the store when next needed.
    pub fn with_cached_states(mut self, capacity: usize) -> Self {
        self.states = FoldedStates::new(capacity.max(1));
        self
    }

    /// The checkpoint as it moves: lets the API report lag and wait for a client's own write.
    pub fn progress(&self) -> watch::Receiver<u64> {
        self.position.subscribe()
    }

    /// Projects from the checkpoint to `until`; returns the new checkpoint.
    pub async fn run(&mut self, until: Until) -> Result<u64, ProjectionError> {
        let at = checkpoint::load(&self.sink).await?;
        self.employee_index_kept = self.indexes_checked
            || !deferred_indexes::is_set_aside(&self.sink, AUDIT_EMPLOYEE_INDEX).await?;
        self.position.send_replace(at);
        let page_size = self.batch_size.min(MAX_PAGE);
        let mut feed = Feed::start(self.source.clone(), at, page_size, until);
        let mut writer = BatchWriter::new(self.sink.clone(), self.position.clone());
        let projected = self.project(&mut feed, &mut writer).await;
        // The last batch commits before the run reports where it got to.
        let outcome = projected.and(writer.settle().await);
        writer.checkpointed().await;
        if outcome.is_err() {
            // The caches may be ahead of what was committed: start them afresh.
            self.states.clear();
        }
        outcome?;
        if !self.indexes_checked {
            // Caught up: build what a rebuild (this one, or one stopped part-way) set aside.
            deferred_indexes::restore(&self.sink).await?;
            self.indexes_checked = true;
        }
        Ok(*self.position.borrow())
    }

    /// Builds batches from `feed` and hands each to `writer`, which commits it while the next
    /// one is built.
    async fn project(
        &mut self,
        feed: &mut Feed,
        writer: &mut BatchWriter,
    ) -> Result<(), ProjectionError> {
        // Each batch starts with room for as many rows as the one before it in this run.
        let mut like = BatchSizes::default();
        while let Some(page) = feed.next().await {
            let (batch, last, events) = self.build_batch(page?, feed, like).await?;
            like = batch.sizes();
            if events < self.batch_size {
                // A short batch: the feed has ended, nothing to overlap with.
                writer.commit_now(batch, last).await?;
            } else {
                writer.submit(batch, last).await?;
            }
        }
        Ok(())
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

    /// Empties every read model and replays the whole ledger, in transactions of
    /// [`REBUILD_BATCH`] events: each still commits with its checkpoint, so a rebuild stopped
    /// part-way resumes like any other run.
    pub async fn rebuild(&mut self) -> Result<u64, ProjectionError> {
        let _kept = KeptMemory::while_rebuilding();
        crate::tables::truncate_all(&self.sink).await?;
        self.indexes_checked = false;
        self.states.clear();
        let live_batch = std::mem::replace(&mut self.batch_size, REBUILD_BATCH);
        let outcome = self.run(Until::Head).await;
        self.batch_size = live_batch;
        outcome
    }

    /// Folds `first` and further pages from `feed` until the batch holds at least
    /// `batch_size` events, into a batch with room for the rows of one `like`; returns the
    /// batch's rows, its last position and its size.
    async fn build_batch(
        &mut self,
        first: Vec<Decoded>,
        feed: &mut Feed,
        like: BatchSizes,
    ) -> Result<(Batch, u64, usize), ProjectionError> {
        let mut changes = Batch::new(self.employee_index_kept, like);
        let mut timings = Timings::default();
        let (mut events, mut last) = (0, 0);
        let mut page = Some(first);
        while let Some(decoded) = page.take() {
            events += decoded.len();
            last = decoded.last().map_or(last, |(r, _)| r.position);
            let step = Instant::now();
            self.add_page(&mut changes, decoded).await?;
            timings.folding += step.elapsed();
            if events < self.batch_size {
                let step = Instant::now();
                page = feed.next().await.transpose()?;
                timings.waiting += step.elapsed();
            }
        }
        let step = Instant::now();
        changes.finish(&mut self.states, &self.source).await?;
        timings.building += step.elapsed();
        // With the writer's `read models batch committed`, where a batch's time goes: the
        // figures BENCHMARKS.md quotes come from these events.
        tracing::debug!(
            events,
            position = last,
            waiting = ?timings.waiting,
            folding = ?timings.folding,
            building = ?timings.building,
            refolded = self.states.take_refolded(),
            "read models batch built"
        );
        Ok((changes, last, events))
    }

    /// Folds one page into the states and adds the rows it changes to `changes`.
    async fn add_page(
        &mut self,
        changes: &mut Batch,
        page: Vec<Decoded>,
    ) -> Result<(), ProjectionError> {
        for (recorded, event) in page {
            let prior = &mut self.prior;
            let ((), after) = self
                .states
                .apply(&self.source, &recorded, &event, |before| {
                    prior.fill(employee_record(before))
                })
                .await?;
            changes.add(recorded, &event, &self.prior, after);
        }
        Ok(())
    }
}

/// Where a batch's time went before its rows were written: waiting for pages of the log,
/// folding events and adding what they change (timed per page: two clock reads per event
/// were 2% of the projector's samples), and building the rows of the streams they changed.
#[derive(Default)]
struct Timings {
    waiting: Duration,
    folding: Duration,
    building: Duration,
}
