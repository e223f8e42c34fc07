//! `hrledger import staff --employer CODE FILE.csv`: a staff list from a payroll extract.
//!
//! Every row is validated before anything is written; if any row is bad, all bad rows are
//! reported with their line numbers and nothing is imported. Each row becomes two commands
//! (`RegisterEmployee`, `StartEmployment`) on the ordinary command path. Employee ids and
//! command ids are UUIDv5 of the employer and employee number, so a re-run replays the same
//! commands and the ledger records nothing twice.

mod row;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use hrledger_commands::{Actor, CommandOptions, Ledger, Role};
use hrledger_domain::{employee, organisation, StreamId};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use uuid::Uuid;

use self::row::{RawRow, StaffRow, COLUMNS};
use crate::cli::DbArg;
use crate::db;
use crate::exit::Failure;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// A staff list (CSV, columns in the README) for one employer already in the ledger.
    Staff(StaffArgs),
}

#[derive(Debug, Args)]
pub struct StaffArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The employing organisation's code (e.g. NCCG in the demo).
    #[arg(long, value_name = "CODE")]
    pub employer: String,
    /// Recorded as the actor of every imported event.
    #[arg(long, default_value = "staff-import", value_name = "NAME")]
    pub actor: String,
    /// The CSV file.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
}

pub async fn run(args: ImportArgs) -> Result<()> {
    let ImportWhat::Staff(args) = args.what;
    organisation::validate_code(&args.employer).map_err(|e| anyhow::anyhow!("--employer: {e}"))?;
    let rows = read_and_validate(&args.file)?;
    let store = db::open(&args.db.url).await?;
    let ledger = Ledger::new(store.clone());
    let result = import_and_project(&ledger, &args, &rows).await;
    store.close().await;
    let new_events = result?;
    println!(
        "imported {} staff for {} from {}: {new_events} new events{}",
        rows.len(),
        args.employer,
        args.file.display(),
        if new_events == 0 {
            " (all already in the ledger)"
        } else {
            ""
        }
    );
    Ok(())
}

/// Imports, then brings the read models to the head; returns how many events were appended.
async fn import_and_project(ledger: &Ledger, args: &StaffArgs, rows: &[StaffRow]) -> Result<u64> {
    let store = ledger.store();
    let before = store.head().await?;
    import(ledger, args, rows).await?;
    let head = super::project_to_head(store).await?;
    Ok(head - before)
}

/// Reads the whole file and validates every row; any problem rejects the file as a whole.
fn read_and_validate(path: &Path) -> Result<Vec<StaffRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // A row with too few or too many cells is reported with the others, not fatal.
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers().context("reading the header line")?.clone();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        return Err(rejected(
            path,
            "the header line lacks required columns",
            vec![format!("line 1: missing {}", missing.join(", "))],
        ));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match parse_record(record, &headers) {
            Ok((line, row)) => rows.push((line, row)),
            Err(mut found) => problems.append(&mut found),
        }
    }
    problems.extend(duplicates(&rows));
    if !problems.is_empty() {
        return Err(rejected(path, "has bad rows", problems));
    }
    if rows.is_empty() {
        bail!("{} has no staff rows", path.display());
    }
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// One record as a validated row with its line number, or its problems as `line N: ...`.
fn parse_record(
    record: csv::Result<csv::StringRecord>,
    headers: &csv::StringRecord,
) -> Result<(u64, StaffRow), Vec<String>> {
    let record = record.map_err(|e| {
        let line = e.position().map_or(0, |p| p.line());
        vec![format!("line {line}: {e}")]
    })?;
    let line = record.position().map_or(0, |p| p.line());
    let raw: RawRow = record
        .deserialize(Some(headers))
        .map_err(|e| vec![format!("line {line}: {e}")])?;
    raw.validate().map(|row| (line, row)).map_err(|reasons| {
        reasons
            .into_iter()
            .map(|r| format!("line {line}: {r}"))
            .collect()
    })
}

