//! The fields payroll acts on: a snapshot after each event (each field's JSON text), what one
//! event changed (a payroll feed row's `changes` text, and the typed values read back from it),
//! and the record those changes add up to (a version's record).
//!
//! Fields are indexed in alphabetical order, which is also the order their keys are stored in
//! as JSON, so nothing here builds a map per event.

use std::fmt::Write;

use chrono::NaiveDate;
use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::db::push_date_text;
use crate::staff_record::grade_parts;
use crate::text_cells::TextCells;

/// The payroll fields' names, alphabetical: their JSON keys, in stored order.
pub(crate) const FIELDS: [&str; 16] = [
    "assignment_number",
    "band",
    "continuous_service_date",
    "cost_centre",
    "employer_code",
    "fte",
    "job_title",
    "leaving_reason",
    "left_on",
    "location",
    "pay_point",
    "pay_protection",
    "position_code",
    "staff_group",
    "start_date",
    "status",
];

/// One value per field; `None` where the field is absent (not the same as JSON `null`).
type Fields = [Option<Value>; FIELDS.len()];

/// Where each field sits in [`FIELDS`].
#[derive(Clone, Copy)]
enum Field {
    AssignmentNumber = 0,
    Band,
    ContinuousServiceDate,
    CostCentre,
    EmployerCode,
    Fte,
    JobTitle,
    LeavingReason,
    LeftOn,
    Location,
    PayPoint,
    PayProtection,
    PositionCode,
    StaffGroup,
    StartDate,
    Status,
}

/// The payroll fields as they stand after an event, each held as its JSON text. A change feed
/// row is written when any field's text changes; the same changes, folded by effective date,
/// give the record's versions.
///
/// Two snapshots are taken per employee event, so each is written into one reused buffer. As
/// a `serde_json::Value` per field they cost about 25 allocations per event, and with the
/// changes serialized from them a quarter of the projector's samples (BENCHMARKS.md, session
/// 18).
#[derive(Default)]
pub(crate) struct PayrollSnapshot {
    /// Each field's JSON text, by its place in [`FIELDS`]; none where the field is absent (not
    /// the same as JSON `null`).
    fields: TextCells<{ FIELDS.len() }>,
}

impl PayrollSnapshot {
    #[cfg(test)]
    pub fn of(record: Option<&EmployeeRecord>) -> Self {
        let mut s = PayrollSnapshot::default();
        s.fill(record);
        s
    }

    /// Holds the fields of `record` in place of those held before, in the same buffer.
    pub fn fill(&mut self, record: Option<&EmployeeRecord>) {
        self.fields.clear();
        let Some(r) = record else { return };
        self.set(Field::Status, |t| {
            push_json_text(t, status_text(r.status()))
        });
        if let Some(e) = &r.employment {
            let a = &e.assignment;
            let (band, pay_point) = grade_parts(&a.grade);
            self.set(Field::EmployerCode, |t| push_json_text(t, &e.employer_code));
            self.set(Field::StartDate, |t| push_json_date(t, e.start_date));
            let service = e.continuous_service_date;
            self.set(Field::ContinuousServiceDate, |t| push_json_date(t, service));
            self.set(Field::AssignmentNumber, |t| {
                push_json_text(t, &a.assignment_number)
            });
            self.set(Field::PositionCode, |t| push_json_text(t, &a.position_code));
            self.set(Field::JobTitle, |t| push_json_text(t, &a.job_title));
            self.set(Field::StaffGroup, |t| push_json_text(t, &a.staff_group));
            self.set(Field::Band, |t| push_json_text(t, band));
            self.set(Field::PayPoint, |t| match pay_point {
                Some(p) => write_json(t, format_args!("\"{p}\"")),
                None => t.push_str("null"),
            });
            self.set(Field::Fte, |t| {
                write_json(t, format_args!("{}", Value::from(a.fte)))
            });
            self.set(Field::CostCentre, |t| push_json_text(t, &a.cost_centre));
            self.set(Field::Location, |t| push_json_text(t, &a.location));
        }
        if let Some(l) = &r.left {
            self.set(Field::LeftOn, |t| push_json_date(t, l.on));
            self.set(Field::LeavingReason, |t| push_json_value(t, &l.reason));
        }
        if let Some(p) = &r.pay_protection {
            self.set(Field::PayProtection, |t| push_json_value(t, p));
        }
    }

    fn set(&mut self, field: Field, write: impl FnOnce(&mut String)) {
        self.fields.write(field as usize, write);
    }

    fn field(&self, at: usize) -> Option<&str> {
        self.fields.get(at)
    }

