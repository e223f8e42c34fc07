//! Upserting many rows on PostgreSQL in one statement over arrays: each column's values are
//! bound as one array and `UNNEST` turns them back into rows.
//!
//! A multi-row `VALUES` list binds every value as a parameter of its own, so a batch of staff
//! records (twenty columns) went as statements of 1,500 rows and 30,000 parameters, each parsed
//! and planned anew; that was the largest part of a PostgreSQL rebuild batch's writing time.
//! Here the statement has one parameter per column, however many rows it carries.

use sqlx::PgConnection;

use crate::append::{AppendRow, Cell};

/// One column's values, in the type its array is bound as.
enum Column<'a> {
    Text(Vec<Option<&'a str>>),
    Int(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
}

impl<'a> Column<'a> {
    /// An empty column of the cell's type (a NULL cell still says which type it is).
    fn of(cell: &Cell<'_>, rows: usize) -> Self {
        match cell {
            Cell::Text(_) => Column::Text(Vec::with_capacity(rows)),
            Cell::Int(_) => Column::Int(Vec::with_capacity(rows)),
            Cell::Real(_) => Column::Real(Vec::with_capacity(rows)),
        }
    }

    fn push(&mut self, cell: Cell<'a>) {
        match (self, cell) {
            (Column::Text(v), Cell::Text(t)) => v.push(t),
            (Column::Int(v), Cell::Int(n)) => v.push(n),
            (Column::Real(v), Cell::Real(x)) => v.push(x),
            _ => unreachable!("a row's cells keep their column's type"),
        }
    }

    fn array_type(&self) -> &'static str {
        match self {
            Column::Text(_) => "text[]",
            Column::Int(_) => "int8[]",
            Column::Real(_) => "float8[]",
        }
    }
}

/// Runs `{head} SELECT * FROM UNNEST(..) {tail}` with `rows` bound column by column: `head`
/// names the table and its columns in the order of the rows' cells (`INSERT INTO t (a, b) `),
/// `tail` is what follows the rows (`ON CONFLICT ...`).
pub(crate) async fn upsert<R: AppendRow>(
    conn: &mut PgConnection,
    head: &str,
    tail: &str,
    rows: &[R],
) -> Result<(), sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let mut columns: Vec<Column> = first
        .cells()
        .iter()
        .map(|c| Column::of(c, rows.len()))
        .collect();
    for row in rows {
        for (column, cell) in columns.iter_mut().zip(row.cells()) {
            column.push(cell);
        }
    }
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}", i + 1, c.array_type()))
        .collect();
    let sql = format!("{head}SELECT * FROM UNNEST({}){tail}", arrays.join(", "));
    let mut query = sqlx::query(&sql);
    for column in columns {
        query = match column {
            Column::Text(v) => query.bind(v),
            Column::Int(v) => query.bind(v),
            Column::Real(v) => query.bind(v),
        };
    }
    query.execute(conn).await?;
    Ok(())
}
