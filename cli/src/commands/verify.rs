//! `hrledger verify`: recompute the hash chain and name the first position that breaks, or
//! check a JSONL export offline (`--file`). `--digest POSITION:HASH` additionally proves that
//! the chain up to POSITION still ends in the hash an auditor kept.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use hrledger_store::hash::GENESIS;
use hrledger_store::{ChainBreak, EventStore, Verification};

use crate::cli::DbArg;
use crate::db;
use crate::exit::Failure;
use crate::export_line::ExportLine;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// First position to check (the stored hash before it is trusted as the starting point).
    #[arg(long, default_value_t = 1, conflicts_with = "file")]
    pub from: u64,
    /// Last position to check (default: the head).
    #[arg(long, conflicts_with = "file")]
    pub to: Option<u64>,
    /// A digest kept earlier: the chain up to POSITION must still end in HASH.
    #[arg(long, value_name = "POSITION:HASH", value_parser = parse_digest)]
    pub digest: Option<(u64, String)>,
    /// Verify a JSONL export (from 'hrledger export') instead of the database.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

fn parse_digest(text: &str) -> Result<(u64, String), String> {
    let (position, hash) = text
        .split_once(':')
        .ok_or("expected POSITION:HASH, e.g. 1234:9f86d0...")?;
    let position: u64 = position
        .parse()
        .map_err(|_| format!("{position:?} is not a position"))?;
    let hash = hash.to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the hash must be 64 hex digits (SHA-256)".into());
    }
    Ok((position, hash))
}

pub async fn run(args: VerifyArgs) -> Result<()> {
    match &args.file {
        Some(path) => verify_file(path, args.digest.as_ref()),
        None => verify_ledger(&args).await,
    }
}

async fn verify_ledger(args: &VerifyArgs) -> Result<()> {
    let store = db::open_existing(&args.db.url).await?;
    let result = check_ledger(&store, args).await;
    store.close().await;
    result
}

async fn check_ledger(store: &EventStore, args: &VerifyArgs) -> Result<()> {
    let verification = store.verify(args.from, args.to).await?;
    let summary = match verification {
        Verification::Intact { checked: 0, .. } => "ledger intact: no events in range".to_string(),
        Verification::Intact { checked, last } => {
            let last = last.expect("an intact non-empty range has a last digest");
            format!(
                "ledger intact: {checked} events checked, positions {}..={}, digest {}:{}",
                last.position + 1 - checked,
                last.position,
                last.position,
                last.hash_hex()
            )
        }
        Verification::Broken { position, problem } => {
            return Err(broken(position, &problem).into());
        }
    };
    if let Some((position, hash)) = &args.digest {
        check_digest(store, *position, hash).await?;
    }
    println!("{summary}");
    Ok(())
}

/// The chain from the start up to `position` must recompute to `hash`.
async fn check_digest(store: &EventStore, position: u64, hash: &str) -> Result<()> {
    let head = store.head().await?;
    if position > head {
        return Err(Failure::Integrity(format!(
            "digest {position}:{hash} names position {position}, but the ledger ends at {head}: events were removed"
        ))
        .into());
    }
    match store.verify(1, Some(position)).await? {
        Verification::Intact { last: Some(d), .. } if d.hash_hex() == hash => {
            println!("digest {position}:{hash} matches");
            Ok(())
        }
        Verification::Intact { last, .. } => Err(Failure::Integrity(format!(
            "digest mismatch at position {position}: the ledger's chain ends in {} there, the digest says {hash}",
            last.map(|d| d.hash_hex()).unwrap_or_default()
        ))
        .into()),
        Verification::Broken { position, problem } => Err(broken(position, &problem).into()),
    }
}

fn broken(position: u64, problem: &ChainBreak) -> Failure {
    Failure::Integrity(format!(
        "ledger broken at position {position}: {}",
        describe(problem)
    ))
}

fn describe(problem: &ChainBreak) -> String {
    match problem {
        ChainBreak::HashMismatch { stored, computed } => format!(
            "stored hash {stored} but its content hashes to {computed}: the event was altered"
        ),
        ChainBreak::MissingPosition { expected, found } if *found == 0 => {
            format!("position {expected} is missing: events were removed")
        }
        ChainBreak::MissingPosition { expected, found } => {
            format!("expected position {expected}, found {found}: events were removed or reordered")
        }
        ChainBreak::Unreadable { detail } => format!("the event cannot be read: {detail}"),
    }
}

/// Recomputes the chain over an export file, line by line, from the genesis hash.
fn verify_file(path: &Path, digest: Option<&(u64, String)>) -> Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut prev = GENESIS;
    let mut count = 0u64;
    let mut digest_seen = false;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line_no = index + 1;
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let event = parse_line(path, line_no, &line)?;
        prev = check_line(path, line_no, &event, count + 1, &prev)?;
        count += 1;
        if let Some((position, hash)) = digest {
            if event.position == *position {
                check_file_digest(&event, hash)?;
                digest_seen = true;
            }
        }
    }
    if let Some((position, hash)) = digest.filter(|_| !digest_seen) {
        return Err(Failure::Integrity(format!(
            "digest {position}:{hash} names position {position}, but the export ends at {count}"
        ))
        .into());
    }
    println!(
        "export intact: {count} events, digest {count}:{}",
        hex::encode(prev)
    );
    Ok(())
}

fn parse_line(path: &Path, line_no: usize, line: &str) -> Result<ExportLine> {
    serde_json::from_str(line).map_err(|e| {
        Failure::Integrity(format!(
            "{} line {line_no}: not an export line: {e}",
            path.display()
        ))
        .into()
    })
}

/// Checks one line against the chain so far; returns its hash.
fn check_line(
    path: &Path,
    line_no: usize,
    event: &ExportLine,
    expected_position: u64,
    prev: &[u8; 32],
) -> Result<[u8; 32]> {
    let fail = |what: String| -> anyhow::Error {
        Failure::Integrity(format!(
            "export broken at position {} ({} line {line_no}): {what}",
            event.position,
            path.display()
        ))
        .into()
    };
    if event.position != expected_position {
        return Err(fail(format!(
            "expected position {expected_position}: events were removed or reordered"
        )));
    }
    let stored = event.hash_bytes().map_err(|e| fail(e.to_string()))?;
    let computed = event.chained().chain_hash(prev);
    if stored != computed {
        return Err(fail(format!(
            "stored hash {} but its content hashes to {}: the event was altered",
            event.hash,
            hex::encode(computed)
        )));
    }
    Ok(stored)
}

fn check_file_digest(event: &ExportLine, hash: &str) -> Result<()> {
    if event.hash == hash {
        println!("digest {}:{hash} matches", event.position);
        return Ok(());
    }
    Err(Failure::Integrity(format!(
        "digest mismatch at position {}: the export's chain ends in {} there, the digest says {hash}",
        event.position, event.hash
    ))
    .into())
}
