//! `hrledger migrate`: create the database if needed and bring its schema up to date.
//! Opening the store runs the migrations; a schema newer than this build is refused there.

use anyhow::Result;
use clap::Args;

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub db: DbArg,
}

pub async fn run(args: MigrateArgs) -> Result<()> {
    let store = db::open(&args.db.url).await?;
    let head = store.head().await?;
    store.close().await;
    println!(
        "ledger at {} is migrated; head position {head}",
        db::redact(&args.db.url)
    );
    Ok(())
}
