//! Recomputing the hash chain over a range of the stored log.
//!
//! Two threads share the work: a reader follows the log in order (positions, hash lengths) and
//! packs rows into batches; a hasher recomputes them (see `chain_hasher`). On SQLite files the
//! reader is a bulk scan on a blocking thread (`sqlite_scan`); elsewhere it streams rows
//! through the pool.

use futures::TryStreamExt;
use sqlx::FromRow;

use crate::chain_hasher::{self, Batch, BatchSender, Spares, BATCH_ROWS};
use crate::error::StoreError;
use crate::event::{ChainBreak, Digest, Verification};
use crate::hash::{ChainedFields, GENESIS};
use crate::record::{date_text, RowRef};
use crate::sqlite_scan;
use crate::store::{on_pool, Backend, EventStore, RowQuery, RANGE_SQL};

/// Rows per query while verifying: large, since rows stream; bounded, so no read holds one
/// snapshot for the whole ledger.
pub(crate) const PAGE: u64 = 50_000;

/// Follows the log in order and packs each row for the hasher.
pub(crate) struct Sequencer {
    next: u64,
    prev: [u8; 32],
    batch: Batch,
    /// Hashed batches to fill again; none until the hasher starts.
    spares: Option<Spares>,
}

/// Why the reader stopped before the end of the range.
pub(crate) enum Halt {
    /// A break the reader can see by itself; every row before it went to the hasher.
    Broken(Verification),
    /// The hasher stopped at a break of its own, which is the one to report.
    HasherStopped,
}

impl Sequencer {
    fn new(next: u64, prev: [u8; 32]) -> Sequencer {
        Sequencer {
            next,
            prev,
            batch: Batch::new(prev),
            spares: None,
        }
    }

    fn recycle_from(&mut self, spares: Spares) {
        self.spares = Some(spares);
    }

    /// The next position the log must hold.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Checks one stored row's place in the log and packs it; hands back a full batch.
    pub fn push(
        &mut self,
        fields: &ChainedFields<'_>,
        stored: &[u8],
    ) -> Result<Option<Batch>, Halt> {
        let position = self.next;
        let broken = |problem| Halt::Broken(Verification::Broken { position, problem });
        if fields.position != position {
            return Err(broken(ChainBreak::MissingPosition {
                expected: position,
                found: fields.position,
            }));
        }
        let stored: [u8; 32] = stored.try_into().map_err(|_| {
            broken(ChainBreak::Unreadable {
                detail: format!(
                    "stored event at position {position} is unreadable: hash is not 32 bytes"
                ),
            })
        })?;
        fields.append_canonical(self.batch.bytes());
        self.batch.seal(position, stored);
        self.prev = stored;
        self.next += 1;
        Ok((self.batch.len() >= BATCH_ROWS).then(|| self.take()))
    }

    /// The rows packed so far, leaving an empty batch that follows on from them.
    pub fn take(&mut self) -> Batch {
        let next = match &self.spares {
            Some(spares) => spares.batch(self.prev),
            None => Batch::new(self.prev),
        };
        std::mem::replace(&mut self.batch, next)
    }
}

/// Hands a batch to the hasher from async code.
async fn send(hasher: &BatchSender, batch: Batch) -> Result<(), Halt> {
    hasher.send(batch).await.map_err(|_| Halt::HasherStopped)
}

impl EventStore {
    /// Recomputes the chain over positions `from..=to` (`to` defaults to the head), starting
    /// from the stored hash just before `from`, and reports the first position that breaks.
    /// Up to the head, the recomputed end must also match the recorded head, so removing the
    /// newest events is caught too.
    pub async fn verify(&self, from: u64, to: Option<u64>) -> Result<Verification, StoreError> {
        let (head, head_hash) = self.chain_head().await?;
        let from = from.max(1);
        let to = to.map_or(head, |t| t.min(head));
        if from > to {
            return Ok(Verification::Intact {
                checked: 0,
                last: None,
            });
        }
        let mut sequencer = match self.sequencer_at(from).await? {
            Ok(sequencer) => sequencer,
            Err(broken) => return Ok(broken),
        };
        let (sender, spares, hasher) = chain_hasher::spawn();
        sequencer.recycle_from(spares);
        let read = self.read_chain(sequencer, to, sender).await;
        // The hasher's break lies below anything the reader stopped at, an error included:
        // the sequential walk would have stopped there first.
        if let Some(broken) = hasher.await.expect("the chain hasher panicked") {
            return Ok(broken);
        }
        match read? {
            (_, Some(Halt::Broken(broken))) => Ok(broken),
            (sequencer, _) => Ok(finish(sequencer, from, to, (head, head_hash))),
        }
    }

