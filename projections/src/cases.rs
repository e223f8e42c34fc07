//! Cases, their statutory deadlines and the programmes they belong to, derived from each case
//! aggregate's folded state through the domain's own summary and deadline rules.

use hrledger_domain::view::{CaseSummary, Deadline, ProgrammeSummary};
use hrledger_domain::AggregateState;
use hrledger_store::RecordedEvent;

use crate::db::{date_text, ReadTx};
use crate::{on_tx, ProjectionError};

pub(crate) async fn apply(
    tx: &mut ReadTx,
    recorded: &RecordedEvent,
    after: &AggregateState,
) -> Result<(), ProjectionError> {
    if let Some(programme) = after.programme_summary() {
        return upsert_programme(tx, &programme, recorded.position).await;
    }
    let Some(case) = after.case_summary() else {
        return Ok(());
    };
    let deadlines = after.deadlines();
    upsert_case(tx, &case, &deadlines, recorded.position).await?;
    replace_deadlines(tx, &case, &deadlines).await
}

async fn upsert_case(
    tx: &mut ReadTx,
    case: &CaseSummary,
    deadlines: &[Deadline],
    position: u64,
) -> Result<(), ProjectionError> {
    let next_deadline = deadlines
        .iter()
        .filter(|d| d.met_on.is_none())
        .map(|d| d.due)
        .min()
        .map(date_text);
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO cases (case_id, kind, status, programme_id, title, organisations, key_dates, summary, \
             next_deadline, opened_on, last_position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, programme_id = excluded.programme_id, \
             title = excluded.title, organisations = excluded.organisations, key_dates = excluded.key_dates, \
             summary = excluded.summary, next_deadline = excluded.next_deadline, last_position = excluded.last_position",
        )
        .bind(case.case_id.to_string())
        .bind(case.kind.prefix())
        .bind(case.status)
        .bind(case.programme_id.map(|id| id.to_string()))
        .bind(&case.title)
        .bind(serde_json::to_string(&case.organisations).unwrap_or_default())
        .bind(serde_json::to_string(&case.key_dates).unwrap_or_default())
        .bind(serde_json::to_string(&case.counts).unwrap_or_default())
        .bind(next_deadline)
        .bind(case.opened_on.map(date_text))
        .bind(position as i64)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Deadlines are recomputed whole whenever their case changes, so a moved transfer date moves
/// every deadline that hangs off it.
async fn replace_deadlines(
    tx: &mut ReadTx,
    case: &CaseSummary,
    deadlines: &[Deadline],
) -> Result<(), ProjectionError> {
    let case_id = case.case_id.to_string();
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM deadlines WHERE case_id = $1")
            .bind(&case_id)
            .execute(&mut *conn)
            .await?;
        for d in deadlines {
            sqlx::query(
                "INSERT INTO deadlines (deadline_id, case_id, kind, rule, description, due_date, status, met_on, \
                 employees, exposure_pence, exposure_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(format!("{case_id}/{}", d.kind))
            .bind(&case_id)
            .bind(d.kind)
            .bind(d.rule)
            .bind(&d.description)
            .bind(date_text(d.due))
            .bind(if d.met_on.is_some() { "done" } else { "open" })
            .bind(d.met_on.map(date_text))
            .bind(d.employees as i64)
            .bind(d.exposure_pence.map(|p| p as i64))
            .bind(d.exposure_note.as_deref())
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}

async fn upsert_programme(
    tx: &mut ReadTx,
    programme: &ProgrammeSummary,
    position: u64,
) -> Result<(), ProjectionError> {
    let id = programme.programme_id.to_string();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO programmes (programme_id, name, successor_code, predecessors, legal_day_one, status, last_position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (programme_id) DO UPDATE SET name = excluded.name, \
             successor_code = excluded.successor_code, predecessors = excluded.predecessors, \
             legal_day_one = excluded.legal_day_one, status = excluded.status, last_position = excluded.last_position",
        )
        .bind(&id)
        .bind(&programme.name)
        .bind(&programme.successor_code)
        .bind(serde_json::to_string(&programme.predecessors).unwrap_or_default())
        .bind(date_text(programme.legal_day_one))
        .bind(programme.status)
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
        for case_id in &programme.linked_cases {
            sqlx::query(
                "INSERT INTO case_programme_links (case_id, programme_id) VALUES ($1, $2) \
                 ON CONFLICT (case_id) DO UPDATE SET programme_id = excluded.programme_id",
            )
            .bind(case_id.to_string())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}
