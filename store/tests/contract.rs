//! One contract suite, run against every backend: each case is `async fn case(db: &TestDb)`,
//! instantiated for SQLite and PostgreSQL by `contract!`.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use tokio::sync::oneshot;

use common::{append, event, meta, multi, part};
use futures::StreamExt;
use hrledger_store::testing::{exec_sql, TestDb};
use hrledger_store::{
    AppendRequest, AppendResult, Backend, ChainBreak, EventStore, ExpectedVersion, InvalidAppend,
    LogEntry, NewEvent, StoreError, StreamAppend, StreamPosition, Verification,
};

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use hrledger_store::testing::TestDb;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(&TestDb::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = TestDb::postgres().await {
                    super::$case(&db).await;
                }
            }
        }
    )*};
}

contract!(
    round_trip,
    reads_page_and_filter,
    race,
    conflict,
    stream_names_are_looked_up_verbatim,
    idempotency,
    multi_stream_all_or_nothing,
    a_stream_read_but_not_written_is_version_checked,
    failing_request_does_not_fail_its_batch,
    conflicts_and_successes_interleaved_in_a_batch,
    a_refused_write_fails_only_its_request,
    bad_input,
    tamper_payload,
    tamper_delete,
    the_lowest_break_is_reported,
    subscribe_goes_live,
    schema_too_new,
    close_refuses_appends,
    two_writers_on_one_database_take_turns,
    the_log_lent_row_by_row_agrees_with_read_all,
);

async fn open(db: &TestDb) -> EventStore {
    EventStore::open(db.url()).await.expect("open the store")
}

/// A store whose stream `taken` holds one event (position 1).
async fn open_with_taken(db: &TestDb) -> EventStore {
    let store = open(db).await;
    store
        .append(append("taken", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    store
}

async fn round_trip(db: &TestDb) {
    let store = open(db).await;
    assert_eq!(store.head().await.unwrap(), 0);
    assert_eq!(store.digest().await.unwrap(), None);
    let request = multi(vec![
        part("transfer-1", ExpectedVersion::NoStream, 1),
        part("employee-1", ExpectedVersion::Any, 2),
    ]);
    let result = store.append(request.clone()).await.unwrap();
    assert_eq!((result.first_position, result.last_position), (1, 3));
    assert_eq!(
        store.stream_version("employee-1").await.unwrap(),
        StreamPosition::At(1)
    );
    assert_eq!(
        store.stream_version("nobody").await.unwrap(),
        StreamPosition::NoStream
    );
    let all = store.read_all(0, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    for (e, position) in all.iter().zip(1..) {
        assert_eq!(e.position, position);
        assert_eq!(
            e.recorded_at, result.recorded_at,
            "one clock reading per append"
        );
        assert_eq!(e.metadata, request.metadata);
        assert_eq!(e.event_id.get_version_num(), 7);
    }
    assert_eq!(all[0].data, request.streams[0].events[0].data);
    assert_eq!(
        all[2].effective_date,
        request.streams[1].events[1].effective_date
    );
    let digest = store.digest().await.unwrap().expect("a digest");
    assert_eq!((digest.position, digest.hash), (3, all[2].hash));
    let reopened = reopen(store, db).await;
    assert_eq!(
        reopened.read_all(0, 100).await.unwrap(),
        all,
        "round-trips exactly"
    );
    assert_eq!(
        reopened.verify(1, None).await.unwrap(),
        Verification::Intact {
            checked: 3,
            last: Some(digest)
        }
    );
}

async fn reopen(store: EventStore, db: &TestDb) -> EventStore {
    store.close().await;
    open(db).await
}

async fn reads_page_and_filter(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("a", ExpectedVersion::NoStream, 5))
        .await
        .unwrap();
    store
        .append(append("b", ExpectedVersion::NoStream, 5))
        .await
        .unwrap();
    let from_three = store.read_stream("a", 3).await.unwrap();
    assert_eq!(
        from_three.iter().map(|e| e.version).collect::<Vec<_>>(),
        [3, 4]
    );
    let page = store.read_all(4, 3).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.position).collect::<Vec<_>>(),
        [5, 6, 7]
    );
    assert!(store.read_stream("none", 0).await.unwrap().is_empty());
    assert!(store.read_all(10, 10).await.unwrap().is_empty());
}

