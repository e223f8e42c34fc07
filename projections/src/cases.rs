//! Cases, their statutory deadlines and the programmes they belong to, derived from each case
//! aggregate's folded state through the domain's own summary and deadline rules.

use hrledger_domain::view::{CaseSummary, Deadline, ProgrammeSummary};

use crate::db::{date_text, ReadTx};
use crate::{insert_rows, on_tx, ProjectionError};

pub(crate) struct CaseRow {
    case_id: String,
    kind: &'static str,
    status: &'static str,
    programme_id: Option<String>,
    title: String,
    organisations: String,
    key_dates: String,
    counts: String,
    next_deadline: Option<String>,
    opened_on: Option<String>,
    last_position: i64,
    deadlines: Vec<DeadlineRow>,
}

struct DeadlineRow {
    deadline_id: String,
    kind: &'static str,
    rule: &'static str,
    description: String,
    due: String,
    state: &'static str,
    met_on: Option<String>,
    employees: i64,
    exposure_pence: Option<i64>,
    exposure_note: Option<String>,
}

impl CaseRow {
    pub fn new(case: &CaseSummary, deadlines: &[Deadline], position: u64) -> Self {
        let case_id = case.case_id.to_string();
        CaseRow {
            kind: case.kind.prefix(),
            status: case.status,
            programme_id: case.programme_id.map(|id| id.to_string()),
            title: case.title.clone(),
            organisations: serde_json::to_string(&case.organisations).unwrap_or_default(),
            key_dates: serde_json::to_string(&case.key_dates).unwrap_or_default(),
            counts: serde_json::to_string(&case.counts).unwrap_or_default(),
            next_deadline: deadlines
                .iter()
                .filter(|d| d.met_on.is_none())
                .map(|d| d.due)
                .min()
                .map(date_text),
            opened_on: case.opened_on.map(date_text),
            last_position: position as i64,
            deadlines: deadlines
                .iter()
                .map(|d| DeadlineRow {
                    deadline_id: format!("{case_id}/{}", d.kind),
                    kind: d.kind,
                    rule: d.rule,
                    description: d.description.clone(),
                    due: date_text(d.due),
                    state: if d.met_on.is_some() { "done" } else { "open" },
                    met_on: d.met_on.map(date_text),
                    employees: d.employees as i64,
                    exposure_pence: d.exposure_pence.map(|p| p as i64),
                    exposure_note: d.exposure_note.clone(),
                })
                .collect(),
            case_id,
        }
    }
}

/// Writes cases and replaces their deadlines whole: a moved transfer date moves every deadline
/// that hangs off it.
pub(crate) async fn write_cases<'a>(
    tx: &mut ReadTx,
    cases: impl Iterator<Item = &'a CaseRow>,
) -> Result<(), ProjectionError> {
    let cases: Vec<&CaseRow> = cases.collect();
    let deadlines: Vec<(&str, &DeadlineRow)> = cases
        .iter()
        .flat_map(|c| c.deadlines.iter().map(move |d| (c.case_id.as_str(), d)))
        .collect();
    on_tx!(tx, conn => {
        insert_rows!(conn,
            "INSERT INTO cases (case_id, kind, status, programme_id, title, organisations, key_dates, summary, \
             next_deadline, opened_on, last_position) ",
            " ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, programme_id = excluded.programme_id, \
             title = excluded.title, organisations = excluded.organisations, key_dates = excluded.key_dates, \
             summary = excluded.summary, next_deadline = excluded.next_deadline, opened_on = excluded.opened_on, \
             last_position = excluded.last_position",
            cases, 11,
            |mut b, c: &&CaseRow| {
                b.push_bind(&c.case_id).push_bind(c.kind).push_bind(c.status).push_bind(&c.programme_id)
                    .push_bind(&c.title).push_bind(&c.organisations).push_bind(&c.key_dates)
                    .push_bind(&c.counts).push_bind(&c.next_deadline).push_bind(&c.opened_on)
                    .push_bind(c.last_position);
            });
        for chunk in cases.chunks(crate::bulk::rows_per_statement(1)) {
            let mut qb = sqlx::QueryBuilder::new("DELETE FROM deadlines WHERE case_id IN (");
            let mut ids = qb.separated(", ");
            for c in chunk {
                ids.push_bind(&c.case_id);
            }
            qb.push(")");
            qb.build().execute(&mut *conn).await?;
        }
        insert_rows!(conn,
            "INSERT INTO deadlines (deadline_id, case_id, kind, rule, description, due_date, status, met_on, \
             employees, exposure_pence, exposure_note) ",
            "", deadlines, 11,
            |mut b, (case_id, d): &(&str, &DeadlineRow)| {
                b.push_bind(&d.deadline_id).push_bind(*case_id).push_bind(d.kind).push_bind(d.rule)
                    .push_bind(&d.description).push_bind(&d.due).push_bind(d.state).push_bind(&d.met_on)
                    .push_bind(d.employees).push_bind(d.exposure_pence).push_bind(&d.exposure_note);
            });
    });
    Ok(())
}

pub(crate) struct ProgrammeRow {
    programme_id: String,
    name: String,
    successor_code: String,
    predecessors: String,
    legal_day_one: String,
    status: &'static str,
    last_position: i64,
    linked_cases: Vec<String>,
}

impl ProgrammeRow {
    pub fn new(p: &ProgrammeSummary, position: u64) -> Self {
        ProgrammeRow {
            programme_id: p.programme_id.to_string(),
            name: p.name.clone(),
            successor_code: p.successor_code.clone(),
            predecessors: serde_json::to_string(&p.predecessors).unwrap_or_default(),
            legal_day_one: date_text(p.legal_day_one),
            status: p.status,
            last_position: position as i64,
            linked_cases: p.linked_cases.iter().map(|id| id.to_string()).collect(),
        }
    }
}

pub(crate) async fn write_programmes<'a>(
    tx: &mut ReadTx,
    programmes: impl Iterator<Item = &'a ProgrammeRow>,
) -> Result<(), ProjectionError> {
    let programmes: Vec<&ProgrammeRow> = programmes.collect();
    let links: Vec<(&str, &str)> = programmes
        .iter()
        .flat_map(|p| {
            p.linked_cases
                .iter()
                .map(move |c| (c.as_str(), p.programme_id.as_str()))
        })
        .collect();
    on_tx!(tx, conn => {
        insert_rows!(conn,
            "INSERT INTO programmes (programme_id, name, successor_code, predecessors, legal_day_one, status, last_position) ",
            " ON CONFLICT (programme_id) DO UPDATE SET name = excluded.name, \
             successor_code = excluded.successor_code, predecessors = excluded.predecessors, \
             legal_day_one = excluded.legal_day_one, status = excluded.status, last_position = excluded.last_position",
            programmes, 7,
            |mut b, p: &&ProgrammeRow| {
                b.push_bind(&p.programme_id).push_bind(&p.name).push_bind(&p.successor_code)
                    .push_bind(&p.predecessors).push_bind(&p.legal_day_one).push_bind(p.status)
                    .push_bind(p.last_position);
            });
        insert_rows!(conn,
            "INSERT INTO case_programme_links (case_id, programme_id) ",
            " ON CONFLICT (case_id) DO UPDATE SET programme_id = excluded.programme_id",
            links, 2,
            |mut b, (case_id, programme_id): &(&str, &str)| {
                b.push_bind(*case_id).push_bind(*programme_id);
            });
    });
    Ok(())
}
