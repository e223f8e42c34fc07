//! One batch of the global log turned into read-model rows in memory, then written with a few
//! multi-row statements in the batch's transaction. Rows that a later event of the same batch
//! supersedes (a staff record, a case) are written once, in their final state.

use std::collections::BTreeMap;
use std::time::Instant;

use hrledger_domain::{AggregateKind, AggregateState, LedgerEvent};
use hrledger_store::RecordedEvent;

use crate::audit_trail::{self, AuditRow};
use crate::cases::{self, CaseRow, ProgrammeRow};
use crate::db::{date_text, time_text, ReadTx};
use crate::payroll::{PayrollChanges, PayrollSnapshot};
use crate::staff_record::{self, employee_record, ChangeRow, StaffRow};
use crate::ProjectionError;

#[derive(Default)]
pub(crate) struct Batch {
    audit: Vec<AuditRow>,
    staff: BTreeMap<String, StaffRow>,
    changes: Vec<ChangeRow>,
    cases: BTreeMap<String, CaseRow>,
    programmes: BTreeMap<String, ProgrammeRow>,
}

impl Batch {
    /// Adds what one event changes.
    pub fn add(
        &mut self,
        recorded: RecordedEvent,
        event: &LedgerEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) {
        match event.kind() {
            AggregateKind::Employee => self.add_staff(&recorded, prior, after),
            AggregateKind::Organisation => {}
            _ => self.add_case(&recorded, after),
        }
        self.audit.push(AuditRow::new(recorded, event));
    }

    fn add_staff(
        &mut self,
        recorded: &RecordedEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) {
        let Some(record) = employee_record(after) else {
            return;
        };
        let id = record.employee_id.to_string();
        let changes = PayrollChanges::between(prior, &PayrollSnapshot::of(Some(record)));
        if !changes.is_empty() {
            self.changes.push(ChangeRow {
                position: recorded.position as i64,
                employee_id: id.clone(),
                change_kind: recorded.event_type.clone(),
                effective_date: date_text(recorded.effective_date),
                recorded_at: time_text(recorded.recorded_at),
                changes: changes.to_json(),
            });
        }
        self.staff
            .insert(id, StaffRow::new(record, recorded.position));
    }

    fn add_case(&mut self, recorded: &RecordedEvent, after: &AggregateState) {
        if let Some(p) = after.programme_summary() {
            let row = ProgrammeRow::new(&p, recorded.position);
            self.programmes.insert(p.programme_id.to_string(), row);
        } else if let Some(case) = after.case_summary() {
            let row = CaseRow::new(&case, &after.deadlines(), recorded.position);
            self.cases.insert(case.case_id.to_string(), row);
        }
    }

    /// Writes everything the batch changed, in the batch's transaction.
    pub async fn write(self, tx: &mut ReadTx) -> Result<(), ProjectionError> {
        let started = Instant::now();
        audit_trail::write(tx, &self.audit).await?;
        let audit = started.elapsed();
        staff_record::write_current(tx, self.staff.values()).await?;
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
