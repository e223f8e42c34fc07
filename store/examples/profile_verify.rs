//! Only `verify`, repeated over one ledger, for profiling the verification path without the
//! appends around it in `bench_store`. `HRLEDGER_BENCH_EVENTS` sets the ledger size (default
//! 100,000); PostgreSQL is used when `HRLEDGER_BENCH_PG_URL` or `HRLEDGER_TEST_PG_URL` is set.

use std::time::Instant;

use chrono::NaiveDate;
use hrledger_store::testing::TestDb;
use hrledger_store::{AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent};
use serde_json::json;
use uuid::Uuid;

const ROUNDS: usize = 5;
const PER_APPEND: usize = 10_000;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let events = std::env::var("HRLEDGER_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let pg =
        std::env::var("HRLEDGER_BENCH_PG_URL").or_else(|_| std::env::var("HRLEDGER_TEST_PG_URL"));
    let db = match pg {
        Ok(server) => TestDb::postgres_at(&server).await,
        Err(_) => TestDb::sqlite().await,
    };
    let store = EventStore::open(db.url()).await.expect("open");
    for start in (0..events).step_by(PER_APPEND) {
        let count = PER_APPEND.min(events - start);
        store.append(request(start, count)).await.unwrap();
    }
    for _ in 0..ROUNDS {
        let started = Instant::now();
        assert!(store.verify(1, None).await.unwrap().is_intact());
        let rate = events as f64 / started.elapsed().as_secs_f64();
        println!(
            "{{\"verify\":\"{}\",\"events_per_s\":{rate:.0}}}",
            db.backend_name()
        );
    }
    store.close().await;
}

fn request(start: usize, count: usize) -> AppendRequest {
    let events = (start..start + count)
        .map(|n| NewEvent {
            event_type: "StaffRecordChanged".into(),
            schema_version: 1,
            data: json!({"employee_id": Uuid::now_v7(), "assignment": format!("A{n:08}"),
                         "band": "6", "fte": 0.8, "cost_centre": "CC-4410", "n": n}),
            effective_date: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
        })
        .collect();
    let metadata = Metadata {
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        actor: "bench".into(),
        actor_role: "hr_adviser".into(),
        reason: "benchmark".into(),
    };
    AppendRequest::single(
        format!("profile-{}", start % 7),
        ExpectedVersion::Any,
        events,
        metadata,
    )
}
