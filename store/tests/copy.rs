//! Copying the start of a ledger into an empty database (`EventStore::copy_into`), on both
//! backends: the copy is the same chain, verifies, carries the results of the commands it
//! holds whole, refuses a database with events of its own, and takes new appends after it.

mod common;

use common::{append, event, meta};
use hrledger_store::testing::TestDb;
use hrledger_store::{
    AppendRequest, AppendResult, Digest, EventStore, ExpectedVersion, StoreError, StreamAppend,
    Verification,
};

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use hrledger_store::testing::TestDb;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(TestDb::sqlite().await, TestDb::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (Some(source), Some(target)) = (TestDb::postgres().await, TestDb::postgres().await) else {
                    return;
                };
                super::$case(source, target).await;
            }
        }
    )*};
}

on_both_backends!(
    a_prefix_is_the_same_chain_with_the_commands_it_holds_whole,
    a_whole_ledger_is_copied_page_by_page,
);

async fn open(db: &TestDb) -> EventStore {
    EventStore::open(db.url()).await.expect("open the store")
}

/// `count` events for `stream` in one command.
async fn appended(store: &EventStore, stream: &str, count: u64) -> AppendResult {
    store
        .append(append(stream, ExpectedVersion::Any, count))
        .await
        .unwrap()
}

fn command_id_of(request: &AppendRequest) -> uuid::Uuid {
    request.metadata.command_id
}

async fn a_prefix_is_the_same_chain_with_the_commands_it_holds_whole(
    source_db: TestDb,
    target_db: TestDb,
) {
    let source = open(&source_db).await;
    let whole = append("a", ExpectedVersion::NoStream, 3); // positions 1-3
    let split = append("b", ExpectedVersion::NoStream, 4); // 4-7, cut at 5
    let after = append("c", ExpectedVersion::NoStream, 2); // 8-9
    for request in [&whole, &split, &after] {
        source.append(request.clone()).await.unwrap();
    }
    let target = open(&target_db).await;

    assert_eq!(source.copy_into(&target, 5).await.unwrap(), 5);

    assert_eq!(
        target.read_all(0, 100).await.unwrap(),
        source.read_all(0, 5).await.unwrap(),
        "the copy holds the first five events exactly"
    );
    let fifth = source.read_all(4, 1).await.unwrap().remove(0);
    assert_eq!(
        target.digest().await.unwrap(),
        Some(Digest {
            position: 5,
            hash: fifth.hash
        }),
        "the copy's digest is the source's at position 5"
    );
    assert!(target.verify(1, None).await.unwrap().is_intact());
    assert_eq!(
        target.command_result(command_id_of(&whole)).await.unwrap(),
        source.command_result(command_id_of(&whole)).await.unwrap(),
    );
    for cut_off in [&split, &after] {
        assert_eq!(
            target.command_result(command_id_of(cut_off)).await.unwrap(),
            None,
            "a command not whole in the copy has no result there"
        );
    }

    let again = source.copy_into(&target, 9).await.unwrap_err();
    assert!(
        matches!(again, StoreError::NotEmpty { head: 5 }),
        "{again:?}"
    );
    assert!(again.to_string().contains("copy into an empty database"));
    assert_eq!(target.head().await.unwrap(), 5, "nothing was added");

    // The copy is a ledger in its own right: its next append chains on from position 5.
    let next = target
        .append(AppendRequest {
            metadata: meta(),
            streams: vec![StreamAppend {
                stream: "b".into(),
                expected: ExpectedVersion::Exact(1),
                events: vec![event(9)],
            }],
        })
        .await
        .unwrap();
    assert_eq!(next.first_position, 6);
    assert!(matches!(
        target.verify(1, None).await.unwrap(),
        Verification::Intact { checked: 6, .. }
    ));
    source.close().await;
    target.close().await;
}

async fn a_whole_ledger_is_copied_page_by_page(source_db: TestDb, target_db: TestDb) {
    let source = open(&source_db).await;
    // 5,005 events: commands run across the copy's pages of 2,000.
    let mut results = Vec::new();
    for (i, count) in [1_999, 3, 1_500, 1_503].into_iter().enumerate() {
        results.push(appended(&source, &format!("s{i}"), count).await);
    }
    let target = open(&target_db).await;
    let head = source.head().await.unwrap();

    assert_eq!(source.copy_into(&target, u64::MAX).await.unwrap(), head);

    assert_eq!(
        target.digest().await.unwrap(),
        source.digest().await.unwrap()
    );
    assert!(matches!(
        target.verify(1, None).await.unwrap(),
        Verification::Intact { checked: 5_005, .. }
    ));
    let copied = target.read_all(0, 10_000).await.unwrap();
    assert_eq!(copied, source.read_all(0, 10_000).await.unwrap());
    for (i, result) in results.iter().enumerate() {
        let id = copied
            .iter()
            .find(|e| e.position == result.first_position)
            .map(|e| e.metadata.command_id)
            .unwrap();
        let again = target.command_result(id).await.unwrap();
        assert_eq!(
            again.map(|r| (r.first_position, r.last_position)),
            Some((result.first_position, result.last_position)),
            "command {i}'s result is in the copy"
        );
    }
    source.close().await;
    target.close().await;
}