    /// The length of the feed's `changes` text for going from `before` to this snapshot (see
    /// [`PayrollSnapshot::write_changes`]); 0 when no field differs. A row's text is sized
    /// from it: grown as it was written, it was reallocated several times, 5% of the
    /// projector's samples.
    pub fn changes_len(&self, before: &PayrollSnapshot) -> usize {
        let text = |t: Option<&str>| t.map_or(4, str::len);
        let fields = self.differing(before).map(|(at, old, new)| {
            // `,"name":{"from":old,"to":new}`
            FIELDS[at].len() + text(old) + text(new) + 19
        });
        match fields.sum() {
            0 => 0,
            n => n + 1,
        }
    }

    /// Appends `{field: {"from": old, "to": new}}` for every field whose text differs, in field
    /// order (an absent field reads as `null`): the feed's `changes` text. Only for snapshots
    /// that differ (a non-zero [`PayrollSnapshot::changes_len`]): the feed has no empty rows.
    pub fn write_changes(&self, before: &PayrollSnapshot, out: &mut String) {
        debug_assert!(self.differing(before).next().is_some(), "no field changed");
        for (i, (at, old, new)) in self.differing(before).enumerate() {
            out.push(if i == 0 { '{' } else { ',' });
            for part in ["\"", FIELDS[at], "\":{\"from\":", old.unwrap_or("null")] {
                out.push_str(part);
            }
            for part in [",\"to\":", new.unwrap_or("null"), "}"] {
                out.push_str(part);
            }
        }
        out.push('}');
    }

    /// `(field, text before, text now)` of every field whose text differs.
    fn differing<'a>(
        &'a self,
        before: &'a PayrollSnapshot,
    ) -> impl Iterator<Item = (usize, Option<&'a str>, Option<&'a str>)> {
        let fields = (0..FIELDS.len()).map(|at| (at, before.field(at), self.field(at)));
        fields.filter(|(_, old, new)| old != new)
    }

    /// The changes text alone, or `None` when no field differs.
    #[cfg(test)]
    pub fn changes_since(&self, before: &PayrollSnapshot) -> Option<String> {
        let len = self.changes_len(before);
        (len > 0).then(|| {
            let mut out = String::with_capacity(len);
            self.write_changes(before, &mut out);
            out
        })
    }
}

pub(crate) fn status_text(status: EmploymentStatus) -> &'static str {
    match status {
        EmploymentStatus::Registered => "registered",
        EmploymentStatus::Employed => "active",
        EmploymentStatus::Left => "left",
    }
}

/// Appends `text` as a JSON string. Names, codes and titles seldom need escaping, so they are
/// copied as they are; any that do are escaped by serde_json.
fn push_json_text(out: &mut String, text: &str) {
    // Every byte is looked at, without an early exit, so the loop is vectorized.
    let needs_escape = text.bytes().fold(false, |seen, b| {
        seen | (b == b'"') | (b == b'\\') | (b < 0x20)
    });
    if needs_escape {
        out.push_str(&serde_json::to_string(text).expect("a string serializes"));
        return;
    }
    out.push('"');
    out.push_str(text);
    out.push('"');
}

fn push_json_date(out: &mut String, date: NaiveDate) {
    out.push('"');
    push_date_text(out, date);
    out.push('"');
}

/// Appends `value` as JSON, through `Value` so that map keys are in `Value`'s (alphabetical)
/// order, as the feed has always stored them.
fn push_json_value<T: Serialize>(out: &mut String, value: &T) {
    let value = serde_json::to_value(value).expect("payroll values serialize");
    write_json(out, format_args!("{value}"));
}

fn write_json(out: &mut String, text: std::fmt::Arguments) {
    out.write_fmt(text)
        .expect("writing to a String cannot fail");
}

/// What one event changed: `(field, from, to)` in field order, for every field that differs.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PayrollChanges(Vec<(usize, Value, Value)>);

impl PayrollChanges {
    /// Reads back what [`PayrollSnapshot::write_changes`] wrote.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let map: serde_json::Map<String, Value> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut changes = Vec::with_capacity(map.len());
        for (name, mut change) in map {
            let field = FIELDS
                .iter()
                .position(|f| *f == name)
                .ok_or_else(|| format!("unknown payroll field {name}"))?;
            let (old, new) = (change["from"].take(), change["to"].take());
            changes.push((field, old, new));
        }
        changes.sort_by_key(|(field, _, _)| *field);
        Ok(PayrollChanges(changes))
    }
}

/// The record payroll changes add up to: every field any change has set so far.
#[derive(Clone, Default)]
pub(crate) struct PayrollRecord(Fields);

impl PayrollRecord {
    /// Applies a change: per field, the new value wins.
    pub fn apply(&mut self, changes: &PayrollChanges) {
        for (field, _, to) in &changes.0 {
            self.0[*field] = Some(to.clone());
        }
    }
}

