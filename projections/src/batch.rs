//! One batch of the global log turned into read-model rows in memory, then written with a few
//! multi-row statements in the batch's transaction. Rows that a later event of the same batch
//! supersedes (a staff record, a case) are written once, in their final state.

use std::collections::{BTreeMap, HashMap};

use hrledger_domain::{AggregateKind, AggregateState, LedgerEvent};
use hrledger_store::RecordedEvent;

use crate::audit_trail::{self, AuditRow};
use crate::cases::{self, CaseRow, ProgrammeRow};
use crate::db::{date_text, time_text, ReadTx};
use crate::history::{insert_ordered, Change, StaffHistories};
use crate::payroll::{PayrollChanges, PayrollSnapshot};
use crate::staff_record::{self, employee_record, versions_from, ChangeRow, StaffRow, VersionRow};
use crate::writer::BatchWriter;
use crate::ProjectionError;

#[derive(Default)]
pub(crate) struct Batch {
    audit: Vec<AuditRow>,
    staff: BTreeMap<String, StaffRow>,
    changes: Vec<ChangeRow>,
    /// Employees whose stored versions (from earlier batches) close at this position and time.
    closes: BTreeMap<String, (i64, String)>,
    versions: Vec<VersionRow>,
    /// Indexes into `versions` of each employee's periods still open in this batch.
    open_versions: HashMap<String, Vec<usize>>,
    cases: BTreeMap<String, CaseRow>,
    programmes: BTreeMap<String, ProgrammeRow>,
}

impl Batch {
    /// Adds what one event changes.
    pub async fn add(
        &mut self,
        writer: &mut BatchWriter,
        histories: &mut StaffHistories,
        recorded: RecordedEvent,
        event: &LedgerEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) -> Result<(), ProjectionError> {
        match event.kind() {
            AggregateKind::Employee => {
                self.add_staff(writer, histories, &recorded, prior, after)
                    .await?
            }
            AggregateKind::Organisation => {}
            _ => self.add_case(&recorded, after),
        }
        self.audit.push(AuditRow::new(recorded, event));
        Ok(())
    }

    async fn add_staff(
        &mut self,
        writer: &mut BatchWriter,
        histories: &mut StaffHistories,
        recorded: &RecordedEvent,
        prior: &PayrollSnapshot,
        after: &AggregateState,
    ) -> Result<(), ProjectionError> {
        let Some(record) = employee_record(after) else {
            return Ok(());
        };
        let id = record.employee_id.to_string();
        self.staff
            .insert(id.clone(), StaffRow::new(record, recorded.position));
        let changes = PayrollChanges::between(prior, &PayrollSnapshot::of(Some(record)));
        if changes.is_empty() {
            return Ok(());
        }
        let history = histories
            .history(writer, &id, recorded.version == 0)
            .await?;
        let had_history = !history.is_empty();
        let change = Change {
            effective: date_text(recorded.effective_date),
            position: recorded.position as i64,
            changes,
        };
        self.changes.push(ChangeRow {
            position: change.position,
            employee_id: id.clone(),
            change_kind: recorded.event_type.clone(),
            effective_date: change.effective.clone(),
            recorded_at: time_text(recorded.recorded_at),
            changes: change.changes.to_json(),
        });
        insert_ordered(history, change);
        let timeline = versions_from(history.iter().map(|c| (c.effective.as_str(), &c.changes)));
        self.supersede_versions(&id, had_history, recorded);
        self.open_new_versions(id, timeline, recorded);
        Ok(())
    }

    /// What the ledger knew of the employee until now stops being current at this event.
    fn supersede_versions(&mut self, id: &str, had_history: bool, recorded: &RecordedEvent) {
        let (position, time) = (recorded.position as i64, time_text(recorded.recorded_at));
        match self.open_versions.remove(id) {
            Some(open) => {
                for i in open {
                    self.versions[i].recorded_to = Some(position);
                    self.versions[i].recorded_to_time = Some(time.clone());
                }
            }
            None if had_history => {
                self.closes.insert(id.to_string(), (position, time));
            }
            None => {}
        }
    }

    fn open_new_versions(
        &mut self,
        id: String,
        timeline: Vec<(String, Option<String>, String)>,
        recorded: &RecordedEvent,
    ) {
        let time = time_text(recorded.recorded_at);
        let start = self.versions.len();
        for (valid_from, valid_to, record) in timeline {
            self.versions.push(VersionRow {
                employee_id: id.clone(),
                valid_from,
                valid_to,
                recorded_from: recorded.position as i64,
                recorded_from_time: time.clone(),
                recorded_to: None,
                recorded_to_time: None,
                record,
            });
        }
        self.open_versions
            .insert(id, (start..self.versions.len()).collect());
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
        audit_trail::write(tx, &self.audit).await?;
        staff_record::write_current(tx, self.staff.values()).await?;
        staff_record::write_changes(tx, &self.changes, &self.closes, &self.versions).await?;
        cases::write_cases(tx, self.cases.values()).await?;
        cases::write_programmes(tx, self.programmes.values()).await?;
        Ok(())
    }
}
