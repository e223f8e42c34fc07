//! The fields payroll acts on, as typed values: a snapshot after each event, what one event
//! changed (a payroll feed row), and the record those changes add up to (a version's record).
//!
//! Fields are held in a fixed array in alphabetical order, which is also the order their keys
//! are stored in as JSON, so nothing here builds a map per event.

use hrledger_domain::employee::{EmployeeRecord, EmploymentStatus};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::db::date_text;
use crate::staff_record::grade_parts;

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

/// The payroll fields as they stand after an event. A change feed row is written when any of
/// them changes; the same snapshots, folded by effective date, give the record's versions.
#[derive(Default)]
pub(crate) struct PayrollSnapshot(Fields);

impl PayrollSnapshot {
    pub fn of(record: Option<&EmployeeRecord>) -> Self {
        let mut s = PayrollSnapshot::default();
        let Some(r) = record else { return s };
        // Text fields are moved into their values, not serialized: `json!` copies each string
        // once more, and two snapshots are taken per employee event.
        s.set(Field::Status, text(status_text(r.status())));
        if let Some(e) = &r.employment {
            let a = &e.assignment;
            let (band, pay_point) = grade_parts(&a.grade);
            s.set(Field::EmployerCode, text(&e.employer_code));
            s.set(Field::StartDate, Value::String(date_text(e.start_date)));
            let service = date_text(e.continuous_service_date);
            s.set(Field::ContinuousServiceDate, Value::String(service));
            s.set(Field::AssignmentNumber, text(&a.assignment_number));
            s.set(Field::PositionCode, text(&a.position_code));
            s.set(Field::JobTitle, text(&a.job_title));
            s.set(Field::StaffGroup, text(&a.staff_group));
            s.set(Field::Band, Value::String(band));
            s.set(
                Field::PayPoint,
                pay_point.map_or(Value::Null, Value::String),
            );
            s.set(Field::Fte, json!(a.fte));
            s.set(Field::CostCentre, text(&a.cost_centre));
            s.set(Field::Location, text(&a.location));
        }
        if let Some(l) = &r.left {
            s.set(Field::LeftOn, Value::String(date_text(l.on)));
            s.set(Field::LeavingReason, json!(l.reason));
        }
        if let Some(p) = &r.pay_protection {
            s.set(Field::PayProtection, json!(p));
        }
        s
    }

    fn set(&mut self, field: Field, value: Value) {
        self.0[field as usize] = Some(value);
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

pub(crate) fn status_text(status: EmploymentStatus) -> &'static str {
    match status {
        EmploymentStatus::Registered => "registered",
        EmploymentStatus::Employed => "active",
        EmploymentStatus::Left => "left",
    }
}

/// What one event changed: `(field, from, to)` in field order, for every field that differs.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PayrollChanges(Vec<(usize, Value, Value)>);

impl PayrollChanges {
    pub fn between(before: &PayrollSnapshot, after: &PayrollSnapshot) -> Self {
        let changed = before.0.iter().zip(&after.0).enumerate();
        PayrollChanges(
            changed
                .filter(|(_, (old, new))| old != new)
                .map(|(i, (old, new))| {
                    let (old, new) = (old.clone(), new.clone());
                    (i, old.unwrap_or(Value::Null), new.unwrap_or(Value::Null))
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `{field: {"from": old, "to": new}}`, as the payroll feed stores it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("JSON values serialize")
    }

    /// Reads back what [`to_json`](Self::to_json) stored.
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

impl Serialize for PayrollChanges {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, from, to) in &self.0 {
            map.serialize_entry(FIELDS[*field], &FromTo { from, to })?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct FromTo<'a> {
    from: &'a Value,
    to: &'a Value,
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
    use super::{PayrollChanges, PayrollRecord, PayrollSnapshot, FIELDS};
    use serde_json::{json, Value};

    #[test]
    fn fields_are_in_the_order_their_json_keys_are_stored() {
        assert!(FIELDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn changes_round_trip_through_their_stored_text() {
        let mut before = PayrollSnapshot::default();
        before.0[15] = Some(json!("registered"));
        let mut after = PayrollSnapshot::default();
        after.0[15] = Some(json!("active"));
        after.0[5] = Some(json!(0.8));
        after.0[10] = Some(Value::Null);
        let changes = PayrollChanges::between(&before, &after);
        let text = changes.to_json();
        assert_eq!(
            text,
            r#"{"fte":{"from":null,"to":0.8},"pay_point":{"from":null,"to":null},"status":{"from":"registered","to":"active"}}"#
        );
        assert_eq!(PayrollChanges::from_json(&text).unwrap(), changes);
        let mut record = PayrollRecord::default();
        record.apply(&changes);
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"fte":0.8,"pay_point":null,"status":"active"}"#
        );
    }
}
