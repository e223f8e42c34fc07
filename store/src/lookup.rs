//! SQLite: reading what a batch needs — the chain head and, for its command ids and streams,
//! what the database already holds — in one multi-statement text, so it costs one hop to
//! sqlx's worker thread instead of one per statement. The batch's opening text also begins
//! the transaction with `BEGIN IMMEDIATE` first, so the lookups see the database as it is
//! under the write lock. (PostgreSQL reads the same in one prepared statement after the lock;
//! see `write_conn`.)

use sqlx::{Either, FromRow, Row};
use uuid::Uuid;

use crate::plan::Known;
use crate::validate::ValidAppend;
use crate::write_conn::ChainHead;

/// Keys per `IN (...)` list on SQLite, well under its parameter limit.
const IN_CHUNK: usize = 1000;

/// The keys a batch looks up: its command ids and the distinct streams it names.
pub(crate) struct Keys {
    pub ids: Vec<Uuid>,
    pub streams: Vec<String>,
}

impl Keys {
    pub fn of(appends: &[ValidAppend]) -> Keys {
        let ids = appends.iter().map(|a| a.metadata.command_id).collect();
        let mut streams: Vec<&str> = appends
            .iter()
            .flat_map(|a| a.streams.iter().map(|s| s.stream.as_str()))
            .collect();
        streams.sort_unstable();
        streams.dedup();
        let streams = streams.into_iter().map(str::to_owned).collect();
        Keys { ids, streams }
    }
}

/// Whether the text opens the batch (begin, lock, read the head) or only looks keys up inside
/// a transaction already open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opening {
    Begin,
    LookupOnly,
}

/// What one statement of the text returns.
#[derive(Debug, Clone, Copy)]
enum Part {
    Begin,
    Head,
    Commands,
    Versions,
}

/// A multi-statement text and what each of its statements returns, in order.
pub(crate) struct LookupText {
    pub sql: String,
    parts: Vec<Part>,
}

impl LookupText {
    fn new(opening: Opening) -> LookupText {
        let mut text = LookupText {
            sql: String::new(),
            parts: Vec::new(),
        };
        if opening == Opening::Begin {
            text.push(Part::Begin, "BEGIN IMMEDIATE");
            text.push(
                Part::Head,
                "SELECT position, hash FROM ledger_head WHERE id = 1",
            );
        }
        text
    }

    fn push(&mut self, part: Part, statement: &str) {
        self.sql.push_str(statement);
        self.sql.push_str("; ");
        self.parts.push(part);
    }

    /// SQLite: `?` placeholders, to be bound with every id, then every stream, in order.
    pub fn sqlite(keys: &Keys, opening: Opening) -> LookupText {
        let mut text = LookupText::new(opening);
        for chunk in keys.ids.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT command_id, result FROM commands WHERE command_id IN ({})",
                placeholders(chunk.len())
            );
            text.push(Part::Commands, &sql);
        }
        for chunk in keys.streams.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT stream, version FROM streams WHERE stream IN ({})",
                placeholders(chunk.len())
            );
            text.push(Part::Versions, &sql);
        }
        text
    }

    /// Sorts the text's results into the head (when it opened the batch) and what is known.
    pub fn sort<Q, R>(
        &self,
        results: Vec<Either<Q, R>>,
    ) -> Result<(Option<ChainHead>, Known), sqlx::Error>
    where
        R: Row,
        for<'r> (i64, Vec<u8>): FromRow<'r, R>,
        for<'r> (Uuid, String): FromRow<'r, R>,
        for<'r> (String, i64): FromRow<'r, R>,
    {
        let mut statement = 0;
        let mut head = None;
        let mut known = Known::default();
        for result in results {
            let row = match result {
                Either::Left(_) => {
                    statement += 1; // a statement is done: the rows that follow are the next one's
                    continue;
                }
                Either::Right(row) => row,
            };
            match self.parts.get(statement) {
                Some(Part::Head) => {
                    let (position, hash) = <(i64, Vec<u8>)>::from_row(&row)?;
                    head = Some(ChainHead::from_row(position, hash)?);
                }
                Some(Part::Commands) => {
                    let (id, result) = <(Uuid, String)>::from_row(&row)?;
                    known.commands.insert(id, result);
                }
                Some(Part::Versions) => {
                    let (stream, version) = <(String, i64)>::from_row(&row)?;
                    known.versions.insert(stream, version as u64);
                }
                Some(Part::Begin) | None => {
                    return Err(sqlx::Error::Protocol(
                        "a batch lookup returned rows from an unexpected statement".into(),
                    ))
                }
            }
        }
        if self.parts.first().is_some_and(|p| matches!(p, Part::Begin)) && head.is_none() {
            return Err(sqlx::Error::RowNotFound); // ledger_head always has its one row
        }
        Ok((head, known))
    }
}

/// `?, ?, ..., ?`: anonymous, not `$n` (see `write_conn::values_sql`).
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys {
            ids: vec![Uuid::nil()],
            streams: vec!["a'; DROP TABLE events; --".into()],
        }
    }

    #[test]
    fn sqlite_text_has_one_placeholder_per_key() {
        let text = LookupText::sqlite(&keys(), Opening::LookupOnly);
        assert_eq!(text.sql.matches('?').count(), 2);
        assert_eq!(text.parts.len(), 2);
    }
}
