//! The audit trail: every event with who, when and why, and the employees and case it touches,
//! indexed so an auditor can ask by actor, employee, case or time. Who, when and why are the
//! log's own columns, indexed in `events` by actor and recording time; the trail's tables hold
//! only the entries that the log's streams do not give (see `queries::audit_statement`).

use hrledger_domain::LedgerEvent;

use crate::append::{append, AppendRow, Cell};
use crate::db::{uuid_text, ReadTx};
use crate::feed::Logged;
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

/// What the trail adds to an event's row in the log: the case an employee event belongs to (a
/// case's own events are its stream) and the employees it touches beyond its own stream. The
/// rest of an entry (actor, recording time, stream, type, role, reason, command id, effective
/// date) is the event's own row in `events`, indexed there by actor and by recording time
/// (migration 0012); a rebuild no longer writes a row per event.
pub(crate) struct AuditRow {
    position: i64,
    case_id: Option<String>,
    employees: Vec<String>,
}

impl AuditRow {
    /// The event's entries, if the log's streams do not already give them all.
    pub fn new(recorded: &Logged, event: &LedgerEvent) -> Option<Self> {
        let row = AuditRow {
            position: recorded.position as i64,
            case_id: employee_case(event).map(|id| uuid_text(&id)),
            employees: employees_of(event),
        };
        (row.case_id.is_some() || !row.employees.is_empty()).then_some(row)
    }
}

/// The case an employee event names (a transfer it is scoped into, a case that changed an
/// assignment); other events' cases are their own streams.
fn employee_case(event: &LedgerEvent) -> Option<uuid::Uuid> {
    match event {
        LedgerEvent::Employee(_) => event.case_id(),
        _ => None,
    }
}

/// An employee event's case entry.
struct CaseEntry<'a> {
    position: i64,
    case_id: &'a str,
}

impl AppendRow for CaseEntry<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Int(Some(self.position)),
            Cell::Text(Some(self.case_id)),
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

/// Appends the case and employee entries of `rows`; `indexed` says whether the entries' index
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
    let cases: Vec<CaseEntry> = rows
        .iter()
        .filter_map(|r| {
            r.case_id.as_deref().map(|case_id| CaseEntry {
                position: r.position,
                case_id,
            })
        })
        .collect();
    append(tx, "audit_cases (position, case_id)", 2, &cases).await?;
    append(tx, "audit_employees (employee_id, position)", 2, &touched).await
}
