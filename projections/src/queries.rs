//! Read-side queries over the read models, shared by the API and the CLI.
//!
//! Lists are keyset-paginated (`after` = the last key of the previous page) so a page is a
//! single index range scan however deep the client pages.

use chrono::{DateTime, NaiveDate, Utc};
use hrledger_domain::{AggregateKind, StreamId};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

use crate::db::{date_text, time_text, uuid_text, ReadDb};
use crate::staff_record::STAFF_COLUMN_LIST;
use crate::staff_versions::{version_on, KnownChange};
use crate::{checkpoint, on_pool, ProjectionError};

/// A current staff record, as payroll and advisers read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffRecordView {
    pub employee_id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub ni_number: Option<String>,
    pub employer_code: Option<String>,
    pub assignment_number: Option<String>,
    pub position_code: Option<String>,
    pub job_title: Option<String>,
    pub staff_group: Option<String>,
    pub band: Option<String>,
    pub pay_point: Option<String>,
    pub fte: Option<f64>,
    pub cost_centre: Option<String>,
    pub location: Option<String>,
    pub start_date: Option<String>,
    pub continuous_service_date: Option<String>,
    pub status: String,
    pub protected_terms: Value,
    pub open_cases: Value,
    pub last_position: u64,
}

macro_rules! staff_from_row {
    ($r:expr) => {
        StaffRecordView {
            employee_id: $r.try_get("employee_id")?,
            given_name: $r.try_get("given_name")?,
            family_name: $r.try_get("family_name")?,
            ni_number: $r.try_get("ni_number")?,
            employer_code: $r.try_get("employer_code")?,
            assignment_number: $r.try_get("assignment_number")?,
            position_code: $r.try_get("position_code")?,
            job_title: $r.try_get("job_title")?,
            staff_group: $r.try_get("staff_group")?,
            band: $r.try_get("band")?,
            pay_point: $r.try_get("pay_point")?,
            fte: $r.try_get("fte")?,
            cost_centre: $r.try_get("cost_centre")?,
            location: $r.try_get("location")?,
            start_date: $r.try_get("start_date")?,
            continuous_service_date: $r.try_get("continuous_service_date")?,
            status: $r.try_get("status")?,
            protected_terms: json_cell($r.try_get("protected_terms")?),
            open_cases: json_cell($r.try_get("open_cases")?),
            last_position: $r.try_get::<i64, _>("last_position")? as u64,
        }
    };
}

fn json_cell(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub async fn staff_record(
    db: &ReadDb,
    employee_id: &str,
) -> Result<Option<StaffRecordView>, ProjectionError> {
    let sql = format!(
        "SELECT {} FROM staff_records WHERE employee_id = $1",
        *STAFF_COLUMN_LIST
    );
    Ok(on_pool!(db, pool => {
        match sqlx::query(&sql).bind(employee_id).fetch_optional(pool).await? {
            Some(r) => Some(staff_from_row!(r)),
            None => None,
        }
    }))
}

/// The statement [`staff_records`] runs, with or without an employer. The employer is a plain
/// comparison, not `$1 IS NULL OR ...`, so one employer's page is read from the
/// (employer_code, employee_id) index instead of walking every record in id order.
pub fn staff_records_sql(by_employer: bool) -> String {
    let employer = if by_employer {
        "employer_code = $1 AND employee_id > $2 ORDER BY employee_id LIMIT $3"
    } else {
        "employee_id > $1 ORDER BY employee_id LIMIT $2"
    };
    format!(
        "SELECT {} FROM staff_records WHERE {employer}",
        *STAFF_COLUMN_LIST
    )
}

/// Staff records of one employer (or all), ordered by employee id, after a cursor.
pub async fn staff_records(
    db: &ReadDb,
    employer_code: Option<&str>,
    after: Option<&str>,
    first: usize,
) -> Result<Vec<StaffRecordView>, ProjectionError> {
    let sql = staff_records_sql(employer_code.is_some());
    Ok(on_pool!(db, pool => {
        let mut query = sqlx::query(&sql);
        if let Some(employer) = employer_code {
            query = query.bind(employer);
        }
        let rows = query
            .bind(after.unwrap_or(""))
            .bind(first as i64)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(staff_from_row!(r));
        }
        out
    }))
}

