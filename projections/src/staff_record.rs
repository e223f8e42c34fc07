//! Staff records: the current record per employee and the payroll change feed, both derived
//! from the employee aggregate's folded state (the bitemporal versions are folded from the feed
//! when asked for: see `staff_versions`).

use std::fmt::Write;
use std::sync::LazyLock;

use chrono::NaiveDate;
use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus, TransferHistory};
use hrledger_domain::{AggregateState, Grade};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::append::{append, AppendRow, Cell};
use crate::db::{push_date_text, push_time_text, push_uuid_text, ReadTx};
use crate::feed::Logged;
use crate::payroll::{status_text, PayrollSnapshot};
use crate::text_cells::TextCells;
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

/// The current record of one employee, as written to `staff_records`. Its text cells are
/// held in one buffer: a row is built for every employee a batch changes, and a `String` per
/// cell, with the protected terms built as a `serde_json::Value`, were 16% of the projector's
/// samples (BENCHMARKS.md, session 18).
pub(crate) struct StaffRow {
    /// Each column's text, in [`STAFF_COLUMNS`] order; none for NULL and for the columns that
    /// are numbers ([`FTE`], [`LAST_POSITION`]).
    text: TextCells<{ STAFF_COLUMNS.len() }>,
    fte: Option<f64>,
    last_position: i64,
}

/// Where the columns that are not text sit in [`STAFF_COLUMNS`].
const FTE: usize = 11;
const LAST_POSITION: usize = 19;

impl StaffRow {
    pub fn new(record: &EmployeeRecord, last_position: u64) -> Self {
        let e = record.employment.as_ref();
        let a = e.map(|e| &e.assignment);
        let (band, pay_point) = a.map(|a| grade_parts(&a.grade)).unzip();
        let person = &record.personal;
        let mut row = StaffRow {
            text: TextCells::with_capacity(256),
            fte: a.map(|a| a.fte),
            last_position: last_position as i64,
        };
        let mut cells = Cells {
            row: &mut row,
            at: 0,
        };
        cells.push(|t| push_uuid_text(t, &record.employee_id));
        cells.text(Some(&person.given_name));
        cells.text(Some(&person.family_name));
        cells.text(person.ni_number.as_deref());
        cells.text(e.map(|e| e.employer_code.as_str()));
        cells.text(a.map(|a| a.assignment_number.as_str()));
        cells.text(a.map(|a| a.position_code.as_str()));
        cells.text(a.map(|a| a.job_title.as_str()));
        cells.text(a.map(|a| a.staff_group.as_str()));
        cells.text(band);
        cells.some(pay_point.flatten(), |t, p| {
            write!(t, "{p}").expect("a String takes text")
        });
        cells.number(FTE);
        cells.text(a.map(|a| a.cost_centre.as_str()));
        cells.text(a.map(|a| a.location.as_str()));
        cells.some(e.map(|e| e.start_date), push_date_text);
        cells.some(e.map(|e| e.continuous_service_date), push_date_text);
        cells.text(Some(staff_status(record)));
        cells.push(|t| push_protected_terms(t, record));
        cells.push(|t| push_open_cases(t, record));
        cells.number(LAST_POSITION);
        debug_assert_eq!(cells.at, STAFF_COLUMNS.len());
        row
    }
}

/// Writes a [`StaffRow`]'s text cells, column after column.
struct Cells<'a> {
    row: &'a mut StaffRow,
    /// The column the next cell is for.
    at: usize,
}

impl Cells<'_> {
    fn push(&mut self, write: impl FnOnce(&mut String)) {
        self.row.text.write(self.at, write);
        self.at += 1;
    }

    fn text(&mut self, text: Option<&str>) {
        self.some(text, String::push_str);
    }

    /// A cell written from `value`, or NULL.
    fn some<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut String, T)) {
        match value {
            Some(v) => self.push(|t| write(t, v)),
            None => self.at += 1,
        }
    }

    /// Passes over a column held as a number, not in the text.
    fn number(&mut self, column: usize) {
        debug_assert_eq!(self.at, column);
        self.at += 1;
    }
}