/// Employee and assignment numbers identify people and posts: each may appear once.
fn duplicates(rows: &[(u64, StaffRow)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut employees: HashMap<&str, u64> = HashMap::new();
    let mut assignments: HashMap<&str, u64> = HashMap::new();
    for (line, row) in rows {
        if let Some(first) = employees.insert(&row.employee_number, *line) {
            problems.push(format!(
                "line {line}: employee_number: {} already appears on line {first}",
                row.employee_number
            ));
        }
        let number = row.assignment.assignment_number.as_str();
        if let Some(first) = assignments.insert(number, *line) {
            problems.push(format!(
                "line {line}: assignment_number: {number} already appears on line {first}"
            ));
        }
    }
    problems.sort_by_key(|p| line_of(p));
    problems
}

fn line_of(problem: &str) -> u64 {
    problem
        .strip_prefix("line ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn rejected(path: &Path, what: &str, details: Vec<String>) -> anyhow::Error {
    let count = details.len();
    Failure::Rejected {
        summary: format!(
            "{} {what} ({count} problem{}); nothing was imported",
            path.display(),
            if count == 1 { "" } else { "s" }
        ),
        details,
    }
    .into()
}

/// Runs two commands per row.
async fn import(ledger: &Ledger, args: &StaffArgs, rows: &[StaffRow]) -> Result<()> {
    ensure_employer(ledger, &args.employer).await?;
    let actor = Actor::new(args.actor.clone(), Role::HrAdviser);
    let reason = format!(
        "staff list imported from payroll extract {}",
        file_name(&args.file)
    );
    let correlation = Uuid::now_v7();
    let progress = progress_bar(rows.len());
    for row in rows {
        let ids = Ids::new(&args.employer, &row.employee_number);
        run_row(ledger, &actor, &reason, correlation, &ids, args, row)
            .await
            .with_context(|| format!("importing employee {}", row.employee_number))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(())
}

/// Registers the person and starts the employment (each replayed if already recorded).
async fn run_row(
    ledger: &Ledger,
    actor: &Actor,
    reason: &str,
    correlation: Uuid,
    ids: &Ids,
    args: &StaffArgs,
    row: &StaffRow,
) -> Result<()> {
    let register = employee::Command::RegisterEmployee {
        employee_id: ids.employee,
        personal: row.personal.clone(),
        effective_date: row.start_date,
    };
    let start = employee::Command::StartEmployment {
        employee_id: ids.employee,
        employer_code: args.employer.clone(),
        start_date: row.start_date,
        continuous_service_date: row.continuous_service_date,
        assignment: row.assignment.clone(),
    };
    for (command, id) in [(register.into(), ids.register), (start.into(), ids.start)] {
        let options = CommandOptions::new(id, reason).correlated(correlation);
        ledger.execute(command, actor, &options).await?;
    }
    Ok(())
}

async fn ensure_employer(ledger: &Ledger, code: &str) -> Result<()> {
    let (_, version) = ledger
        .state(&StreamId::organisation(code))
        .await
        .context("looking up the employer")?;
    if version.is_none() {
        bail!("employer {code} is not registered in the ledger (the demo registers NCCG, SCCG, ECCG, WCCG and ICB)");
    }
    Ok(())
}

/// Deterministic ids: the same employer and employee number always give the same employee and
/// the same command ids, which is what makes a re-run a replay.
struct Ids {
    employee: Uuid,
    register: Uuid,
    start: Uuid,
}

impl Ids {
    fn new(employer: &str, employee_number: &str) -> Ids {
        let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:hrledger:import:staff");
        let key = format!("{employer}/{employee_number}");
        Ids {
            employee: Uuid::new_v5(&ns, format!("employee/{key}").as_bytes()),
            register: Uuid::new_v5(&ns, format!("register/{key}").as_bytes()),
            start: Uuid::new_v5(&ns, format!("start/{key}").as_bytes()),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A bar on stderr when stdout is a terminal; nothing when output is piped or captured.
fn progress_bar(len: usize) -> ProgressBar {
    if !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} staff {elapsed}") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::Ids;

    #[test]
    fn ids_are_stable_and_distinct_per_employer() {
        let a = Ids::new("NCCG", "10001");
        let b = Ids::new("NCCG", "10001");
        let c = Ids::new("SCCG", "10001");
        assert_eq!(a.employee, b.employee);
        assert_eq!(a.start, b.start);
        assert_ne!(a.employee, c.employee);
        assert_ne!(a.register, a.start);
    }
}
