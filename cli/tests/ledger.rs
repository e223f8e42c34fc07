//! The auditor's path through the binary: seed the demo, verify the chain, detect tampering
//! with the SQLite file, keep and check a digest, export and re-verify offline, replay the past.

mod common;

use common::{export_lines, seeded, Sandbox};
use hrledger_projections::{queries, ReadDb};
use hrledger_store::testing::exec_sql;
use hrledger_store::EventStore;

#[test]
fn demo_is_idempotent_and_verifies() {
    let sandbox = seeded();
    let db = sandbox.db();
    let again = sandbox.run(&["demo", "--db", &db]).ok();
    assert!(again.contains(" 0 new events"), "{again}");
    let verified = sandbox.run(&["verify", "--db", &db]).ok();
    assert!(verified.starts_with("ledger intact: "), "{verified}");
    let digest = sandbox.run(&["digest", "--db", &db]).ok();
    let digest = digest.trim();
    assert!(
        verified.contains(digest),
        "{verified} should end in {digest}"
    );
    sandbox
        .run(&["verify", "--db", &db, "--digest", digest])
        .ok();
}

#[tokio::test]
async fn a_changed_payload_byte_fails_verify_naming_the_position() {
    let sandbox = seeded();
    let db = sandbox.db();
    let digest = sandbox.run(&["digest", "--db", &db]).ok();
    let store = EventStore::open(&db).await.unwrap();
    // One byte of one body: "North" becomes "Nouth" in the first organisation's name.
    let changed = exec_sql(
        &store.backend(),
        "UPDATE events SET data = replace(data, 'North', 'Nouth') WHERE position = 1",
    )
    .await
    .unwrap();
    assert_eq!(changed, 1);
    store.close().await;

    let line = sandbox.run(&["verify", "--db", &db]).fails_with_one_line(3);
    assert!(line.contains("broken at position 1:"), "{line}");
    assert!(line.contains("altered"), "{line}");
    // A digest kept before the change no longer matches either.
    let line = sandbox
        .run(&["verify", "--db", &db, "--digest", digest.trim()])
        .fails_with_one_line(3);
    assert!(line.contains("position 1"), "{line}");
    // Checking only the range after the altered event still passes: the break is localised.
    sandbox.run(&["verify", "--db", &db, "--from", "2"]).ok();
}

#[tokio::test]
async fn a_removed_event_is_named_by_verify() {
    let sandbox = seeded();
    let db = sandbox.db();
    let store = EventStore::open(&db).await.unwrap();
    exec_sql(&store.backend(), "DELETE FROM events WHERE position = 40")
        .await
        .unwrap();
    store.close().await;
    let line = sandbox.run(&["verify", "--db", &db]).fails_with_one_line(3);
    assert!(line.contains("broken at position 40"), "{line}");
}

