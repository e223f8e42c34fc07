//! The command rounds of the API benchmark on their own, for profiling the command path
//! without the HTTP phases: a ledger of `HRLEDGER_BENCH_EVENTS` (default 5,000) events, then
//! one round per client count in `HRLEDGER_BENCH_CLIENTS` (default `64`). SQLite, or the
//! PostgreSQL server in `HRLEDGER_BENCH_PG_URL` when set. Each round is followed by the raw
//! engine with as many writers for as long (one-row INSERTs, one per commit), as in the API
//! benchmark, so the ratio is measured under the same load.
//!
//!     cargo run --release -p hrledger-commands --example command_rounds

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use hrledger_commands::scenario::fill_ledger;
use hrledger_commands::Ledger;
use hrledger_store::raw_table::RawTable;
use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;

#[allow(dead_code)] // the client counts of the API benchmark are not used here
#[path = "../../graphql-api/examples/bench/commands.rs"]
mod rounds;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let var = |name: &str| std::env::var(name).ok();
    let events = var("HRLEDGER_BENCH_EVENTS").map_or(5_000, |v| v.parse().unwrap());
    let clients: Vec<usize> = var("HRLEDGER_BENCH_CLIENTS").map_or(vec![64], |v| {
        v.split(',').map(|c| c.parse().unwrap()).collect()
    });
    let db = match var("HRLEDGER_BENCH_PG_URL") {
        Some(server) => TestDb::postgres_at(&server).await,
        None => TestDb::sqlite().await,
    };
    let store = EventStore::open(db.url()).await.expect("open");
    let now = Arc::new(|| Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
    let ledger = Ledger::with_clock(store.clone(), now);
    fill_ledger(&ledger, events, 16)
        .await
        .expect("programmes run");
    let raw = RawTable::create(store.backend()).await;
    let round = Duration::from_secs(6);
    for n in clients {
        let staff = rounds::employed(&ledger, n).await;
        let (done, failed, secs) = rounds::command_round(&ledger, staff, round).await;
        let (raw_done, raw_secs) = raw.commits_for(n, round).await;
        let (ours, raw_rate) = (done as f64 / secs, raw_done as f64 / raw_secs);
        println!(
            "{{\"backend\":\"{}\",\"clients\":{n},\"commands_per_s\":{ours:.0},\"failed\":{failed},\
             \"raw_commits_per_s\":{raw_rate:.0},\"ratio\":{:.2}}}",
            db.backend_name(),
            ours / raw_rate
        );
    }
    store.close().await;
}
