//! The command rounds of the API benchmark on their own, for profiling the command path
//! without the HTTP phases: a ledger of `HRLEDGER_BENCH_EVENTS` (default 5,000) events, then
//! one round per client count in `HRLEDGER_BENCH_CLIENTS` (default `64`). SQLite, or the
//! PostgreSQL server in `HRLEDGER_BENCH_PG_URL` when set. Each round is followed by the raw
//! engine with as many writers for as long (one-row INSERTs, one per commit), as in the API
//! benchmark, so the ratio is measured under the same load. `cpu_ms_per_command` is this
//! process's CPU time (every thread, user and system; not the PostgreSQL server's) over the
//! round, divided by the commands acknowledged: it moves far less with machine load than the
//! rates do. With PostgreSQL, `server_cpu_ms_per_command` is the same for every process on the
//! host named `postgres` (the server is on the same cores; other clients' load counts too).
//!
//!     cargo run --release -p hrledger-commands --example command_rounds

use std::time::Duration;

use hrledger_commands::scenario::{bench_clock, fill_ledger};
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
    let ledger = Ledger::with_clock(store.clone(), bench_clock());
    fill_ledger(&ledger, events).await.expect("programmes run");
    let raw = RawTable::create(store.backend()).await;
    let round = Duration::from_secs(6);
    for n in clients {
        let staff = rounds::employed(&ledger, n).await;
        eprintln!("round of {n} clients starting");
        let (cpu_before, server_before) = (process_cpu_seconds(), server_cpu_seconds());
        let (done, failed, secs) = rounds::command_round(&ledger, staff, round).await;
        let per_command = |seconds: f64| seconds * 1000.0 / done.max(1) as f64;
        let cpu_ms = per_command(process_cpu_seconds() - cpu_before);
        let server_ms = per_command(server_cpu_seconds() - server_before);
        let (raw_done, raw_secs) = raw.commits_for(n, round).await;
        let (ours, raw_rate) = (done as f64 / secs, raw_done as f64 / raw_secs);
        println!(
            "{{\"backend\":\"{}\",\"clients\":{n},\"commands_per_s\":{ours:.0},\"failed\":{failed},\
             \"cpu_ms_per_command\":{cpu_ms:.3},\"server_cpu_ms_per_command\":{server_ms:.3},\"raw_commits_per_s\":{raw_rate:.0},\
             \"ratio\":{:.2}}}",
            db.backend_name(),
            ours / raw_rate
        );
    }
    store.close().await;
}

/// User plus system CPU time of this process so far, every thread, in seconds.
fn process_cpu_seconds() -> f64 {
    // SAFETY: `getrusage` only writes the struct it is given; all-zero bytes are a valid value.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// User plus system CPU time of every process on the host named `postgres`, in seconds
/// (`/proc/<pid>/stat`, in clock ticks of 1/100 s: fine over a round of seconds).
fn server_cpu_seconds() -> f64 {
    const TICKS_PER_SECOND: f64 = 100.0;
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let ticks: u64 = processes
        .flatten()
        .filter_map(|p| std::fs::read_to_string(p.path().join("stat")).ok())
        .filter_map(|stat| {
            let (name, rest) = stat.split_once(") ")?;
            if !name.ends_with("(postgres") {
                return None;
            }
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
            let fields: Vec<&str> = rest.split(' ').collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    ticks as f64 / TICKS_PER_SECOND
}
