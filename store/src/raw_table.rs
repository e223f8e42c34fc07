//! The raw engine's limit for benchmarks: plain INSERTs into `raw_events`, a table with the same
//! columns, keys and indexes as `events`, with no ledger logic (no validation, no idempotency,
//! no chain, no group commit). Every benchmark measures its figure beside this one in the same
//! run, so the ratio is meaningful however loaded the machine is.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::record::{EVENT_COLUMNS, EVENT_COLUMN_COUNT};
use crate::store::{on_pool, Backend};

pub struct RawTable {
    backend: Backend,
    next_position: Arc<AtomicI64>,
}

impl RawTable {
    /// Creates `raw_events` beside the store's `events` in the same database.
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
                .expect("read the events schema");
                rows.into_iter()
                    .map(|(sql,)| sql.replace("events", "raw_events") + ";")
                    .collect::<String>()
            }
        };
        on_pool!(&backend, p => sqlx::raw_sql(&ddl).execute(p).await.map(|_| ()))
            .expect("create raw_events");
        RawTable {
            backend,
            next_position: Arc::new(AtomicI64::new(1)),
        }
    }

    /// `writers` tasks, each committing `commits` autocommitted INSERTs of `rows` rows.
    pub async fn commits(&self, writers: usize, commits: usize, rows: usize) {
        self.run(writers, move |_, done| done < commits as u64, rows)
            .await;
    }

    /// `writers` tasks, each committing one-row INSERTs until `duration` is up.
    /// Returns (commits, seconds).
    pub async fn commits_for(&self, writers: usize, duration: Duration) -> (u64, f64) {
        let started = Instant::now();
        let deadline = started + duration;
        let done = self.run(writers, move |now, _| now < deadline, 1).await;
        (done, started.elapsed().as_secs_f64())
    }

    /// Reads the store's own `events` the way `read_all` would, with no decoding into events.
    pub async fn select_events(&self) -> usize {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY position");
        on_pool!(&self.backend, p => sqlx::query(&sql).fetch_all(p).await.map(|r| r.len()))
            .expect("select events")
    }

    /// Runs `writers` tasks while `go(now, commits this task made)` holds; returns all commits.
    async fn run(
        &self,
        writers: usize,
        go: impl Fn(Instant, u64) -> bool + Copy + Send + 'static,
        rows: usize,
    ) -> u64 {
        let total = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let (backend, next) = (self.backend.clone(), Arc::clone(&self.next_position));
                let total = Arc::clone(&total);
                tokio::spawn(async move {
                    let mut done = 0;
                    while go(Instant::now(), done) {
                        let first = next.fetch_add(rows as i64, Ordering::Relaxed);
                        raw_insert(&backend, first, rows).await;
                        done += 1;
                    }
                    total.fetch_add(done, Ordering::Relaxed);
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("raw writer");
        }
        total.load(Ordering::Relaxed)
    }
}

/// One autocommitted INSERT of `rows` event-shaped rows (~200 bytes of JSON each, the size of
/// a staff-record change).
async fn raw_insert(backend: &Backend, first: i64, rows: usize) {
    let sqlite = matches!(backend, Backend::Sqlite(_));
    let placeholders: Vec<String> = (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=EVENT_COLUMN_COUNT)
                .map(|c| placeholder(sqlite, r * EVENT_COLUMN_COUNT + c))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO raw_events ({EVENT_COLUMNS}) VALUES {}",
        placeholders.join(", ")
    );
    let date = NaiveDate::from_ymd_opt(2026, 5, 1).expect("valid date");
    on_pool!(backend, p => {
        let mut q = sqlx::query(&sql);
        for i in 0..rows {
            let position = first + i as i64;
            let data = serde_json::json!({"employee_id": Uuid::now_v7(),
                "assignment": format!("A{position:08}"), "band": "6", "fte": 0.8,
                "cost_centre": "CC-4410", "employer": "ORG-NEW"});
            q = q
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
                .bind(vec![0u8; 32]);
        }
        q.execute(p).await.map(|_| ())
    })
    .expect("raw insert");
}

/// The `n`th bind parameter. SQLite gets anonymous `?`, as the store's own writer uses: with
/// numbered ones, sqlx looks each parameter up by name, a cost that grows with the square of a
/// statement's size and would make the baseline slower than the engine really is.
fn placeholder(sqlite: bool, n: usize) -> String {
    if sqlite {
        "?".to_owned()
    } else {
        format!("${n}")
    }
}
