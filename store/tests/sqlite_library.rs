//! The store configures the SQLite library before its first connection: memory statistics,
//! which cost a global mutex on every allocation, are off. Its own test binary, so no other
//! test can start SQLite first.

use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;

#[tokio::test]
async fn sqlite_keeps_no_memory_statistics() {
    let db = TestDb::sqlite().await;
    let store = EventStore::open(db.url()).await.expect("open");
    assert_eq!(store.head().await.expect("head"), 0);
    let (mut current, mut high) = (0i64, 0i64);
    // SAFETY: a status read with valid out pointers.
    let code = unsafe {
        rusqlite::ffi::sqlite3_status64(
            rusqlite::ffi::SQLITE_STATUS_MEMORY_USED,
            &mut current,
            &mut high,
            0,
        )
    };
    assert_eq!(code, rusqlite::ffi::SQLITE_OK);
    // With statistics kept, an open database with a migrated schema uses memory; with them
    // off SQLite reports none.
    assert_eq!(current, 0, "SQLite is still keeping memory statistics");
    store.close().await;
}
