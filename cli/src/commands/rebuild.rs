//! `hrledger rebuild`: empty every read model and replay the whole ledger into them. Safe at
//! any time: the ledger is the source of truth and the read models are derived from it.

use anyhow::{Context, Result};
use clap::Args;
use hrledger_projections::{Projector, ReadDb};

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct RebuildArgs {
    #[command(flatten)]
    pub db: DbArg,
}

pub async fn run(args: RebuildArgs) -> Result<()> {
    let store = db::open_existing(&args.db.url).await?;
    let mut projector = Projector::new(store.clone(), ReadDb::from(store.backend()));
    let position = projector
        .rebuild()
        .await
        .context("rebuilding the read models")?;
    store.close().await;
    println!("read models rebuilt from the whole ledger, up to position {position}");
    Ok(())
}
