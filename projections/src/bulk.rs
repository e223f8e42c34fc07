//! Multi-row statements: a batch of read-model rows goes to the database in a few statements
//! rather than one round trip per row, which is what makes a rebuild fast.

/// Rows per statement for a table of `columns` columns: under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound-parameter limits.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (30_000 / columns.max(1)).max(1)
}

/// `INSERT <head> VALUES (..), (..) <tail>` for each chunk of `$rows`, binding each row's
/// fields with `$bind` (a closure taking the `Separated` builder and the row), inside an
/// [`on_tx!`](crate::on_tx) arm where `$conn` is the native connection.
#[macro_export]
macro_rules! insert_rows {
    ($conn:ident, $head:expr, $tail:expr, $rows:expr, $columns:expr, $bind:expr) => {
        for chunk in $rows.chunks($crate::bulk::rows_per_statement($columns)) {
            let mut qb = sqlx::QueryBuilder::new($head);
            qb.push_values(chunk, $bind);
            qb.push($tail);
            qb.build().execute(&mut *$conn).await?;
        }
    };
}
