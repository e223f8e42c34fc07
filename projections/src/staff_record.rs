//! Staff records: the current record per employee, the payroll change feed, and the bitemporal
//! versions — all derived from the employee aggregate's folded state.

use std::collections::BTreeMap;

use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus};

use crate::append::{append, AppendRow, Cell};
use crate::payroll::{status_text, PayrollChanges, PayrollRecord};
use hrledger_domain::{AggregateState, Grade};
use serde_json::json;

use crate::db::{date_text, ReadTx};
use crate::{insert_rows, on_tx, ProjectionError};

pub(crate) fn employee_record(state: &AggregateState) -> Option<&EmployeeRecord> {
    match state {
        AggregateState::Employee(s) => s.0.as_ref(),
        _ => None,
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

/// The current record of one employee, as written to `staff_records`.
pub(crate) struct StaffRow {
    employee_id: String,
    given_name: String,
    family_name: String,
    ni_number: Option<String>,
    employer_code: Option<String>,
    assignment_number: Option<String>,
    position_code: Option<String>,
    job_title: Option<String>,
    staff_group: Option<String>,
    band: Option<String>,
    pay_point: Option<String>,
    fte: Option<f64>,
    cost_centre: Option<String>,
    location: Option<String>,
    start_date: Option<String>,
    continuous_service_date: Option<String>,
    status: &'static str,
    protected_terms: String,
    open_cases: String,
    last_position: i64,
}

impl StaffRow {
    pub fn new(record: &EmployeeRecord, last_position: u64) -> Self {
        let e = record.employment.as_ref();
        let a = e.map(|e| &e.assignment);
        let (band, pay_point) = a.map(|a| grade_parts(&a.grade)).unzip();
        let transferring =
            record.status() == EmploymentStatus::Employed && !record.open_transfers.is_empty();
        let open_cases: Vec<String> = record
            .open_transfers
            .keys()
            .map(|id| id.to_string())
            .collect();
        StaffRow {
            employee_id: record.employee_id.to_string(),
            given_name: record.personal.given_name.clone(),
            family_name: record.personal.family_name.clone(),
            ni_number: record.personal.ni_number.clone(),
            employer_code: e.map(|e| e.employer_code.clone()),
            assignment_number: a.map(|a| a.assignment_number.clone()),
            position_code: a.map(|a| a.position_code.clone()),
            job_title: a.map(|a| a.job_title.clone()),
            staff_group: a.map(|a| a.staff_group.clone()),
            band,
            pay_point: pay_point.flatten(),
            fte: a.map(|a| a.fte),
            cost_centre: a.map(|a| a.cost_centre.clone()),
            location: a.map(|a| a.location.clone()),
            start_date: e.map(|e| date_text(e.start_date)),
            continuous_service_date: e.map(|e| date_text(e.continuous_service_date)),
            status: if transferring {
                "transferring"
            } else {
                status_text(record.status())
            },
            protected_terms: json!({
                "pay_protection": record.pay_protection,
                "transfers": record.transfer_history,
            })
            .to_string(),
            open_cases: serde_json::to_string(&open_cases).unwrap_or_default(),
            last_position: last_position as i64,
        }
    }
}

pub(crate) async fn write_current<'a>(
    tx: &mut ReadTx,
    rows: impl Iterator<Item = &'a StaffRow>,
) -> Result<(), ProjectionError> {
    let rows: Vec<&StaffRow> = rows.collect();
    on_tx!(tx, conn => {
        insert_rows!(conn,
            "INSERT INTO staff_records (employee_id, given_name, family_name, ni_number, \
             employer_code, assignment_number, position_code, job_title, staff_group, band, pay_point, fte, \
             cost_centre, location, start_date, continuous_service_date, status, protected_terms, open_cases, last_position) ",
            " ON CONFLICT (employee_id) DO UPDATE SET \
             given_name = excluded.given_name, family_name = excluded.family_name, ni_number = excluded.ni_number, \
             employer_code = excluded.employer_code, assignment_number = excluded.assignment_number, \
             position_code = excluded.position_code, job_title = excluded.job_title, staff_group = excluded.staff_group, \
             band = excluded.band, pay_point = excluded.pay_point, fte = excluded.fte, cost_centre = excluded.cost_centre, \
             location = excluded.location, start_date = excluded.start_date, \
             continuous_service_date = excluded.continuous_service_date, status = excluded.status, \
             protected_terms = excluded.protected_terms, open_cases = excluded.open_cases, \
             last_position = excluded.last_position",
            rows, 20,
            |mut b, r: &&StaffRow| {
                b.push_bind(&r.employee_id).push_bind(&r.given_name).push_bind(&r.family_name)
                    .push_bind(&r.ni_number).push_bind(&r.employer_code).push_bind(&r.assignment_number)
                    .push_bind(&r.position_code).push_bind(&r.job_title).push_bind(&r.staff_group)
                    .push_bind(&r.band).push_bind(&r.pay_point).push_bind(r.fte).push_bind(&r.cost_centre)
                    .push_bind(&r.location).push_bind(&r.start_date).push_bind(&r.continuous_service_date)
                    .push_bind(r.status).push_bind(&r.protected_terms).push_bind(&r.open_cases)
                    .push_bind(r.last_position);
            });
    });
    Ok(())
}

/// One row of the payroll change feed.
pub(crate) struct ChangeRow {
    pub position: i64,
    pub employee_id: String,
    pub change_kind: String,
    pub effective_date: String,
    pub recorded_at: String,
    pub changes: String,
}

/// One period of an employee's record as known from `recorded_from` (until `recorded_to`).
pub(crate) struct VersionRow {
    pub employee_id: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub recorded_from: i64,
    pub recorded_from_time: String,
    pub recorded_to: Option<i64>,
    pub recorded_to_time: Option<String>,
    pub record: String,
}

pub(crate) async fn write_changes(
    tx: &mut ReadTx,
    changes: &[ChangeRow],
    closes: &BTreeMap<String, (i64, String)>,
    versions: &[VersionRow],
) -> Result<(), ProjectionError> {
    append(
        tx,
        "staff_changes (position, employee_id, change_kind, effective_date, recorded_at, changes)",
        6,
        changes,
    )
    .await?;
    on_tx!(tx, conn => {
        // Knowledge from before this batch ends where the batch first changes the employee;
        // closed before the new periods are inserted, which are open or closed already.
        // One statement per chunk, not a round trip per employee.
        let closes: Vec<_> = closes.iter().collect();
        for chunk in closes.chunks(crate::bulk::rows_per_statement(3)) {
            let mut qb = sqlx::QueryBuilder::new(
                "UPDATE staff_record_versions SET recorded_to = c.column2, recorded_to_time = c.column3 FROM (",
            );
            qb.push_values(chunk, |mut b, (employee, (position, time))| {
                b.push_bind(*employee).push_bind(*position).push_bind(time);
            });
            qb.push(
                ") AS c WHERE staff_record_versions.employee_id = c.column1 \
                 AND staff_record_versions.recorded_to IS NULL",
            );
            qb.build().execute(&mut *conn).await?;
        }
    });
    append(
        tx,
        "staff_record_versions (employee_id, valid_from, valid_to, recorded_from, \
         recorded_from_time, recorded_to, recorded_to_time, record)",
        8,
        versions,
    )
    .await
}

impl AppendRow for ChangeRow {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Int(Some(self.position)),
            Cell::Text(Some(&self.employee_id)),
            Cell::Text(Some(&self.change_kind)),
            Cell::Text(Some(&self.effective_date)),
            Cell::Text(Some(&self.recorded_at)),
            Cell::Text(Some(&self.changes)),
        ]
    }
}

