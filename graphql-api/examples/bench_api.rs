//! API throughput: `staffRecord` by id and 500-row `staffChanges` pages over real HTTP under
//! concurrent keep-alive load, on a ledger of merger programmes (default 1,000,000 events); then
//! command throughput through the command path (load state, decide, append; durable) with 1, 8
//! and 64 concurrent clients on distinct employees, each beside the raw engine's
//! one-event-per-commit rate with the same number of writers in the same run.
//!
//! Run with `scripts/bench.sh api` (release). `HRLEDGER_BENCH_EVENTS` sets the ledger size.
//! PostgreSQL is measured when `HRLEDGER_BENCH_PG_URL` or `HRLEDGER_TEST_PG_URL` is set (in a
//! database of its own, dropped afterwards). The load generator and the server share the
//! process (and the machine's cores); it only ever talks to 127.0.0.1. On PostgreSQL each load
//! figure adds the server's own CPU time per request (`server_cpu_ms_per_request`) and the
//! `sslmode` of the URL (sqlx's default, `prefer`, when it names none).
//!
//! For quicker runs, `HRLEDGER_BENCH_BACKENDS` (e.g. `postgres`) and `HRLEDGER_BENCH_PHASES`
//! (some of `records,pages,commands`) pick what is measured; both default to everything.

mod bench;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hrledger_commands::scenario::{bench_clock, Seeded};
use hrledger_commands::{Ledger, Role};
use hrledger_graphql::auth::create_token;
use hrledger_graphql::{Server, ServerConfig};
use hrledger_projections::{queries, ReadDb};
use hrledger_store::testing::{bench_events, TestDb};
use hrledger_store::{Backend, EventStore};
use serde_json::json;
use sqlx::postgres::PgSslMode;

use bench::commands::{command_round, employed, CommandIds, ROUNDS};
use bench::cpu::pg_database;
use bench::generate::generate;
use bench::line;
use bench::load::{Load, LoadReport};
use hrledger_store::raw_table::RawTable;

/// Longest the projector may take to catch up with the generated ledger.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(1800);
/// Concurrent keep-alive connections of the load generator.
const CONNECTIONS: usize = 32;
/// Each load phase stops at whichever bound comes first.
const LOAD_REQUESTS: usize = 200_000;
const LOAD_SECONDS: u64 = 15;
const PAGE_REQUESTS: usize = 20_000;
const WARM_UP: Duration = Duration::from_secs(2);
/// Each command round (and its raw counterpart) runs this long.
const COMMAND_SECONDS: u64 = 6;
/// Employee ids sampled for `staffRecord` (read through the API, 500 per page).
const MAX_IDS: usize = 100_000;

/// The same allocator as the `hrledger` binary, so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let target = bench_events(1_000_000);
    for db in TestDb::for_bench().await {
        if chosen("HRLEDGER_BENCH_BACKENDS", db.backend_name()) {
            bench(&db, target).await;
        }
    }
}

/// Whether the comma-separated list in the environment variable `var` names `what` (or the
/// variable is unset).
fn chosen(var: &str, what: &str) -> bool {
    std::env::var(var).map_or(true, |list| list.split(',').any(|item| item.trim() == what))
}

