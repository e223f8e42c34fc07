//! Hashing verified rows on a thread of its own, so reading the next rows (the database's and
//! the driver's work) overlaps with SHA-256 over the previous ones.
//!
//! The reader checks what needs the order of the log (positions, hash lengths) and packs each
//! row's canonical bytes and stored hash into a [`Batch`]. Every row's check needs only its own
//! bytes and the previous row's *stored* hash, which the reader knows when it packs the row, so
//! the hasher can recompute rows long after the reader has moved on. The hasher walks batches in
//! log order and stops at its first mismatch, so the first break it reports is the lowest, and
//! it is always below any break the reader finds (the reader packs only rows before its own).

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::event::{ChainBreak, Verification};
use crate::hash::chain_hash_of;

/// Rows per batch: enough to make the hand-over cost nothing per row, small enough that the
/// hasher starts early and the queue stays a few megabytes.
pub(crate) const BATCH_ROWS: usize = 2048;
/// Batches queued ahead of the hasher before the reader waits.
const QUEUE: usize = 4;

/// Consecutive rows of the log, encoded for hashing.
pub(crate) struct Batch {
    /// The stored hash of the row before the first.
    prev: [u8; 32],
    /// Every row's canonical bytes, back to back.
    bytes: Vec<u8>,
    rows: Vec<Packed>,
}

struct Packed {
    position: u64,
    /// Where this row's canonical bytes end in `bytes`.
    end: usize,
    stored: [u8; 32],
}

impl Batch {
    pub fn new(prev: [u8; 32]) -> Batch {
        Batch {
            prev,
            bytes: Vec::with_capacity(BATCH_ROWS * 512),
            rows: Vec::with_capacity(BATCH_ROWS),
        }
    }

    /// This batch emptied, to follow on from `prev`: its buffers are kept.
    fn reuse(mut self, prev: [u8; 32]) -> Batch {
        self.prev = prev;
        self.bytes.clear();
        self.rows.clear();
        self
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The buffer to append the next row's canonical bytes to, before [`Batch::seal`].
    pub fn bytes(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    /// Ends the row whose canonical bytes were just appended.
    pub fn seal(&mut self, position: u64, stored: [u8; 32]) {
        self.rows.push(Packed {
            position,
            end: self.bytes.len(),
            stored,
        });
    }

    /// The first row whose recomputed hash differs from its stored one.
    fn first_mismatch(&self) -> Option<Verification> {
        let mut prev = self.prev;
        let mut start = 0;
        for row in &self.rows {
            let computed = chain_hash_of(&prev, &self.bytes[start..row.end]);
            if computed != row.stored {
                return Some(Verification::Broken {
                    position: row.position,
                    problem: ChainBreak::HashMismatch {
                        stored: hex::encode(row.stored),
                        computed: hex::encode(computed),
                    },
                });
            }
            prev = row.stored;
            start = row.end;
        }
        None
    }
}

/// Where the reader hands batches to the hasher. A failed send means the hasher has stopped at
/// a break: the reader can stop too.
pub(crate) type BatchSender = mpsc::Sender<Batch>;

/// Batches the hasher is done with, for the reader to fill again. Fresh megabyte buffers for
/// every batch cost more in page faults than the hashing they hold.
pub(crate) struct Spares(std_mpsc::Receiver<Batch>);

impl Spares {
    /// An empty batch to follow on from `prev`, reusing a hashed one when there is one.
    pub fn batch(&self, prev: [u8; 32]) -> Batch {
        match self.0.try_recv() {
            Ok(spare) => spare.reuse(prev),
            Err(_) => Batch::new(prev),
        }
    }
}

/// Starts a hasher on a blocking thread; it answers with the first mismatch, if any, once the
/// sender is dropped or at its first break.
pub(crate) fn spawn() -> (BatchSender, Spares, JoinHandle<Option<Verification>>) {
    let (sender, mut batches) = mpsc::channel::<Batch>(QUEUE);
    let (recycle, spares) = std_mpsc::channel();
    let hasher = tokio::task::spawn_blocking(move || {
        while let Some(batch) = batches.blocking_recv() {
            if let Some(broken) = batch.first_mismatch() {
                return Some(broken);
            }
            let _ = recycle.send(batch); // the reader may be done and gone
        }
        None
    });
    (sender, Spares(spares), hasher)
}
