//! Writing rows on SQLite with one prepared single-row statement stepped per row, on the batch
//! transaction's own connection.
//!
//! Through sqlx, a multi-row INSERT binds every value as an owned copy, hands the statement to
//! the connection's worker thread and parses a statement text of thousands of placeholders; in
//! a rebuild that, not SQLite's own work, bounded the writer. Here sqlx lends us the
//! connection's handle (its worker waits meanwhile) and the rows are bound straight from our
//! strings. The transaction is still sqlx's: these statements are part of it, and it commits
//! or rolls back with everything else in the batch.

use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::SqliteConnection;

use crate::append::{AppendRow, Cell};
use crate::ProjectionError;

impl rusqlite::ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Cell::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Cell::Int(Some(n)) => ValueRef::Integer(n),
            Cell::Real(Some(x)) => ValueRef::Real(x),
            Cell::Text(None) | Cell::Int(None) | Cell::Real(None) => ValueRef::Null,
        }))
    }
}

/// Appends `rows` to `table` (`"name (col, col, ...)"`, `columns` of them) in the open
/// transaction on `conn`.
pub(crate) async fn append_rows<R: AppendRow>(
    conn: &mut SqliteConnection,
    table: &str,
    columns: usize,
    rows: &[R],
) -> Result<(), ProjectionError> {
    let sql = format!("INSERT INTO {table} VALUES ({})", placeholders(columns));
    execute_rows(conn, &sql, rows).await
}

/// Runs `sql` (one statement, `?1`.. for a row's cells) once per row of `rows` in the open
/// transaction on `conn`.
pub(crate) async fn execute_rows<R: AppendRow>(
    conn: &mut SqliteConnection,
    sql: &str,
    rows: &[R],
) -> Result<(), ProjectionError> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    on_this_thread(|| {
        // SAFETY: the handle is sqlx's open connection, lent to us exclusively while `handle`
        // (its lock) lives, which outlasts `borrowed`; a connection made with `from_handle`
        // never closes the handle, and dropping it finalises only the statement it prepared.
        let borrowed = unsafe { rusqlite::Connection::from_handle(db.as_ptr()) }?;
        let mut insert = borrowed.prepare(sql)?;
        for row in rows {
            insert.execute(rusqlite::params_from_iter(row.cells()))?;
        }
        Ok(())
    })
}

pub(crate) fn placeholders(columns: usize) -> String {
    (1..=columns)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs SQLite work that takes a while on the current task's thread, first moving the
/// runtime's other tasks to other threads where the runtime has them (a live API server), so
/// they do not wait behind a write.
fn on_this_thread<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_from_one() {
        assert_eq!(placeholders(3), "?1, ?2, ?3");
    }
}
