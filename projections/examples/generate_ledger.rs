//! Writes the projections benchmark's synthetic ledger (seeded merger programmes through the
//! command path, 16 at a time) into a database that is kept, so `hrledger rebuild` can be timed
//! against it again and again, e.g. to compare two builds on one ledger:
//!
//!     cargo run --release -p hrledger-projections --example generate_ledger -- sqlite://ledger.db 200000
//!     target/release/hrledger rebuild --db sqlite://ledger.db

use hrledger_commands::scenario::{bench_clock, fill_ledger};
use hrledger_commands::Ledger;
use hrledger_store::EventStore;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(events)) = (args.next(), args.next()) else {
        eprintln!("usage: generate_ledger <database url> <events>");
        std::process::exit(2);
    };
    let events: u64 = events.parse().expect("events is a number");
    let store = EventStore::open(&url).await.expect("open the database");
    let ledger = Ledger::with_clock(store.clone(), bench_clock());
    let (commands, written) = fill_ledger(&ledger, events).await.expect("programmes run");
    println!("{written} events from {commands} commands written to {url}");
    store.close().await;
}
