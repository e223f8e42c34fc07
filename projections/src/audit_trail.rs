//! The audit trail: every event with who, when and why, and the employees and case it touches,
//! indexed so an auditor can ask by actor, employee, case or time.

use hrledger_domain::LedgerEvent;
use hrledger_store::RecordedEvent;

use crate::db::{date_text, time_text, ReadTx};
use crate::{on_tx, ProjectionError};

pub(crate) async fn record(
    tx: &mut ReadTx,
    recorded: &RecordedEvent,
    event: &LedgerEvent,
) -> Result<(), ProjectionError> {
    let m = &recorded.metadata;
    let position = recorded.position as i64;
    let employees = event.employees_touched();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO audit_trail (position, stream, event_type, case_id, actor, actor_role, reason, \
             command_id, effective_date, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(position)
        .bind(&recorded.stream)
        .bind(&recorded.event_type)
        .bind(event.case_id().map(|id| id.to_string()))
        .bind(&m.actor)
        .bind(&m.actor_role)
        .bind(&m.reason)
        .bind(m.command_id.to_string())
        .bind(date_text(recorded.effective_date))
        .bind(time_text(recorded.recorded_at))
        .execute(&mut *conn)
        .await?;
        for employee in &employees {
            sqlx::query(
                "INSERT INTO audit_employees (employee_id, position) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(employee.to_string())
            .bind(position)
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}
