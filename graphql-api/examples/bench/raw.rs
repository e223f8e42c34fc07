//! The raw engine's limit: plain one-row INSERTs, one per commit, into a table identical to
//! `events` (same columns, keys and indexes) with no ledger logic. The same approach as the
//! store benchmark's `RawTable`, bounded by time instead of count.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hrledger_store::Backend;
use serde_json::json;
use uuid::Uuid;

pub struct RawTable {
    backend: Backend,
    next_position: Arc<AtomicI64>,
}

macro_rules! on_pool {
    ($backend:expr, $p:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite($p) => $body,
            Backend::Postgres($p) => $body,
        }
    };
}

const RAW_COLUMNS: &str = "position, stream, version, event_id, event_type, schema_version, \
    data, effective_date, recorded_at_us, command_id, correlation_id, causation_id, actor, \
    actor_role, reason, hash";

impl RawTable {
    pub async fn create(backend: Backend) -> RawTable {
        let ddl = match &backend {
            Backend::Postgres(_) => {
                "CREATE TABLE raw_events (LIKE events INCLUDING ALL)".to_owned()
            }
            Backend::Sqlite(pool) => {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                rows.into_iter()
                    .map(|(sql,)| sql.replace("events", "raw_events") + ";")
                    .collect::<String>()
            }
        };
        on_pool!(&backend, p => sqlx::raw_sql(&ddl).execute(p).await.map(|_| ()).unwrap());
        RawTable {
            backend,
            next_position: Arc::new(AtomicI64::new(1)),
        }
    }

    /// `writers` tasks, each committing one-row INSERTs until `duration` is up.
    /// Returns (commits, seconds).
    pub async fn commits_for(&self, writers: usize, duration: Duration) -> (u64, f64) {
        let started = Instant::now();
        let deadline = started + duration;
        let done = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let (backend, next) = (self.backend.clone(), Arc::clone(&self.next_position));
                let done = Arc::clone(&done);
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let position = next.fetch_add(1, Ordering::Relaxed);
                        raw_insert(&backend, position).await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        (
            done.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64(),
        )
    }
}

/// One autocommitted single-row INSERT of an event-shaped row (~200 bytes of JSON, the size of
/// an assignment change).
async fn raw_insert(backend: &Backend, position: i64) {
    let sql = format!(
        "INSERT INTO raw_events ({RAW_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    let date = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let data = json!({"employee_id": Uuid::now_v7(), "assignment": format!("A{position:08}"),
        "band": "6", "fte": 0.8, "cost_centre": "CC-4410", "employer": "ORG-NEW"});
    on_pool!(backend, p => {
        sqlx::query(&sql)
            .bind(position)
            .bind(format!("raw-{position}"))
            .bind(0i64)
            .bind(Uuid::now_v7())
            .bind("AssignmentChanged")
            .bind(1i64)
            .bind(data.to_string())
            .bind(date)
            .bind(0i64)
            .bind(Uuid::now_v7())
            .bind(Uuid::now_v7())
            .bind(None::<Uuid>)
            .bind("bench")
            .bind("hr_adviser")
            .bind("benchmark")
            .bind(vec![0u8; 32])
            .execute(p)
            .await
            .unwrap();
    });
}
