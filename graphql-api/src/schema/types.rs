//! Output types. Read-model views are converted here, parsing their stored text dates and ids
//! into typed scalars (a read model that does not parse is reported, not papered over).

use async_graphql::{ComplexObject, Context, Json, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use hrledger_commands::Outcome;
use hrledger_projections::queries::{
    self, AuditEntry as AuditRow, CaseView, ChangeCells, DeadlineView, ProgrammeView,
    StaffRecordView, StaffVersion as VersionRow,
};
use hrledger_projections::ProjectionError;
use hrledger_store::{ChainBreak, RecordedEvent, Verification as StoreVerification};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{gql, ApiError, ApiResult};
use crate::schema::access::Access;
use crate::schema::context::ApiContext;
use crate::schema::raw_json::RawJson;
use crate::schema::stored_time;

/// A stored cell that does not read as `what`: the read models hold something this build
/// did not write.
fn corrupt(what: &str, text: &str) -> ProjectionError {
    ProjectionError::Corrupt(format!("{what} {text:?} does not parse"))
}

pub(crate) fn day(text: &str) -> Result<NaiveDate, ProjectionError> {
    stored_time::day(text).ok_or_else(|| corrupt("date", text))
}

/// An optional date; the read models write an empty text for "no date" in some columns.
fn day_opt(text: Option<&str>) -> Result<Option<NaiveDate>, ProjectionError> {
    text.filter(|t| !t.is_empty()).map(day).transpose()
}

fn time(text: &str) -> Result<DateTime<Utc>, ProjectionError> {
    stored_time::time(text).ok_or_else(|| corrupt("time", text))
}

fn uuid(text: &str) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(text).map_err(|_| corrupt("id", text))
}

/// A current staff record with the pay-relevant fields payroll needs.
#[derive(SimpleObject)]
pub struct StaffRecord {
    pub employee_id: Uuid,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub ni_number: Option<String>,
    pub employer_code: Option<String>,
    pub assignment_number: Option<String>,
    pub position_code: Option<String>,
    pub job_title: Option<String>,
    pub staff_group: Option<String>,
    /// Agenda for Change band (e.g. `5`, `8a`) or the non-AfC grade.
    pub band: Option<String>,
    pub pay_point: Option<String>,
    pub fte: Option<f64>,
    pub cost_centre: Option<String>,
    pub location: Option<String>,
    pub start_date: Option<NaiveDate>,
    /// Carried unchanged across TUPE/COSOP transfers.
    pub continuous_service_date: Option<NaiveDate>,
    /// `registered`, `employed` or `left`.
    pub status: String,
    /// Pay protection in force, if any.
    pub protected_terms: Json<Value>,
    /// Open cases the employee is part of (not for payroll: cases are outside its remit).
    #[graphql(guard = "Access::Ledger")]
    pub open_cases: Json<Value>,
    /// The ledger position of the last event reflected in this record.
    pub last_position: u64,
    /// For a record read `asOf` a date: the first effective date of the version returned.
    pub valid_from: Option<NaiveDate>,
    /// For a record read `asOf` a date: the day the version stopped holding (exclusive).
    pub valid_to: Option<NaiveDate>,
}

impl TryFrom<StaffRecordView> for StaffRecord {
    type Error = ApiError;
    fn try_from(v: StaffRecordView) -> Result<Self, ApiError> {
        Ok(StaffRecord {
            employee_id: uuid(&v.employee_id)?,
            start_date: day_opt(v.start_date.as_deref())?,
            continuous_service_date: day_opt(v.continuous_service_date.as_deref())?,
            given_name: v.given_name,
            family_name: v.family_name,
            ni_number: v.ni_number,
            employer_code: v.employer_code,
            assignment_number: v.assignment_number,
            position_code: v.position_code,
            job_title: v.job_title,
            staff_group: v.staff_group,
            band: v.band,
            pay_point: v.pay_point,
            fte: v.fte,
            cost_centre: v.cost_centre,
            location: v.location,
            status: v.status,
            protected_terms: Json(v.protected_terms),
            open_cases: Json(v.open_cases),
            last_position: v.last_position,
            valid_from: None,
            valid_to: None,
        })
    }
}

