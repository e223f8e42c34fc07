//! Staff records: the current record per employee and the payroll change feed, both derived
//! from the employee aggregate's folded state (the bitemporal versions are folded from the feed
//! when asked for: see `staff_versions`).

use std::sync::LazyLock;

use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus};

use crate::append::{append, AppendRow, Cell};
use crate::payroll::status_text;
use hrledger_domain::{AggregateState, Grade};
use serde_json::json;

use crate::db::{date_text, uuid_text, ReadTx};
use crate::ProjectionError;

pub(crate) fn employee_record(state: &AggregateState) -> Option<&EmployeeRecord> {
    match state {
        AggregateState::Employee(s) => s.0.as_ref(),
        _ => None,
    }
}

/// An AfC band and pay point, or a non-AfC grade in the band column.
pub(crate) fn grade_parts(grade: &Grade) -> (&str, Option<u8>) {
    match grade {
        Grade::AgendaForChange { band, pay_point } => (band.as_str(), *pay_point),
        Grade::Other { grade } => (grade, None),
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
        let open_cases: Vec<String> = record.open_transfers.keys().map(uuid_text).collect();
        StaffRow {
            employee_id: uuid_text(&record.employee_id),
            given_name: record.personal.given_name.clone(),
            family_name: record.personal.family_name.clone(),
            ni_number: record.personal.ni_number.clone(),
            employer_code: e.map(|e| e.employer_code.clone()),
            assignment_number: a.map(|a| a.assignment_number.clone()),
            position_code: a.map(|a| a.position_code.clone()),
            job_title: a.map(|a| a.job_title.clone()),
            staff_group: a.map(|a| a.staff_group.clone()),
            band: band.map(str::to_owned),
            pay_point: pay_point.flatten().map(|p| p.to_string()),
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
            // Written from the value, not through its `Display`, which goes by `fmt`.
            protected_terms: serde_json::to_string(&json!({
                "pay_protection": record.pay_protection,
                "transfers": record.transfer_history,
            }))
            .expect("JSON values serialize"),
            open_cases: serde_json::to_string(&open_cases).unwrap_or_default(),
            last_position: last_position as i64,
        }
    }
}

/// `staff_records`' columns, key first, in the order of [`StaffRow`]'s cells.
const STAFF_COLUMNS: [&str; 20] = [
    "employee_id",
    "given_name",
    "family_name",
    "ni_number",
    "employer_code",
    "assignment_number",
    "position_code",
    "job_title",
    "staff_group",
    "band",
    "pay_point",
    "fte",
    "cost_centre",
    "location",
    "start_date",
    "continuous_service_date",
    "status",
    "protected_terms",
    "open_cases",
    "last_position",
];

/// The same columns as one comma-separated list, for statements that read or write them all.
pub(crate) static STAFF_COLUMN_LIST: LazyLock<String> = LazyLock::new(|| STAFF_COLUMNS.join(", "));

/// `INSERT INTO staff_records (...)` as far as `VALUES`, and the upsert that follows the values.
fn staff_upsert_parts() -> (String, String) {
    let head = format!("INSERT INTO staff_records ({}) ", *STAFF_COLUMN_LIST);
    let updates: Vec<String> = STAFF_COLUMNS[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let tail = format!(
        " ON CONFLICT (employee_id) DO UPDATE SET {}",
        updates.join(", ")
    );
    (head, tail)
}

pub(crate) async fn write_current<'a>(
    tx: &mut ReadTx,
    rows: impl Iterator<Item = &'a StaffRow>,
) -> Result<(), ProjectionError> {
    let rows: Vec<&StaffRow> = rows.collect();
    let (head, tail) = staff_upsert_parts();
    match tx {
        ReadTx::Sqlite(t) => {
            let values = crate::sqlite_rows::placeholders(STAFF_COLUMNS.len());
            let sql = format!("{head}VALUES ({values}){tail}");
            crate::sqlite_rows::execute_rows(t, &sql, &rows).await?;
        }
        ReadTx::Postgres(t) => crate::pg_rows::upsert(t, &head, &tail, &rows).await?,
    }
    Ok(())
}

impl AppendRow for StaffRow {
    fn cells(&self) -> Vec<Cell<'_>> {
        fn text(t: &Option<String>) -> Cell<'_> {
            Cell::Text(t.as_deref())
        }
        vec![
            Cell::Text(Some(&self.employee_id)),
            Cell::Text(Some(&self.given_name)),
            Cell::Text(Some(&self.family_name)),
            text(&self.ni_number),
            text(&self.employer_code),
            text(&self.assignment_number),
            text(&self.position_code),
            text(&self.job_title),
            text(&self.staff_group),
            text(&self.band),
            text(&self.pay_point),
            Cell::Real(self.fte),
            text(&self.cost_centre),
            text(&self.location),
            text(&self.start_date),
            text(&self.continuous_service_date),
            Cell::Text(Some(self.status)),
            Cell::Text(Some(&self.protected_terms)),
            Cell::Text(Some(&self.open_cases)),
            Cell::Int(Some(self.last_position)),
        ]
    }
}

/// One row of the payroll change feed.
pub(crate) struct ChangeRow {
    pub position: i64,
    pub employee_id: String,
    pub change_kind: &'static str,
    pub effective_date: String,
    pub recorded_at: String,
    pub changes: String,
}

pub(crate) async fn write_changes(
    tx: &mut ReadTx,
    changes: &[ChangeRow],
) -> Result<(), ProjectionError> {
    append(
        tx,
        "staff_changes (position, employee_id, change_kind, effective_date, recorded_at, changes)",
        6,
        changes,
    )
    .await
}

impl AppendRow for ChangeRow {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Int(Some(self.position)),
            Cell::Text(Some(&self.employee_id)),
            Cell::Text(Some(self.change_kind)),
            Cell::Text(Some(&self.effective_date)),
            Cell::Text(Some(&self.recorded_at)),
            Cell::Text(Some(&self.changes)),
        ]
    }
}