#[test]
fn an_export_re_verifies_offline_and_detects_an_edit() {
    let sandbox = seeded();
    let db = sandbox.db();
    let lines = export_lines(&sandbox, &db);
    let head: u64 = sandbox
        .run(&["digest", "--db", &db])
        .ok()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(lines.len() as u64, head);
    for field in [
        "position",
        "stream",
        "event_id",
        "recorded_at_us",
        "actor_role",
        "data",
        "hash",
    ] {
        assert!(lines[0].get(field).is_some(), "export lacks {field}");
    }
    let export = sandbox.path("export.jsonl");
    let export = export.to_str().unwrap();
    let out = sandbox.run(&["verify", "--file", export]).ok();
    assert!(
        out.starts_with(&format!("export intact: {head} events")),
        "{out}"
    );

    // An auditor's copy edited in one place: the reason of event 5.
    let text = std::fs::read_to_string(export).unwrap();
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 4 {
                l.replacen("\"reason\":\"", "\"reason\":\"x", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    let edited_path = sandbox.write("edited.jsonl", &(edited.join("\n") + "\n"));
    let line = sandbox
        .run(&["verify", "--file", edited_path.to_str().unwrap()])
        .fails_with_one_line(3);
    assert!(line.contains("position 5"), "{line}");
}

#[tokio::test]
async fn replay_until_a_time_before_the_transfer_shows_the_old_employer() {
    let sandbox = seeded();
    let db = sandbox.db();
    let lines = export_lines(&sandbox, &db);
    let transferred = lines
        .iter()
        .find(|l| l["event_type"] == "EmployeeTransferred")
        .expect("the demo transfers staff");
    let data: serde_json::Value =
        serde_json::from_str(transferred["data"].as_str().unwrap()).unwrap();
    let employee = data["employee_id"].as_str().unwrap().to_string();
    let recorded_us = transferred["recorded_at_us"].as_i64().unwrap();
    let before = chrono::DateTime::from_timestamp_micros(recorded_us - 1).unwrap();

    let past = sandbox.url("past.db");
    let until = before.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    sandbox
        .run(&[
            "replay",
            "--db",
            &db,
            "--until-time",
            &until,
            "--out",
            &past,
        ])
        .ok();

    let then = employer_of(&past, &employee).await;
    let now = employer_of(&db, &employee).await;
    assert_eq!(now.as_deref(), Some("ICB"));
    assert!(
        then.as_deref().is_some_and(|e| e.ends_with("CCG")),
        "before the transfer the employer is a predecessor, got {then:?}"
    );

    // Beside the read models, the ledger as it stood: the events before the transfer, whose
    // chain verifies and ends in the hash the live ledger has at that position.
    let last_before = lines
        .iter()
        .rfind(|l| l["recorded_at_us"].as_i64().unwrap() < recorded_us)
        .unwrap();
    let verified = sandbox.run(&["verify", "--db", &past]).ok();
    assert!(verified.starts_with("ledger intact: "), "{verified}");
    let digest = sandbox.run(&["digest", "--db", &past]).ok();
    assert_eq!(
        digest.trim(),
        format!(
            "{}:{}",
            last_before["position"],
            last_before["hash"].as_str().unwrap()
        )
    );
    // The audit trail there names who did what and why, from the copied log.
    let trail = trail_of(&past, &employee).await;
    assert!(!trail.is_empty());
    assert!(trail
        .iter()
        .all(|e| e.position <= last_before["position"].as_u64().unwrap()
            && !e.reason.is_empty()
            && e.event_type != "EmployeeTransferred"));
}

async fn trail_of(url: &str, employee: &str) -> Vec<queries::AuditEntry> {
    let store = EventStore::open(url).await.unwrap();
    let filter = queries::AuditFilter {
        employee_id: Some(employee.to_string()),
        ..Default::default()
    };
    let trail = queries::audit_trail(&ReadDb::from(store.backend()), &filter, 0, 1000)
        .await
        .unwrap();
    store.close().await;
    trail
}

async fn employer_of(url: &str, employee: &str) -> Option<String> {
    let store = EventStore::open(url).await.unwrap();
    let record = queries::staff_record(&ReadDb::from(store.backend()), employee)
        .await
        .unwrap();
    store.close().await;
    record.and_then(|r| r.employer_code)
}

#[test]
fn replay_refuses_to_overwrite_the_live_database_and_rebuild_restores_views() {
    let sandbox = seeded();
    let db = sandbox.db();
    let line = sandbox
        .run(&["replay", "--db", &db, "--until-position", "5", "--out", &db])
        .fails_with_one_line(1);
    assert!(line.contains("--out"), "{line}");
    let out = sandbox.run(&["rebuild", "--db", &db]).ok();
    let head = sandbox.run(&["digest", "--db", &db]).ok();
    let head = head.split(':').next().unwrap();
    assert!(out.contains(&format!("up to position {head}")), "{out}");
}

#[test]
fn reading_commands_never_create_a_ledger() {
    let sandbox = Sandbox::new();
    let db = sandbox.db();
    for command in ["verify", "digest", "export", "rebuild"] {
        let line = sandbox.run(&[command, "--db", &db]).fails_with_one_line(1);
        assert!(line.contains("no ledger at"), "{command}: {line}");
    }
    assert!(!sandbox.path("ledger.db").exists());
}
