//! On a SQLite file `read_all` reads the log on plain connections, not through the pool that
//! `read_stream` uses. The two decoders must agree on every field of every event, rows written
//! by other tools included (a date not in its canonical form), and must refuse the same
//! corrupt rows.

mod common;

use std::collections::HashMap;

use common::{append, meta, multi, part};
use hrledger_store::testing::TestDb;
use hrledger_store::{Backend, EventStore, ExpectedVersion, RecordedEvent, StoreError};

async fn ledger() -> (TestDb, EventStore) {
    let db = TestDb::sqlite().await;
    let store = EventStore::open(db.url()).await.unwrap();
    for n in 0..40 {
        let stream = format!("employee-{}", n % 12);
        let mut request = append(&stream, ExpectedVersion::Any, 1 + n % 3);
        if n % 5 == 0 {
            request.metadata.causation_id = Some(meta().command_id);
        }
        store.append(request).await.unwrap();
    }
    let both = multi(vec![
        part("transfer-1", ExpectedVersion::Any, 2),
        part("employee-3", ExpectedVersion::Any, 1),
    ]);
    store.append(both).await.unwrap();
    (db, store)
}

async fn execute(store: &EventStore, sql: &str) {
    let Backend::Sqlite(pool) = store.backend() else {
        unreachable!("a SQLite test database")
    };
    sqlx::query(sql).execute(&pool).await.unwrap();
}

/// Every event, read stream by stream through the pool.
async fn through_the_pool(store: &EventStore, log: &[RecordedEvent]) -> Vec<RecordedEvent> {
    let mut streams: HashMap<&str, Vec<RecordedEvent>> = HashMap::new();
    for event in log {
        if !streams.contains_key(event.stream.as_str()) {
            let events = store.read_stream(&event.stream, 0).await.unwrap();
            streams.insert(&event.stream, events);
        }
    }
    let mut all: Vec<RecordedEvent> = streams.into_values().flatten().collect();
    all.sort_by_key(|e| e.position);
    all
}

#[tokio::test]
async fn read_all_on_a_file_decodes_as_the_pool_does() {
    let (_db, store) = ledger().await;
    // A date another tool wrote without zero padding: both decoders read it as 1 April 2025.
    execute(
        &store,
        "UPDATE events SET effective_date = '2025-4-1' WHERE position = 5",
    )
    .await;
    let log = store.read_all(0, 1_000).await.unwrap();
    assert_eq!(log.len(), store.head().await.unwrap() as usize);
    let pooled = through_the_pool(&store, &log).await;
    assert_eq!(log, pooled, "every field of every event");
    assert_eq!(log[4].effective_date.to_string(), "2025-04-01");
    assert!(log.iter().any(|e| e.metadata.causation_id.is_some()));

    // Pages: every event once, in order, whatever the page size.
    let mut paged = Vec::new();
    loop {
        let after = paged.last().map_or(0, |e: &RecordedEvent| e.position);
        let page = store.read_all(after, 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, log);
}

#[tokio::test]
async fn read_all_on_a_file_refuses_a_corrupt_row_and_a_closed_store() {
    let (_db, store) = ledger().await;
    execute(
        &store,
        "UPDATE events SET event_id = x'0102' WHERE position = 9",
    )
    .await;
    let err = store.read_all(0, 1_000).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { position: 9, .. }),
        "{err}"
    );
    assert_eq!(store.read_all(9, 1_000).await.unwrap()[0].position, 10);
    // The lean read refuses the same row, when it cannot make out the row's own columns.
    execute(
        &store,
        "UPDATE events SET recorded_at_us = 9223372036854775807 WHERE position = 12",
    )
    .await;
    let lent = store.read_log(9, 1_000, |e| Ok::<_, StoreError>(e.position));
    let err = lent.await.unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { position: 12, .. }),
        "{err}"
    );
    store.close().await;
    assert!(matches!(
        store.read_all(0, 10).await,
        Err(StoreError::Closed)
    ));
    let lent = store.read_log(0, 10, |e| Ok::<_, StoreError>(e.position));
    assert!(matches!(lent.await, Err(StoreError::Closed)));
}
