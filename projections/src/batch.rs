//! One batch of the global log turned into read-model rows in memory, then written with a few
//! multi-row statements in the batch's transaction. Rows that a later event of the same batch
//! supersedes (a staff record, a case) are written once, in their final state, and built once:
//! from the stream's folded state when the batch is complete (see [`Batch::finish`]). A
//! rebuild batch of 60,000 events changed 18,086 staff records through 54,534 employee events,
//! and 898 cases through 5,466 case events.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use hrledger_domain::{AggregateKind, AggregateState, LedgerEvent};
use hrledger_store::EventStore;
use uuid::Uuid;

use crate::audit_trail::{self, AuditRow};
use crate::cases::{self, CaseRow, ProgrammeRow};
use crate::db::{uuid_text, ReadTx};
use crate::feed::Logged;
use crate::payroll::PayrollSnapshot;
use crate::staff_record::{self, employee_record, ChangeRow, StaffRow};
use crate::states::FoldedStates;
use crate::ProjectionError;

pub(crate) struct Batch {
    audit: Vec<AuditRow>,
    /// Whether the audit trail's employee index is in place (see [`audit_trail::write`]).
    employee_index_kept: bool,
    /// Streams whose row the batch rewrites, with their last event in it.
    changed: HashMap<String, LastEvent, foldhash::fast::RandomState>,
    /// One row per employee, in id order once [`Batch::finish`] has built them (a uuid's
    /// order is its text's, the table's key). A map kept in order cost more: its nodes moved
    /// rows of 200 bytes at every insert.
    staff: Vec<(Uuid, StaffRow)>,
    changes: Vec<ChangeRow>,
    cases: BTreeMap<String, CaseRow>,
    programmes: BTreeMap<String, ProgrammeRow>,
    /// The payroll fields after the event being added, in a buffer kept for the next one.
    snapshot: PayrollSnapshot,
}

impl Batch {
    /// An empty batch with room for as many rows as `like` held: a rebuild's batches are
    /// alike, and vectors grown row by row were copied into fresh memory at every doubling,
    /// whose first touch the kernel zeroes (BENCHMARKS.md, session 17).
    pub fn new(employee_index_kept: bool, like: BatchSizes) -> Self {
        let room = |n: usize| n + n / 8;
        Batch {
            audit: Vec::with_capacity(room(like.audit)),
            employee_index_kept,
            changed: HashMap::with_capacity_and_hasher(room(like.changed), Default::default()),
            staff: Vec::with_capacity(room(like.changed)),
            changes: Vec::with_capacity(room(like.changes)),
            cases: BTreeMap::new(),
            programmes: BTreeMap::new(),
            snapshot: PayrollSnapshot::default(),
        }
    }

    /// How many rows of each growing kind the batch holds, once [`Batch::finish`] has built
    /// them: a changed stream's row stands for the stream.
    pub fn sizes(&self) -> BatchSizes {
        BatchSizes {
            audit: self.audit.len(),
            changes: self.changes.len(),
            changed: self.staff.len() + self.cases.len() + self.programmes.len(),
        }
    }

    /// Adds what one event changes.
    pub fn add(
        &mut self,
        recorded: Logged,
        event: &LedgerEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) {
        match event.kind() {
            AggregateKind::Organisation => {}
            AggregateKind::Employee => {
                self.add_payroll_change(&recorded, event, prior, after);
                self.stream_changed(&recorded);
            }
            _ => self.stream_changed(&recorded),
        }
        self.audit.extend(AuditRow::new(&recorded, event));
    }

    /// Notes that the stream's row is to be built when the batch is complete.
    fn stream_changed(&mut self, recorded: &Logged) {
        let last = LastEvent {
            position: recorded.position,
            version: recorded.version,
        };
        // Looked up by reference first: most events change a stream the batch has seen.
        match self.changed.get_mut(recorded.stream.as_str()) {
            Some(changed) => *changed = last,
            None => {
                self.changed.insert(recorded.stream.clone(), last);
            }
        }
    }

    fn add_payroll_change(
        &mut self,
        recorded: &Logged,
        event: &LedgerEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) {
        let Some(record) = employee_record(after) else {
            return;
        };
        self.snapshot.fill(Some(record));
        let snapshots = (prior, &self.snapshot);
        let kind = event.event_type();
        let row = ChangeRow::new(recorded, kind, &record.employee_id, snapshots);
        self.changes.extend(row);
    }

    /// Builds the row of every stream the batch changed, from its state after the batch's
    /// last event (`states` must not have applied anything later).
    pub async fn finish(
        &mut self,
        states: &mut FoldedStates,
        source: &EventStore,
    ) -> Result<(), ProjectionError> {
        let mut changed: Vec<_> = std::mem::take(&mut self.changed).into_iter().collect();
        // In stream order, employees' rows are built in id order, so the sort below finds
        // them sorted.
        changed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (stream, last) in changed {
            let state = states
                .after(source, &stream, last.version, last.position)
                .await?;
            self.add_row(state, last.position);
        }
        self.staff.sort_unstable_by_key(|(id, _)| *id);
        // One row per employee: an upsert may not touch a row twice in one statement.
        debug_assert!(self.staff.windows(2).all(|w| w[0].0 < w[1].0));
        Ok(())
    }

    fn add_row(&mut self, state: &AggregateState, position: u64) {
        if let Some(record) = employee_record(state) {
            let row = StaffRow::new(record, position);
            self.staff.push((record.employee_id, row));
        } else if let Some(p) = state.programme_summary() {
            let row = ProgrammeRow::new(&p, position);
            self.programmes.insert(uuid_text(&p.programme_id), row);
        } else if let Some(case) = state.case_summary() {
            let row = CaseRow::new(&case, &state.deadlines(), position);
            self.cases.insert(uuid_text(&case.case_id), row);
        }
    }

    /// Writes everything the batch changed, once [`Batch::finish`] has built its rows, in the
    /// batch's transaction.
    pub async fn write(&self, tx: &mut ReadTx) -> Result<(), ProjectionError> {
        let started = Instant::now();
        audit_trail::write(tx, &self.audit, self.employee_index_kept).await?;
        let audit = started.elapsed();
        staff_record::write_current(tx, self.staff.iter().map(|(_, row)| row)).await?;
        let staff = started.elapsed() - audit;
        staff_record::write_changes(tx, &self.changes).await?;
        let changes = started.elapsed() - audit - staff;
        cases::write_cases(tx, self.cases.values()).await?;
        cases::write_programmes(tx, self.programmes.values()).await?;
        // Which read model a batch's writing time goes to (`RUST_LOG=hrledger_projections=debug`).
        tracing::debug!(
            ?audit,
            ?staff,
            ?changes,
            cases = ?(started.elapsed() - audit - staff - changes),
            "read models batch rows written"
        );
        Ok(())
    }
}

/// The rows a batch held, for sizing the next one (see [`Batch::new`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BatchSizes {
    audit: usize,
    changes: usize,
    changed: usize,
}

/// A stream's last event in the batch.
struct LastEvent {
    position: u64,
    version: u64,
}
