//! Secondary indexes a rebuild builds once, from the loaded rows, instead of updating them for
//! every row it inserts.
//!
//! Index entries on random keys (employee ids, case ids) land on a different page per row: each
//! batch dirties pages all over the index, and every dirty page is written to the log at the
//! batch's commit (and on SQLite again into the file at the checkpoint). Building the index
//! afterwards is one sort. On a 1,018,368-event SQLite ledger the rebuild took 22.5 s with
//! these indexes in place, and 17.5–18.2 s with them set aside and built at the end
//! (BENCHMARKS.md, session 10; PostgreSQL's figures are in session 6).
//!
//! The set-aside is durable: the definitions are recorded in `projection_deferred_indexes` in
//! the transaction that drops them, and restored in the transaction that deletes the record.

use crate::db::{ReadDb, ReadTx, BATCH_CACHE_KIB};
use crate::{on_pool, on_tx, ProjectionError};

/// The indexes only readers use: a rebuild never looks rows up through them. The table keys
/// stay: staff records and cases are upserted through theirs.
const DEFERRED: &[&str] = &[
    "audit_cases_by_case",
    crate::audit_trail::AUDIT_EMPLOYEE_INDEX,
    "staff_changes_by_employee",
    "staff_records_by_employer",
];

/// The statement that records an index's definition, from the engine's catalog. It records
/// nothing when a stopped rebuild set the index aside already: its recorded definition stays.
fn record_definition(tx: &ReadTx) -> &'static str {
    match tx {
        ReadTx::Postgres(_) => {
            "INSERT INTO projection_deferred_indexes (name, definition) \
             SELECT indexname, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname = $1 \
             ON CONFLICT (name) DO NOTHING"
        }
        ReadTx::Sqlite(_) => {
            "INSERT INTO projection_deferred_indexes (name, definition) \
             SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name = $1 \
             ON CONFLICT (name) DO NOTHING"
        }
    }
}

