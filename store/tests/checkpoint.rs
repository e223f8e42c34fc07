//! SQLite: the WAL is checkpointed into the database file in the background while the store
//! stays open, so a long-running process neither pays for checkpoints inside its commits nor
//! lets the WAL grow without bound.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::append;
use hrledger_store::{EventStore, ExpectedVersion};

/// Comfortably more than one background checkpoint's worth of events.
const EVENTS: u64 = 3_000;
const PATIENCE: Duration = Duration::from_secs(30);

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appended_pages_reach_the_database_file_while_the_store_is_open() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("ledger.db");
    let store = EventStore::open(&format!("sqlite://{}", file.display()))
        .await
        .expect("open");
    let before = size(&file);
    for stream in ["a", "b", "c"] {
        store
            .append(append(stream, ExpectedVersion::NoStream, EVENTS / 3))
            .await
            .expect("append");
    }
    let wal = file.with_extension("db-wal");
    assert!(size(&wal) > 0, "the appends went to the WAL");
    // Until a checkpoint copies them, committed pages live only in the WAL.
    let started = Instant::now();
    while size(&file) <= before {
        assert!(
            started.elapsed() < PATIENCE,
            "no checkpoint moved the appended pages into the database file"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(store.head().await.expect("head"), EVENTS);
    store.close().await;
}
