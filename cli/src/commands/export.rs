//! `hrledger export`: the whole ledger, one JSON object per line in position order, each with
//! every field the hash chain covers and its hash (see `export_line`). Written to a temporary
//! file beside `--out` and renamed at the end, so a failed export leaves no partial file.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use hrledger_store::EventStore;

use crate::cli::DbArg;
use crate::db;
use crate::export_line::ExportLine;

/// Events read per round trip.
const PAGE: u64 = 2_000;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(args: ExportArgs) -> Result<()> {
    let Format::Jsonl = args.format;
    let store = db::open_existing(&args.db.url).await?;
    let result = match &args.out {
        Some(path) => export_to_file(&store, path).await,
        None => {
            let stdout = std::io::stdout().lock();
            write_all(&store, stdout).await
        }
    };
    store.close().await;
    let count = result?;
    if let Some(path) = &args.out {
        eprintln!("exported {count} events to {}", path.display());
    }
    Ok(())
}

async fn export_to_file(store: &EventStore, path: &Path) -> Result<u64> {
    let partial = partial_path(path);
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let written = write_all(store, file).await;
    match written {
        Ok(count) => {
            std::fs::rename(&partial, path)
                .with_context(|| format!("cannot move the export to {}", path.display()))?;
            Ok(count)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes every event in position order; returns how many.
async fn write_all(store: &EventStore, out: impl Write) -> Result<u64> {
    let mut out = BufWriter::new(out);
    let mut after = 0;
    loop {
        let page = store.read_all(after, PAGE).await?;
        for event in &page {
            let line = ExportLine::from_recorded(event)?;
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
            after = event.position;
        }
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    out.flush().context("writing the export")?;
    Ok(after)
}
