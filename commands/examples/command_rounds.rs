//! The command rounds of the API benchmark on their own, for profiling the command path
//! without the HTTP phases: a ledger of `HRLEDGER_BENCH_EVENTS` (default 5,000) events, then
//! one round per client count in `HRLEDGER_BENCH_CLIENTS` (default `64`). SQLite, or the
//! PostgreSQL server in `HRLEDGER_BENCH_PG_URL` when set.
//!
//!     cargo run --release -p hrledger-commands --example command_rounds

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use hrledger_commands::scenario::fill_ledger;
use hrledger_commands::Ledger;
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
    for n in clients {
        let staff = rounds::employed(&ledger, n).await;
        let (done, failed, secs) =
            rounds::command_round(&ledger, staff, Duration::from_secs(6)).await;
        println!(
            "{{\"backend\":\"{}\",\"clients\":{n},\"commands_per_s\":{:.0},\"failed\":{failed}}}",
            db.backend_name(),
            done as f64 / secs
        );
    }
    store.close().await;
}