impl Serialize for PayrollRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let present = self
            .0
            .iter()
            .zip(FIELDS)
            .filter_map(|(v, f)| Some((f, v.as_ref()?)));
        let mut map = serializer.serialize_map(None)?;
        for (field, value) in present {
            map.serialize_entry(field, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use hrledger_domain::Grade;
    use serde_json::{json, Value};

    use super::{Field, PayrollChanges, PayrollRecord, PayrollSnapshot, FIELDS};
    use crate::test_records::leaver;

    #[test]
    fn fields_are_in_the_order_their_json_keys_are_stored() {
        assert!(FIELDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn changes_round_trip_through_their_stored_text() {
        let mut before = PayrollSnapshot::default();
        before.set(Field::Status, |t| t.push_str(r#""registered""#));
        let mut after = PayrollSnapshot::default();
        after.set(Field::Status, |t| t.push_str(r#""active""#));
        after.set(Field::Fte, |t| t.push_str("0.8"));
        after.set(Field::PayPoint, |t| t.push_str("null"));
        let text = after.changes_since(&before).unwrap();
        assert_eq!(
            text,
            r#"{"fte":{"from":null,"to":0.8},"pay_point":{"from":null,"to":null},"status":{"from":"registered","to":"active"}}"#
        );
        assert_eq!(text.capacity(), text.len(), "sized exactly");
        let changes = PayrollChanges::from_json(&text).unwrap();
        let mut record = PayrollRecord::default();
        record.apply(&changes);
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"fte":0.8,"pay_point":null,"status":"active"}"#
        );
        assert_eq!(after.changes_since(&after), None);
    }

    /// Each field's text is the JSON the feed stored when snapshots were built as `Value`s.
    #[test]
    fn a_snapshot_holds_each_field_as_its_json_value() {
        let r = leaver();
        let (e, l) = (r.employment.as_ref().unwrap(), r.left.as_ref().unwrap());
        let a = &e.assignment;
        let expected = json!({
            "assignment_number": a.assignment_number,
            "band": "6",
            "continuous_service_date": "2009-02-16",
            "cost_centre": a.cost_centre,
            "employer_code": e.employer_code,
            "fte": a.fte,
            "job_title": a.job_title,
            "leaving_reason": l.reason,
            "left_on": "2027-03-31",
            "location": a.location,
            "pay_point": "2",
            "pay_protection": r.pay_protection,
            "position_code": a.position_code,
            "staff_group": a.staff_group,
            "start_date": "2026-07-01",
            "status": "left",
        });
        let snapshot = PayrollSnapshot::of(Some(&r));
        for (at, name) in FIELDS.iter().enumerate() {
            let text = snapshot.field(at).unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(value, expected[name], "{name}");
            assert_eq!(text, expected[name].to_string(), "{name}");
        }
        let registered = PayrollSnapshot::of(None);
        let text = snapshot.changes_since(&registered).unwrap();
        assert_eq!(text.capacity(), text.len(), "sized exactly");
        let mut record = PayrollRecord::default();
        record.apply(&PayrollChanges::from_json(&text).unwrap());
        assert_eq!(serde_json::to_value(&record).unwrap(), expected);
    }

    /// A non-AfC grade is written in the band field with no pay point (`null`); text that
    /// needs escaping, or is not ASCII, is written as serde_json writes it.
    #[test]
    fn a_non_afc_grade_and_unusual_text_are_written_as_their_json() {
        let mut r = leaver();
        let a = &mut r.employment.as_mut().unwrap().assignment;
        let grade = "Méd\"ical\u{7f}";
        a.grade = Grade::Other {
            grade: grade.into(),
        };
        a.location = "Ynys Môn\t".into();
        let snapshot = PayrollSnapshot::of(Some(&r));
        let expected = [
            (Field::Band, json!(grade)),
            (Field::PayPoint, Value::Null),
            (Field::Location, json!("Ynys Môn\t")),
        ];
        for (field, value) in expected {
            assert_eq!(snapshot.field(field as usize), Some(&*value.to_string()));
        }
    }

    /// A buffer filled again holds only the new record's fields.
    #[test]
    fn a_snapshot_filled_again_forgets_the_record_before() {
        let mut snapshot = PayrollSnapshot::of(Some(&leaver()));
        let mut employed = leaver();
        employed.left = None;
        employed.pay_protection = None;
        snapshot.fill(Some(&employed));
        let gone = [Field::LeftOn, Field::LeavingReason, Field::PayProtection];
        for field in gone {
            assert_eq!(snapshot.field(field as usize), None);
        }
        assert_eq!(snapshot.field(Field::Status as usize), Some(r#""active""#));
        snapshot.fill(None);
        assert!((0..FIELDS.len()).all(|at| snapshot.field(at).is_none()));
    }
}