/// Records and drops the deferred indexes, in the transaction that empties the read models.
pub(crate) async fn set_aside(tx: &mut ReadTx) -> Result<(), sqlx::Error> {
    let record = record_definition(tx);
    for name in DEFERRED {
        on_tx!(tx, conn => {
            sqlx::query(record).bind(name).execute(&mut *conn).await?;
            sqlx::query(&format!("DROP INDEX IF EXISTS {name}"))
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(())
}

/// Whether a rebuild has set the index `name` aside and it is still to be built.
pub(crate) async fn is_set_aside(db: &ReadDb, name: &str) -> Result<bool, ProjectionError> {
    let (found,): (i64,) = on_pool!(db, pool => {
        sqlx::query_as("SELECT COUNT(*) FROM projection_deferred_indexes WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await?
    });
    Ok(found > 0)
}

/// Builds every index set aside, and forgets it, in one transaction; then copies what the
/// rebuild left in SQLite's WAL into the file (the batch connection does not checkpoint in its
/// commits, see `sqlite_file`), so a rebuild ends with its rows and indexes in place.
pub(crate) async fn restore(db: &ReadDb) -> Result<(), ProjectionError> {
    let mut tx = db.begin().await?;
    let set_aside: Vec<(String, String)> = on_tx!(&mut tx, conn => {
        sqlx::query_as("SELECT name, definition FROM projection_deferred_indexes ORDER BY name")
            .fetch_all(&mut *conn)
            .await?
    });
    if set_aside.is_empty() {
        // The usual start: nothing to build, and the batch connection's cache stays warm.
        return Ok(());
    }
    sort_in_parallel(db, &mut tx, true).await?;
    let built = build(&mut tx, &set_aside).await;
    // Put back even if a build failed: the connection goes on committing batches.
    sort_in_parallel(db, &mut tx, false).await?;
    built?;
    tx.commit().await?;
    db.checkpoint().await
}

/// Runs each recorded definition and deletes its record, in `tx`.
async fn build(tx: &mut ReadTx, set_aside: &[(String, String)]) -> Result<(), sqlx::Error> {
    for (name, definition) in set_aside {
        on_tx!(tx, conn => {
            sqlx::query(definition).execute(&mut *conn).await?;
            sqlx::query("DELETE FROM projection_deferred_indexes WHERE name = $1")
                .bind(name)
                .execute(&mut *conn)
                .await?;
        });
        tracing::info!(index = %name, "read-model index built after the rebuild");
    }
    Ok(())
}

/// The page cache, in KiB, while SQLite builds the indexes: also the size of the sorted runs
/// its sorter writes before merging them.
const SORT_RUN_KIB: u32 = 4_096;

/// Lets SQLite's sorter use every core, or puts the batch connection's settings back.
///
/// SQLite sorts on worker threads only runs it has spilled, and it spills a run when the page
/// cache's worth of keys is in memory. With the batch connection's 256 MiB cache each index was
/// sorted in one piece on one core while the other waited. With 4 MiB runs and a worker per
/// core, the five largest indexes of a 1,018,368-event ledger built in 2.70–2.73 s against
/// 3.48–3.58 s (BENCHMARKS.md, session 12). PostgreSQL plans its own parallel builds.
///
/// The runs must spill to temporary files: with `temp_store = MEMORY` (the store's setting,
/// for statement journals) SQLite's sorter starts no worker at all. The six indexes built in
/// 2.40–2.76 s with temporary files against 4.26–4.30 s in memory (session 13). The files are
/// the operating system's to cache, and are deleted as the sort ends.
/// Only the file's batch connection is set: an in-memory database keeps every page in its cache.
async fn sort_in_parallel(db: &ReadDb, tx: &mut ReadTx, parallel: bool) -> Result<(), sqlx::Error> {
    let (ReadDb::Sqlite(_, Some(_)), ReadTx::Sqlite(conn)) = (db, tx) else {
        return Ok(());
    };
    let (threads, cache_kib, temp_store) = if parallel {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (cores, SORT_RUN_KIB, "FILE")
    } else {
        (0, BATCH_CACHE_KIB, "MEMORY")
    };
    for pragma in [
        format!("PRAGMA threads = {threads}"),
        format!("PRAGMA cache_size = -{cache_kib}"),
        format!("PRAGMA temp_store = {temp_store}"),
    ] {
        sqlx::query(&pragma).execute(&mut **conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use hrledger_store::testing::TestDb;
    use hrledger_store::EventStore;

    use super::*;

    /// (threads, cache_size, temp_store) of the connection `tx` runs on.
    async fn settings_in(tx: &mut ReadTx) -> (i64, i64, i64) {
        let ReadTx::Sqlite(conn) = tx else {
            unreachable!("a SQLite file")
        };
        let mut out = Vec::new();
        for pragma in ["threads", "cache_size", "temp_store"] {
            let (value,): (i64,) = sqlx::query_as(&format!("PRAGMA {pragma}"))
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            out.push(value);
        }
        (out[0], out[1], out[2])
    }

    /// The batch connection's settings between transactions.
    async fn settings(db: &ReadDb) -> (i64, i64, i64) {
        let mut tx = db.begin().await.unwrap();
        let found = settings_in(&mut tx).await;
        tx.commit().await.unwrap();
        found
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn indexes_are_sorted_in_temporary_files_and_the_batch_settings_come_back() {
        let test_db = TestDb::sqlite().await;
        let store = EventStore::open(test_db.url()).await.unwrap();
        let db = ReadDb::from(store.backend());
        let batch = (0, -i64::from(BATCH_CACHE_KIB), 2); // temp_store 2: MEMORY
        assert_eq!(settings(&db).await, batch);

        let mut tx = db.begin().await.unwrap();
        set_aside(&mut tx).await.unwrap();
        sort_in_parallel(&db, &mut tx, true).await.unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
        // SQLite caps its workers at 8; temp_store 1 (FILE): only then does it start them.
        let sorting = (cores.min(8), -i64::from(SORT_RUN_KIB), 1);
        assert_eq!(settings_in(&mut tx).await, sorting);
        sort_in_parallel(&db, &mut tx, false).await.unwrap();
        assert_eq!(settings_in(&mut tx).await, batch);
        tx.commit().await.unwrap();

        // A whole restore of the indexes set aside ends with the batch settings too.
        assert!(is_set_aside(&db, "audit_cases_by_case").await.unwrap());
        restore(&db).await.unwrap();
        assert!(!is_set_aside(&db, "audit_cases_by_case").await.unwrap());
        assert_eq!(settings(&db).await, batch);
        store.close().await;
    }
}
