//! `subscribe_all`: catch up from a position, then follow the log live.
//!
//! The subscription reads the committed log with `read_all` and, once caught up, sleeps on the
//! store's head watch, which the writer raises after every commit (and, on PostgreSQL, the
//! LISTEN task raises when another process commits). Because positions commit in order, reading
//! "everything after the last position seen" never skips an event. A slow fallback poll covers
//! a lost notification (e.g. while the listener reconnects); it is a safety net only.

use std::collections::VecDeque;
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;

use crate::error::StoreError;
use crate::event::RecordedEvent;
use crate::store::EventStore;

/// Events fetched per catch-up read.
const PAGE: u64 = 1000;
/// Safety-net poll when no wake-up arrives.
const FALLBACK_POLL: Duration = Duration::from_millis(500);

struct Subscription {
    store: EventStore,
    after: u64,
    buffer: VecDeque<RecordedEvent>,
    head: watch::Receiver<u64>,
    failed: bool,
}

impl EventStore {
    /// Every event after position `after`, in position order, then new ones as they commit.
    /// A read error is yielded once and ends the stream; resubscribe from the last position seen.
    pub fn subscribe_all(
        &self,
        after: u64,
    ) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
        let state = Subscription {
            store: self.clone(),
            after,
            buffer: VecDeque::new(),
            head: self.head_watch(),
            failed: false,
        };
        futures::stream::unfold(state, |mut s| async move {
            let next = s.next().await?;
            Some((next, s))
        })
        .boxed()
    }
}

impl Subscription {
    async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        while !self.failed {
            if let Some(event) = self.buffer.pop_front() {
                self.after = event.position;
                return Some(Ok(event));
            }
            // Mark the head as seen *before* reading, so a commit landing after the read
            // still wakes the wait below.
            self.head.borrow_and_update();
            match self.store.read_all(self.after, PAGE).await {
                Ok(events) if events.is_empty() => self.wait().await,
                Ok(events) => self.buffer.extend(events),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }

    async fn wait(&mut self) {
        let _ = tokio::time::timeout(FALLBACK_POLL, self.head.changed()).await;
    }
}
