//! A small merger driven only through the API, then read back through every view.

use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde_json::{json, Value};

use crate::fixtures::{self, command, refused, PREDECESSOR, SUCCESSOR};
use crate::harness::TestServer;
use crate::on_both_backends;

const STAFF: usize = 30;

async fn merger_programme_end_to_end(db: TestDb) {
    let s = TestServer::start(db).await;
    let hr = s.named_token("adviser.jones", Role::HrAdviser).await;
    let payroll = s.token(Role::Payroll).await;
    let auditor = s.token(Role::Auditor).await;

    fixtures::organisations(&s, &hr).await;
    let programme = fixtures::programme(&s, &hr).await;
    let staff = fixtures::hire(&s, &hr, STAFF).await;
    let transfer = fixtures::transfer(&s, &hr, Some(programme), &staff).await;
    command(&s, &hr, "provideEmployeeLiabilityInformation", json!({
        "transferId": transfer, "employeeIds": staff, "asAt": "2026-05-01", "effectiveDate": "2026-05-01",
    }))
    .await;
    let objector = staff[0];
    command(&s, &hr, "receiveObjection", json!({
        "transferId": transfer, "employeeId": objector, "receivedBy": "TRANSFEROR", "effectiveDate": "2026-05-15",
    }))
    .await;
    // An objection on the transfer date is too late: the domain names the rule and the dates.
    let (code, message) = refused(&s, &hr, "receiveObjection", json!({
        "transferId": transfer, "employeeId": staff[1], "receivedBy": "TRANSFEROR", "effectiveDate": "2026-07-01",
    }))
    .await;
    assert_eq!(code, "RULE_VIOLATION", "{message}");
    assert!(
        message.contains("TUPE_REG4_7") && message.contains("2026-07-01"),
        "{message}"
    );
    let completed = command(&s, &hr, "completeTransfer", json!({"transferId": transfer})).await;
    let events: Vec<&str> = completed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"TransferCompleted"), "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|e| **e == "EmployeeTransferred")
            .count(),
        STAFF - 1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| **e == "EmploymentEndedByObjection")
            .count(),
        1
    );
    let written = completed["lastPosition"].as_u64().unwrap();

    staff_records_show_the_transfer(&s, &payroll, &staff, written).await;
    as_of_reads_the_past(&s, &payroll, staff[1]).await;
    case_views_show_the_transfer(&s, &hr, transfer, programme).await;
    audit_trail_names_the_actor(&s, &auditor, staff[1]).await;
    change_feed_pages_through_every_change(&s, &payroll, STAFF).await;
    let verdict = s
        .ok(&auditor, "{ verifyLedger { intact checked } }", json!({}))
        .await;
    assert_eq!(verdict["verifyLedger"]["intact"], json!(true));
    s.stop().await;
}
on_both_backends!(merger_programme_end_to_end);

const RECORD: &str = "query($id: UUID!, $asOf: NaiveDate, $min: Int) { staffRecord(employeeId: $id, asOf: $asOf, minPosition: $min) { employeeId givenName niNumber employerCode status band fte continuousServiceDate validFrom lastPosition } }";

async fn staff_records_show_the_transfer(
    s: &TestServer,
    payroll: &str,
    staff: &[uuid::Uuid],
    written: u64,
) {
    let moved = s
        .ok(payroll, RECORD, json!({"id": staff[1], "min": written}))
        .await;
    assert_eq!(
        moved["staffRecord"]["employerCode"],
        json!(SUCCESSOR),
        "{moved}"
    );
    assert_eq!(
        moved["staffRecord"]["continuousServiceDate"],
        json!("2019-04-01")
    );
    assert_eq!(moved["staffRecord"]["band"], json!("6"));
    let objector = s.ok(payroll, RECORD, json!({"id": staff[0]})).await;
    assert_eq!(
        objector["staffRecord"]["status"],
        json!("left"),
        "{objector}"
    );
    let page = s
        .ok(payroll, "query($e: String) { staffRecords(employerCode: $e, first: 10) { edges { cursor node { employeeId } } pageInfo { hasNextPage endCursor } } }", json!({"e": SUCCESSOR}))
        .await;
    assert_eq!(page["staffRecords"]["edges"].as_array().unwrap().len(), 10);
    assert_eq!(page["staffRecords"]["pageInfo"]["hasNextPage"], json!(true));
}