impl StaffRecord {
    /// The record as one bitemporal version holds it. Names are taken from the current record:
    /// versions carry the pay-relevant fields only, and a name correction applies throughout.
    pub fn from_version(v: VersionRow, current: Option<StaffRecordView>) -> Result<Self, ApiError> {
        let r = &v.record;
        let text = |key: &str| r.get(key).and_then(Value::as_str).map(str::to_string);
        let date = |key: &str| day_opt(r.get(key).and_then(Value::as_str));
        Ok(StaffRecord {
            employee_id: uuid(&v.employee_id)?,
            given_name: current.as_ref().and_then(|c| c.given_name.clone()),
            family_name: current.as_ref().and_then(|c| c.family_name.clone()),
            ni_number: current.as_ref().and_then(|c| c.ni_number.clone()),
            employer_code: text("employer_code"),
            assignment_number: text("assignment_number"),
            position_code: text("position_code"),
            job_title: text("job_title"),
            staff_group: text("staff_group"),
            band: text("band"),
            pay_point: r
                .get("pay_point")
                .filter(|p| !p.is_null())
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string)),
            fte: r.get("fte").and_then(Value::as_f64),
            cost_centre: text("cost_centre"),
            location: text("location"),
            start_date: date("start_date")?,
            continuous_service_date: date("continuous_service_date")?,
            status: text("status").unwrap_or_else(|| "registered".to_string()),
            protected_terms: Json(r.get("pay_protection").cloned().unwrap_or(Value::Null)),
            open_cases: Json(Value::Null),
            last_position: v.recorded_from_position,
            valid_from: Some(day(&v.valid_from)?),
            valid_to: day_opt(v.valid_to.as_deref())?,
        })
    }
}

/// One change of a pay-relevant field, in ledger order; `position` is the resumable cursor.
#[derive(SimpleObject, Clone)]
pub struct StaffChange {
    pub position: u64,
    pub employee_id: Uuid,
    /// e.g. `employment_started`, `transferred`, `assignment_changed`, `left`.
    pub change_kind: String,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// The fields that changed, with their new values.
    pub changes: RawJson,
}

impl StaffChange {
    /// A row of the change feed, read in place (`queries::read_staff_changes`).
    pub fn from_cells(c: ChangeCells<'_>) -> Result<Self, ProjectionError> {
        Ok(StaffChange {
            position: c.position,
            employee_id: uuid(c.employee_id)?,
            change_kind: c.change_kind.to_owned(),
            effective_date: day(c.effective_date)?,
            recorded_at: time(c.recorded_at)?,
            changes: RawJson::from_cell(c.changes),
        })
    }
}

/// A case of any kind as advisers list it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Case {
    pub case_id: Uuid,
    /// `transfer`, `consultation`, `appointment`, `displacement` or `mediation`.
    pub kind: String,
    /// `open`, `closed` or `cancelled`.
    pub status: String,
    pub programme_id: Option<Uuid>,
    pub title: String,
    pub organisations: Json<Value>,
    pub key_dates: Json<Value>,
    pub counts: Json<Value>,
    pub next_deadline: Option<NaiveDate>,
    /// Null when the read model has no opening date for the case.
    pub opened_on: Option<NaiveDate>,
    pub last_position: u64,
}

#[ComplexObject]
impl Case {
    /// The case's statutory deadlines, with their status today.
    async fn deadlines(&self, ctx: &Context<'_>) -> ApiResult<Vec<Deadline>> {
        let api = ctx.data_unchecked::<ApiContext>();
        let id = self.case_id.to_string();
        let rows = queries::deadlines(&api.read_db, api.today(), None, None, Some(&id), None, 500)
            .await
            .map_err(gql)?;
        rows.into_iter()
            .map(|r| Deadline::try_from(r).map_err(gql))
            .collect()
    }
}