fn staff_status(record: &EmployeeRecord) -> &'static str {
    let transferring =
        record.status() == EmploymentStatus::Employed && !record.open_transfers.is_empty();
    if transferring {
        "transferring"
    } else {
        status_text(record.status())
    }
}

/// `{"pay_protection": ..., "transfers": [...]}`, every object's keys in alphabetical order,
/// as they were when this was built through `json!` (a `Value`'s maps are sorted).
fn push_protected_terms(out: &mut String, record: &EmployeeRecord) {
    #[derive(Serialize)]
    struct Terms<'a> {
        pay_protection: Option<Value>,
        transfers: Transfers<'a>,
    }
    let pay_protection = record.pay_protection.as_ref().map(|p| {
        serde_json::to_value(p).expect("pay protection serializes") // rare: keys sorted as ever
    });
    let terms = Terms {
        pay_protection,
        transfers: Transfers(&record.transfer_history),
    };
    out.push_str(&serde_json::to_string(&terms).expect("protected terms serialize"));
}

/// Transfers as `{"from_employer", "on", "to_employer", "transfer_id"}` objects, in that order.
struct Transfers<'a>(&'a [TransferHistory]);

impl Serialize for Transfers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Sorted<'a> {
            from_employer: &'a str,
            on: NaiveDate,
            to_employer: &'a str,
            transfer_id: Uuid,
        }
        serializer.collect_seq(self.0.iter().map(|t| Sorted {
            from_employer: &t.from_employer,
            on: t.on,
            to_employer: &t.to_employer,
            transfer_id: t.transfer_id,
        }))
    }
}

/// The ids of the open transfer cases the employee is in, as a JSON array of strings.
fn push_open_cases(out: &mut String, record: &EmployeeRecord) {
    out.push('[');
    for (i, case) in record.open_transfers.keys().enumerate() {
        out.push_str(if i == 0 { "\"" } else { ",\"" });
        push_uuid_text(out, case);
        out.push('"');
    }
    out.push(']');
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
        (0..STAFF_COLUMNS.len())
            .map(|column| match column {
                FTE => Cell::Real(self.fte),
                LAST_POSITION => Cell::Int(Some(self.last_position)),
                _ => Cell::Text(self.text.get(column)),
            })
            .collect()
    }
}

/// One row of the payroll change feed. Its text cells are held in one buffer, as a staff
/// row's are: most employee events write one.
pub(crate) struct ChangeRow {
    position: i64,
    change_kind: &'static str,
    /// The employee id, effective date, recorded time and changes.
    text: TextCells<4>,
}

impl ChangeRow {
    /// The row of an event that took an employee's payroll fields from `before` to `after`;
    /// `None` when it changed none of them.
    pub fn new(
        recorded: &Logged,
        change_kind: &'static str,
        employee_id: &Uuid,
        (before, after): (&PayrollSnapshot, &PayrollSnapshot),
    ) -> Option<Self> {
        let changes = after.changes_len(before);
        if changes == 0 {
            return None;
        }
        let mut text = TextCells::with_capacity(36 + 10 + 27 + changes);
        text.write(0, |t| push_uuid_text(t, employee_id));
        text.write(1, |t| push_date_text(t, recorded.effective_date));
        text.write(2, |t| push_time_text(t, recorded.recorded_at));
        text.write(3, |t| after.write_changes(before, t));
        Some(ChangeRow {
            position: recorded.position as i64,
            change_kind,
            text,
        })
    }
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
            Cell::Text(self.text.get(0)),
            Cell::Text(Some(self.change_kind)),
            Cell::Text(self.text.get(1)),
            Cell::Text(self.text.get(2)),
            Cell::Text(self.text.get(3)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::{ChangeRow, StaffRow, STAFF_COLUMNS};
    use crate::append::{AppendRow, Cell};
    use crate::feed::Logged;
    use crate::payroll::PayrollSnapshot;
    use crate::test_records::{date, transferring};

    fn text(t: &str) -> Cell<'_> {
        Cell::Text(Some(t))
    }

