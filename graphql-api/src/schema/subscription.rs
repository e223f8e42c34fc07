//! Subscriptions: catch up from a cursor, then follow live, with no gap and no duplicate
//! between the two. Both read "everything after the last position delivered" again whenever
//! the ledger (or the read models) move on; positions commit in order, so nothing is skipped.

use std::collections::VecDeque;
use std::time::Duration;

use async_graphql::{Context, Subscription};
use futures::stream::{BoxStream, StreamExt};
use hrledger_projections::{queries, ReadDb};
use tokio::sync::watch;

use crate::error::{gql, ApiResult};
use crate::schema::access::Access;
use crate::schema::context::ApiContext;
use crate::schema::page::position_cursor;
use crate::schema::types::{LedgerEvent, StaffChange};

/// Rows fetched per catch-up read of the change feed.
const FEED_PAGE: usize = 500;
/// Safety-net re-read when no progress notification arrives.
const FALLBACK_POLL: Duration = Duration::from_millis(500);

pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every ledger event after `afterPosition` (default: from the start), then new ones as
    /// they commit.
    #[graphql(guard = "Access::Ledger")]
    async fn ledger_events(
        &self,
        ctx: &Context<'_>,
        after_position: Option<u64>,
    ) -> BoxStream<'static, ApiResult<LedgerEvent>> {
        let store = &ctx.data_unchecked::<ApiContext>().store;
        store
            .subscribe_all(after_position.unwrap_or(0))
            .map(|r| r.map(LedgerEvent::from).map_err(gql))
            .boxed()
    }

    /// The payroll change feed after the cursor `after` (a `StaffChange.position`; default:
    /// from the start), then each change as the read models record it.
    #[graphql(guard = "Access::StaffRecords")]
    async fn staff_changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> async_graphql::Result<BoxStream<'static, ApiResult<StaffChange>>> {
        let after = position_cursor(after.as_deref()).map_err(gql)?;
        let api = ctx.data_unchecked::<ApiContext>();
        let feed = Feed {
            db: api.read_db.clone(),
            after,
            buffer: VecDeque::new(),
            progress: api.progress.clone(),
            failed: false,
        };
        Ok(futures::stream::unfold(feed, |mut f| async move {
            let next = f.next().await?;
            Some((next, f))
        })
        .boxed())
    }
}

/// The change feed as a cursor over the `staff_changes` read model.
struct Feed {
    db: ReadDb,
    after: u64,
    buffer: VecDeque<StaffChange>,
    progress: watch::Receiver<u64>,
    failed: bool,
}

impl Feed {
    async fn next(&mut self) -> Option<ApiResult<StaffChange>> {
        while !self.failed {
            if let Some(change) = self.buffer.pop_front() {
                self.after = change.position;
                return Some(Ok(change));
            }
            // Seen before reading: a checkpoint moving during the read still wakes the wait.
            self.progress.borrow_and_update();
            match self.fetch().await {
                Ok(0) => self.wait().await,
                Ok(_) => {}
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }

    async fn fetch(&mut self) -> ApiResult<usize> {
        let changes =
            queries::read_staff_changes(&self.db, self.after, FEED_PAGE, StaffChange::from_cells)
                .await
                .map_err(gql)?;
        let count = changes.len();
        self.buffer.extend(changes);
        Ok(count)
    }

    async fn wait(&mut self) {
        match tokio::time::timeout(FALLBACK_POLL, self.progress.changed()).await {
            Ok(Ok(())) => {}
            // No projector any more (shutting down): poll slowly rather than spin.
            Ok(Err(_)) => tokio::time::sleep(FALLBACK_POLL).await,
            Err(_) => {}
        }
    }
}
