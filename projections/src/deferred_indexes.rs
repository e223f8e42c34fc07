//! Secondary indexes a PostgreSQL rebuild builds once, from the loaded rows, instead of
//! updating them for every row it inserts.
//!
//! Inserting into an index on random keys (employee ids) or on many keys at once costs
//! PostgreSQL a page read and write per row; building the index afterwards is one sort
//! (BENCHMARKS.md, session 6, has the rebuild before and after). On SQLite setting them aside
//! showed no gain (its appends to these indexes land at the end of each key's range), so
//! SQLite keeps them in place.
//!
//! The set-aside is durable: the definitions are recorded in `projection_deferred_indexes` in
//! the transaction that drops them, and restored in the transaction that deletes the record.

use sqlx::{Postgres, Transaction};

use crate::db::ReadDb;
use crate::ProjectionError;

/// The indexes only readers use: a rebuild never looks rows up through them. (The payroll
/// feed's by-employee index stays: a rebuild reads an employee's changes back through it.)
const DEFERRED: &[&str] = &[
    "audit_by_actor",
    "audit_by_case",
    "audit_by_time",
    "audit_employees_by_employee",
    "staff_records_by_employer",
];

/// Records and drops the deferred indexes, in the transaction that empties the read models.
pub(crate) async fn set_aside(tx: &mut Transaction<'static, Postgres>) -> Result<(), sqlx::Error> {
    for name in DEFERRED {
        // The definition as the catalog holds it. None when a stopped rebuild set it aside
        // already: its recorded definition stays.
        sqlx::query(
            "INSERT INTO projection_deferred_indexes (name, definition) \
             SELECT indexname, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname = $1 \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .execute(&mut **tx)
        .await?;
        sqlx::query(&format!("DROP INDEX IF EXISTS {name}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Builds every index set aside, and forgets it, in one transaction.
pub(crate) async fn restore(db: &ReadDb) -> Result<(), ProjectionError> {
    let ReadDb::Postgres(pool) = db else {
        return Ok(());
    };
    let mut tx = pool.begin().await?;
    let set_aside: Vec<(String, String)> =
        sqlx::query_as("SELECT name, definition FROM projection_deferred_indexes ORDER BY name")
            .fetch_all(&mut *tx)
            .await?;
    for (name, definition) in set_aside {
        sqlx::query(&definition).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM projection_deferred_indexes WHERE name = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        tracing::info!(index = %name, "read-model index built after the rebuild");
    }
    tx.commit().await?;
    Ok(())
}