/// What `read_log` lends of an event, owned.
type Entry = (
    u64,
    String,
    u64,
    String,
    u32,
    serde_json::Value,
    String,
    String,
);

fn owned(e: LogEntry<'_>) -> Result<Entry, StoreError> {
    let data = serde_json::from_str(e.data).expect("the stored text is the event's JSON");
    Ok((
        e.position,
        e.stream.to_owned(),
        e.version,
        e.event_type.to_owned(),
        e.schema_version,
        data,
        e.effective_date.to_string(),
        e.recorded_at.to_rfc3339(),
    ))
}

/// `read_log` lends each row to its reader: the same place, type, data and dates as
/// `read_all` gives, every event once in order whatever the page size, and an error of the
/// reader's own stops the read and comes back as it is.
async fn the_log_lent_row_by_row_agrees_with_read_all(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    store
        .append(append("a", ExpectedVersion::NoStream, 4))
        .await
        .unwrap();
    let both = multi(vec![
        part("b", ExpectedVersion::NoStream, 2),
        part("a", ExpectedVersion::Any, 1),
    ]);
    store.append(both).await.unwrap();
    let expected: Vec<Entry> = store
        .read_all(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let date = e.effective_date.to_string();
            let at = e.recorded_at.to_rfc3339();
            let place = (e.position, e.stream, e.version, e.event_type);
            (
                place.0,
                place.1,
                place.2,
                place.3,
                e.schema_version,
                e.data,
                date,
                at,
            )
        })
        .collect();
    assert_eq!(expected.len(), 7);

    let mut paged: Vec<Entry> = Vec::new();
    loop {
        let after = paged.last().map_or(0, |e| e.0);
        let page = store.read_log(after, 3, owned).await.unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, expected);

    let stop = |e: LogEntry<'_>| match e.position {
        3 => Err(StoreError::Corrupt {
            position: 3,
            detail: "the reader's own".into(),
        }),
        p => Ok(p),
    };
    let err = store.read_log(0, 100, stop).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { position: 3, .. }),
        "{err}"
    );
    assert_eq!(store.read_log(3, 100, stop).await.unwrap(), [4, 5, 6, 7]);
    store.close().await;
}

const RACE_WRITERS: u64 = 8;
const RACE_APPENDS_PER_WRITER: u64 = 150;

/// Writers on one or two stores (two pools and writers, like two processes, on PostgreSQL)
/// append while a subscriber tails the log: it sees every event once, in order, gap-free.
async fn race(db: &TestDb) {
    let first = open(db).await;
    let second = if db.is_postgres() {
        open(db).await
    } else {
        first.clone()
    };
    let mut tail = first.subscribe_all(0);
    let writers: Vec<_> = (0..RACE_WRITERS)
        .map(|w| {
            let store = if w % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(race_writer(store, w))
        })
        .collect();
    let mut written = BTreeSet::new();
    for w in writers {
        written.extend(w.await.unwrap());
    }
    let total = written.len() as u64;
    assert!(total >= 2000, "thousands of events: {total}");
    let mut seen = Vec::new();
    while (seen.len() as u64) < total {
        let next = tokio::time::timeout(Duration::from_secs(20), tail.next()).await;
        seen.push(
            next.expect("the tail keeps up")
                .expect("stream open")
                .unwrap()
                .position,
        );
    }
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "in order, no gap, no repeat"
    );
    assert_eq!(
        written,
        seen.into_iter().collect(),
        "exactly what the writers got back"
    );
    let extra = tokio::time::timeout(Duration::from_millis(300), tail.next()).await;
    assert!(extra.is_err(), "nothing beyond what was written");
    assert!(
        matches!(first.verify(1, None).await.unwrap(), Verification::Intact { checked, .. } if checked == total)
    );
}

/// Appends 1–3 events per command to its own streams; returns every position it was given.
async fn race_writer(store: EventStore, writer: u64) -> Vec<u64> {
    let mut positions = Vec::new();
    for i in 0..RACE_APPENDS_PER_WRITER {
        let count = 1 + (i % 3);
        let stream = format!("employee-{writer}-{}", i % 5);
        let r = store
            .append(append(&stream, ExpectedVersion::Any, count))
            .await
            .unwrap();
        assert_eq!(r.last_position - r.first_position + 1, count);
        positions.extend(r.first_position..=r.last_position);
    }
    positions
}

