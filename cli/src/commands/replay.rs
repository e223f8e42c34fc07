//! `hrledger replay --until-position P | --until-time T --out URL`: build the read models as
//! they were at a past point into another database, leaving the live ones untouched, and copy
//! the ledger up to that point beside them. Serve, query or verify the `--out` database to see
//! the ledger as it stood then.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use hrledger_projections::{Projector, ReadDb, Until};

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub until: UntilArgs,
    /// The database to build the past read models in, and to copy the ledger up to that point
    /// into (must not hold a ledger of its own).
    #[arg(long, value_name = "URL")]
    pub out: String,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UntilArgs {
    /// Include events up to and including this global position.
    #[arg(long, value_name = "P")]
    pub until_position: Option<u64>,
    /// Include events recorded at or before this time (RFC 3339, or YYYY-MM-DD for midnight UTC).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub until_time: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| {
            format!(
                "{text:?} is not an RFC 3339 time (2026-03-31T23:59:59Z) or a date (2026-03-31)"
            )
        })
}

pub async fn run(args: ReplayArgs) -> Result<()> {
    if args.out == args.db.url {
        bail!("--out must be another database than --db: replay never overwrites the live read models");
    }
    let until = match (args.until.until_position, args.until.until_time) {
        (Some(p), _) => Until::Position(p),
        (None, Some(t)) => Until::Time(t),
        (None, None) => unreachable!("clap requires one of the two"),
    };
    let source = db::open_existing(&args.db.url).await?;
    let sink = db::open(&args.out).await?;
    let result = replay_into(&source, &sink, until, &args.out).await;
    source.close().await;
    sink.close().await;
    let position = result?;
    println!(
        "read models as at position {position} built in {}, beside a copy of the ledger's first {position} events",
        db::redact(&args.out)
    );
    Ok(())
}

async fn replay_into(
    source: &hrledger_store::EventStore,
    sink: &hrledger_store::EventStore,
    until: Until,
    out: &str,
) -> Result<u64> {
    if sink.head().await? > 0 {
        bail!(
            "{} holds a ledger of its own; replay into an empty database",
            db::redact(out)
        );
    }
    let read_db = ReadDb::from(sink.backend());
    // Read models left by a replay stopped before its copy are replaced, not added to.
    hrledger_projections::tables::truncate_all(&read_db)
        .await
        .context("emptying the --out read models")?;
    let mut projector = Projector::new(source.clone(), read_db);
    let position = projector
        .run(until)
        .await
        .context("replaying into the --out database")?;
    // The read models read the log (the audit trail's who, why and when), and the copy lets
    // an auditor verify the ledger as it stood and compare its digest with one kept then.
    source
        .copy_into(sink, position)
        .await
        .context("copying the ledger into the --out database")
}