/// The record as it was true on `as_of` (effective date), as the ledger knew it at `known_at`
/// (default: now). `None` when the employee had no record on that date or was unknown then.
pub async fn staff_record_as_of(
    db: &ReadDb,
    employee_id: &str,
    as_of: NaiveDate,
    known_at: Option<DateTime<Utc>>,
) -> Result<Option<StaffVersion>, ProjectionError> {
    let rows: Vec<(String, i64, String, String)> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT effective_date, position, recorded_at, changes FROM staff_changes \
             WHERE employee_id = $1 ORDER BY effective_date, position",
        )
        .bind(employee_id)
        .fetch_all(pool)
        .await?
    });
    let changes = rows
        .into_iter()
        .map(KnownChange::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let known = known_at.map(time_text);
    let Some((period, known)) = version_on(&changes, &date_text(as_of), known.as_deref()) else {
        return Ok(None);
    };
    Ok(Some(StaffVersion {
        employee_id: employee_id.to_string(),
        valid_from: period.valid_from,
        valid_to: period.valid_to,
        recorded_from_position: known.position as u64,
        recorded_from_time: known.recorded_at.clone(),
        record: serde_json::to_value(&period.record).expect("JSON values serialize"),
    }))
}

/// One period of a staff record's history, as known from `recorded_from_*` on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffVersion {
    pub employee_id: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub recorded_from_position: u64,
    pub recorded_from_time: String,
    /// The pay-relevant fields in force in that period.
    pub record: Value,
}

/// One row of the payroll change feed; `position` is its cursor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffChange {
    pub position: u64,
    pub employee_id: String,
    pub change_kind: String,
    pub effective_date: String,
    pub recorded_at: String,
    pub changes: Value,
}

/// A row of the change feed as stored, `changes` still JSON text: for callers that copy it
/// into JSON output without parsing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredStaffChange {
    pub position: u64,
    pub employee_id: String,
    pub change_kind: String,
    pub effective_date: String,
    pub recorded_at: String,
    pub changes: String,
}

impl From<StoredStaffChange> for StaffChange {
    fn from(r: StoredStaffChange) -> Self {
        StaffChange {
            position: r.position,
            employee_id: r.employee_id,
            change_kind: r.change_kind,
            effective_date: r.effective_date,
            recorded_at: r.recorded_at,
            changes: json_cell(r.changes),
        }
    }
}

pub async fn staff_changes(
    db: &ReadDb,
    after: u64,
    first: usize,
) -> Result<Vec<StaffChange>, ProjectionError> {
    let stored = stored_staff_changes(db, after, first).await?;
    Ok(stored.into_iter().map(StaffChange::from).collect())
}

/// A row of the change feed as the database holds it, borrowed from the driver's row: the
/// cells are read in place, without a `String` per cell.
#[derive(Debug, Clone, Copy)]
pub struct ChangeCells<'r> {
    pub position: u64,
    pub employee_id: &'r str,
    pub change_kind: &'r str,
    pub effective_date: &'r str,
    pub recorded_at: &'r str,
    pub changes: &'r str,
}

impl ChangeCells<'_> {
    pub fn to_stored(&self) -> StoredStaffChange {
        StoredStaffChange {
            position: self.position,
            employee_id: self.employee_id.to_owned(),
            change_kind: self.change_kind.to_owned(),
            effective_date: self.effective_date.to_owned(),
            recorded_at: self.recorded_at.to_owned(),
            changes: self.changes.to_owned(),
        }
    }
}

/// The change feed after position `after`, as stored.
pub async fn stored_staff_changes(
    db: &ReadDb,
    after: u64,
    first: usize,
) -> Result<Vec<StoredStaffChange>, ProjectionError> {
    read_staff_changes(db, after, first, |cells| Ok(cells.to_stored())).await
}

