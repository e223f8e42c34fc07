//! Read-model throughput: full rebuild of every read model over a synthetic ledger of merger
//! programmes (default 1,000,000 events), beside the `read_all` rate of the same run and the
//! engine's own rate of writing the same rows (every rebuilt read-model row copied with
//! `INSERT ... SELECT` into empty tables with the same indexes, in one transaction: no
//! projector, no driver, just the engine), and the live lag from an acknowledged append to the
//! change being visible in the staff record view.
//!
//! Run with `scripts/bench.sh projections` (release). `HRLEDGER_BENCH_EVENTS` sets the ledger
//! size. PostgreSQL is measured when `HRLEDGER_BENCH_PG_URL` or `HRLEDGER_TEST_PG_URL` is set.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hrledger_commands::scenario::{bench_clock, fill_ledger};
use hrledger_commands::{Actor, CommandOptions, Ledger, Role};
use hrledger_domain::{employee, AggregateState, LedgerCommand, StreamId};
use hrledger_projections::db::BATCH_CACHE_KIB;
use hrledger_projections::tables::TABLES;
use hrledger_projections::{on_pool, Projector, ReadDb};
use hrledger_store::testing::{bench_events, TestDb};
use hrledger_store::{sqlite_file_of, Backend, EventStore};
use uuid::Uuid;

const LAG_SAMPLES: usize = 300;

/// The same allocator as the `hrledger` binary, so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // `RUST_LOG=hrledger_projections=debug` shows where each batch's time goes.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let target = bench_events(1_000_000);
    for db in TestDb::for_bench().await {
        bench(&db, target).await;
    }
}

async fn bench(db: &TestDb, target: u64) {
    let backend = db.backend_name();
    let store = EventStore::open(db.url()).await.expect("open");
    let ledger = Ledger::with_clock(store.clone(), bench_clock());

    let started = Instant::now();
    let (commands, events) = generate(&ledger, target).await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"generate_via_command_path\",\"backend\":\"{backend}\",\"events\":{events},\"commands\":{commands},\"events_per_s\":{:.0},\"commands_per_s\":{:.0}}}",
        events as f64 / secs,
        commands as f64 / secs
    );

    let read_rate = read_all_rate(&store).await;
    let read = ReadDb::from(store.backend());
    let mut projector = Projector::new(store.clone(), read.clone());
    let started = Instant::now();
    let at = projector.rebuild().await.expect("rebuild");
    let rebuild_rate = at as f64 / started.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"rebuild_all_read_models\",\"backend\":\"{backend}\",\"events\":{at},\"events_per_s\":{rebuild_rate:.0},\"read_all_events_per_s\":{read_rate:.0},\"ratio\":{:.3}}}",
        rebuild_rate / read_rate
    );

    let rows = read_model_rows(&read).await;
    let total: i64 = rows.iter().map(|(_, n)| n).sum();
    let per_table: Vec<String> = rows.iter().map(|(t, n)| format!("\"{t}\":{n}")).collect();
    let engine_rate = at as f64 / engine_copy_secs(&store).await;
    println!(
        "{{\"bench\":\"engine_copy_of_read_models\",\"backend\":\"{backend}\",\"events\":{at},\"rows\":{total},\"rows_per_event\":{:.2},\"rows_by_table\":{{{}}},\"events_per_s\":{engine_rate:.0},\"rebuild_ratio\":{:.3}}}",
        total as f64 / at as f64,
        per_table.join(","),
        rebuild_rate / engine_rate
    );

    let (p50, p99) = live_lag(&ledger, &store).await;
    println!(
        "{{\"bench\":\"live_lag_append_to_staff_record\",\"backend\":\"{backend}\",\"samples\":{LAG_SAMPLES},\"p50_ms\":{p50:.2},\"p99_ms\":{p99:.2}}}"
    );
    store.close().await;
}

/// Runs whole merger programmes, several at once, until the ledger holds `target` events.
/// Returns (commands, events).
async fn generate(ledger: &Ledger, target: u64) -> (u64, u64) {
    fill_ledger(ledger, target).await.expect("programmes run")
}

/// Read-model tables the copy writes (the checkpoint is one row).
fn copied_tables() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .map(|(table, _)| *table)
        .filter(|t| *t != "projection_checkpoints")
}

/// Seconds the engine takes to write every read-model row again, into empty tables with the
/// same schema and indexes, in one durable transaction.
async fn engine_copy_secs(store: &EventStore) -> f64 {
    match store.backend() {
        Backend::Sqlite(_) => {
            let rebuilt = sqlite_file_of(&store.backend()).expect("the bench's SQLite is a file");
            sqlite_copy_secs(rebuilt).await
        }
        Backend::Postgres(pool) => postgres_copy_secs(&pool).await,
    }
}

