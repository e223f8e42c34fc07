//! A large ledger through the command path: whole merger programmes, many at once, so the
//! store's group commit batches them (as the projections benchmark does).

use hrledger_commands::scenario::fill_ledger;
use hrledger_commands::Ledger;

/// Runs merger programmes until the ledger holds `target` events. Returns (commands, events).
pub async fn generate(ledger: &Ledger, target: u64) -> (u64, u64) {
    fill_ledger(ledger, target).await.expect("programmes run")
}