/// The change feed after position `after`, each row made into a `T` by `read` straight from
/// the driver's row: for callers that turn the cells into values of their own (the API parses
/// ids, dates and times, and copies the rest once).
pub async fn read_staff_changes<T, F>(
    db: &ReadDb,
    after: u64,
    first: usize,
    read: F,
) -> Result<Vec<T>, ProjectionError>
where
    T: Send + 'static,
    F: Fn(ChangeCells<'_>) -> Result<T, ProjectionError> + Send + 'static,
{
    if let ReadDb::Sqlite(_, Some(file)) = db {
        // Integrators page through the feed 500 rows at a time: read where SQLite steps.
        return file
            .read(move |conn| changes_from_file(conn, after, first, read))
            .await?;
    }
    Ok(on_pool!(db, pool => {
        let rows = sqlx::query(STAFF_CHANGES_SQL)
            .bind(after as i64)
            .bind(first as i64)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            // By index, in the order selected: a page is up to 501 rows of six columns, and
            // looking each column up by name, or checking each text cell's type (all are TEXT,
            // by the migrations), is a visible part of its cost.
            let position: i64 = r.try_get(0)?;
            out.push(read(ChangeCells {
                position: position as u64,
                employee_id: r.try_get_unchecked(1)?,
                change_kind: r.try_get_unchecked(2)?,
                effective_date: r.try_get_unchecked(3)?,
                recorded_at: r.try_get_unchecked(4)?,
                changes: r.try_get_unchecked(5)?,
            })?);
        }
        out
    }))
}

const STAFF_CHANGES_SQL: &str = "SELECT position, employee_id, change_kind, effective_date, \
    recorded_at, changes FROM staff_changes WHERE position > $1 ORDER BY position LIMIT $2";

/// [`read_staff_changes`] on a plain connection to the SQLite file. A failure of `read` is
/// the inner error.
fn changes_from_file<T>(
    conn: &rusqlite::Connection,
    after: u64,
    first: usize,
    read: impl Fn(ChangeCells<'_>) -> Result<T, ProjectionError>,
) -> rusqlite::Result<Result<Vec<T>, ProjectionError>> {
    let mut page = conn.prepare_cached(STAFF_CHANGES_SQL)?;
    let mut rows = page.query(rusqlite::params![after as i64, first as i64])?;
    let mut out = Vec::with_capacity(first);
    while let Some(r) = rows.next()? {
        let cells = ChangeCells {
            position: {
                let position: i64 = r.get(0)?;
                position as u64
            },
            employee_id: text(r, 1)?,
            change_kind: text(r, 2)?,
            effective_date: text(r, 3)?,
            recorded_at: text(r, 4)?,
            changes: text(r, 5)?,
        };
        match read(cells) {
            Ok(item) => out.push(item),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

/// Text cell `i` of `r`, in place.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A case as advisers list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    pub case_id: String,
    pub kind: String,
    pub status: String,
    pub programme_id: Option<String>,
    pub title: String,
    pub organisations: Value,
    pub key_dates: Value,
    pub counts: Value,
    pub next_deadline: Option<String>,
    pub opened_on: Option<String>,
    pub last_position: u64,
}

const CASE_COLUMNS: &str = "c.case_id, c.kind, c.status, COALESCE(c.programme_id, l.programme_id) AS programme_id, \
    c.title, c.organisations, c.key_dates, c.summary, c.next_deadline, c.opened_on, c.last_position";

macro_rules! case_from_row {
    ($r:expr) => {
        CaseView {
            case_id: $r.try_get("case_id")?,
            kind: $r.try_get("kind")?,
            status: $r.try_get("status")?,
            programme_id: $r.try_get("programme_id")?,
            title: $r.try_get("title")?,
            organisations: json_cell($r.try_get("organisations")?),
            key_dates: json_cell($r.try_get("key_dates")?),
            counts: json_cell($r.try_get("summary")?),
            next_deadline: $r.try_get("next_deadline")?,
            opened_on: $r.try_get("opened_on")?,
            last_position: $r.try_get::<i64, _>("last_position")? as u64,
        }
    };
}

/// Filters for [`cases`].
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub programme_id: Option<String>,
}

pub async fn cases(
    db: &ReadDb,
    filter: &CaseFilter,
    after: Option<&str>,
    first: usize,
) -> Result<Vec<CaseView>, ProjectionError> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN case_programme_links l ON l.case_id = c.case_id \
         WHERE ($1 IS NULL OR c.kind = $1) AND ($2 IS NULL OR c.status = $2) \
         AND ($3 IS NULL OR COALESCE(c.programme_id, l.programme_id) = $3) AND c.case_id > $4 \
         ORDER BY c.case_id LIMIT $5"
    );
    Ok(on_pool!(db, pool => {
        let rows = sqlx::query(&sql)
            .bind(filter.kind.as_deref())
            .bind(filter.status.as_deref())
            .bind(filter.programme_id.as_deref())
            .bind(after.unwrap_or(""))
            .bind(first as i64)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(case_from_row!(r));
        }
        out
    }))
}

