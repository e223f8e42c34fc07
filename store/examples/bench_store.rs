//! Event store throughput, each figure beside the raw engine limit measured in the same run.
//!
//! Run with `scripts/bench.sh store` (release mode). Prints one JSON line per figure and
//! backend. PostgreSQL is measured when `HRLEDGER_BENCH_PG_URL` or `HRLEDGER_TEST_PG_URL` is
//! set (in a database of its own, dropped afterwards). The raw limit is plain INSERTs into a
//! table identical to `events` (same columns, keys and indexes) with no ledger logic, or for
//! `verify`, SHA-256 over the same canonical bytes with no database.
//!
//! With `HRLEDGER_BENCH_VERIFY_EVENTS=N` (`scripts/bench.sh verify`) it measures only `verify`,
//! five rounds over a log of N events, each beside the same raw SHA-256 figure.

use std::time::Instant;

use chrono::NaiveDate;
use hrledger_store::hash::{ChainedFields, GENESIS};
use hrledger_store::raw_table::RawTable;
use hrledger_store::testing::TestDb;
use hrledger_store::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent,
};
use serde_json::json;
use uuid::Uuid;

const SEQUENTIAL: usize = 200;
const WRITERS: usize = 8;
const PER_WRITER: usize = 100;
const BATCHES: usize = 200;
const BATCH: usize = 100;
/// Verify-only mode: rounds over one log, built from requests of this many events.
const VERIFY_ROUNDS: usize = 5;
const VERIFY_APPEND: usize = 10_000;

/// The same allocator as the `hrledger` binary, so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let verify_only: Option<usize> = std::env::var("HRLEDGER_BENCH_VERIFY_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok());
    for db in &TestDb::for_bench().await {
        match verify_only {
            Some(events) => bench_verify(db, events).await,
            None => bench_backend(db).await,
        }
    }
}

/// `verify` alone over a log of `events`, round after round (the first round on PostgreSQL
/// also reads rows no query has touched since they were written).
async fn bench_verify(db: &TestDb, events: usize) {
    let store = EventStore::open(db.url()).await.expect("open");
    for start in (0..events).step_by(VERIFY_APPEND) {
        let count = VERIFY_APPEND.min(events - start);
        let stream = format!("verify-{}", start % 7);
        store.append(request(stream, count)).await.unwrap();
    }
    let mut rounds = Vec::with_capacity(VERIFY_ROUNDS);
    for _ in 0..VERIFY_ROUNDS {
        rounds.push(rate(events, async { store.verify(1, None).await.unwrap() }).await);
    }
    // Measured after the rounds, so its own reading of the log cannot warm the first round.
    let raw = raw_verify_rate(&store, events).await;
    for (round, verify) in rounds.into_iter().enumerate() {
        let extra = format!(",\"events\":{events},\"round\":{}", round + 1);
        report("verify_large", db.backend_name(), verify, raw, &extra);
    }
    store.close().await;
}

