//! The read-model tables as a whole: emptying them for a rebuild, and a canonical dump used to
//! prove that a live-built set equals a rebuilt one row for row.

use sqlx::Row;

use crate::db::{ReadDb, ReadTx};
use crate::{on_pool, ProjectionError};

/// Every read-model table with the key that orders its rows, checkpoint last.
pub const TABLES: &[(&str, &str)] = &[
    ("staff_records", "employee_id"),
    ("staff_changes", "position"),
    ("cases", "case_id"),
    ("deadlines", "deadline_id"),
    ("audit_cases", "position"),
    ("audit_employees", "employee_id, position"),
    ("programmes", "programme_id"),
    ("case_programme_links", "case_id"),
    ("projection_checkpoints", "name"),
];

/// Empties every read model in one transaction, for a rebuild. PostgreSQL's TRUNCATE frees the
/// tables' space at once, where DELETE would log every row and leave it dead for vacuum;
/// SQLite's DELETE without WHERE is its own truncate. In the same transaction, on both, the
/// indexes only readers use are set aside, to be built after the replay (see
/// `deferred_indexes`).
pub async fn truncate_all(db: &ReadDb) -> Result<(), ProjectionError> {
    let names: Vec<&str> = TABLES.iter().map(|(table, _)| *table).collect();
    let mut tx = db.begin().await?;
    match &mut tx {
        ReadTx::Postgres(t) => {
            let sql = format!("TRUNCATE {}", names.join(", "));
            sqlx::query(&sql).execute(&mut **t).await?;
        }
        ReadTx::Sqlite(t) => {
            for table in names {
                let sql = format!("DELETE FROM {table}");
                sqlx::query(&sql).execute(&mut **t).await?;
            }
        }
    }
    crate::deferred_indexes::set_aside(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Every row of every read model (except the checkpoint's timestamp) as text, in key order.
/// Two databases with equal dumps hold the same read models.
pub async fn dump(db: &ReadDb) -> Result<Vec<String>, ProjectionError> {
    let mut out = Vec::new();
    for (table, key) in TABLES {
        let columns = if *table == "projection_checkpoints" {
            "name, position".to_string()
        } else {
            "*".to_string()
        };
        let sql = format!("SELECT {columns} FROM {table} ORDER BY {key}");
        let rows: Vec<String> = on_pool!(db, pool => {
            sqlx::query(&sql)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    let cells: Vec<String> = (0..row.len()).map(|i| cell_text(row, i)).collect();
                    format!("{table}: {}", cells.join(" | "))
                })
                .collect()
        });
        out.extend(rows);
    }
    Ok(out)
}

/// A cell as text whatever its type (text, integer, real or NULL).
fn cell_text<R: Row>(row: &R, i: usize) -> String
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.unwrap_or_else(|| "NULL".into());
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or("NULL".into(), |v| v.to_string());
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or("NULL".into(), |v| v.to_string());
    }
    "?".into()
}
