//! The command rounds of the API benchmark on their own, for profiling the command path
//! without the HTTP phases: a ledger of `HRLEDGER_BENCH_EVENTS` (default 5,000) events, then
//! one round per client count in `HRLEDGER_BENCH_CLIENTS` (default `64`) and kind of command id
//! in `HRLEDGER_BENCH_COMMAND_IDS` (`v7`, the default, as the API asks clients to make them;
//! `v4`, random; or `v7,v4` for both). SQLite, or the
//! PostgreSQL server in `HRLEDGER_BENCH_PG_URL` when set. Each round is followed by the raw
//! engine with as many writers for as long (one-row INSERTs, one per commit), as in the API
//! benchmark, so the ratio is measured under the same load. `cpu_ms_per_command` is this
//! process's CPU time (every thread, user and system; not the PostgreSQL server's) over the
//! round, divided by the commands acknowledged: it moves far less with machine load than the
//! rates do. With PostgreSQL, `server_cpu_ms_per_command` is the same for the server's processes
//! that work for the benchmark's database (the server is on the same cores; backends of other
//! databases are left out).
//!
//!     cargo run --release -p hrledger-commands --example command_rounds

use std::time::Duration;

use hrledger_commands::scenario::{bench_clock, fill_ledger};
use hrledger_commands::Ledger;
use hrledger_store::raw_table::RawTable;
use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;

#[allow(dead_code)] // the API benchmark's own rounds are not used here
#[path = "../../graphql-api/examples/bench/commands.rs"]
mod rounds;

#[path = "../../graphql-api/examples/bench/cpu.rs"]
mod cpu;

use cpu::{pg_database, process_cpu_seconds, server_cpu_seconds};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // `RUST_LOG=hrledger_store=debug` shows where each append batch's time goes.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let var = |name: &str| std::env::var(name).ok();
    let events = var("HRLEDGER_BENCH_EVENTS").map_or(5_000, |v| v.parse().unwrap());
    let clients: Vec<usize> = var("HRLEDGER_BENCH_CLIENTS").map_or(vec![64], |v| {
        v.split(',').map(|c| c.parse().unwrap()).collect()
    });
    let kinds: Vec<rounds::CommandIds> =
        var("HRLEDGER_BENCH_COMMAND_IDS").map_or(vec![rounds::CommandIds::TimeOrdered], |v| {
            v.split(',')
                .map(|k| rounds::CommandIds::parse(k).expect("v7 or v4"))
                .collect()
        });
    let db = match var("HRLEDGER_BENCH_PG_URL") {
        Some(server) => TestDb::postgres_at(&server).await,
        None => TestDb::sqlite().await,
    };
    let store = EventStore::open(db.url()).await.expect("open");
    let ledger = Ledger::with_clock(store.clone(), bench_clock());
    fill_ledger(&ledger, events).await.expect("programmes run");
    let raw = RawTable::create(store.backend()).await;
    let round = Duration::from_secs(6);
    let database = pg_database(&store);
    let server_cpu = || database.as_deref().map_or(0.0, server_cpu_seconds);
    let rounds_to_run = clients
        .iter()
        .flat_map(|&n| kinds.iter().map(move |&ids| (n, ids)));
    for (n, ids) in rounds_to_run {
        let staff = rounds::employed(&ledger, n).await;
        eprintln!("round of {n} clients ({}) starting", ids.name());
        let (cpu_before, server_before) = (process_cpu_seconds(), server_cpu());
        let (done, failed, secs) = rounds::command_round(&ledger, staff, ids, round).await;
        let per_command = |seconds: f64| seconds * 1000.0 / done.max(1) as f64;
        let cpu_ms = per_command(process_cpu_seconds() - cpu_before);
        let server_ms = per_command(server_cpu() - server_before);
        let (raw_done, raw_secs) = raw.commits_for(n, round).await;
        let (ours, raw_rate) = (done as f64 / secs, raw_done as f64 / raw_secs);
        println!(
            "{{\"backend\":\"{}\",\"clients\":{n},\"command_ids\":\"{}\",\"commands_per_s\":{ours:.0},\"failed\":{failed},\
             \"cpu_ms_per_command\":{cpu_ms:.3},\"server_cpu_ms_per_command\":{server_ms:.3},\"raw_commits_per_s\":{raw_rate:.0},\
             \"ratio\":{:.2}}}",
            db.backend_name(),
            ids.name(),
            ours / raw_rate
        );
    }
    store.close().await;
}