/// SHA-256 over the log's canonical bytes in memory, a page at a time (the whole log would not
/// fit comfortably), timing only the hashing.
async fn raw_verify_rate(store: &EventStore, events: usize) -> f64 {
    let (mut after, mut secs, mut prev) = (0u64, 0.0, GENESIS);
    loop {
        let page = store.read_all(after, 50_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        let (s, hash) = timed(async { hash_from(prev, &page) }).await;
        (secs, prev) = (secs + s, hash);
    }
    events as f64 / secs
}

async fn bench_backend(db: &TestDb) {
    let store = EventStore::open(db.url()).await.expect("open");
    let raw = RawTable::create(store.backend()).await;
    let name = db.backend_name();

    let seq = rate(SEQUENTIAL, sequential(&store)).await;
    let raw_seq = rate(SEQUENTIAL, raw.commits(1, SEQUENTIAL, 1)).await;
    report("append_sequential", name, seq, raw_seq, "");

    let conc = rate(WRITERS * PER_WRITER, concurrent(&store)).await;
    let raw_conc = rate(WRITERS * PER_WRITER, raw.commits(WRITERS, PER_WRITER, 1)).await;
    report(
        "append_concurrent_8",
        name,
        conc,
        raw_conc,
        &format!(",\"vs_sequential\":{:.2}", conc / seq),
    );

    let batched = rate(BATCHES * BATCH, batches(&store)).await;
    let raw_batched = rate(BATCHES * BATCH, raw.commits(1, BATCHES, BATCH)).await;
    report("append_batch_100", name, batched, raw_batched, "");

    let head = store.head().await.unwrap() as usize;
    let (replay, events) = timed(replay_all(&store)).await;
    let raw_replay = rate(head, raw.select_events()).await;
    report("read_all", name, head as f64 / replay, raw_replay, "");

    let verify = rate(head, async { store.verify(1, None).await.unwrap() }).await;
    let raw_verify = rate(head, async { hash_only(&events) }).await;
    report("verify", name, verify, raw_verify, "");
    store.close().await;
}

fn report(bench: &str, backend: &str, ours: f64, raw: f64, extra: &str) {
    println!(
        "{{\"bench\":\"{bench}\",\"backend\":\"{backend}\",\"events_per_s\":{ours:.0},\
         \"raw_limit_events_per_s\":{raw:.0},\"ratio\":{:.3}{extra}}}",
        ours / raw
    );
}

async fn timed<T>(work: impl std::future::Future<Output = T>) -> (f64, T) {
    let started = Instant::now();
    let out = work.await;
    (started.elapsed().as_secs_f64(), out)
}

async fn rate<T>(events: usize, work: impl std::future::Future<Output = T>) -> f64 {
    let (secs, _) = timed(work).await;
    events as f64 / secs
}

fn meta() -> Metadata {
    Metadata {
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        actor: "bench".into(),
        actor_role: "hr_adviser".into(),
        reason: "benchmark".into(),
    }
}

/// A staff-record-sized event body (~200 bytes).
fn body(n: usize) -> serde_json::Value {
    json!({"employee_id": Uuid::now_v7(), "assignment": format!("A{n:08}"), "band": "6",
           "fte": 0.8, "cost_centre": "CC-4410", "employer": "ORG-NEW", "n": n})
}

fn events(count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|n| NewEvent {
            event_type: "StaffRecordChanged".into(),
            schema_version: 1,
            data: body(n),
            effective_date: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
        })
        .collect()
}

fn request(stream: String, count: usize) -> AppendRequest {
    AppendRequest::single(stream, ExpectedVersion::Any, events(count), meta())
}

async fn sequential(store: &EventStore) {
    for i in 0..SEQUENTIAL {
        store
            .append(request(format!("seq-{}", i % 50), 1))
            .await
            .unwrap();
    }
}

async fn concurrent(store: &EventStore) {
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..PER_WRITER {
                    store
                        .append(request(format!("conc-{w}-{}", i % 10), 1))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
}

async fn batches(store: &EventStore) {
    for i in 0..BATCHES {
        store
            .append(request(format!("batch-{}", i % 20), BATCH))
            .await
            .unwrap();
    }
}

async fn replay_all(store: &EventStore) -> Vec<RecordedEvent> {
    let mut all = Vec::new();
    loop {
        let page = store.read_all(all.len() as u64, 1000).await.unwrap();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// The hashing work of `verify` alone, over the same events, with no database.
fn hash_only(events: &[RecordedEvent]) -> [u8; 32] {
    hash_from(GENESIS, events)
}

/// Chains `events` on top of `prev`.
fn hash_from(mut prev: [u8; 32], events: &[RecordedEvent]) -> [u8; 32] {
    for e in events {
        let data = serde_json::to_string(&e.data).unwrap();
        let date = e.effective_date.format("%Y-%m-%d").to_string();
        prev = ChainedFields {
            position: e.position,
            stream: &e.stream,
            version: e.version,
            event_id: e.event_id,
            event_type: &e.event_type,
            schema_version: e.schema_version,
            effective_date: &date,
            recorded_at_micros: e.recorded_at.timestamp_micros(),
            command_id: e.metadata.command_id,
            correlation_id: e.metadata.correlation_id,
            causation_id: e.metadata.causation_id,
            actor: &e.metadata.actor,
            actor_role: &e.metadata.actor_role,
            reason: &e.metadata.reason,
            data: &data,
        }
        .chain_hash(&prev);
    }
    prev
}
