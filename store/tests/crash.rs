//! Crash safety: a child process appends in a loop and is killed with SIGKILL mid-stream.
//! On reopen the chain verifies, every acknowledged append is there, and no command is half
//! written (each command's events are all present or none are).
//!
//! The child is this test binary again (`current_exe`), selected by an environment variable.

mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{meta, multi, part};
use hrledger_store::testing::TestDb;
use hrledger_store::{EventStore, ExpectedVersion, Verification};
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

const CHILD_URL: &str = "HRLEDGER_CRASH_CHILD_URL";
/// Acknowledgements to wait for before pulling the plug.
const ACKS_BEFORE_KILL: usize = 300;
/// Events per command: 2 on one stream, 1 on another.
const EVENTS_PER_COMMAND: usize = 3;
/// The child gives up on its own if nobody kills it (e.g. the parent died).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_sqlite() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        return child(&url).await;
    }
    crash(&TestDb::sqlite().await, "crash_sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_postgres() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        return child(&url).await;
    }
    if let Some(db) = TestDb::postgres().await {
        crash(&db, "crash_postgres").await;
    }
}

/// Child mode: four tasks append commands and print `ack <command id> <first> <last>` for
/// each acknowledged one, until killed.
async fn child(url: &str) {
    let store = EventStore::open(url).await.expect("child opens the store");
    let tasks: Vec<_> = (0..4)
        .map(|t| tokio::spawn(child_writer(store.clone(), t)))
        .collect();
    for t in tasks {
        t.await.expect("child writer");
    }
}

async fn child_writer(store: EventStore, task: u32) {
    let started = Instant::now();
    let mut i = 0u64;
    while started.elapsed() < CHILD_LIFETIME {
        let mut request = multi(vec![
            part(&format!("case-{task}"), ExpectedVersion::Any, 2),
            part(
                &format!("employee-{task}-{}", i % 7),
                ExpectedVersion::Any,
                1,
            ),
        ]);
        request.metadata = meta();
        let r = store.append(request.clone()).await.expect("child append");
        println!(
            "ack {} {} {}",
            request.metadata.command_id, r.first_position, r.last_position
        );
        i += 1;
    }
}

async fn crash(db: &TestDb, test_name: &str) {
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(CHILD_URL, db.url())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the child");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    while acked.len() < ACKS_BEFORE_KILL {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        let line = line
            .expect("the child acknowledges appends")
            .unwrap()
            .expect("child alive");
        if let Some(ack) = parse_ack(&line) {
            acked.push(ack);
        }
    }
    child.start_kill().expect("SIGKILL the child"); // tokio sends SIGKILL on Unix
    child.wait().await.unwrap();
    check_after_crash(db, &acked).await;
}

fn parse_ack(line: &str) -> Option<(Uuid, u64, u64)> {
    let mut parts = line.strip_prefix("ack ")?.split(' ');
    let id = parts.next()?.parse().ok()?;
    Some((id, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

async fn check_after_crash(db: &TestDb, acked: &[(Uuid, u64, u64)]) {
    let store = EventStore::open(db.url())
        .await
        .expect("reopen after the crash");
    let head = store.head().await.unwrap();
    let verdict = store.verify(1, None).await.unwrap();
    assert!(
        matches!(verdict, Verification::Intact { checked, .. } if checked == head),
        "{verdict:?}"
    );
    let events = store.read_all(0, head).await.unwrap();
    let mut per_command: HashMap<Uuid, Vec<u64>> = HashMap::new();
    for e in &events {
        per_command
            .entry(e.metadata.command_id)
            .or_default()
            .push(e.position);
    }
    for (command, positions) in &per_command {
        assert_eq!(
            positions.len(),
            EVENTS_PER_COMMAND,
            "command {command} is half written"
        );
    }
    for (command, first, last) in acked {
        let expected: Vec<u64> = (*first..=*last).collect();
        assert_eq!(
            per_command.get(command),
            Some(&expected),
            "acknowledged {command} is missing"
        );
    }
    assert!(head as usize >= acked.len() * EVENTS_PER_COMMAND);
}
