//! The audit trail: every event with who, when and why, and the employees and case it touches,
//! indexed so an auditor can ask by actor, employee, case or time.

use hrledger_domain::LedgerEvent;
use hrledger_store::RecordedEvent;

use crate::db::{date_text, time_text, ReadTx};
use crate::{insert_rows, on_tx, ProjectionError};

pub(crate) struct AuditRow {
    position: i64,
    stream: String,
    event_type: String,
    case_id: Option<String>,
    actor: String,
    actor_role: String,
    reason: String,
    command_id: String,
    effective_date: String,
    recorded_at: String,
    employees: Vec<String>,
}

impl AuditRow {
    /// Takes the event's text fields rather than copying them: nothing else needs the
    /// recorded event once its row is built.
    pub fn new(recorded: RecordedEvent, event: &LedgerEvent) -> Self {
        let m = recorded.metadata;
        AuditRow {
            position: recorded.position as i64,
            stream: recorded.stream,
            event_type: recorded.event_type,
            case_id: event.case_id().map(|id| id.to_string()),
            actor: m.actor,
            actor_role: m.actor_role,
            reason: m.reason,
            command_id: m.command_id.to_string(),
            effective_date: date_text(recorded.effective_date),
            recorded_at: time_text(recorded.recorded_at),
            employees: event
                .employees_touched()
                .iter()
                .map(|id| id.to_string())
                .collect(),
        }
    }
}

pub(crate) async fn write(tx: &mut ReadTx, rows: &[AuditRow]) -> Result<(), ProjectionError> {
    let touched: Vec<(&str, i64)> = rows
        .iter()
        .flat_map(|r| r.employees.iter().map(move |e| (e.as_str(), r.position)))
        .collect();
    on_tx!(tx, conn => {
        insert_rows!(conn,
            "INSERT INTO audit_trail (position, stream, event_type, case_id, actor, actor_role, reason, \
             command_id, effective_date, recorded_at) ",
            "", rows, 10,
            |mut b, r: &AuditRow| {
                b.push_bind(r.position).push_bind(&r.stream).push_bind(&r.event_type)
                    .push_bind(&r.case_id).push_bind(&r.actor).push_bind(&r.actor_role)
                    .push_bind(&r.reason).push_bind(&r.command_id).push_bind(&r.effective_date)
                    .push_bind(&r.recorded_at);
            });
        insert_rows!(conn,
            "INSERT INTO audit_employees (employee_id, position) ",
            " ON CONFLICT DO NOTHING", touched, 2,
            |mut b, (e, p): &(&str, i64)| {
                b.push_bind(*e).push_bind(*p);
            });
    });
    Ok(())
}