impl TryFrom<CaseView> for Case {
    type Error = ApiError;
    fn try_from(v: CaseView) -> Result<Self, ApiError> {
        Ok(Case {
            case_id: uuid(&v.case_id)?,
            programme_id: v.programme_id.as_deref().map(uuid).transpose()?,
            next_deadline: day_opt(v.next_deadline.as_deref())?,
            opened_on: day_opt(v.opened_on.as_deref())?,
            kind: v.kind,
            status: v.status,
            title: v.title,
            organisations: Json(v.organisations),
            key_dates: Json(v.key_dates),
            counts: Json(v.counts),
            last_position: v.last_position,
        })
    }
}

/// A statutory deadline and whether it is met, at risk or missed.
#[derive(SimpleObject)]
pub struct Deadline {
    pub deadline_id: String,
    pub case_id: Uuid,
    pub kind: String,
    /// The rule's stable code (e.g. `TUPE_REG11_ELI_DUE`).
    pub rule: String,
    pub description: String,
    pub due_date: NaiveDate,
    /// `met`, `missed`, `at_risk` or `upcoming`, worked out on today's date.
    pub status: String,
    pub met_on: Option<NaiveDate>,
    pub employees: u64,
    /// Minimum financial exposure in pence when missed, where the law fixes one.
    pub exposure_pence: Option<u64>,
    pub exposure_note: Option<String>,
}

impl TryFrom<DeadlineView> for Deadline {
    type Error = ApiError;
    fn try_from(v: DeadlineView) -> Result<Self, ApiError> {
        Ok(Deadline {
            case_id: uuid(&v.case_id)?,
            due_date: day(&v.due_date)?,
            met_on: day_opt(v.met_on.as_deref())?,
            deadline_id: v.deadline_id,
            kind: v.kind,
            rule: v.rule,
            description: v.description,
            status: v.status,
            employees: v.employees,
            exposure_pence: v.exposure_pence,
            exposure_note: v.exposure_note,
        })
    }
}

/// Who did what, when and why.
#[derive(SimpleObject)]
pub struct AuditEntry {
    pub position: u64,
    pub stream: String,
    pub event_type: String,
    pub case_id: Option<Uuid>,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    pub command_id: Uuid,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = ApiError;
    fn try_from(v: AuditRow) -> Result<Self, ApiError> {
        Ok(AuditEntry {
            case_id: v.case_id.as_deref().map(uuid).transpose()?,
            command_id: uuid(&v.command_id)?,
            effective_date: day(&v.effective_date)?,
            recorded_at: time(&v.recorded_at)?,
            position: v.position,
            stream: v.stream,
            event_type: v.event_type,
            actor: v.actor,
            actor_role: v.actor_role,
            reason: v.reason,
        })
    }
}

/// A merger programme and its dashboard.
#[derive(SimpleObject)]
pub struct Programme {
    pub programme_id: Uuid,
    pub name: String,
    pub successor_code: String,
    pub predecessors: Json<Value>,
    pub legal_day_one: NaiveDate,
    pub status: String,
    pub dashboard: ProgrammeDashboard,
}

#[derive(SimpleObject)]
pub struct ProgrammeDashboard {
    pub open_cases: u64,
    pub missed_deadlines: u64,
    /// Case counters summed over the programme (e.g. `in_scope`, `transferred`, `objected`).
    pub totals: Json<Value>,
}

impl TryFrom<ProgrammeView> for Programme {
    type Error = ApiError;
    fn try_from(v: ProgrammeView) -> Result<Self, ApiError> {
        Ok(Programme {
            programme_id: uuid(&v.programme_id)?,
            legal_day_one: day(&v.legal_day_one)?,
            name: v.name,
            successor_code: v.successor_code,
            predecessors: Json(v.predecessors),
            status: v.status,
            dashboard: ProgrammeDashboard {
                open_cases: v.open_cases,
                missed_deadlines: v.missed_deadlines,
                totals: Json(v.totals),
            },
        })
    }
}

