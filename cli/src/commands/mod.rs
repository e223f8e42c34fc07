//! One module per subcommand: its arguments and its `run`.

pub mod demo;
pub mod digest;
pub mod export;
pub mod import;
pub mod migrate;
pub mod rebuild;
pub mod replay;
pub mod serve;
pub mod token;
pub mod verify;

use anyhow::Result;

use crate::cli::Command;

pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Import(args) => import::run(args).await,
        Command::Replay(args) => replay::run(args).await,
        Command::Rebuild(args) => rebuild::run(args).await,
        Command::Verify(args) => verify::run(args).await,
        Command::Digest(args) => digest::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Token(args) => token::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
    }
}

/// Brings the read models up to the ledger's head, so queries answer at once after a write.
pub async fn project_to_head(store: &hrledger_store::EventStore) -> Result<u64> {
    use anyhow::Context;
    use hrledger_projections::{Projector, ReadDb, Until};
    let mut projector = Projector::new(store.clone(), ReadDb::from(store.backend()));
    projector
        .run(Until::Head)
        .await
        .context("updating the read models")
}
