//! The audit trail: every event with who, when and why, and the employees and case it touches,
//! indexed so an auditor can ask by actor, employee, case or time.

use hrledger_domain::LedgerEvent;
use hrledger_store::RecordedEvent;

use crate::append::{append, AppendRow, Cell};
use crate::db::{uuid_text, ReadTx};
use crate::ProjectionError;

/// The employees an event touches beyond its own stream, each once: rows are appended without
/// a conflict check. An employee event's own employee is left out: the log's (stream, version)
/// key already finds an employee's events (see `queries::audit_statement`), and entries for
/// them were 924,672 of a 1,018,368-event ledger's 1,726,464, written again by every rebuild.
fn employees_of(event: &LedgerEvent) -> Vec<String> {
    let mut ids = event.employees_touched();
    if let LedgerEvent::Employee(e) = event {
        ids.retain(|id| id != e.key());
    }
    ids.sort_unstable();
    ids.dedup();
    ids.iter().map(uuid_text).collect()
}

/// An event's trail entry: what the read model adds to the log (case, employees) and the
/// columns its indexes need (actor, recording time). The rest of the entry (stream, type, role,
/// reason, command id, effective date) is the event's own row in `events`, joined by position
/// when the trail is read; copying it here cost a rebuild 227 bytes per event.
pub(crate) struct AuditRow {
    position: i64,
    case_id: Option<String>,
    actor: String,
    recorded_at_us: i64,
    employees: Vec<String>,
}

impl AuditRow {
    /// Takes the actor rather than copying it: nothing else needs the recorded event once its
    /// row is built.
    pub fn new(recorded: RecordedEvent, event: &LedgerEvent) -> Self {
        AuditRow {
            position: recorded.position as i64,
            case_id: event.case_id().map(|id| uuid_text(&id)),
            actor: recorded.metadata.actor,
            recorded_at_us: recorded.recorded_at.timestamp_micros(),
            employees: employees_of(event),
        }
    }
}

impl AppendRow for AuditRow {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Int(Some(self.position)),
            Cell::Text(self.case_id.as_deref()),
            Cell::Text(Some(&self.actor)),
            Cell::Int(Some(self.recorded_at_us)),
        ]
    }
}

/// An employee an event touches.
struct Touched<'a> {
    employee_id: &'a str,
    position: i64,
}

impl AppendRow for Touched<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(Some(self.employee_id)),
            Cell::Int(Some(self.position)),
        ]
    }
}

/// The index of the audit trail's employee entries, which a rebuild sets aside.
pub(crate) const AUDIT_EMPLOYEE_INDEX: &str = "audit_employees_by_employee";

/// Appends `rows` and their employee entries; `indexed` says whether the entries' index
/// ([`AUDIT_EMPLOYEE_INDEX`]) is in place to be updated.
pub(crate) async fn write(
    tx: &mut ReadTx,
    rows: &[AuditRow],
    indexed: bool,
) -> Result<(), ProjectionError> {
    let mut touched: Vec<Touched> = rows
        .iter()
        .flat_map(|r| {
            r.employees.iter().map(|e| Touched {
                employee_id: e,
                position: r.position,
            })
        })
        .collect();
    // In key order, each employee's entries of the batch go in together, where one descent of
    // the index finds the place for all of them; in position order every entry landed
    // somewhere else in the index. With the index set aside (a rebuild) the table is appended
    // in any order, and sorting a rebuild batch's 100,000 entries was 1% of its samples.
    if indexed {
        touched
            .sort_unstable_by(|a, b| (a.employee_id, a.position).cmp(&(b.employee_id, b.position)));
    }
    append(
        tx,
        "audit_trail (position, case_id, actor, recorded_at_us)",
        4,
        rows,
    )
    .await?;
    append(tx, "audit_employees (employee_id, position)", 2, &touched).await
}