/// Into a fresh, migrated SQLite file with the read-model writer's settings (WAL, normal sync,
/// its page cache), from the rebuilt file attached beside it.
async fn sqlite_copy_secs(rebuilt: PathBuf) -> f64 {
    let fresh = TestDb::sqlite().await;
    let migrated = EventStore::open(fresh.url()).await.expect("migrate");
    let path = sqlite_file_of(&migrated.backend()).expect("a file");
    migrated.close().await;
    tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open(&path).expect("open the copy");
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -{BATCH_CACHE_KIB};"
        ))
        .expect("settings");
        conn.execute("ATTACH ?1 AS rebuilt", [rebuilt.display().to_string()])
            .expect("attach");
        let started = Instant::now();
        let copies: String = copied_tables()
            .map(|t| format!("INSERT INTO main.{t} SELECT * FROM rebuilt.{t};"))
            .collect();
        conn.execute_batch(&format!("BEGIN; {copies} COMMIT;"))
            .expect("copy");
        started.elapsed().as_secs_f64()
    })
    .await
    .unwrap()
}

/// Into a schema of its own in the same database, tables made `LIKE` the read models
/// (`INCLUDING ALL`: keys and indexes).
async fn postgres_copy_secs(pool: &sqlx::PgPool) -> f64 {
    sqlx::raw_sql("CREATE SCHEMA engine_copy")
        .execute(pool)
        .await
        .unwrap();
    for t in copied_tables() {
        let sql = format!("CREATE TABLE engine_copy.{t} (LIKE public.{t} INCLUDING ALL)");
        sqlx::raw_sql(&sql).execute(pool).await.unwrap();
    }
    let copies: String = copied_tables()
        .map(|t| format!("INSERT INTO engine_copy.{t} SELECT * FROM public.{t};"))
        .collect();
    let started = Instant::now();
    sqlx::raw_sql(&format!("BEGIN; {copies} COMMIT;"))
        .execute(pool)
        .await
        .expect("copy");
    let secs = started.elapsed().as_secs_f64();
    sqlx::raw_sql("DROP SCHEMA engine_copy CASCADE")
        .execute(pool)
        .await
        .unwrap();
    secs
}

/// Rows a rebuild wrote, per read-model table (what the engine copy writes again).
async fn read_model_rows(read: &ReadDb) -> Vec<(&'static str, i64)> {
    let mut rows = Vec::new();
    for t in copied_tables() {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let n: i64 =
            on_pool!(read, pool => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap());
        rows.push((t, n));
    }
    rows
}

async fn read_all_rate(store: &EventStore) -> f64 {
    let started = Instant::now();
    let mut after = 0;
    let mut count = 0u64;
    loop {
        let page = store.read_all(after, 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        count += page.len() as u64;
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Appends one assignment change at a time while the projector follows the log, and times
/// each from the append's acknowledgement to the projector's commit of it (the staff record
/// view and the checkpoint commit together).
async fn live_lag(ledger: &Ledger, store: &EventStore) -> (f64, f64) {
    let projector = Projector::new(store.clone(), ReadDb::from(store.backend()));
    let mut progress = projector.progress();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(projector.follow(async {
        let _ = stopped.await;
    }));
    let employee_id = first_employee(store).await;
    let actor = Actor::new("bench", Role::HrAdviser);
    let mut lags = Vec::with_capacity(LAG_SAMPLES);
    for i in 0..LAG_SAMPLES {
        let command = fte_change(ledger, employee_id, i).await;
        let options =
            CommandOptions::new(Uuid::new_v4(), "hours changed at the employee's request");
        let outcome = ledger.execute(command, &actor, &options).await.unwrap();
        let acknowledged = Instant::now();
        while *progress.borrow_and_update() < outcome.result.last_position {
            let _ = tokio::time::timeout(Duration::from_secs(5), progress.changed()).await;
        }
        lags.push(acknowledged.elapsed().as_secs_f64() * 1000.0);
    }
    stop.send(()).unwrap();
    follower.await.unwrap().unwrap();
    lags.sort_by(f64::total_cmp);
    (lags[lags.len() / 2], lags[lags.len() * 99 / 100])
}

async fn first_employee(store: &EventStore) -> Uuid {
    let events = store.read_all(0, 10_000).await.unwrap();
    let stream = events
        .iter()
        .find(|e| e.stream.starts_with("employee-"))
        .map(|e| e.stream.clone())
        .unwrap();
    Uuid::parse_str(stream.trim_start_matches("employee-")).unwrap()
}

async fn fte_change(ledger: &Ledger, employee_id: Uuid, i: usize) -> LedgerCommand {
    let (state, _) = ledger
        .state(&StreamId::employee(employee_id))
        .await
        .unwrap();
    let AggregateState::Employee(employee::State(Some(record))) = state else {
        panic!("employee exists")
    };
    let mut assignment = record.employment.expect("employed").assignment;
    assignment.fte = if i.is_multiple_of(2) { 0.8 } else { 1.0 };
    employee::Command::ChangeAssignment {
        employee_id,
        assignment,
        reason: "hours changed".into(),
        effective_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    }
    .into()
}