pub async fn case(db: &ReadDb, case_id: &str) -> Result<Option<CaseView>, ProjectionError> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases c LEFT JOIN case_programme_links l ON l.case_id = c.case_id \
         WHERE c.case_id = $1"
    );
    Ok(on_pool!(db, pool => {
        match sqlx::query(&sql).bind(case_id).fetch_optional(pool).await? {
            Some(r) => Some(case_from_row!(r)),
            None => None,
        }
    }))
}

/// A statutory deadline with its status on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineView {
    pub deadline_id: String,
    pub case_id: String,
    pub kind: String,
    pub rule: String,
    pub description: String,
    pub due_date: String,
    /// `met`, `missed` (late or not done by the due date), `at_risk` (due within
    /// [`AT_RISK_DAYS`] and not done) or `upcoming`.
    pub status: String,
    pub met_on: Option<String>,
    pub employees: u64,
    pub exposure_pence: Option<u64>,
    pub exposure_note: Option<String>,
}

/// A deadline not yet met within this many days is at risk.
pub const AT_RISK_DAYS: u64 = 14;

/// The status is worked out on `today`, not stored: a deadline slides from upcoming to at risk to
/// missed as days pass, without any event.
const DEADLINE_STATUS: &str = "CASE WHEN met_on IS NOT NULL AND met_on <= due_date THEN 'met' \
    WHEN met_on IS NOT NULL THEN 'missed' \
    WHEN due_date < $1 THEN 'missed' \
    WHEN due_date <= $2 THEN 'at_risk' ELSE 'upcoming' END";

pub async fn deadlines(
    db: &ReadDb,
    today: NaiveDate,
    status: Option<&str>,
    due_before: Option<NaiveDate>,
    case_id: Option<&str>,
    after: Option<&str>,
    first: usize,
) -> Result<Vec<DeadlineView>, ProjectionError> {
    let sql = format!(
        "SELECT * FROM (SELECT deadline_id, case_id, kind, rule, description, due_date, met_on, employees, \
         exposure_pence, exposure_note, {DEADLINE_STATUS} AS status FROM deadlines) d \
         WHERE ($3 IS NULL OR d.status = $3) AND ($4 IS NULL OR d.due_date < $4) \
         AND ($5 IS NULL OR d.case_id = $5) AND d.deadline_id > $6 ORDER BY d.deadline_id LIMIT $7"
    );
    let soon = today + chrono::Days::new(AT_RISK_DAYS);
    Ok(on_pool!(db, pool => {
        let rows = sqlx::query(&sql)
            .bind(date_text(today))
            .bind(date_text(soon))
            .bind(status)
            .bind(due_before.map(date_text))
            .bind(case_id)
            .bind(after.unwrap_or(""))
            .bind(first as i64)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(DeadlineView {
                deadline_id: r.try_get("deadline_id")?,
                case_id: r.try_get("case_id")?,
                kind: r.try_get("kind")?,
                rule: r.try_get("rule")?,
                description: r.try_get("description")?,
                due_date: r.try_get("due_date")?,
                status: r.try_get("status")?,
                met_on: r.try_get("met_on")?,
                employees: r.try_get::<i64, _>("employees")? as u64,
                exposure_pence: r.try_get::<Option<i64>, _>("exposure_pence")?.map(|p| p as u64),
                exposure_note: r.try_get("exposure_note")?,
            });
        }
        out
    }))
}

/// One audit-trail entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub position: u64,
    pub stream: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    pub command_id: String,
    pub effective_date: String,
    pub recorded_at: String,
}

/// Filters for [`audit_trail`]; times are RFC 3339.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub employee_id: Option<String>,
    pub case_id: Option<String>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One value bound to an audit-trail statement.
enum AuditParam {
    Text(String),
    Int(i64),
}

