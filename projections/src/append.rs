//! Appending rows to the read models that only ever grow (audit trail, payroll feed): prepared
//! single-row INSERTs on SQLite (see `sqlite_rows`), `COPY ... FROM STDIN` on PostgreSQL, where
//! a multi-row INSERT of thousands of rows costs the server far more than the same rows copied.

use std::io::Write;

use sqlx::PgConnection;

use crate::db::ReadTx;
use crate::ProjectionError;

/// One column's value.
#[derive(Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// A row that can be appended: its cells in the order of the table's column list.
pub(crate) trait AppendRow {
    fn cells(&self) -> Vec<Cell<'_>>;
}

impl<R: AppendRow> AppendRow for &R {
    fn cells(&self) -> Vec<Cell<'_>> {
        (**self).cells()
    }
}

/// Appends `rows` to `table` (`"name (col, col, ...)"`, `columns` of them).
pub(crate) async fn append<R: AppendRow>(
    tx: &mut ReadTx,
    table: &str,
    columns: usize,
    rows: &[R],
) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    match tx {
        ReadTx::Sqlite(t) => crate::sqlite_rows::append_rows(t, table, columns, rows).await?,
        ReadTx::Postgres(t) => copy_in(t, table, rows).await?,
    }
    Ok(())
}

/// Rows sent per COPY message: bounded memory for any batch size.
const COPY_CHUNK: usize = 1 << 20;

async fn copy_in<R: AppendRow>(
    conn: &mut PgConnection,
    table: &str,
    rows: &[R],
) -> Result<(), sqlx::Error> {
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} FROM STDIN"))
        .await?;
    let mut data = Vec::with_capacity(COPY_CHUNK);
    for row in rows {
        copy_row(&mut data, row);
        if data.len() >= COPY_CHUNK {
            copy.send(std::mem::take(&mut data)).await?;
        }
    }
    if !data.is_empty() {
        copy.send(data).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// One line of COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row<R: AppendRow>(out: &mut Vec<u8>, row: &R) {
    for (i, cell) in row.cells().into_iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match cell {
            Cell::Text(Some(text)) => escape_into(out, text),
            Cell::Int(Some(n)) => write!(out, "{n}").expect("writing to a Vec cannot fail"),
            Cell::Real(Some(x)) => write!(out, "{x}").expect("writing to a Vec cannot fail"),
            Cell::Text(None) | Cell::Int(None) | Cell::Real(None) => out.extend_from_slice(b"\\N"),
        }
    }
    out.push(b'\n');
}

/// Copies `text` in runs between the bytes COPY needs escaped: byte by byte, this was 12% of
/// the projector's samples in a profile of a PostgreSQL rebuild (BENCHMARKS.md, session 10).
fn escape_into(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut run = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let escaped: &[u8] = match byte {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(escaped);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

#[cfg(test)]
mod tests {
    use super::{copy_row, AppendRow, Cell};

    struct Row(&'static str, Option<i64>);

    impl AppendRow for Row {
        fn cells(&self) -> Vec<Cell<'_>> {
            vec![
                Cell::Text(Some(self.0)),
                Cell::Int(self.1),
                Cell::Text(None),
            ]
        }
    }

    #[test]
    fn copy_text_escapes_separators_and_marks_nulls() {
        let mut out = Vec::new();
        copy_row(&mut out, &Row("a\tb\\c\nd\re", Some(-7)));
        copy_row(&mut out, &Row("", None));
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re\t-7\t\\N\n\t\\N\t\\N\n".to_vec());
    }
}
