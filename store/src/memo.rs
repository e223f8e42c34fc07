//! What the writer remembers of the database between batches: the head it last committed and
//! the versions its streams were left at. While no other writer commits, the head under the
//! append lock is still that one, and a batch can be planned without reading anything first
//! (see `writer`); the write then checks, under the lock, that the head has not moved.

use std::collections::HashMap;

use crate::plan::Known;
use crate::validate::ValidAppend;
use crate::write_conn::ChainHead;

use crate::event::ExpectedVersion;

/// Streams remembered before the memory is cleared wholesale (a miss costs only a read).
const MAX_STREAMS: usize = 100_000;

#[derive(Debug)]
pub(crate) struct Memo {
    /// Whether the writer can write a batch planned on the memory (PostgreSQL). If not, it
    /// remembers nothing: keeping every batch's stream versions would be work for no reader.
    used: bool,
    /// The head this writer last committed; `None` after a failure or before the first commit.
    head: Option<ChainHead>,
    /// Versions of streams as of `head`.
    versions: HashMap<String, u64>,
}

impl Memo {
    pub fn new(used: bool) -> Memo {
        Memo {
            used,
            head: None,
            versions: HashMap::new(),
        }
    }

    /// What the database holds for `appends` as of the remembered head, when the memory can
    /// tell: every stream is remembered, or is created by its request (`NoStream` with events:
    /// had another writer created it, its version 0 would be refused on insert). Command ids
    /// are not remembered: one recorded before is refused on insert too.
    pub fn known(&self, appends: &[ValidAppend]) -> Option<(ChainHead, Known)> {
        let head = self.head?;
        let mut known = Known::default();
        for stream in appends.iter().flat_map(|a| &a.streams) {
            match self.versions.get(&stream.stream) {
                Some(v) => {
                    known.versions.insert(stream.stream.clone(), *v);
                }
                None if stream.expected == ExpectedVersion::NoStream
                    && !stream.events.is_empty() => {}
                None => return None,
            }
        }
        Some((head, known))
    }

    /// A batch committed from `start` to `head`, leaving its streams at `versions` (what was
    /// read or remembered for them, moved by what the batch wrote).
    pub fn committed(&mut self, start: ChainHead, head: ChainHead, versions: HashMap<String, u64>) {
        if !self.used {
            return;
        }
        if self.head != Some(start) || self.versions.len() + versions.len() > MAX_STREAMS {
            self.versions.clear(); // another writer may have moved any stream in between
        }
        self.versions.extend(versions);
        self.head = Some(head);
    }

    /// After a failure: nothing is known any more.
    pub fn forget(&mut self) {
        self.head = None;
        self.versions.clear();
    }
}
