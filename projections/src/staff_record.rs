//! Staff records: the current record per employee, the payroll change feed, and the bitemporal
//! versions — all derived from the employee aggregate's folded state.

use std::collections::BTreeMap;

use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus};
use hrledger_domain::{AggregateState, Grade};
use hrledger_store::RecordedEvent;
use serde_json::{json, Map, Value};

use crate::db::{date_text, time_text, ReadTx};
use crate::{on_tx, ProjectionError};

/// The fields payroll acts on, as they stand after an event. A change feed row is written when
/// any of them changes; the same snapshot, folded by effective date, gives the record's versions.
pub(crate) type PayrollSnapshot = BTreeMap<&'static str, Value>;

pub(crate) fn employee_record(state: &AggregateState) -> Option<&EmployeeRecord> {
    match state {
        AggregateState::Employee(s) => s.0.as_ref(),
        _ => None,
    }
}

pub(crate) fn payroll_snapshot(record: Option<&EmployeeRecord>) -> PayrollSnapshot {
    let mut s = PayrollSnapshot::new();
    let Some(r) = record else { return s };
    s.insert("status", json!(status_of(r.status())));
    if let Some(e) = &r.employment {
        let (band, pay_point) = grade_parts(&e.assignment.grade);
        s.insert("employer_code", json!(e.employer_code));
        s.insert("start_date", json!(date_text(e.start_date)));
        s.insert(
            "continuous_service_date",
            json!(date_text(e.continuous_service_date)),
        );
        s.insert("assignment_number", json!(e.assignment.assignment_number));
        s.insert("position_code", json!(e.assignment.position_code));
        s.insert("job_title", json!(e.assignment.job_title));
        s.insert("staff_group", json!(e.assignment.staff_group));
        s.insert("band", json!(band));
        s.insert("pay_point", json!(pay_point));
        s.insert("fte", json!(e.assignment.fte));
        s.insert("cost_centre", json!(e.assignment.cost_centre));
        s.insert("location", json!(e.assignment.location));
    }
    if let Some(l) = &r.left {
        s.insert("left_on", json!(date_text(l.on)));
        s.insert("leaving_reason", json!(l.reason));
    }
    if let Some(p) = &r.pay_protection {
        s.insert("pay_protection", json!(p));
    }
    s
}

fn status_of(status: EmploymentStatus) -> &'static str {
    match status {
        EmploymentStatus::Registered => "registered",
        EmploymentStatus::Employed => "active",
        EmploymentStatus::Left => "left",
    }
}

/// An AfC band and pay point, or a non-AfC grade in the band column.
pub(crate) fn grade_parts(grade: &Grade) -> (String, Option<String>) {
    match grade {
        Grade::AgendaForChange { band, pay_point } => (
            serde_json::to_value(band)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            pay_point.map(|p| p.to_string()),
        ),
        Grade::Other { grade } => (grade.clone(), None),
    }
}

/// `{field: {"from": old, "to": new}}` for every field that differs; empty when none does.
pub(crate) fn diff(before: &PayrollSnapshot, after: &PayrollSnapshot) -> Map<String, Value> {
    let mut changes = Map::new();
    let fields = before.keys().chain(after.keys()).copied();
    for field in fields {
        let (old, new) = (before.get(field), after.get(field));
        if old != new && !changes.contains_key(field) {
            changes.insert(
                field.to_string(),
                json!({"from": old.cloned().unwrap_or(Value::Null), "to": new.cloned().unwrap_or(Value::Null)}),
            );
        }
    }
    changes
}