    /// Every cell is what the row held when each was its own `String` and the protected terms
    /// were written through `json!`.
    #[test]
    fn a_staff_rows_cells_are_the_records_fields() {
        let record = transferring();
        let terms = serde_json::to_string(&json!({
            "pay_protection": record.pay_protection,
            "transfers": record.transfer_history,
        }))
        .unwrap();
        let cases = serde_json::to_string(&[Uuid::from_u128(0xC1), Uuid::from_u128(0xC2)]).unwrap();
        let row = StaffRow::new(&record, 42);
        let expected = vec![
            text("00000000-0000-0000-0000-0000000000a1"),
            text("Zoë"),
            text("D\"Arcy"),
            text("QQ123456C"),
            text("ICB"),
            text("A-2"),
            text("P\\7"),
            text("Head of \"Contracts\"\n(interim)"),
            text("Admin & Clerical"),
            text("6"),
            text("2"),
            Cell::Real(Some(0.6)),
            text("CC2"),
            text("Leeds"),
            text("2026-07-01"),
            text("2009-02-16"),
            text("transferring"),
            text(&terms),
            text(&cases),
            Cell::Int(Some(42)),
        ];
        assert_eq!(row.cells(), expected);
        assert_eq!(row.cells().len(), STAFF_COLUMNS.len());
    }

    /// A registered employee has no employment: those columns are NULL, not empty text.
    #[test]
    fn a_registered_employees_employment_columns_are_null() {
        let mut record = transferring();
        record.employment = None;
        record.pay_protection = None;
        record.open_transfers.clear();
        record.transfer_history.clear();
        let row = StaffRow::new(&record, 7);
        let cells = row.cells();
        for column in 4..=15 {
            let null = matches!(cells[column], Cell::Text(None) | Cell::Real(None));
            assert!(null, "{}: {:?}", STAFF_COLUMNS[column], cells[column]);
        }
        assert_eq!(cells[16], text("registered"));
        assert_eq!(cells[17], text(r#"{"pay_protection":null,"transfers":[]}"#));
        assert_eq!(cells[18], text("[]"));
    }

    /// A feed row's cells, from one buffer sized exactly; no row where nothing payroll uses
    /// changed.
    #[test]
    fn a_change_rows_cells_are_the_event_and_its_changes() {
        use chrono::TimeZone;
        let record = transferring();
        let recorded = Logged {
            position: 9,
            stream: "employee-a1".into(),
            version: 3,
            effective_date: date("2026-07-01"),
            recorded_at: chrono::Utc.timestamp_micros(1_782_900_000_123_456).unwrap(),
        };
        let mut moved = record.clone();
        moved.employment.as_mut().unwrap().employer_code = "ICB2".into();
        let before = PayrollSnapshot::of(Some(&record));
        let after = PayrollSnapshot::of(Some(&moved));
        let kind = "EmployeeTransferred";
        let row = ChangeRow::new(&recorded, kind, &record.employee_id, (&before, &after)).unwrap();
        assert_eq!(
            row.cells(),
            vec![
                Cell::Int(Some(9)),
                text("00000000-0000-0000-0000-0000000000a1"),
                text(kind),
                text("2026-07-01"),
                text("2026-07-01T10:00:00.123456Z"),
                text(r#"{"employer_code":{"from":"ICB","to":"ICB2"}}"#),
            ]
        );
        assert_eq!(row.text.spare(), 0, "sized exactly");
        let unchanged = ChangeRow::new(&recorded, kind, &record.employee_id, (&after, &after));
        assert!(unchanged.is_none());
    }
}