    /// A sequencer primed with the stored hash before `from`.
    async fn sequencer_at(&self, from: u64) -> Result<Result<Sequencer, Verification>, StoreError> {
        if from == 1 {
            return Ok(Ok(Sequencer::new(1, GENESIS)));
        }
        let before = from - 1;
        let rows = self
            .rows(RowQuery::Range(before as i64, before as i64, 1))
            .await?;
        let Some(row) = rows.first() else {
            return Ok(Err(missing(before, 0)));
        };
        Ok(row
            .stored_hash()
            .map(|prev| Sequencer::new(from, prev))
            .map_err(|e| Verification::Broken {
                position: before,
                problem: ChainBreak::Unreadable {
                    detail: e.to_string(),
                },
            }))
    }

    /// Reads `sequencer.next()..=to` into the hasher; the sender is dropped on return, which
    /// tells the hasher the range is done.
    async fn read_chain(
        &self,
        sequencer: Sequencer,
        to: u64,
        hasher: BatchSender,
    ) -> Result<(Sequencer, Option<Halt>), StoreError> {
        if let Some(path) = sqlite_scan::file_of(&self.backend()) {
            return sqlite_scan::read_chain(path, sequencer, to, hasher).await;
        }
        self.stream_chain(sequencer, to, hasher).await
    }

    /// Streams the range through the pool, one page per query.
    async fn stream_chain(
        &self,
        mut sequencer: Sequencer,
        to: u64,
        hasher: BatchSender,
    ) -> Result<(Sequencer, Option<Halt>), StoreError> {
        let outcome = self.stream_pages(&mut sequencer, to, &hasher).await;
        // Rows before a halt or an error still get hashed: a break among them comes first. A
        // failed send means the hasher already holds its break.
        let _ = send(&hasher, sequencer.take()).await;
        outcome.map(|halt| (sequencer, halt))
    }

    async fn stream_pages(
        &self,
        sequencer: &mut Sequencer,
        to: u64,
        hasher: &BatchSender,
    ) -> Result<Option<Halt>, StoreError> {
        while sequencer.next() <= to {
            let first = sequencer.next();
            if let Err(halt) = self.stream_page(sequencer, to, hasher).await? {
                return Ok(Some(halt));
            }
            if sequencer.next() - first < PAGE {
                break; // the range ran out of rows: `finish` reports any missing at its end
            }
        }
        Ok(None)
    }

    async fn stream_page(
        &self,
        sequencer: &mut Sequencer,
        to: u64,
        hasher: &BatchSender,
    ) -> Result<Result<(), Halt>, StoreError> {
        let first = sequencer.next();
        let backend = self.backend();
        Ok(on_pool!(&backend, p => {
            let mut rows = sqlx::query(&RANGE_SQL)
                .bind(first as i64)
                .bind(to as i64)
                .bind(PAGE as i64)
                .fetch(p);
            let mut verdict = Ok(());
            while let Some(row) = rows.try_next().await? {
                let row = RowRef::from_row(&row)?;
                let date = date_text(row.effective_date);
                verdict = match sequencer.push(&row.chained(&date), row.hash) {
                    Ok(Some(full)) => send(hasher, full).await,
                    Ok(None) => Ok(()),
                    Err(halt) => Err(halt),
                };
                if verdict.is_err() {
                    break;
                }
            }
            verdict
        }))
    }
}

/// The verdict once every stored row in range has chained: rows missing at the end of the
/// range, or a head that disagrees with the recomputed chain, are breaks too.
fn finish(sequencer: Sequencer, from: u64, to: u64, head: (u64, [u8; 32])) -> Verification {
    if sequencer.next <= to {
        return missing(sequencer.next, 0);
    }
    if to == head.0 && sequencer.prev != head.1 {
        return Verification::Broken {
            position: to,
            problem: ChainBreak::HashMismatch {
                stored: hex::encode(head.1),
                computed: hex::encode(sequencer.prev),
            },
        };
    }
    Verification::Intact {
        checked: to - from + 1,
        last: Some(Digest {
            position: to,
            hash: sequencer.prev,
        }),
    }
}

/// `expected` is absent; `found` is the next position present (0: none).
fn missing(expected: u64, found: u64) -> Verification {
    Verification::Broken {
        position: expected,
        problem: ChainBreak::MissingPosition { expected, found },
    }
}