async fn bench(db: &TestDb, target: u64) {
    let backend = db.backend_name();
    let store = EventStore::open(db.url()).await.expect("open");
    let pg_database = pg_database(&store);
    let sslmode = sslmode_of(&store);
    let ledger = Ledger::with_clock(store.clone(), bench_clock());

    let started = Instant::now();
    let (commands, events) = generate(&ledger, target).await;
    let secs = started.elapsed().as_secs_f64();
    line(&[
        ("bench", json!("generate_via_command_path")),
        ("backend", json!(backend)),
        ("events", json!(events)),
        ("commands", json!(commands)),
        ("seconds", json!(round(secs, 1))),
        ("events_per_s", json!(round(events as f64 / secs, 0))),
    ]);

    // The real server, following the ledger from position 0 with its own projector.
    let mut config = ServerConfig::new(db.url(), "127.0.0.1:0".parse().unwrap());
    config.clock = Some(bench_clock());
    let server = Server::start(config).await.expect("server starts");
    let base = format!("http://{}/graphql", server.local_addr());
    let token = create_token(server.tokens(), "bench-payroll", Role::Payroll)
        .await
        .expect("payroll token");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let catch_up = wait_for_projector(&store, events).await;
    line(&[
        ("bench", json!("projector_catch_up")),
        ("backend", json!(backend)),
        ("events", json!(events)),
        ("seconds", json!(round(catch_up, 1))),
        ("events_per_s", json!(round(events as f64 / catch_up, 0))),
    ]);

    let load = Load::new(&base, &token, CONNECTIONS, pg_database.as_deref());
    if chosen("HRLEDGER_BENCH_PHASES", "records") {
        let ids = load.employee_ids(MAX_IDS).await;
        let record = load
            .run(
                LOAD_REQUESTS,
                Duration::from_secs(LOAD_SECONDS),
                WARM_UP,
                "\"employeeId\"",
                Arc::new(move |rng: &mut Seeded| {
                    let id = rng.pick(&ids);
                    json!({"query": STAFF_RECORD, "variables": {"id": id}})
                }),
            )
            .await;
        report_load("staff_record_by_id", backend, sslmode, &record, 10.0);
    }

    if chosen("HRLEDGER_BENCH_PHASES", "pages") {
        let feed = load.feed(events).await;
        let page = load
            .run(
                PAGE_REQUESTS,
                Duration::from_secs(LOAD_SECONDS),
                WARM_UP,
                "\"changeKind\"",
                Arc::new(move |rng: &mut Seeded| {
                    let after = rng.below(feed.max_cursor + 1);
                    json!({"query": STAFF_CHANGES, "variables": {"after": after.to_string()}})
                }),
            )
            .await;
        report_load("staff_changes_page_500", backend, sslmode, &page, 50.0);
    }

    stop.send(()).expect("server still running");
    running.await.unwrap().expect("server stops cleanly");

    if !chosen("HRLEDGER_BENCH_PHASES", "commands") {
        store.close().await;
        return;
    }
    // Commands, with the server (and its projector) stopped: the command path alone.
    let raw = RawTable::create(store.backend()).await;
    let everyone = ROUNDS.iter().map(|(clients, _)| clients).sum();
    let mut people = employed(&ledger, everyone).await.into_iter();
    for (clients, ids) in ROUNDS {
        let mine: Vec<_> = people.by_ref().take(clients).collect();
        let seconds = Duration::from_secs(COMMAND_SECONDS);
        let (done, failed, secs) = command_round(&ledger, mine, ids, seconds).await;
        let (raw_done, raw_secs) = raw.commits_for(clients, seconds).await;
        let ours = done as f64 / secs;
        let raw_rate = raw_done as f64 / raw_secs;
        let suffix = if ids == CommandIds::Random {
            "_random_ids"
        } else {
            ""
        };
        line(&[
            (
                "bench",
                json!(format!("commands_{clients}_clients{suffix}")),
            ),
            ("backend", json!(backend)),
            ("clients", json!(clients)),
            ("command_ids", json!(ids.name())),
            ("commands", json!(done)),
            ("failed", json!(failed)),
            ("commands_per_s", json!(round(ours, 0))),
            ("raw_writers", json!(clients)),
            ("raw_one_event_commits_per_s", json!(round(raw_rate, 0))),
            ("ratio", json!(round(ours / raw_rate, 3))),
        ]);
    }
    store.close().await;
}

/// Waits until the read models include the whole ledger; returns the seconds it took.
async fn wait_for_projector(store: &EventStore, head: u64) -> f64 {
    let started = Instant::now();
    let read = ReadDb::from(store.backend());
    loop {
        if queries::checkpoint(&read).await.unwrap_or(0) >= head {
            return started.elapsed().as_secs_f64();
        }
        assert!(
            started.elapsed() < CATCH_UP_LIMIT,
            "the projector did not catch up within {CATCH_UP_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn report_load(
    bench: &str,
    backend: &str,
    sslmode: Option<&str>,
    r: &LoadReport,
    p99_goal_ms: f64,
) {
    let mut fields = vec![("bench", json!(bench)), ("backend", json!(backend))];
    if let Some(mode) = sslmode {
        fields.push(("sslmode", json!(mode)));
    }
    fields.extend([
        ("connections", json!(CONNECTIONS)),
        ("requests", json!(r.requests)),
        ("errors", json!(r.errors)),
        ("seconds", json!(round(r.seconds, 1))),
        ("req_per_s", json!(round(r.requests as f64 / r.seconds, 0))),
        ("p50_ms", json!(round(r.p50_ms, 2))),
        ("p99_ms", json!(round(r.p99_ms, 2))),
        ("p99_goal_ms", json!(p99_goal_ms)),
        ("items_per_answer", json!(round(r.items_per_request, 1))),
        ("cpu_ms_per_request", json!(round(r.cpu_ms_per_request, 3))),
    ]);
    if let Some(server) = r.server_cpu_ms_per_request {
        fields.push(("server_cpu_ms_per_request", json!(round(server, 3))));
    }
    line(&fields);
}

/// The `sslmode` a PostgreSQL store connects with, as its driver read the URL and environment
/// (`prefer`, TLS when the server offers it, unless either says otherwise); `None` for SQLite.
fn sslmode_of(store: &EventStore) -> Option<&'static str> {
    let Backend::Postgres(pool) = store.backend() else {
        return None;
    };
    Some(match pool.connect_options().get_ssl_mode() {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    })
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

const STAFF_RECORD: &str = "query($id: UUID!) { staffRecord(employeeId: $id) { \
    employeeId employerCode assignmentNumber positionCode jobTitle staffGroup band payPoint fte \
    costCentre location startDate continuousServiceDate status protectedTerms lastPosition } }";

const STAFF_CHANGES: &str = "query($after: String) { staffChanges(after: $after, first: 500) { \
    nodes { position employeeId changeKind effectiveDate recordedAt changes } \
    pageInfo { endCursor hasNextPage } } }";