async fn as_of_reads_the_past(s: &TestServer, payroll: &str, employee: uuid::Uuid) {
    let before = s
        .ok(
            payroll,
            RECORD,
            json!({"id": employee, "asOf": "2026-06-30"}),
        )
        .await;
    assert_eq!(
        before["staffRecord"]["employerCode"],
        json!(PREDECESSOR),
        "{before}"
    );
    let after = s
        .ok(
            payroll,
            RECORD,
            json!({"id": employee, "asOf": "2026-07-01"}),
        )
        .await;
    assert_eq!(
        after["staffRecord"]["employerCode"],
        json!(SUCCESSOR),
        "{after}"
    );
    assert_eq!(after["staffRecord"]["validFrom"], json!("2026-07-01"));
    let unknown = s
        .ok(
            payroll,
            RECORD,
            json!({"id": employee, "asOf": "2018-01-01"}),
        )
        .await;
    assert_eq!(unknown["staffRecord"], Value::Null);
}

async fn case_views_show_the_transfer(
    s: &TestServer,
    hr: &str,
    transfer: uuid::Uuid,
    programme: uuid::Uuid,
) {
    let case = s
        .ok(hr, "query($id: UUID!) { transferCase(id: $id) { transferee eliDueDate scope { employeeId eliProvidedOn objectedOn } detail { version case { status kind deadlines { kind rule status dueDate } } } } }", json!({"id": transfer}))
        .await;
    let t = &case["transferCase"];
    assert_eq!(t["transferee"], json!(SUCCESSOR));
    assert_eq!(t["scope"].as_array().unwrap().len(), STAFF);
    assert_eq!(t["detail"]["case"]["status"], json!("completed"), "{t}");
    let eli = t["detail"]["case"]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "eli")
        .cloned();
    assert_eq!(eli.expect("an ELI deadline")["status"], json!("met"));
    let met = s
        .ok(
            hr,
            "{ deadlines(status: \"met\", first: 50) { edges { node { kind caseId } } } }",
            json!({}),
        )
        .await;
    assert!(
        met["deadlines"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["kind"] == "eli"),
        "{met}"
    );
    let listed = s
        .ok(hr, "query($p: UUID) { cases(kind: \"transfer\", programmeId: $p) { edges { node { caseId status } } } }", json!({"p": programme}))
        .await;
    assert_eq!(
        listed["cases"]["edges"][0]["node"]["caseId"],
        json!(transfer)
    );
    let dash = s.ok(hr, "query($id: UUID!) { programme(id: $id) { name dashboard { openCases missedDeadlines totals } } }", json!({"id": programme})).await;
    assert_eq!(
        dash["programme"]["dashboard"]["openCases"],
        json!(0),
        "{dash}"
    );
}

async fn audit_trail_names_the_actor(s: &TestServer, auditor: &str, employee: uuid::Uuid) {
    let trail = s
        .ok(auditor, "query($e: UUID) { auditTrail(employeeId: $e, first: 100) { edges { node { eventType actor actorRole reason } } } }", json!({"e": employee}))
        .await;
    let entries = trail["auditTrail"]["edges"].as_array().unwrap();
    let types: Vec<&str> = entries
        .iter()
        .map(|e| e["node"]["eventType"].as_str().unwrap())
        .collect();
    for expected in [
        "EmployeeRegistered",
        "EmploymentStarted",
        "EmployeeTransferred",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
    assert!(entries
        .iter()
        .all(|e| e["node"]["actor"] == "adviser.jones" && e["node"]["actorRole"] == "hr_adviser"));
    let history = s
        .ok(auditor, "query($s: String!) { history(streamId: $s, first: 2) { edges { cursor node { eventType version } } pageInfo { hasNextPage } } }", json!({"s": format!("employee-{employee}")}))
        .await;
    assert_eq!(
        history["history"]["edges"][0]["node"]["eventType"],
        json!("EmployeeRegistered")
    );
    assert_eq!(history["history"]["pageInfo"]["hasNextPage"], json!(true));
}

/// Pages through the whole feed with small pages: strictly increasing positions, no repeats,
/// and a transfer change for every transferring employee.
async fn change_feed_pages_through_every_change(s: &TestServer, payroll: &str, staff: usize) {
    let mut after: Option<String> = None;
    let mut positions = Vec::new();
    let mut kinds = Vec::new();
    loop {
        let page = s
            .ok(payroll, "query($a: String) { staffChanges(after: $a, first: 7) { edges { cursor node { position changeKind employeeId } } pageInfo { hasNextPage endCursor } } }", json!({"a": after}))
            .await;
        for edge in page["staffChanges"]["edges"].as_array().unwrap() {
            positions.push(edge["node"]["position"].as_u64().unwrap());
            kinds.push(edge["node"]["changeKind"].as_str().unwrap().to_string());
        }
        if page["staffChanges"]["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["staffChanges"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_string);
    }
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(
        kinds.iter().filter(|k| *k == "EmployeeTransferred").count(),
        staff - 1,
        "{kinds:?}"
    );
}
