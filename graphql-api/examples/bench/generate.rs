//! A large ledger through the command path: whole merger programmes, many at once, so the
//! store's group commit batches them (as the projections benchmark does).

use hrledger_commands::scenario::{merger_programme, ScenarioConfig};
use hrledger_commands::{Actor, Ledger, Role};

/// Programmes generated at once.
const CONCURRENT_PROGRAMMES: usize = 16;

/// Runs merger programmes (75 staff per body, ~1,700 events each) until the ledger holds
/// `target` events. Returns (commands, events).
pub async fn generate(ledger: &Ledger, target: u64) -> (u64, u64) {
    let actor = Actor::new("bench", Role::HrAdviser);
    let mut next = 0u64;
    let mut commands = 0u64;
    while ledger.store().head().await.unwrap() < target {
        let batch: Vec<_> = (0..CONCURRENT_PROGRAMMES)
            .map(|_| {
                next += 1;
                let scenario = merger_programme(ScenarioConfig {
                    seed: next,
                    code_prefix: format!("P{next}"),
                    ..ScenarioConfig::default()
                });
                let (ledger, actor) = (ledger.clone(), actor.clone());
                tokio::spawn(async move { scenario.run(&ledger, &actor).await.map(|o| o.len()) })
            })
            .collect();
        for task in batch {
            commands += task.await.unwrap().expect("programme runs") as u64;
        }
    }
    (commands, ledger.store().head().await.unwrap())
}
