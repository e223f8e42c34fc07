//! What every resolver can reach: the command path, the store, the read models and the
//! projector's progress (to read one's own writes).

use std::time::Duration;

use chrono::NaiveDate;
use hrledger_commands::{Ledger, SystemClock};
use hrledger_projections::ReadDb;
use hrledger_store::EventStore;
use tokio::sync::watch;

use crate::error::ApiError;
use crate::metrics::Metrics;

/// Longest a query waits for the read models to reach its `minPosition`.
pub const MIN_POSITION_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct ApiContext {
    pub ledger: Ledger,
    pub store: EventStore,
    pub read_db: ReadDb,
    /// The projector's checkpoint: every event up to it is visible in every read model.
    pub progress: watch::Receiver<u64>,
    pub metrics: Metrics,
    pub clock: SystemClock,
}

impl ApiContext {
    /// Today's date by the server's clock: deadline statuses are worked out on it.
    pub fn today(&self) -> NaiveDate {
        (self.clock)().date_naive()
    }

    /// Waits until the read models include `position` (a client reading its own write).
    pub async fn wait_for(&self, position: Option<u64>) -> Result<(), ApiError> {
        let Some(wanted) = position else {
            return Ok(());
        };
        let head = self.store.head().await?;
        if wanted > head {
            return Err(ApiError::validation(format!(
                "minPosition {wanted} is beyond the ledger head {head}"
            )));
        }
        let mut progress = self.progress.clone();
        let reached =
            tokio::time::timeout(MIN_POSITION_WAIT, progress.wait_for(|p| *p >= wanted)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            _ => Err(ApiError::NotYetVisible {
                wanted,
                reached: *self.progress.borrow(),
                seconds: MIN_POSITION_WAIT.as_secs(),
            }),
        }
    }
}