/// An event exactly as the ledger holds it, with its metadata and hash.
#[derive(SimpleObject, Clone)]
pub struct LedgerEvent {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub data: Json<Value>,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    /// SHA-256 chain hash, hex.
    pub hash: String,
}

impl From<RecordedEvent> for LedgerEvent {
    fn from(e: RecordedEvent) -> Self {
        LedgerEvent {
            position: e.position,
            stream: e.stream,
            version: e.version,
            event_id: e.event_id,
            event_type: e.event_type,
            schema_version: e.schema_version,
            data: Json(e.data),
            effective_date: e.effective_date,
            recorded_at: e.recorded_at,
            command_id: e.metadata.command_id,
            correlation_id: e.metadata.correlation_id,
            causation_id: e.metadata.causation_id,
            actor: e.metadata.actor,
            actor_role: e.metadata.actor_role,
            reason: e.metadata.reason,
            hash: hex::encode(e.hash),
        }
    }
}

/// One event a command wrote.
#[derive(SimpleObject)]
pub struct AppendedEvent {
    pub stream: String,
    pub event_type: String,
}

/// Where a stream stands after a command.
#[derive(SimpleObject)]
pub struct StreamVersion {
    pub stream: String,
    /// Pass this as `expectedVersion` of the next command on the stream.
    pub version: u64,
}

/// What a command did. Re-sending the same `commandId` returns the same result, `replayed: true`.
#[derive(SimpleObject)]
pub struct CommandResult {
    /// Ledger position of the first event written; pass `lastPosition` as `minPosition` to a
    /// query to read this write.
    pub first_position: u64,
    pub last_position: u64,
    pub recorded_at: DateTime<Utc>,
    pub events: Vec<AppendedEvent>,
    pub streams: Vec<StreamVersion>,
    /// True when this `commandId` had already been recorded: nothing new was written.
    pub replayed: bool,
}

impl From<Outcome> for CommandResult {
    fn from(o: Outcome) -> Self {
        CommandResult {
            first_position: o.result.first_position,
            last_position: o.result.last_position,
            recorded_at: o.result.recorded_at,
            events: o
                .events
                .into_iter()
                .map(|(stream, event_type)| AppendedEvent { stream, event_type })
                .collect(),
            streams: o
                .result
                .streams
                .into_iter()
                .map(|s| StreamVersion {
                    stream: s.stream,
                    version: s.version,
                })
                .collect(),
            replayed: o.replayed,
        }
    }
}

/// A point in the hash chain an auditor can keep and check later.
#[derive(SimpleObject)]
pub struct LedgerDigest {
    pub position: u64,
    pub hash: String,
}

/// The outcome of recomputing the hash chain over a range.
#[derive(SimpleObject)]
pub struct Verification {
    pub intact: bool,
    /// Events checked (when intact).
    pub checked: u64,
    /// The digest at the end of the range (when intact and the range is not empty).
    pub last: Option<LedgerDigest>,
    /// The first position where the chain breaks.
    pub broken_at: Option<u64>,
    /// What is wrong there.
    pub problem: Option<String>,
}

impl From<StoreVerification> for Verification {
    fn from(v: StoreVerification) -> Self {
        match v {
            StoreVerification::Intact { checked, last } => Verification {
                intact: true,
                checked,
                last: last.map(|d| LedgerDigest {
                    position: d.position,
                    hash: d.hash_hex(),
                }),
                broken_at: None,
                problem: None,
            },
            StoreVerification::Broken { position, problem } => Verification {
                intact: false,
                checked: 0,
                last: None,
                broken_at: Some(position),
                problem: Some(describe_break(&problem)),
            },
        }
    }
}

fn describe_break(problem: &ChainBreak) -> String {
    match problem {
        ChainBreak::HashMismatch { stored, computed } => {
            format!("the event was altered: stored hash {stored}, recomputed {computed}")
        }
        ChainBreak::MissingPosition { expected, found } => {
            format!("position {expected} is missing (next present: {found}): an event was removed or reordered")
        }
        ChainBreak::Unreadable { detail } => format!("the stored event is unreadable: {detail}"),
    }
}
