//! Routes each event to the read models it changes.

use hrledger_domain::{AggregateKind, AggregateState, LedgerEvent, StreamId};
use hrledger_store::RecordedEvent;

use crate::db::ReadTx;
use crate::staff_record::{self, employee_record, payroll_snapshot};
use crate::{audit_trail, cases, ProjectionError};

pub(crate) async fn apply_event(
    tx: &mut ReadTx,
    recorded: &RecordedEvent,
    event: &LedgerEvent,
    before: &AggregateState,
    after: &AggregateState,
) -> Result<(), ProjectionError> {
    audit_trail::record(tx, recorded, event).await?;
    let kind = StreamId::parse(&recorded.stream)
        .map(|s| s.kind())
        .map_err(|e| ProjectionError::Unreadable {
            position: recorded.position,
            detail: e.to_string(),
        })?;
    match kind {
        AggregateKind::Employee => apply_staff(tx, recorded, before, after).await,
        AggregateKind::Organisation => Ok(()),
        _ => cases::apply(tx, recorded, after).await,
    }
}

async fn apply_staff(
    tx: &mut ReadTx,
    recorded: &RecordedEvent,
    before: &AggregateState,
    after: &AggregateState,
) -> Result<(), ProjectionError> {
    let Some(record) = employee_record(after) else {
        return Ok(());
    };
    staff_record::upsert_current(tx, record, recorded.position).await?;
    let changes = staff_record::diff(
        &payroll_snapshot(employee_record(before)),
        &payroll_snapshot(Some(record)),
    );
    if !changes.is_empty() {
        let id = record.employee_id.to_string();
        staff_record::record_change(tx, recorded, &id, &changes).await?;
    }
    Ok(())
}