/// The statement [`audit_trail`] runs for `filter`, and its values in the order of their
/// `$n`. Only the filters given appear in it, as plain comparisons, so the engine drives the
/// scan from the index of one of them (employee, case, actor or recording time) instead of
/// walking the whole log in position order and testing every row: with `$n IS NULL OR ...`
/// terms a planner cannot use an index, and a rare actor's page read the entire trail.
///
/// An entry is the event's own row in `events`, indexed there by actor and by recording time.
/// An employee's entries are their stream and the trail's employee entries; a case's are its
/// stream and the trail's case entries (employee events that name the case). Entries stop at
/// the read models' checkpoint, so every filter answers from the same ledger; that bound is
/// written `+l.position` so that SQLite does not take the two bounds on position for a range
/// narrower than the time or actor index (the unary plus keeps a term off every index).
fn audit_statement(filter: &AuditFilter, after: u64, first: usize) -> (String, Vec<AuditParam>) {
    let mut params = vec![AuditParam::Int(after as i64)];
    // An employee or a case is the first filter, so its value is always $2.
    let source = if let Some(employee) = &filter.employee_id {
        // The employee's own events are their stream in the log; the trail's employee entries
        // hold the other events that touch them (see `audit_trail::employees_of`).
        let stream = format!("{}-{employee}", AggregateKind::Employee.prefix());
        params.push(AuditParam::Text(employee.clone()));
        params.push(AuditParam::Text(stream));
        entries_and_streams(
            "audit_employees WHERE position > $1 AND employee_id = $2",
            "stream = $3",
        )
    } else if let Some(case) = &filter.case_id {
        params.push(AuditParam::Text(case.clone()));
        entries_and_streams(
            "audit_cases WHERE position > $1 AND case_id = $2",
            &case_streams("$2"),
        )
    } else {
        "events l".to_string()
    };
    let mut sql = format!(
        "SELECT l.position, l.stream, l.event_type, c.case_id, l.actor, l.actor_role, l.reason, \
         l.command_id, l.effective_date, l.recorded_at_us FROM {source} \
         LEFT JOIN audit_cases c ON c.position = l.position \
         WHERE l.position > $1 AND +l.position <= \
         (SELECT position FROM projection_checkpoints WHERE name = '{}')",
        checkpoint::READ_MODELS
    );
    let mut term = |condition: &str, value: AuditParam| {
        params.push(value);
        sql.push_str(&format!(
            " AND {}",
            condition.replace("$v", &format!("${}", params.len()))
        ));
    };
    if let (Some(case), Some(_)) = (&filter.case_id, &filter.employee_id) {
        let condition = format!("(c.case_id = $v OR l.{})", case_streams("$v"));
        term(&condition, AuditParam::Text(case.clone()));
    }
    if let Some(actor) = &filter.actor {
        term("l.actor = $v", AuditParam::Text(actor.clone()));
    }
    if let Some(from) = filter.from {
        term(
            "l.recorded_at_us >= $v",
            AuditParam::Int(from.timestamp_micros()),
        );
    }
    if let Some(to) = filter.to {
        term(
            "l.recorded_at_us <= $v",
            AuditParam::Int(to.timestamp_micros()),
        );
    }
    params.push(AuditParam::Int(first as i64));
    sql.push_str(&format!(" ORDER BY l.position LIMIT ${}", params.len()));
    (sql, params)
}

/// The positions of a filter's entries in the trail and of its streams in the log, joined to
/// the log's rows as `l`.
fn entries_and_streams(entries: &str, streams: &str) -> String {
    format!(
        "(SELECT position FROM {entries} \
         UNION ALL SELECT position FROM events WHERE position > $1 AND {streams}) e \
         JOIN events l ON l.position = e.position"
    )
}

/// `stream IN (...)`: the streams a case with the id in `value` can be, one per kind of case.
fn case_streams(value: &str) -> String {
    let streams: Vec<String> = AggregateKind::ALL
        .iter()
        .filter(|kind| is_case_kind(**kind))
        .map(|kind| format!("'{}-' || {value}", kind.prefix()))
        .collect();
    format!("stream IN ({})", streams.join(", "))
}

/// Whether a stream of `kind` is a case of its own (see `LedgerEvent::case_id`).
fn is_case_kind(kind: AggregateKind) -> bool {
    !matches!(kind, AggregateKind::Organisation | AggregateKind::Employee)
}

/// The case an entry belongs to: the trail's case entry for an employee event, else the
/// event's own stream if that is a case.
fn case_of(entry: Option<String>, stream: &str) -> Option<String> {
    entry.or_else(|| {
        let kind = StreamId::parse(stream).ok()?.kind();
        let id = &stream[kind.prefix().len() + 1..];
        is_case_kind(kind).then(|| id.to_string())
    })
}

/// The SQL text [`audit_trail`] runs for `filter`, for reading its query plan.
pub fn audit_trail_sql(filter: &AuditFilter) -> String {
    audit_statement(filter, 0, 1).0
}

