//! Recomputing the hash chain over a range of the stored log.
//!
//! Rows are streamed and hashed straight from the values the driver holds (borrowed text, no
//! owned row), so hashing overlaps with the database producing the next rows.

use futures::TryStreamExt;
use sqlx::FromRow;

use crate::error::StoreError;
use crate::event::{ChainBreak, Digest, Verification};
use crate::hash::{ChainedFields, GENESIS};
use crate::record::{date_text, RowRef};
use crate::store::{on_pool, Backend, EventStore, RowQuery, RANGE_SQL};

/// Rows per query while verifying: large, since rows stream; bounded, so no read holds one
/// snapshot for the whole ledger.
const PAGE: u64 = 50_000;

/// Walks the chain one row at a time; stops at the first break.
struct Checker {
    next: u64,
    prev: [u8; 32],
}

impl Checker {
    /// Checks one stored event: its position, then its hash over the previous one.
    fn check(&mut self, fields: &ChainedFields<'_>, stored: &[u8]) -> Result<(), Verification> {
        let position = self.next;
        let broken = |problem| Verification::Broken { position, problem };
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
        let computed = fields.chain_hash(&self.prev);
        if computed != stored {
            return Err(broken(ChainBreak::HashMismatch {
                stored: hex::encode(stored),
                computed: hex::encode(computed),
            }));
        }
        self.prev = stored;
        self.next += 1;
        Ok(())
    }
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
        let mut checker = match self.checker_at(from).await? {
            Ok(checker) => checker,
            Err(broken) => return Ok(broken),
        };
        if let Err(broken) = self.walk(&mut checker, to).await? {
            return Ok(broken);
        }
        Ok(finish(checker, from, to, (head, head_hash)))
    }

    /// A checker primed with the stored hash before `from`.
    async fn checker_at(&self, from: u64) -> Result<Result<Checker, Verification>, StoreError> {
        if from == 1 {
            return Ok(Ok(Checker {
                next: 1,
                prev: GENESIS,
            }));
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
            .map(|prev| Checker { next: from, prev })
            .map_err(|e| Verification::Broken {
                position: before,
                problem: ChainBreak::Unreadable {
                    detail: e.to_string(),
                },
            }))
    }

    async fn walk(
        &self,
        checker: &mut Checker,
        to: u64,
    ) -> Result<Result<(), Verification>, StoreError> {
        while checker.next <= to {
            let first = checker.next;
            let backend = self.backend();
            let verdict = on_pool!(&backend, p => {
                let mut rows = sqlx::query(&RANGE_SQL)
                    .bind(first as i64)
                    .bind(to as i64)
                    .bind(PAGE as i64)
                    .fetch(p);
                let mut verdict = Ok(());
                while let Some(row) = rows.try_next().await? {
                    let row = RowRef::from_row(&row)?;
                    let date = date_text(row.effective_date);
                    verdict = checker.check(&row.chained(&date), row.hash);
                    if verdict.is_err() {
                        break;
                    }
                }
                verdict
            });
            if let Err(broken) = verdict {
                return Ok(Err(broken));
            }
            if checker.next - first < PAGE {
                break; // the range ran out of rows: `finish` reports any missing at its end
            }
        }
        Ok(Ok(()))
    }
}

/// The verdict once every stored row in range has chained: rows missing at the end of the
/// range, or a head that disagrees with the recomputed chain, are breaks too.
fn finish(checker: Checker, from: u64, to: u64, head: (u64, [u8; 32])) -> Verification {
    if checker.next <= to {
        return missing(checker.next, 0);
    }
    if to == head.0 && checker.prev != head.1 {
        return Verification::Broken {
            position: to,
            problem: ChainBreak::HashMismatch {
                stored: hex::encode(head.1),
                computed: hex::encode(checker.prev),
            },
        };
    }
    Verification::Intact {
        checked: to - from + 1,
        last: Some(Digest {
            position: to,
            hash: checker.prev,
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
