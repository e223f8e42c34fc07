//! Reading what a batch needs — the chain head and, for its command ids and streams, what the
//! database already holds — in one multi-statement text, so it costs one network round trip on
//! PostgreSQL and one hop to sqlx's worker thread on SQLite, instead of one per statement.
//!
//! The batch's opening text also begins the transaction and takes the append lock first
//! (`BEGIN IMMEDIATE` on SQLite, `FOR UPDATE` on the head row on PostgreSQL). The lookups run
//! after the lock: on PostgreSQL (READ COMMITTED) every statement of a multi-statement text
//! takes its own snapshot, so they see every batch committed before the lock was granted,
//! another process's included.

use std::fmt::Write;

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
    fn new(opening: Opening, lock: &str) -> LookupText {
        let mut text = LookupText {
            sql: String::new(),
            parts: Vec::new(),
        };
        if opening == Opening::Begin {
            text.push(Part::Begin, lock);
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
        let mut text = LookupText::new(opening, "BEGIN IMMEDIATE");
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

    /// PostgreSQL: a simple-query text, so the keys go in as literals. Only UUIDs and hex digits
    /// are written into it — stream names travel hex-encoded — so no key can change the SQL.
    pub fn postgres(keys: &Keys, opening: Opening) -> LookupText {
        let mut text = LookupText::new(opening, "BEGIN");
        if opening == Opening::Begin {
            // The append lock (see the `postgres` module): the head statement takes it.
            text.sql.truncate(text.sql.len() - 2);
            text.sql.push_str(" FOR UPDATE; ");
        }
        let ids = keys.ids.iter().map(Uuid::to_string).collect::<Vec<_>>();
        let sql = format!(
            "SELECT command_id, result FROM commands WHERE command_id = ANY('{{{}}}'::uuid[])",
            ids.join(",")
        );
        text.push(Part::Commands, &sql);
        let mut names = String::new();
        for (i, stream) in keys.streams.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let hex = hex::encode(stream);
            // `convert_from` gives a text without a collation, which the primary key's index
            // cannot serve: the column's own collation is named so the lookup is an index scan.
            let _ = write!(
                names,
                "{sep}convert_from(decode('{hex}', 'hex'), 'UTF8') COLLATE \"default\""
            );
        }
        let sql = format!(
            "SELECT stream, version FROM streams WHERE stream = ANY(ARRAY[{names}]::text[])"
        );
        text.push(Part::Versions, &sql);
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
    fn postgres_text_carries_stream_names_only_as_hex() {
        let text = LookupText::postgres(&keys(), Opening::Begin);
        assert!(!text.sql.contains("DROP"));
        assert!(text
            .sql
            .starts_with("BEGIN; SELECT position, hash FROM ledger_head"));
        assert!(text.sql.contains("FOR UPDATE; SELECT command_id"));
        assert_eq!(text.parts.len(), 4);
    }

    #[test]
    fn sqlite_text_has_one_placeholder_per_key() {
        let text = LookupText::sqlite(&keys(), Opening::LookupOnly);
        assert_eq!(text.sql.matches('?').count(), 2);
        assert_eq!(text.parts.len(), 2);
    }
}
