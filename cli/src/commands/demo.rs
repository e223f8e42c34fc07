//! `hrledger demo`: seed the deterministic demo merger programme (four commissioning
//! organisations into one ICB) through `Ledger::execute`, the same command path as the API,
//! then bring the read models to the head so queries answer at once. Re-running it replays the
//! same command ids and appends nothing new.

use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{Days, NaiveTime, TimeZone, Utc};
use clap::Args;
use hrledger_commands::scenario::{merger_programme, ScenarioConfig};
use hrledger_commands::{Actor, Ledger, Role};
use hrledger_store::EventStore;

use crate::cli::DbArg;
use crate::db;

/// The actor recorded on every demo event.
const DEMO_ACTOR: &str = "demo.adviser@shire.example";

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DbArg,
}

/// What a seeding run did.
pub struct Seeded {
    pub programme: String,
    pub commands: usize,
    /// Events this run appended (0 when the demo was already there).
    pub new_events: u64,
    pub staff: usize,
    pub head: u64,
}

pub async fn run(args: DemoArgs) -> Result<()> {
    let store = db::open(&args.db.url).await?;
    let seeded = seed(&store).await;
    store.close().await;
    let seeded = seeded?;
    println!(
        "demo programme {}: {} commands, {} new events, {} staff; ledger head {}, read models up to date",
        seeded.programme, seeded.commands, seeded.new_events, seeded.staff, seeded.head
    );
    Ok(())
}

/// Replays the demo programme and projects to the head.
pub async fn seed(store: &EventStore) -> Result<Seeded> {
    let config = ScenarioConfig::default();
    let day_one = config.day_one;
    let scenario = merger_programme(config);
    // "Now" is pinned a month after day one: rules that look at today (completing a transfer
    // only on or after its date) then decide the same way whenever the demo is run.
    let now = Utc.from_utc_datetime(
        &(day_one + Days::new(30)).and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
    );
    let ledger = Ledger::with_clock(store.clone(), Arc::new(move || now));
    let actor = Actor::new(DEMO_ACTOR, Role::HrAdviser);
    // Counted from the head, not from each outcome: a command whose first run is already
    // recorded may come back from the store's idempotency check rather than as a replay.
    let before = store.head().await?;
    let outcomes = scenario
        .run(&ledger, &actor)
        .await
        .context("seeding the demo programme")?;
    let head = super::project_to_head(store).await?;
    Ok(Seeded {
        programme: format!(
            "{} → {} on {} ({})",
            scenario.predecessors.join(", "),
            scenario.successor,
            day_one,
            scenario.programme_id
        ),
        commands: outcomes.len(),
        new_events: head - before,
        staff: scenario.all_staff().count(),
        head,
    })
}
