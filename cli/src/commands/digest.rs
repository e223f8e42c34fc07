//! `hrledger digest`: print `POSITION:HASH`, the end of the hash chain. An auditor keeps it and
//! later runs `hrledger verify --digest POSITION:HASH` to prove nothing up to it has changed.

use anyhow::{bail, Result};
use clap::Args;

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct DigestArgs {
    #[command(flatten)]
    pub db: DbArg,
}

pub async fn run(args: DigestArgs) -> Result<()> {
    let store = db::open_existing(&args.db.url).await?;
    let digest = store.digest().await?;
    store.close().await;
    match digest {
        Some(d) => {
            println!("{}:{}", d.position, d.hash_hex());
            Ok(())
        }
        None => bail!("the ledger is empty: there is no digest yet"),
    }
}
