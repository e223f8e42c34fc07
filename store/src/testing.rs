//! Throw-away databases for tests of every crate (cargo feature `testing`).
//!
//! `TestDb::sqlite()` is a fresh file in a temporary directory; `TestDb::postgres()` creates a
//! uniquely named database on the server in `HRLEDGER_TEST_PG_URL` and drops it when the
//! `TestDb` is dropped. Without that variable PostgreSQL tests are skipped — except under
//! `CI=true`, where a missing server is a failure, not a skip.

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::store::{on_pool, Backend};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "HRLEDGER_TEST_PG_URL";

/// The ledger size a benchmark asks for: `HRLEDGER_BENCH_EVENTS`, or `default`.
pub fn bench_events(default: u64) -> u64 {
    std::env::var("HRLEDGER_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A database that exists for one test.
pub struct TestDb {
    url: String,
    kind: Kind,
}

enum Kind {
    /// Keeps the directory (and the file in it) alive for the test.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        server_url: String,
        name: String,
    },
}

impl TestDb {
    /// A fresh SQLite file in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
        TestDb {
            url,
            kind: Kind::Sqlite(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a note) when no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(server_url) = std::env::var(PG_URL_VAR) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{PG_URL_VAR} is not set, but CI=true: PostgreSQL tests must run in CI"
            );
            println!("skipped: {PG_URL_VAR} not set");
            return None;
        };
        Some(TestDb::postgres_at(&server_url).await)
    }

    /// A fresh database on the PostgreSQL server at `server_url` (e.g. for benchmarks).
    pub async fn postgres_at(server_url: &str) -> TestDb {
        let name = format!("hrledger_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| panic!("connect to the PostgreSQL server: {e}"));
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        TestDb {
            url: with_database(server_url, &name),
            kind: Kind::Postgres {
                server_url: server_url.to_owned(),
                name,
            },
        }
    }

    /// The databases a benchmark measures, one after the other: a SQLite file, then a database of
    /// its own on the PostgreSQL server in `HRLEDGER_BENCH_PG_URL` (or [`PG_URL_VAR`]) if set.
    pub async fn for_bench() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        let pg = std::env::var("HRLEDGER_BENCH_PG_URL").or_else(|_| std::env::var(PG_URL_VAR));
        if let Ok(server) = pg {
            dbs.push(TestDb::postgres_at(&server).await);
        }
        dbs
    }

    /// The URL to open the database with (`EventStore::open`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// `"sqlite"` or `"postgres"`, for messages.
    pub fn backend_name(&self) -> &'static str {
        if self.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Kind::Postgres { server_url, name } = &self.kind {
            drop_database(server_url.clone(), name.clone());
        }
    }
}

/// Drops the database from a thread of its own: `Drop` may run inside an async runtime, which
/// must not be blocked on directly.
fn drop_database(server_url: String, name: String) {
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let dropper = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime to drop the test database");
        runtime.block_on(async {
            let mut admin = PgConnection::connect(&server_url).await?;
            sqlx::raw_sql(&sql).execute(&mut admin).await?;
            admin.close().await
        })
    });
    if let Ok(Err(e)) = dropper.join() {
        eprintln!("could not drop test database {name}: {e}");
    }
}

/// `server_url` with its database name replaced by `name` (query parameters kept).
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// Runs plain SQL against the store's database, bypassing the ledger (tamper tests, fixtures).
pub async fn exec_sql(backend: &Backend, sql: &str) -> Result<u64, sqlx::Error> {
    on_pool!(backend, p => sqlx::raw_sql(sql).execute(p).await.map(|r| r.rows_affected()))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_parameters_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