pub async fn audit_trail(
    db: &ReadDb,
    filter: &AuditFilter,
    after: u64,
    first: usize,
) -> Result<Vec<AuditEntry>, ProjectionError> {
    let (sql, params) = audit_statement(filter, after, first);
    Ok(on_pool!(db, pool => {
        let mut query = sqlx::query(&sql);
        for param in params {
            query = match param {
                AuditParam::Text(text) => query.bind(text),
                AuditParam::Int(n) => query.bind(n),
            };
        }
        let rows = query.fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let recorded_at_us: i64 = r.try_get("recorded_at_us")?;
            let recorded_at = DateTime::from_timestamp_micros(recorded_at_us)
                .ok_or_else(|| sqlx::Error::Decode(format!("recorded_at_us {recorded_at_us} is out of range").into()))?;
            let stream: String = r.try_get("stream")?;
            out.push(AuditEntry {
                position: r.try_get::<i64, _>("position")? as u64,
                case_id: case_of(r.try_get("case_id")?, &stream),
                stream,
                event_type: r.try_get("event_type")?,
                actor: r.try_get("actor")?,
                actor_role: r.try_get("actor_role")?,
                reason: r.try_get("reason")?,
                command_id: uuid_text(&r.try_get::<Uuid, _>("command_id")?),
                effective_date: date_text(r.try_get::<NaiveDate, _>("effective_date")?),
                recorded_at: time_text(recorded_at),
            });
        }
        out
    }))
}

/// A merger programme with its dashboard figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeView {
    pub programme_id: String,
    pub name: String,
    pub successor_code: String,
    pub predecessors: Value,
    pub legal_day_one: String,
    pub status: String,
    pub open_cases: u64,
    pub missed_deadlines: u64,
    /// Case counters summed over the programme's cases (e.g. `in_scope`, `transferred`,
    /// `objected`, `at_risk`, `appointed`).
    pub totals: Value,
}

pub async fn programme(
    db: &ReadDb,
    programme_id: &str,
    today: NaiveDate,
) -> Result<Option<ProgrammeView>, ProjectionError> {
    let head = on_pool!(db, pool => {
        match sqlx::query("SELECT name, successor_code, predecessors, legal_day_one, status FROM programmes WHERE programme_id = $1")
            .bind(programme_id)
            .fetch_optional(pool)
            .await?
        {
            Some(r) => Some((
                r.try_get::<String, _>("name")?,
                r.try_get::<String, _>("successor_code")?,
                r.try_get::<String, _>("predecessors")?,
                r.try_get::<String, _>("legal_day_one")?,
                r.try_get::<String, _>("status")?,
            )),
            None => None,
        }
    });
    let Some((name, successor_code, predecessors, legal_day_one, status)) = head else {
        return Ok(None);
    };
    let filter = CaseFilter {
        programme_id: Some(programme_id.to_string()),
        ..CaseFilter::default()
    };
    let mut totals = serde_json::Map::new();
    let mut open_cases = 0;
    let mut missed = 0;
    let mut after: Option<String> = None;
    loop {
        let page = cases(db, &filter, after.as_deref(), 500).await?;
        for c in &page {
            open_cases += u64::from(c.status == "open");
            add_counts(&mut totals, &c.counts);
            missed += deadlines(db, today, Some("missed"), None, Some(&c.case_id), None, 500)
                .await?
                .len() as u64;
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = Some(last.case_id.clone()),
            _ => break,
        }
    }
    Ok(Some(ProgrammeView {
        programme_id: programme_id.to_string(),
        name,
        successor_code,
        predecessors: json_cell(predecessors),
        legal_day_one,
        status,
        open_cases,
        missed_deadlines: missed,
        totals: Value::Object(totals),
    }))
}

fn add_counts(totals: &mut serde_json::Map<String, Value>, counts: &Value) {
    let Some(counts) = counts.as_object() else {
        return;
    };
    for (k, v) in counts {
        let add = v.as_u64().unwrap_or(0);
        let sum = totals.get(k).and_then(Value::as_u64).unwrap_or(0) + add;
        totals.insert(k.clone(), Value::from(sum));
    }
}

/// The read models' checkpoint: every event up to it is visible in every view.
pub async fn checkpoint(db: &ReadDb) -> Result<u64, ProjectionError> {
    Ok(crate::checkpoint::load(db).await?)
}