async fn conflict(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("case-1", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let contenders: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .append(append("case-1", ExpectedVersion::Exact(0), 1))
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for c in contenders {
        match c.await.unwrap() {
            Ok(_) => wins += 1,
            Err(StoreError::Conflict {
                stream,
                expected,
                actual,
            }) => {
                assert_eq!(
                    (stream.as_str(), expected),
                    ("case-1", ExpectedVersion::Exact(0))
                );
                assert_eq!(actual, StreamPosition::At(1));
            }
            Err(other) => panic!("expected a conflict, got {other}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(store.read_stream("case-1", 0).await.unwrap().len(), 2);
    assert_eq!(store.head().await.unwrap(), 2);
}

/// A batch looks its streams up in one text that carries their names (see the store's
/// `lookup`): names with quotes, backslashes, SQL and non-ASCII letters must be found exactly,
/// or a version check would pass on a stream that moved.
async fn stream_names_are_looked_up_verbatim(db: &TestDb) {
    let store = open(db).await;
    let names = [
        "it's a 'case'",
        r"back\slash\'",
        "x'); DROP TABLE events; --",
        "dossier-é",
    ];
    for name in names {
        store
            .append(append(name, ExpectedVersion::NoStream, 1))
            .await
            .unwrap();
        match store
            .append(append(name, ExpectedVersion::NoStream, 1))
            .await
        {
            Err(StoreError::Conflict { stream, actual, .. }) => {
                assert_eq!((stream.as_str(), actual), (name, StreamPosition::At(0)));
            }
            other => panic!("expected a conflict on {name}, got {other:?}"),
        }
        let request = append(name, ExpectedVersion::Exact(0), 1);
        let first = store.append(request.clone()).await.unwrap();
        let again = store.append(request).await.unwrap();
        assert!(again.replayed && again.first_position == first.first_position);
    }
    assert_eq!(store.head().await.unwrap(), 2 * names.len() as u64);
    assert!(matches!(
        store.verify(1, None).await.unwrap(),
        Verification::Intact { .. }
    ));
}

async fn idempotency(db: &TestDb) {
    let store = open(db).await;
    let request = append("s", ExpectedVersion::NoStream, 2);
    let first = store.append(request.clone()).await.unwrap();
    // A re-send replays the first result even though NoStream no longer holds.
    let again = store.append(request).await.unwrap();
    assert!(
        again.replayed && !first.replayed,
        "the re-send is marked as a replay"
    );
    assert_eq!(
        AppendResult {
            replayed: false,
            ..again
        },
        first
    );
    assert_eq!(store.head().await.unwrap(), 2);

    let request = append("t", ExpectedVersion::Any, 3);
    let sends: Vec<_> = (0..10)
        .map(|_| {
            let (store, request) = (store.clone(), request.clone());
            tokio::spawn(async move { store.append(request).await.unwrap() })
        })
        .collect();
    let mut results = HashSet::new();
    let mut first_runs = 0;
    for s in sends {
        let result = s.await.unwrap();
        first_runs += usize::from(!result.replayed);
        results.insert(serde_json::to_string(&result).unwrap());
    }
    assert_eq!(results.len(), 1, "every send gets the same result");
    assert_eq!(
        first_runs, 1,
        "exactly one send is the first run; the rest are replays"
    );
    assert_eq!(store.head().await.unwrap(), 5, "stored once");
    assert_eq!(store.read_stream("t", 0).await.unwrap().len(), 3);
}

async fn a_stream_read_but_not_written_is_version_checked(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("policy", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    // The decision read `policy` at version 0 and writes to `case` only.
    let decided_on = |version| {
        multi(vec![
            part("case", ExpectedVersion::Any, 1),
            part("policy", ExpectedVersion::Exact(version), 0),
        ])
    };
    store
        .append(append("policy", ExpectedVersion::Exact(0), 1))
        .await
        .unwrap();
    let stale = store.append(decided_on(0)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert_eq!(store.head().await.unwrap(), 2, "nothing written");
    let fresh = store.append(decided_on(1)).await.unwrap();
    assert_eq!(fresh.first_position, 3);
    assert_eq!(fresh.last_position, 3);
    assert_eq!(
        store.read_stream("policy", 0).await.unwrap().len(),
        2,
        "policy unchanged"
    );
    assert!(store.verify(1, None).await.unwrap().is_intact());
}

async fn multi_stream_all_or_nothing(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("a", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    store
        .append(append("b", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let stale = multi(vec![
        part("a", ExpectedVersion::Exact(0), 2),
        part("c", ExpectedVersion::NoStream, 2),
        part("b", ExpectedVersion::Exact(5), 1),
    ]);
    let err = store.append(stale).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { ref stream, .. } if stream == "b"),
        "{err}"
    );
    assert_eq!(store.head().await.unwrap(), 2);
    assert_eq!(
        store.stream_version("a").await.unwrap(),
        StreamPosition::At(0)
    );
    assert_eq!(
        store.stream_version("c").await.unwrap(),
        StreamPosition::NoStream
    );
    let ok = store
        .append(multi(vec![
            part("a", ExpectedVersion::Exact(0), 2),
            part("b", ExpectedVersion::Exact(0), 1),
        ]))
        .await
        .unwrap();
    assert_eq!((ok.first_position, ok.last_position), (3, 5));
    assert_eq!(
        store.stream_version("a").await.unwrap(),
        StreamPosition::At(2)
    );
}

/// Sends `requests` while the append lock is held from outside the store (as another process
/// would hold it), with one blocking append already taken by the writer, so the requests all
/// queue up and share the next batch. Returns their results in order; the blocking append takes
/// the position after the current head.
async fn in_one_batch(
    store: &EventStore,
    requests: Vec<AppendRequest>,
) -> Vec<Result<AppendResult, StoreError>> {
    let (release, holder) = hold_append_lock(store.backend()).await;
    let blocked = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .append(append("blocker", ExpectedVersion::NoStream, 1))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await; // the writer takes it and waits
    let queued = tokio::spawn({
        let store = store.clone();
        async move { futures::future::join_all(requests.into_iter().map(|r| store.append(r))).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await; // every request queues
    release.send(()).unwrap();
    holder.await.unwrap();
    blocked.await.unwrap().unwrap();
    queued.await.unwrap()
}

/// Takes the store's append lock on a connection of its own until the sender is used.
async fn hold_append_lock(backend: Backend) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (locked, is_locked) = oneshot::channel();
    let (release, released) = oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        match backend {
            Backend::Sqlite(pool) => {
                let mut c = pool.acquire().await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *c)
                    .await
                    .unwrap();
                locked.send(()).unwrap();
                let _ = released.await;
                sqlx::query("ROLLBACK").execute(&mut *c).await.unwrap();
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("SELECT 1 FROM ledger_head WHERE id = 1 FOR UPDATE")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                locked.send(()).unwrap();
                let _ = released.await;
                tx.rollback().await.unwrap();
            }
        }
    });
    is_locked.await.unwrap();
    (release, holder)
}

/// True when every result was committed in the same batch (they share its clock reading).
fn one_batch(ok: &[&AppendResult]) -> bool {
    ok.iter().all(|r| r.recorded_at == ok[0].recorded_at)
}

/// Conflicting and replayed requests in a batch must not fail the good ones.
async fn failing_request_does_not_fail_its_batch(db: &TestDb) {
    let store = open_with_taken(db).await;
    let good: Vec<AppendRequest> = (0..10)
        .map(|i| append(&format!("g{i}"), ExpectedVersion::NoStream, 2))
        .collect();
    let mut requests = good.clone();
    requests.push(append("taken", ExpectedVersion::NoStream, 1));
    requests.push(good[0].clone()); // the same command again, in the same batch
    let results = in_one_batch(&store, requests).await;
    let ok: Vec<&AppendResult> = results[..10].iter().map(|r| r.as_ref().unwrap()).collect();
    assert!(matches!(results[10], Err(StoreError::Conflict { .. })));
    let replay = results[11].as_ref().unwrap();
    assert!(replay.replayed);
    assert_eq!(
        &AppendResult {
            replayed: false,
            ..replay.clone()
        },
        ok[0],
        "a replay, not a second write"
    );
    assert!(one_batch(&ok), "the requests were group-committed");
    assert_eq!(store.head().await.unwrap(), 1 + 1 + 20);
    assert!(matches!(
        store.verify(1, None).await.unwrap(),
        Verification::Intact { .. }
    ));
}

/// Within one batch each request is decided on the versions the requests before it left, and
/// a command id sent twice runs once.
async fn conflicts_and_successes_interleaved_in_a_batch(db: &TestDb) {
    let store = open_with_taken(db).await;
    let create = append("x", ExpectedVersion::NoStream, 2);
    let requests = vec![
        create.clone(),
        append("x", ExpectedVersion::NoStream, 1), // x was just created in this batch
        append("x", ExpectedVersion::Exact(1), 1), // builds on the first request
        create.clone(),                            // the first request again: a replay
        append("x", ExpectedVersion::Exact(1), 1), // stale: the third request moved x to 2
        multi(vec![
            part("y", ExpectedVersion::NoStream, 1),
            part("taken", ExpectedVersion::Exact(3), 0), // fails the whole request: y stays new
        ]),
        append("y", ExpectedVersion::NoStream, 1),
        create,
    ];
    let results = in_one_batch(&store, requests).await;
    let conflict_on = |i: usize, stream: &str, actual: StreamPosition| match &results[i] {
        Err(StoreError::Conflict {
            stream: s,
            actual: a,
            ..
        }) => assert!(s == stream && *a == actual, "request {i}: {s} at {a}"),
        other => panic!("request {i}: expected a conflict, got {other:?}"),
    };
    let first = results[0].as_ref().unwrap();
    assert_eq!((first.first_position, first.last_position), (3, 4));
    conflict_on(1, "x", StreamPosition::At(1));
    let third = results[2].as_ref().unwrap();
    assert_eq!(third.streams[0].version, 2);
    assert_eq!(third.first_position, 5);
    for replay in [&results[3], &results[7]] {
        let replay = replay.as_ref().unwrap();
        assert!(replay.replayed);
        assert_eq!(replay.first_position, first.first_position);
    }
    conflict_on(4, "x", StreamPosition::At(2));
    conflict_on(5, "taken", StreamPosition::At(0));
    let y = results[6].as_ref().unwrap();
    assert_eq!((y.first_position, y.streams[0].version), (6, 0));
    assert!(
        one_batch(&[first, third, y]),
        "the requests were group-committed"
    );
    assert_eq!(store.head().await.unwrap(), 6);
    assert_eq!(
        store.stream_version("x").await.unwrap(),
        StreamPosition::At(2)
    );
    assert_eq!(
        store.stream_version("y").await.unwrap(),
        StreamPosition::At(0)
    );
    let replayed = store
        .append(append("x", ExpectedVersion::Exact(2), 1))
        .await;
    assert_eq!(
        replayed.unwrap().first_position,
        7,
        "the stored versions hold"
    );
    assert!(store.verify(1, None).await.unwrap().is_intact());
}

/// When the database refuses one request's rows (here a trigger), the batch's multi-row write
/// fails; the batch is run again request by request and only that request fails.
async fn a_refused_write_fails_only_its_request(db: &TestDb) {
    let store = open_with_taken(db).await;
    let trigger = if db.is_postgres() {
        "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN IF NEW.stream = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; \
         RETURN NEW; END $$; \
         CREATE TRIGGER refuse_poison BEFORE INSERT ON events \
         FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
    } else {
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.stream = 'poison' \
         BEGIN SELECT RAISE(ABORT, 'poison refused'); END;"
    };
    exec_sql(&store.backend(), trigger).await.unwrap();
    let good: Vec<AppendRequest> = (0..6)
        .map(|i| append(&format!("g{i}"), ExpectedVersion::NoStream, 2))
        .collect();
    let mut requests = good.clone();
    requests.insert(3, append("poison", ExpectedVersion::Any, 1));
    requests.push(append("taken", ExpectedVersion::NoStream, 1));
    requests.push(good[1].clone());
    let results = in_one_batch(&store, requests).await;
    assert!(
        matches!(&results[3], Err(e @ (StoreError::Database(_) | StoreError::Sqlite(_)))
            if e.to_string().contains("poison refused")),
        "{:?}",
        results[3]
    );
    let ok: Vec<&AppendResult> = [0, 1, 2, 4, 5, 6]
        .iter()
        .map(|&i| results[i].as_ref().unwrap())
        .collect();
    assert!(ok.iter().all(|r| !r.replayed));
    assert!(matches!(results[7], Err(StoreError::Conflict { .. })));
    assert!(results[8].as_ref().unwrap().replayed);
    assert_eq!(
        results[8].as_ref().unwrap().first_position,
        ok[1].first_position
    );
    assert!(one_batch(&ok), "the requests were group-committed");
    assert_eq!(store.head().await.unwrap(), 1 + 1 + 12);
    assert_eq!(
        store.stream_version("poison").await.unwrap(),
        StreamPosition::NoStream
    );
    assert!(store.verify(1, None).await.unwrap().is_intact());
}

async fn bad_input(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("s", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let too_big =
        serde_json::json!({ "text": "x".repeat(hrledger_store::limits::MAX_EVENT_BYTES) });
    let cases: Vec<(AppendRequest, InvalidAppend)> = vec![
        (multi(vec![]), InvalidAppend::NoEvents),
        (
            append("", ExpectedVersion::Any, 1),
            InvalidAppend::EmptyStreamName,
        ),
        (
            append(&"n".repeat(201), ExpectedVersion::Any, 1),
            InvalidAppend::StreamNameTooLong("n".repeat(201)),
        ),
        (
            multi(vec![
                part("d", ExpectedVersion::Any, 1),
                part("d", ExpectedVersion::Any, 1),
            ]),
            InvalidAppend::DuplicateStream("d".into()),
        ),
        (
            with_body(too_big),
            InvalidAppend::EventTooLarge {
                stream: "s".into(),
                bytes: hrledger_store::limits::MAX_EVENT_BYTES + 11,
            },
        ),
        (
            with_body(serde_json::json!([1, 2])),
            InvalidAppend::BodyNotAnObject {
                stream: "s".into(),
                found: "an array",
            },
        ),
        (
            with_body(serde_json::json!("text")),
            InvalidAppend::BodyNotAnObject {
                stream: "s".into(),
                found: "a string",
            },
        ),
        (
            with_event(|e| e.event_type.clear()),
            InvalidAppend::EmptyEventType,
        ),
        (with_actor(" "), InvalidAppend::EmptyActor),
        (
            append("s", ExpectedVersion::Any, 20_001),
            InvalidAppend::TooManyEvents(20_001),
        ),
    ];
    for (request, expected) in cases {
        match store.append(request).await {
            Err(StoreError::Invalid(found)) => assert_eq!(found, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    for expected in [ExpectedVersion::Exact(1), ExpectedVersion::Exact(99)] {
        let err = store.append(append("s", expected, 1)).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    actual: StreamPosition::At(0),
                    ..
                }
            ),
            "{err}"
        );
    }
    let err = store
        .append(append("fresh", ExpectedVersion::Exact(0), 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                actual: StreamPosition::NoStream,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.head().await.unwrap(), 1, "nothing written");
}

/// One event on stream `s`, altered by `change`.
fn with_event(change: impl FnOnce(&mut NewEvent)) -> AppendRequest {
    let mut e = event(0);
    change(&mut e);
    AppendRequest::single("s", ExpectedVersion::Any, vec![e], meta())
}

fn with_body(data: serde_json::Value) -> AppendRequest {
    with_event(|e| e.data = data)
}

fn with_actor(actor: &str) -> AppendRequest {
    let mut request = append("s", ExpectedVersion::Any, 1);
    request.metadata.actor = actor.into();
    request
}

/// Twenty events `{"n": 0..19}` over four streams.
async fn twenty_events(store: &EventStore) {
    for s in 0..4 {
        let events = (0..5).map(|i| event(s * 5 + i)).collect();
        let request = AppendRequest {
            metadata: meta(),
            streams: vec![StreamAppend {
                stream: format!("s{s}"),
                expected: ExpectedVersion::Any,
                events,
            }],
        };
        store.append(request).await.unwrap();
    }
}

async fn tamper_payload(db: &TestDb) {
    let store = open(db).await;
    twenty_events(&store).await;
    // Position 8 holds {"n":7,...}: change one digit.
    let changed = exec_sql(
        &store.backend(),
        r#"UPDATE events SET data = replace(data, '"n":7', '"n":8') WHERE position = 8"#,
    )
    .await
    .unwrap();
    assert_eq!(changed, 1);
    match store.verify(1, None).await.unwrap() {
        Verification::Broken {
            position: 8,
            problem: ChainBreak::HashMismatch { stored, computed },
        } => assert_ne!(stored, computed),
        other => panic!("expected a hash mismatch at 8, got {other:?}"),
    }
    assert!(matches!(
        store.verify(1, Some(7)).await.unwrap(),
        Verification::Intact { checked: 7, .. }
    ));
    assert!(matches!(
        store.verify(9, None).await.unwrap(),
        Verification::Intact { checked: 12, .. }
    ));
    let err = store.read_all(7, 1).await.unwrap()[0].data["n"].clone();
    assert_eq!(err, 8, "reads show the altered row; only verify can tell");
}

async fn tamper_delete(db: &TestDb) {
    let store = open(db).await;
    twenty_events(&store).await;
    exec_sql(&store.backend(), "DELETE FROM events WHERE position = 12")
        .await
        .unwrap();
    assert_eq!(
        store.verify(1, None).await.unwrap(),
        Verification::Broken {
            position: 12,
            problem: ChainBreak::MissingPosition {
                expected: 12,
                found: 13
            }
        }
    );
    exec_sql(&store.backend(), "DELETE FROM events WHERE position >= 12")
        .await
        .unwrap();
    assert_eq!(
        store.verify(1, None).await.unwrap(),
        Verification::Broken {
            position: 12,
            problem: ChainBreak::MissingPosition {
                expected: 12,
                found: 0
            }
        },
        "removing the newest events is caught by the recorded head"
    );
}

/// Verification reads pages of 50,000 rows and hashes them on another thread, a few thousand
/// rows at a time: the break reported must still be the lowest, whichever thread finds it and
/// in whichever page.
async fn the_lowest_break_is_reported(db: &TestDb) {
    let store = open(db).await;
    for _ in 0..5 {
        let events = (0..11_000).map(event).collect();
        let request = AppendRequest {
            metadata: meta(),
            streams: vec![StreamAppend {
                stream: "long".into(),
                expected: ExpectedVersion::Any,
                events,
            }],
        };
        store.append(request).await.unwrap();
    }
    let alter = |position: u64| {
        let backend = store.backend();
        async move {
            let sql =
                format!("UPDATE events SET reason = reason || '!' WHERE position = {position}");
            assert_eq!(exec_sql(&backend, &sql).await.unwrap(), 1);
        }
    };
    let mismatch_at = |verdict: Verification| match verdict {
        Verification::Broken {
            position,
            problem: ChainBreak::HashMismatch { .. },
        } => position,
        other => panic!("expected a hash mismatch, got {other:?}"),
    };
    // Two altered rows, in the first and the second page.
    alter(52_000).await;
    alter(300).await;
    assert_eq!(mismatch_at(store.verify(1, None).await.unwrap()), 300);
    assert_eq!(mismatch_at(store.verify(1000, None).await.unwrap()), 52_000);
    // A missing row (found while reading) above an altered one (found while hashing)...
    exec_sql(
        &store.backend(),
        "DELETE FROM events WHERE position = 51000",
    )
    .await
    .unwrap();
    assert_eq!(mismatch_at(store.verify(1, None).await.unwrap()), 300);
    // ...and below one.
    assert_eq!(
        store.verify(1000, None).await.unwrap(),
        Verification::Broken {
            position: 51_000,
            problem: ChainBreak::MissingPosition {
                expected: 51_000,
                found: 51_001
            }
        }
    );
    assert!(matches!(
        store.verify(301, Some(50_999)).await.unwrap(),
        Verification::Intact {
            checked: 50_699,
            ..
        }
    ));
}

async fn subscribe_goes_live(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("s", ExpectedVersion::Any, 2))
        .await
        .unwrap();
    let mut sub = store.subscribe_all(1);
    let caught_up = sub.next().await.unwrap().unwrap();
    assert_eq!(caught_up.position, 2);
    let writer = store.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        writer
            .append(append("s", ExpectedVersion::Any, 1))
            .await
            .unwrap();
    });
    let live = tokio::time::timeout(Duration::from_secs(2), sub.next()).await;
    assert_eq!(
        live.expect("woken by the commit")
            .unwrap()
            .unwrap()
            .position,
        3
    );
    let mut watch = store.head_watch();
    assert_eq!(*watch.borrow_and_update(), 3);
}

async fn schema_too_new(db: &TestDb) {
    let store = open(db).await;
    let checksum = if db.is_postgres() {
        r"'\x00'::bytea"
    } else {
        "X'00'"
    };
    let future = format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer hrledger', TRUE, {checksum}, 0)"
    );
    exec_sql(&store.backend(), &future).await.unwrap();
    store.close().await;
    match EventStore::open(db.url()).await {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!(found, 99990101000000);
            assert!(supported >= 1 && supported < found);
        }
        Err(other) => panic!("expected SchemaTooNew, got {other}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

async fn close_refuses_appends(db: &TestDb) {
    let store = open(db).await;
    store
        .append(append("s", ExpectedVersion::Any, 1))
        .await
        .unwrap();
    store.close().await;
    assert!(matches!(
        store.append(append("s", ExpectedVersion::Any, 1)).await,
        Err(StoreError::Closed)
    ));
}

/// Two stores on one database (as two processes): each writer's memory of the head and of
/// stream versions goes stale whenever the other commits. Versions, creations, replays and
/// read-only checks must still be judged on the database as it is.
async fn two_writers_on_one_database_take_turns(db: &TestDb) {
    let (a, b) = (open(db).await, open(db).await);
    let first = a
        .append(append("shared", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    a.append(append("shared", ExpectedVersion::Exact(0), 1))
        .await
        .unwrap();
    b.append(append("shared", ExpectedVersion::Exact(1), 1))
        .await
        .unwrap();
    // `a` last saw `shared` at 1, as it left it: stale now.
    assert!(matches!(
        a.append(append("shared", ExpectedVersion::Exact(1), 1))
            .await,
        Err(StoreError::Conflict {
            actual: StreamPosition::At(2),
            ..
        })
    ));
    let any = a
        .append(append("shared", ExpectedVersion::Any, 1))
        .await
        .unwrap();
    assert_eq!(
        any.streams[0].version, 3,
        "Any lands after the other writer's event"
    );

    // A stream the other writer created meanwhile is not created twice.
    b.append(append("created", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    a.append(append("mine", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    assert!(matches!(
        a.append(append("created", ExpectedVersion::NoStream, 1))
            .await,
        Err(StoreError::Conflict {
            actual: StreamPosition::At(0),
            ..
        })
    ));

    // A command recorded through one writer replays through the other, even where its
    // expectation would now fail.
    let request = append("replayed", ExpectedVersion::NoStream, 2);
    let recorded = b.append(request.clone()).await.unwrap();
    a.append(append("mine", ExpectedVersion::Exact(0), 1))
        .await
        .unwrap();
    let again = a.append(request).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.first_position, recorded.first_position);

    // A stream only read is checked against the other writer's latest event.
    b.append(append("mine", ExpectedVersion::Exact(1), 1))
        .await
        .unwrap();
    let read_only = multi(vec![
        part("elsewhere", ExpectedVersion::NoStream, 1),
        part("mine", ExpectedVersion::Exact(1), 0),
    ]);
    assert!(matches!(
        a.append(read_only).await,
        Err(StoreError::Conflict {
            actual: StreamPosition::At(2),
            ..
        })
    ));

    assert_eq!(a.head().await.unwrap(), 10);
    assert_eq!(first.first_position, 1);
    assert!(a.verify(1, None).await.unwrap().is_intact());
    assert_eq!(a.read_stream("shared", 0).await.unwrap().len(), 4);
    a.close().await;
    b.close().await;
}