/// Writes the current record of one employee.
pub(crate) async fn upsert_current(
    tx: &mut ReadTx,
    record: &EmployeeRecord,
    last_position: u64,
) -> Result<(), ProjectionError> {
    let e = record.employment.as_ref();
    let a = e.map(|e| &e.assignment);
    let (band, pay_point) = a.map(|a| grade_parts(&a.grade)).unzip();
    let status =
        if record.status() == EmploymentStatus::Employed && !record.open_transfers.is_empty() {
            "transferring"
        } else {
            status_of(record.status())
        };
    let protected_terms = json!({
        "pay_protection": record.pay_protection,
        "transfers": record.transfer_history,
    });
    let open_cases: Vec<String> = record
        .open_transfers
        .keys()
        .map(|id| id.to_string())
        .collect();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO staff_records (employee_id, employee_number, given_name, family_name, ni_number, \
             employer_code, assignment_number, position_code, job_title, staff_group, band, pay_point, fte, \
             cost_centre, location, start_date, continuous_service_date, status, protected_terms, open_cases, last_position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
             ON CONFLICT (employee_id) DO UPDATE SET employee_number = excluded.employee_number, \
             given_name = excluded.given_name, family_name = excluded.family_name, ni_number = excluded.ni_number, \
             employer_code = excluded.employer_code, assignment_number = excluded.assignment_number, \
             position_code = excluded.position_code, job_title = excluded.job_title, staff_group = excluded.staff_group, \
             band = excluded.band, pay_point = excluded.pay_point, fte = excluded.fte, cost_centre = excluded.cost_centre, \
             location = excluded.location, start_date = excluded.start_date, \
             continuous_service_date = excluded.continuous_service_date, status = excluded.status, \
             protected_terms = excluded.protected_terms, open_cases = excluded.open_cases, \
             last_position = excluded.last_position",
        )
        .bind(record.employee_id.to_string())
        .bind(Option::<String>::None)
        .bind(record.personal.given_name.clone())
        .bind(record.personal.family_name.clone())
        .bind(record.personal.ni_number.clone())
        .bind(e.map(|e| e.employer_code.clone()))
        .bind(a.map(|a| a.assignment_number.clone()))
        .bind(a.map(|a| a.position_code.clone()))
        .bind(a.map(|a| a.job_title.clone()))
        .bind(a.map(|a| a.staff_group.clone()))
        .bind(band)
        .bind(pay_point.flatten())
        .bind(a.map(|a| a.fte))
        .bind(a.map(|a| a.cost_centre.clone()))
        .bind(a.map(|a| a.location.clone()))
        .bind(e.map(|e| date_text(e.start_date)))
        .bind(e.map(|e| date_text(e.continuous_service_date)))
        .bind(status)
        .bind(protected_terms.to_string())
        .bind(serde_json::to_string(&open_cases).unwrap_or_default())
        .bind(last_position as i64)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Appends a payroll change row, then re-derives the employee's versions as the ledger now
/// knows them: the previous knowledge is closed (recorded_to) and the new timeline opened.
pub(crate) async fn record_change(
    tx: &mut ReadTx,
    recorded: &RecordedEvent,
    employee_id: &str,
    changes: &Map<String, Value>,
) -> Result<(), ProjectionError> {
    let recorded_at = time_text(recorded.recorded_at);
    let effective = date_text(recorded.effective_date);
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO staff_changes (position, employee_id, change_kind, effective_date, recorded_at, changes) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(recorded.position as i64)
        .bind(employee_id)
        .bind(&recorded.event_type)
        .bind(&effective)
        .bind(&recorded_at)
        .bind(Value::Object(changes.clone()).to_string())
        .execute(conn)
        .await?;
    });
    let history: Vec<(String, String)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT effective_date, changes FROM staff_changes WHERE employee_id = $1 \
             ORDER BY effective_date, position",
        )
        .bind(employee_id)
        .fetch_all(conn)
        .await?
    });
    let timeline = versions_from(&history)?;
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE staff_record_versions SET recorded_to = $1, recorded_to_time = $2 \
             WHERE employee_id = $3 AND recorded_to IS NULL",
        )
        .bind(recorded.position as i64)
        .bind(&recorded_at)
        .bind(employee_id)
        .execute(&mut *conn)
        .await?;
        for (valid_from, valid_to, record) in &timeline {
            sqlx::query(
                "INSERT INTO staff_record_versions (employee_id, valid_from, valid_to, recorded_from, \
                 recorded_from_time, record) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(employee_id)
            .bind(valid_from)
            .bind(valid_to.as_deref())
            .bind(recorded.position as i64)
            .bind(&recorded_at)
            .bind(record.to_string())
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}

/// Folds the changes in effective-date order into `(valid_from, valid_to, record)` periods.
/// Several changes on one date make one period (the later-recorded one wins per field).
fn versions_from(
    history: &[(String, String)],
) -> Result<Vec<(String, Option<String>, Value)>, ProjectionError> {
    let mut periods: Vec<(String, Value)> = Vec::new();
    let mut current = Map::new();
    for (effective, changes) in history {
        let changes: Map<String, Value> = serde_json::from_str(changes)
            .map_err(|e| ProjectionError::Corrupt(format!("staff change: {e}")))?;
        for (field, change) in changes {
            current.insert(field, change.get("to").cloned().unwrap_or(Value::Null));
        }
        match periods.last_mut() {
            Some((from, record)) if from == effective => *record = Value::Object(current.clone()),
            _ => periods.push((effective.clone(), Value::Object(current.clone()))),
        }
    }
    let ends: Vec<Option<String>> = periods
        .iter()
        .skip(1)
        .map(|(from, _)| Some(from.clone()))
        .chain(std::iter::once(None))
        .collect();
    Ok(periods
        .into_iter()
        .zip(ends)
        .map(|((from, record), to)| (from, to, record))
        .collect())
}