impl AppendRow for VersionRow {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(Some(&self.employee_id)),
            Cell::Text(Some(&self.valid_from)),
            Cell::Text(self.valid_to.as_deref()),
            Cell::Int(Some(self.recorded_from)),
            Cell::Text(Some(&self.recorded_from_time)),
            Cell::Int(self.recorded_to),
            Cell::Text(self.recorded_to_time.as_deref()),
            Cell::Text(Some(&self.record)),
        ]
    }
}

/// Folds changes (already in effective-date, then position, order) into `(valid_from,
/// valid_to, record)` periods, the record as stored JSON. Several changes on one date make one
/// period; per field the later-recorded change wins.
pub(crate) fn versions_from<'a>(
    history: impl Iterator<Item = (&'a str, &'a PayrollChanges)>,
) -> Vec<(String, Option<String>, String)> {
    let mut periods: Vec<(&str, PayrollRecord)> = Vec::new();
    let mut current = PayrollRecord::default();
    for (effective, changes) in history {
        current.apply(changes);
        match periods.last_mut() {
            Some((from, record)) if *from == effective => *record = current.clone(),
            _ => periods.push((effective, current.clone())),
        }
    }
    let ends: Vec<Option<String>> = periods
        .iter()
        .skip(1)
        .map(|(from, _)| Some(from.to_string()))
        .chain(std::iter::once(None))
        .collect();
    periods
        .into_iter()
        .zip(ends)
        .map(|((from, record), to)| (from.to_string(), to, record.to_json()))
        .collect()
}
