//! SQLite ledgers whose read models were built before a migration that changed them open with
//! this build and end with read models equal, row for row, to those of a ledger that never had
//! the old schema:
//! - before 0010 (which keeps in the audit trail only what the log does not hold), the
//!   migration empties the read models and moves the checkpoint back, a rebuild stopped
//!   part-way under the old schema is forgotten, and the projector builds them again;
//! - before 0011 (an employee's own events found through their stream), the migration drops the
//!   trail's employee entries for employee events and keeps the checkpoint;
//! - before 0012 (the trail's actor and time indexed in the log), the migration keeps the case
//!   entries of employee events, drops the rest of the trail's table and keeps the checkpoint.

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
const BEFORE_TRAIL_READ_THE_LOG: &str = "0009";
/// The last migration before an employee's own events were found through their stream.
const BEFORE_EMPLOYEE_STREAMS: &str = "0010";
/// The last migration before the trail's actor and time were indexed in the log.
const BEFORE_TRAIL_INDEXED_THE_LOG: &str = "0011";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_from_before_migration_0010_are_rebuilt_equal() {
    let dir = tempfile::tempdir().unwrap();
    let (current, old) = (dir.path().join("current.db"), dir.path().join("old.db"));
    let (head, expected) = ledger_with_read_models(&current).await;

    // The same ledger at the schema before 0010, with read models as that schema held them,
    // and a rebuild stopped with the old time index set aside.
    old_schema(&old, dir.path(), BEFORE_TRAIL_READ_THE_LOG).await;
    let read_models = format!(
        "INSERT INTO audit_trail SELECT position, stream, event_type, NULL, actor, actor_role,
             reason, lower(hex(command_id)), effective_date, 'then' FROM events;
         INSERT INTO projection_checkpoints VALUES ('read_models', {head}, 'then');
         INSERT INTO projection_deferred_indexes SELECT name, sql FROM sqlite_master
             WHERE name = 'audit_by_time';
         DROP INDEX audit_by_time;"
    );
    copy_ledger(&old, &current, &read_models)
        .await
        .close()
        .await
        .unwrap();

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
    let (set_aside,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projection_deferred_indexes")
        .fetch_one(&sqlite_pool(&store))
        .await
        .unwrap();
    assert_eq!(set_aside, 0, "the old time index's record is gone");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employee_entries_from_before_migration_0011_are_dropped_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (current, old) = (dir.path().join("current.db"), dir.path().join("old.db"));
    let (head, expected) = ledger_with_read_models(&current).await;

    // The same ledger and read models at the schema before 0011, whose projector also gave
    // every employee event an entry for its own employee.
    old_schema(&old, dir.path(), BEFORE_EMPLOYEE_STREAMS).await;
    let mut read_models = read_models_before_0012();
    read_models.push_str(
        "INSERT INTO audit_employees (employee_id, position)
             SELECT substr(stream, length('employee-') + 1), position FROM events
             WHERE stream LIKE 'employee-%';",
    );
    let mut conn = copy_ledger(&old, &current, &read_models).await;
    let (old_entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_employees")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let store = opened_in_place(
        &old,
        head,
        &expected,
        "only the employee events' entries went",
    )
    .await;
    let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_employees")
        .fetch_one(&sqlite_pool(&store))
        .await
        .unwrap();
    assert!(
        entries > 0 && old_entries > entries,
        "{old_entries} entries before, {entries} after"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trail_rows_from_before_migration_0012_keep_their_case_entries_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (current, old) = (dir.path().join("current.db"), dir.path().join("old.db"));
    let (head, expected) = ledger_with_read_models(&current).await;
    let case_entries = expected
        .iter()
        .filter(|row| row.starts_with("audit_cases:"))
        .count();
    assert!(
        case_entries > 0,
        "the scenario's employee events name cases"
    );

    // The same ledger and read models at the schema before 0012, with a row per event in the
    // trail's table.
    old_schema(&old, dir.path(), BEFORE_TRAIL_INDEXED_THE_LOG).await;
    let mut conn = copy_ledger(&old, &current, &read_models_before_0012()).await;
    let (old_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_trail")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    assert_eq!(old_rows as u64, head, "the old trail had a row per event");
    let kept = "the employee events' case entries were kept";
    opened_in_place(&old, head, &expected, kept)
        .await
        .close()
        .await;
}

/// SQL, with this build's ledger attached as `current`, that writes its read models as a
/// build before 0012 held them: the trail's table with a row per event, its case taken from
/// the case entries or else from the event's stream.
fn read_models_before_0012() -> String {
    let mut sql: String = tables::TABLES
        .iter()
        .filter(|(table, _)| *table != "audit_cases")
        .map(|(table, _)| format!("INSERT INTO {table} SELECT * FROM current.{table};"))
        .collect();
    sql.push_str(
        "INSERT INTO audit_trail (position, case_id, actor, recorded_at_us)
             SELECT l.position,
                    COALESCE(c.case_id, CASE
                        WHEN l.stream LIKE 'employee-%' OR l.stream LIKE 'organisation-%'
                        THEN NULL ELSE substr(l.stream, instr(l.stream, '-') + 1) END),
                    l.actor, l.recorded_at_us
             FROM current.events l LEFT JOIN current.audit_cases c ON c.position = l.position;",
    );
    sql
}

/// Opens the ledger at `old` with this build, whose migrations must have kept the checkpoint
/// (`head`) and left read models equal to `expected`.
async fn opened_in_place(old: &Path, head: u64, expected: &[String], what: &str) -> EventStore {
    let store = EventStore::open(&url(old)).await.unwrap();
    let read = ReadDb::from(store.backend());
    assert_eq!(
        checkpoint::load(&read).await.unwrap(),
        head,
        "the migration keeps the checkpoint"
    );
    assert_eq!(tables::dump(&read).await.unwrap(), expected, "{what}");
    store
}

fn sqlite_pool(store: &EventStore) -> sqlx::SqlitePool {
    match store.backend() {
        hrledger_store::Backend::Sqlite(pool) => pool,
        _ => unreachable!("a SQLite file"),
    }
}

/// Copies the ledger at `current` into `old` (migrated to an older schema), then runs
/// `read_models`: SQL, with `current` attached, that writes the read models as an older build
/// held them. Returns the connection to `old`.
async fn copy_ledger(old: &Path, current: &Path, read_models: &str) -> sqlx::SqliteConnection {
    let mut conn = SqliteConnectOptions::new()
        .filename(old)
        .connect()
        .await
        .unwrap();
    let copy = format!(
        "ATTACH DATABASE '{}' AS current;
         INSERT INTO events SELECT * FROM current.events;
         INSERT INTO commands SELECT * FROM current.commands;
         UPDATE ledger_head SET (position, hash) =
             (SELECT position, hash FROM current.ledger_head WHERE id = 1) WHERE id = 1;
         {read_models}
         DETACH DATABASE current;",
        current.display()
    );
    sqlx::raw_sql(&copy).execute(&mut conn).await.unwrap();
    conn
}

/// A ledger at `file`, run through a merger programme by this build, and its read models:
/// their checkpoint and their dump.
async fn ledger_with_read_models(file: &Path) -> (u64, Vec<String>) {
    let store = EventStore::open(&url(file)).await.unwrap();
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
    let dump = tables::dump(&read).await.unwrap();
    store.close().await;
    (head, dump)
}

fn url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Creates `file` with the SQLite migrations up to and including `before`, copied byte for byte
/// so that the build's own migrator recognises them as applied.
async fn old_schema(file: &Path, scratch: &Path, before: &str) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let kept = scratch.join(format!("migrations-up-to-{before}"));
    std::fs::create_dir(&kept).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name
            .get(..before.len())
            .is_some_and(|version| version <= before)
        {
            std::fs::copy(&path, kept.join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(kept.as_path()).await.unwrap();
    let count: usize = before.parse().unwrap();
    assert_eq!(migrator.iter().count(), count);
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    migrator.run(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}
