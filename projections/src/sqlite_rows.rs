//! Writing rows on SQLite with one prepared single-row statement stepped per row, on the batch
//! transaction's own connection.
//!
//! Through sqlx, a multi-row INSERT binds every value as an owned copy, hands the statement to
//! the connection's worker thread and parses a statement text of thousands of placeholders; in
//! a rebuild that, not SQLite's own work, bounded the writer. Here sqlx lends us the
//! connection's handle (its worker waits meanwhile) and the rows are bound straight from our
//! strings, without SQLite copying them either (see [`RowStatement`]). The transaction is
//! still sqlx's: these statements are part of it, and it commits or rolls back with everything
//! else in the batch.

use std::ffi::{c_int, CString};
use std::ptr::NonNull;

use rusqlite::ffi;
use sqlx::SqliteConnection;

use crate::append::{AppendRow, Cell};
use crate::ProjectionError;

/// Rows one INSERT statement takes. Stepping a statement per row cost SQLite a statement's
/// start and end (its VDBE program set up, halted and reset) for every row, most of the work
/// of inserting a two-column row; a statement of several rows spreads that over them.
const ROWS_PER_STATEMENT: usize = 64;

/// Appends `rows` to `table` (`"name (col, col, ...)"`, `columns` of them) in the open
/// transaction on `conn`: [`ROWS_PER_STATEMENT`] rows a statement, the rest one by one.
pub(crate) async fn append_rows<R: AppendRow>(
    conn: &mut SqliteConnection,
    table: &str,
    columns: usize,
    rows: &[R],
) -> Result<(), ProjectionError> {
    let one = format!("INSERT INTO {table} VALUES {}", row_values(columns, 1));
    let many: Vec<String> = (0..ROWS_PER_STATEMENT)
        .map(|i| row_values(columns, i * columns + 1))
        .collect();
    let many = format!("INSERT INTO {table} VALUES {}", many.join(", "));
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    on_this_thread(|| {
        let mut groups = rows.chunks_exact(ROWS_PER_STATEMENT);
        if rows.len() >= ROWS_PER_STATEMENT {
            // SAFETY: as in `execute_rows`.
            let mut statement = unsafe { RowStatement::prepare(db, &many) }?;
            for group in &mut groups {
                for (i, row) in group.iter().enumerate() {
                    statement.bind(i * columns, &row.cells())?;
                }
                statement.step()?;
            }
        }
        // SAFETY: as in `execute_rows`.
        let mut statement = unsafe { RowStatement::prepare(db, &one) }?;
        for row in groups.remainder() {
            statement.run(&row.cells())?;
        }
        Ok(())
    })
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
        // (its lock) lives, which outlasts the statement; `rows` outlive it too, as binding
        // their text without a copy requires.
        let mut statement = unsafe { RowStatement::prepare(db, sql) }?;
        for row in rows {
            statement.run(&row.cells())?;
        }
        Ok(())
    })
}

/// A prepared statement that binds a row's text where it lies (`SQLITE_STATIC`).
///
/// rusqlite binds every text as `SQLITE_TRANSIENT`, which makes SQLite allocate and copy each
/// value before the row is inserted: in a profile of a rebuild that copy was 6% of all samples,
/// on the writer, which every batch waits for (BENCHMARKS.md, session 11).
struct RowStatement {
    db: NonNull<ffi::sqlite3>,
    statement: NonNull<ffi::sqlite3_stmt>,
}

impl RowStatement {
    /// # Safety
    /// `db` must be an open connection used by nothing else while the statement lives.
    unsafe fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Self, ProjectionError> {
        let text = CString::new(sql).expect("read-model SQL holds no NUL");
        let mut statement = std::ptr::null_mut();
        let code = ffi::sqlite3_prepare_v2(
            db.as_ptr(),
            text.as_ptr(),
            -1,
            &mut statement,
            std::ptr::null_mut(),
        );
        check(db, code)?;
        let statement = NonNull::new(statement).expect("a prepared statement");
        Ok(RowStatement { db, statement })
    }

    /// Binds `cells` to `?1`.. and steps the statement once. The texts must stay alive until
    /// they are bound over or the statement is finalised: the rows are borrowed for longer.
    fn run(&mut self, cells: &[Cell<'_>]) -> Result<(), ProjectionError> {
        self.bind(0, cells)?;
        self.step()
    }

    /// Binds `cells` to the parameters after the first `offset`, as [`RowStatement::run`] does.
    fn bind(&mut self, offset: usize, cells: &[Cell<'_>]) -> Result<(), ProjectionError> {
        let s = self.statement.as_ptr();
        for (i, cell) in cells.iter().enumerate() {
            let at = (offset + i) as c_int + 1;
            // SAFETY: `s` is a live statement; SQLITE_STATIC text is read, never freed.
            let code = unsafe {
                match *cell {
                    Cell::Text(Some(text)) => ffi::sqlite3_bind_text(
                        s,
                        at,
                        text.as_ptr().cast(),
                        text.len() as c_int,
                        ffi::SQLITE_STATIC(),
                    ),
                    Cell::Int(Some(n)) => ffi::sqlite3_bind_int64(s, at, n),
                    Cell::Real(Some(x)) => ffi::sqlite3_bind_double(s, at, x),
                    Cell::Text(None) | Cell::Int(None) | Cell::Real(None) => {
                        ffi::sqlite3_bind_null(s, at)
                    }
                }
            };
            check(self.db, code)?;
        }
        Ok(())
    }

    /// Steps the statement once, with what is bound, and resets it for the next step.
    fn step(&mut self) -> Result<(), ProjectionError> {
        let s = self.statement.as_ptr();
        // SAFETY: as above; a statement is reset before it is stepped again.
        let stepped = unsafe { ffi::sqlite3_step(s) };
        let reset = unsafe { ffi::sqlite3_reset(s) };
        check(self.db, stepped)?;
        check(self.db, reset)
    }
}

impl Drop for RowStatement {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `prepare` and is finalised once.
        unsafe { ffi::sqlite3_finalize(self.statement.as_ptr()) };
    }
}

/// SQLite's result `code` as an error with the connection's message, if it is one.
fn check(db: NonNull<ffi::sqlite3>, code: c_int) -> Result<(), ProjectionError> {
    if code == ffi::SQLITE_OK || code == ffi::SQLITE_DONE || code == ffi::SQLITE_ROW {
        return Ok(());
    }
    // SAFETY: `db` is open; its message is copied before anything else runs on it.
    let message = unsafe {
        std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr()))
            .to_string_lossy()
            .into_owned()
    };
    Err(rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(message)).into())
}

pub(crate) fn placeholders(columns: usize) -> String {
    (1..=columns)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row's `(?first, ?first+1, ...)`, `columns` of them.
fn row_values(columns: usize, first: usize) -> String {
    let numbers: Vec<String> = (first..first + columns).map(|i| format!("?{i}")).collect();
    format!("({})", numbers.join(", "))
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
    use super::{placeholders, row_values};

    #[test]
    fn placeholders_are_numbered_from_one() {
        assert_eq!(placeholders(3), "?1, ?2, ?3");
    }

    #[test]
    fn a_row_of_a_multi_row_statement_takes_the_next_numbers() {
        assert_eq!(row_values(2, 1), "(?1, ?2)");
        assert_eq!(row_values(2, 3), "(?3, ?4)");
    }
}
