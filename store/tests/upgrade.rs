//! A ledger written before migration 0006 (which dropped the `streams` table and two unread
//! indexes) opens with this build: its chain verifies, its commands replay, and its streams'
//! versions are where the old `streams` table said, so optimistic concurrency carries over.

mod common;

use std::path::Path;

use common::append;
use hrledger_store::{EventStore, ExpectedVersion, StoreError, StreamPosition, Verification};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The last migration before stream versions came from the events themselves.
const BEFORE: &str = "0005";

#[tokio::test]
async fn a_ledger_from_before_migration_0006_keeps_its_chain_commands_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let (current, old) = (dir.path().join("current.db"), dir.path().join("old.db"));

    // A ledger written by this build: a hash chain and command results to carry over.
    let store = EventStore::open(&url(&current)).await.unwrap();
    let first = append("case-1", ExpectedVersion::NoStream, 2);
    store.append(first.clone()).await.unwrap();
    store
        .append(append("case-1", ExpectedVersion::Exact(1), 1))
        .await
        .unwrap();
    store
        .append(append("employee-1", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    store.close().await;

    // The same rows in a database at the schema before 0006, with the `streams` table the
    // writer kept then.
    old_schema(&old, dir.path()).await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&old)
        .connect()
        .await
        .unwrap();
    let copy = format!(
        "ATTACH DATABASE '{}' AS current; \
         INSERT INTO events SELECT * FROM current.events; \
         INSERT INTO commands SELECT * FROM current.commands; \
         UPDATE ledger_head SET position = h.position, hash = h.hash FROM current.ledger_head h; \
         INSERT INTO streams SELECT stream, max(version) FROM events GROUP BY stream; \
         DETACH DATABASE current;",
        current.display()
    );
    sqlx::raw_sql(&copy).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();

    let store = EventStore::open(&url(&old)).await.unwrap();
    assert!(matches!(
        store.verify(1, None).await.unwrap(),
        Verification::Intact { checked: 4, .. }
    ));
    assert!(store.append(first).await.unwrap().replayed);
    assert_eq!(
        store.stream_version("case-1").await.unwrap(),
        StreamPosition::At(2)
    );
    let stale = store
        .append(append("case-1", ExpectedVersion::Exact(1), 1))
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict {
                actual: StreamPosition::At(2),
                ..
            })
        ),
        "{stale:?}"
    );
    let next = store
        .append(append("case-1", ExpectedVersion::Exact(2), 1))
        .await
        .unwrap();
    assert_eq!(next.first_position, 5);
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE name IN ('streams', 'events_command')",
    )
    .fetch_all(&sqlite_pool(&store))
    .await
    .unwrap();
    assert!(tables.is_empty(), "{tables:?}");
    store.close().await;
}

fn url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

fn sqlite_pool(store: &EventStore) -> sqlx::SqlitePool {
    match store.backend() {
        hrledger_store::Backend::Sqlite(pool) => pool,
        _ => unreachable!("a SQLite file"),
    }
}

/// Creates `file` with the SQLite migrations up to [`BEFORE`], copied byte for byte so that
/// the build's own migrator recognises them as applied.
async fn old_schema(file: &Path, scratch: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let kept = scratch.join("migrations-before-0006");
    std::fs::create_dir(&kept).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name
            .get(..BEFORE.len())
            .is_some_and(|version| version <= BEFORE)
        {
            std::fs::copy(&path, kept.join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(kept.as_path()).await.unwrap();
    assert_eq!(migrator.iter().count(), 5);
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    migrator.run(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}
