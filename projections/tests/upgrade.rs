//! A SQLite ledger whose read models were built before migration 0010 (which keeps in the audit
//! trail only what the log does not hold) opens with this build: the migration empties the
//! read models and moves the checkpoint back, a rebuild stopped part-way under the old schema
//! is forgotten, and the projector builds read models equal, row for row, to those of a ledger
//! that never had the old schema.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use hrledger_commands::scenario::{merger_programme, ScenarioConfig};
use hrledger_commands::{Actor, Ledger, Role};
use hrledger_projections::{checkpoint, tables, Projector, ReadDb, Until};
use hrledger_store::EventStore;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The last migration before the audit trail read the log.
const BEFORE: &str = "0009";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_from_before_migration_0010_are_rebuilt_equal() {
    let dir = tempfile::tempdir().unwrap();
    let (current, old) = (dir.path().join("current.db"), dir.path().join("old.db"));

    // A ledger and its read models, written by this build.
    let store = EventStore::open(&url(&current)).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    let ledger = Ledger::with_clock(store.clone(), Arc::new(move || now));
    let scenario = merger_programme(ScenarioConfig {
        staff_per_organisation: 3,
        ..ScenarioConfig::default()
    });
    let adviser = Actor::new("adviser@shire.example", Role::HrAdviser);
    scenario.run(&ledger, &adviser).await.unwrap();
    let read = ReadDb::from(store.backend());
    let head = Projector::new(store.clone(), read.clone())
        .run(Until::Head)
        .await
        .unwrap();
    let expected = tables::dump(&read).await.unwrap();
    store.close().await;

    // The same ledger at the schema before 0010, with read models as that schema held them,
    // and a rebuild stopped with the old time index set aside.
    old_schema(&old, dir.path()).await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&old)
        .connect()
        .await
        .unwrap();
    let copy = format!(
        "ATTACH DATABASE '{}' AS current;
         INSERT INTO events SELECT * FROM current.events;
         INSERT INTO commands SELECT * FROM current.commands;
         UPDATE ledger_head SET (position, hash) =
             (SELECT position, hash FROM current.ledger_head WHERE id = 1) WHERE id = 1;
         INSERT INTO audit_trail SELECT position, stream, event_type, NULL, actor, actor_role,
             reason, lower(hex(command_id)), effective_date, 'then' FROM events;
         INSERT INTO projection_checkpoints VALUES ('read_models', {head}, 'then');
         INSERT INTO projection_deferred_indexes SELECT name, sql FROM sqlite_master
             WHERE name = 'audit_by_time';
         DROP INDEX audit_by_time;
         DETACH DATABASE current;",
        current.display()
    );
    sqlx::raw_sql(&copy).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();

    let store = EventStore::open(&url(&old)).await.unwrap();
    let read = ReadDb::from(store.backend());
    assert_eq!(
        checkpoint::load(&read).await.unwrap(),
        0,
        "the migration moved the checkpoint back"
    );
    let mut projector = Projector::new(store.clone(), read.clone());
    assert_eq!(projector.run(Until::Head).await.unwrap(), head);
    assert_eq!(tables::dump(&read).await.unwrap(), expected);
    let pool = match store.backend() {
        hrledger_store::Backend::Sqlite(pool) => pool,
        _ => unreachable!("a SQLite file"),
    };
    let (set_aside,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projection_deferred_indexes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(set_aside, 0, "the old time index's record is gone");
    store.close().await;
}

fn url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Creates `file` with the SQLite migrations up to [`BEFORE`], copied byte for byte so that
/// the build's own migrator recognises them as applied.
async fn old_schema(file: &Path, scratch: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let kept = scratch.join("migrations-before-0010");
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
    assert_eq!(migrator.iter().count(), 9);
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    migrator.run(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}
