//! The merger scenario's building blocks, each one mutation over HTTP.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::TestServer;

pub const PREDECESSOR: &str = "RXA";
pub const SUCCESSOR: &str = "RXB";
pub const TRANSFER_DATE: &str = "2026-07-01";

const RESULT: &str =
    "firstPosition lastPosition replayed events { stream eventType } streams { stream version }";

/// The mutation text for `name` (its input type is `<Name>Input`).
pub fn mutation_text(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().expect("a name").to_ascii_uppercase();
    let input = format!("{first}{}Input", chars.as_str());
    format!("mutation($input: {input}!) {{ {name}(input: $input) {{ {RESULT} }} }}")
}

/// `input` with a fresh `commandId` and a reason unless it has them.
pub fn with_defaults(mut input: Value) -> Value {
    let obj = input.as_object_mut().expect("an input object");
    obj.entry("commandId")
        .or_insert_with(|| json!(Uuid::new_v4()));
    obj.entry("reason")
        .or_insert_with(|| json!("scenario step"));
    input
}

/// Runs a command that must succeed; returns its result.
pub async fn command(s: &TestServer, token: &str, name: &str, input: Value) -> Value {
    let data = s
        .ok(
            token,
            &mutation_text(name),
            json!({"input": with_defaults(input)}),
        )
        .await;
    data[name].clone()
}

/// Runs a command that must fail; returns its error code and message.
pub async fn refused(s: &TestServer, token: &str, name: &str, input: Value) -> (String, String) {
    s.err(
        token,
        &mutation_text(name),
        json!({"input": with_defaults(input)}),
    )
    .await
}

pub fn assignment(n: usize) -> Value {
    json!({
        "assignmentNumber": format!("A{n:05}"),
        "positionCode": format!("P{:03}", n % 7),
        "jobTitle": "Commissioning Manager",
        "staffGroup": "Admin and Clerical",
        "grade": {"band": "BAND_6", "payPoint": 2},
        "fte": 1.0,
        "costCentre": "CC100",
        "location": "Leeds",
    })
}

pub async fn organisations(s: &TestServer, token: &str) {
    for (code, name) in [
        (PREDECESSOR, "Airedale ICB"),
        (SUCCESSOR, "West Yorkshire ICB"),
    ] {
        command(s, token, "registerOrganisation", json!({
            "code": code, "name": name, "kind": "INTEGRATED_CARE_BOARD", "effectiveDate": "2020-01-01",
        }))
        .await;
    }
}

pub async fn programme(s: &TestServer, token: &str) -> Uuid {
    let id = Uuid::new_v4();
    command(
        s,
        token,
        "openMergerProgramme",
        json!({
            "programmeId": id, "name": "West Yorkshire merger", "predecessors": [PREDECESSOR],
            "successor": SUCCESSOR, "legalDayOne": TRANSFER_DATE, "effectiveDate": "2026-01-05",
        }),
    )
    .await;
    id
}

/// Registers and employs `n` staff with the predecessor; returns their ids in order.
pub async fn hire(s: &TestServer, token: &str, n: usize) -> Vec<Uuid> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = Uuid::new_v4();
        command(s, token, "registerEmployee", json!({
            "employeeId": id, "effectiveDate": "2019-04-01",
            "personal": {"givenName": format!("Alex{i}"), "familyName": "Smith", "niNumber": format!("QQ{:06}C", i)},
        }))
        .await;
        command(s, token, "startEmployment", json!({
            "employeeId": id, "employerCode": PREDECESSOR, "startDate": "2019-04-01", "assignment": assignment(i),
        }))
        .await;
        ids.push(id);
    }
    ids
}

/// Proposes a transfer of `staff` from the predecessor to the successor, with representatives
/// identified and informed (so it can complete); returns the transfer id.
pub async fn transfer(
    s: &TestServer,
    token: &str,
    programme: Option<Uuid>,
    staff: &[Uuid],
) -> Uuid {
    let id = Uuid::new_v4();
    command(
        s,
        token,
        "proposeTransfer",
        json!({
            "transferId": id, "programmeId": programme, "basis": "COSOP", "transferor": PREDECESSOR,
            "transferee": SUCCESSOR, "transferDate": TRANSFER_DATE, "effectiveDate": "2026-03-01",
        }),
    )
    .await;
    let scope: Vec<Value> = staff.iter().map(|e| json!({"employeeId": e})).collect();
    command(
        s,
        token,
        "scopeStaffIn",
        json!({"transferId": id, "staff": scope, "effectiveDate": "2026-03-02"}),
    )
    .await;
    command(
        s,
        token,
        "identifyRepresentatives",
        json!({
            "transferId": id, "party": "TRANSFEROR", "kind": "RECOGNISED_UNION",
            "description": "Unison branch", "effectiveDate": "2026-03-03",
        }),
    )
    .await;
    command(s, token, "giveInformation", json!({
        "transferId": id, "by": "TRANSFEROR", "items": ["the fact and date of transfer", "the reasons"],
        "effectiveDate": "2026-03-10",
    }))
    .await;
    id
}
