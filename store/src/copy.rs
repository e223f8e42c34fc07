//! Copying the start of a ledger into an empty database, row for row: every event with its
//! hash, the results of the commands that wrote them, and the head of the chain.
//!
//! `replay` builds the read models as they were at a past position into another database, and
//! copies the ledger up to that position beside them: the read models read the log (the audit
//! trail joins `events` for who, why and when), and the copy can be verified, and its digest
//! compared with one an auditor kept at the time.
//!
//! Each page is one transaction through the writer's own steps (take the append lock, write,
//! move the head, commit), so a copy stopped part-way leaves a shorter ledger whose chain is
//! intact, never a broken one.

use std::collections::BTreeSet;

use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::StoreError;
use crate::event::AppendResult;
use crate::pg_write;
use crate::plan::Writes;
use crate::record::StoredRow;
use crate::sqlite_writer::{self, SqliteWriter, Target};
use crate::store::{on_pool, Backend, EventStore, RowQuery};
use crate::write_conn::ChainHead;

/// Events per copied page (and per transaction in the copy).
const PAGE: i64 = 2_000;
/// Command ids looked up per statement.
const IDS_PER_LOOKUP: usize = 500;

impl EventStore {
    /// Copies positions 1 to `until` of this ledger (all of it, if shorter) into `target`,
    /// which must hold no events. Returns the last position copied.
    pub async fn copy_into(&self, target: &EventStore, until: u64) -> Result<u64, StoreError> {
        let (head, _) = target.chain_head().await?;
        if head > 0 {
            return Err(StoreError::NotEmpty { head });
        }
        let mut copied = ChainHead {
            position: 0,
            hash: [0; 32],
        };
        let until = until.min(i64::MAX as u64); // positions are stored as signed 64-bit
        let sink = Sink::open(target).await?;
        let copying = self.copy_pages(&sink, until, &mut copied).await;
        sink.close().await;
        // Subscribers of the target (its projector, say) hear of what was copied.
        crate::writer::publish_head(target.head_sender(), copied.position);
        copying.map(|()| copied.position)
    }

    /// Copies page by page after `copied`, moving it past each page written.
    async fn copy_pages(
        &self,
        sink: &Sink,
        until: u64,
        copied: &mut ChainHead,
    ) -> Result<(), StoreError> {
        while copied.position < until {
            let query = RowQuery::Range(copied.position as i64 + 1, until as i64, PAGE);
            let events = self.rows(query).await?;
            let Some(last) = events.last() else { break };
            let next = ChainHead::from_row(last.position, last.hash.clone())?;
            let commands = self.results_ending_in(&events).await?;
            sink.write_page(Writes { events, commands }, *copied, next)
                .await?;
            *copied = next;
        }
        Ok(())
    }

    /// The stored results of the commands whose last event is among `events`: each command's
    /// result is copied once, with the page that completes it, and a command cut off by
    /// `until` is not recorded (its events are in the copy, its re-send would not be).
    async fn results_ending_in(
        &self,
        events: &[StoredRow],
    ) -> Result<Vec<(Uuid, String)>, StoreError> {
        let ids: BTreeSet<Uuid> = events.iter().map(|e| e.command_id).collect();
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let first = events[0].position as u64;
        let last = events[events.len() - 1].position as u64;
        let mut out = Vec::new();
        for chunk in ids.chunks(IDS_PER_LOOKUP) {
            for (id, result) in self.stored_results(chunk).await? {
                let parsed: AppendResult =
                    serde_json::from_str(&result).map_err(|e| StoreError::Corrupt {
                        position: 0,
                        detail: format!("stored result of command {id}: {e}"),
                    })?;
                if (first..=last).contains(&parsed.last_position) {
                    out.push((id, result));
                }
            }
        }
        Ok(out)
    }

    async fn stored_results(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
        let backend = self.backend();
        Ok(on_pool!(&backend, p => {
            let mut query = QueryBuilder::new("SELECT command_id, result FROM commands WHERE command_id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as::<(Uuid, String)>().fetch_all(p).await
        })?)
    }
}

/// The target's write connection for the length of a copy.
enum Sink {
    Sqlite(SqliteWriter),
    Postgres(sqlx::PgPool),
}

impl Sink {
    async fn open(target: &EventStore) -> Result<Sink, StoreError> {
        Ok(match target.backend() {
            Backend::Sqlite(_) => {
                let file = crate::sqlite_scan::file_of(&target.backend())
                    .expect("a SQLite backend has a file");
                Sink::Sqlite(SqliteWriter::open(Target::new(&file)).await?)
            }
            Backend::Postgres(pool) => Sink::Postgres(pool),
        })
    }

    /// Writes one page and moves the head from `from` to `to`, in one transaction taken with
    /// the append lock. Refused if the target's head is no longer where the copy left it.
    async fn write_page(
        &self,
        writes: Writes,
        from: ChainHead,
        to: ChainHead,
    ) -> Result<(), StoreError> {
        let moved = |found: ChainHead| StoreError::NotEmpty {
            head: found.position,
        };
        match self {
            Sink::Sqlite(writer) => {
                let written = writer
                    .run(move |c| {
                        let head = sqlite_writer::begin(c)?;
                        if head != from {
                            return Err(moved(head));
                        }
                        sqlite_writer::write(c, &writes)?;
                        sqlite_writer::finish(c, to)
                    })
                    .await;
                if written.is_err() {
                    writer.abort().await?;
                }
                written
            }
            Sink::Postgres(pool) => {
                let mut c = pool.acquire().await?;
                let written = async {
                    let head = pg_write::begin(&mut c).await?;
                    if head != from {
                        return Err(moved(head));
                    }
                    pg_write::write(&mut c, &writes).await?;
                    pg_write::finish(&mut c, to).await
                }
                .await;
                if written.is_err() {
                    // The connection goes back to the pool: not with the open transaction
                    // (and the lock on the head) of the failed page.
                    sqlx::Executor::execute(&mut *c, "ROLLBACK").await?;
                }
                written
            }
        }
    }

    async fn close(self) {
        if let Sink::Sqlite(writer) = self {
            writer.close().await;
        }
    }
}
