//! `Checkpoint`: how far the read models have got in the global log. Written in the same
//! transaction as the read-model changes it covers, so after a crash the read models and the
//! checkpoint agree: nothing is lost and nothing is applied twice.

use crate::db::{time_text, ReadDb, ReadTx};
use crate::{on_pool, on_tx};

/// The one projection name: all read models move together, so they are always mutually
/// consistent (a staff record and its payroll feed never disagree).
pub const READ_MODELS: &str = "read_models";

pub async fn load(db: &ReadDb) -> Result<u64, sqlx::Error> {
    let row: Option<(i64,)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT position FROM projection_checkpoints WHERE name = $1")
            .bind(READ_MODELS)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map_or(0, |(p,)| p as u64))
}

pub async fn save(tx: &mut ReadTx, position: u64) -> Result<(), sqlx::Error> {
    let now = time_text(chrono::Utc::now());
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
        )
        .bind(READ_MODELS)
        .bind(position as i64)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}
