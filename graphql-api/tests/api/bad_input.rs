//! Bad requests get a clear, coded error, write nothing, and the server keeps serving.

use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{self, mutation_text, with_defaults};
use crate::harness::TestServer;
use crate::on_both_backends;

fn register_org(effective_date: Value) -> Value {
    let input = with_defaults(
        json!({"code": "RBAD", "name": "X", "kind": "TRUST", "effectiveDate": effective_date}),
    );
    json!({"query": mutation_text("registerOrganisation"), "variables": {"input": input}})
}

fn too_deep() -> String {
    let mut q = String::from("{ __schema { types { fields { type { ");
    q.push_str(&"ofType { ".repeat(14));
    q.push_str("name ");
    q.push_str(&"} ".repeat(14 + 4));
    q.push('}');
    q
}

/// Each request, the error code it must get, and a word its message must contain.
fn cases() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "malformed query",
            json!({"query": "{ staffChanges(first: 5 { edges } }"}),
            "VALIDATION",
            "expected",
        ),
        (
            "unknown field",
            json!({"query": "{ staffChanges { edges { node { salary } } } }"}),
            "VALIDATION",
            "salary",
        ),
        (
            "wrong type",
            json!({"query": "{ staffChanges(first: \"ten\") { edges { cursor } } }"}),
            "VALIDATION",
            "first",
        ),
        (
            "page too large",
            json!({"query": "{ staffChanges(first: 501) { edges { cursor } } }"}),
            "VALIDATION",
            "500",
        ),
        (
            "bad cursor",
            json!({"query": "{ staffChanges(after: \"yesterday\") { edges { cursor } } }"}),
            "VALIDATION",
            "yesterday",
        ),
        (
            "too deep",
            json!({"query": too_deep()}),
            "VALIDATION",
            "deep",
        ),
        (
            "bad date",
            register_org(json!("2026-13-45")),
            "VALIDATION",
            "NaiveDate",
        ),
        (
            "date in another format",
            register_org(json!("01/02/2026")),
            "VALIDATION",
            "NaiveDate",
        ),
        (
            "bad uuid",
            json!({"query": "{ staffRecord(employeeId: \"42\") { status } }"}),
            "VALIDATION",
            "UUID",
        ),
        (
            "bad stream id",
            json!({"query": "{ history(streamId: \"payroll-1\") { edges { cursor } } }"}),
            "VALIDATION",
            "payroll-1",
        ),
        (
            "unknown transfer",
            json!({"query": mutation_text("scopeStaffIn"), "variables": {"input": with_defaults(json!({
                "transferId": Uuid::new_v4(), "staff": [{"employeeId": Uuid::new_v4()}], "effectiveDate": "2026-03-01"}))}}),
            "NOT_FOUND",
            "transfer",
        ),
        (
            "read own write beyond the head",
            json!({"query": "{ staffChanges(minPosition: 999999) { edges { cursor } } }"}),
            "VALIDATION",
            "999999",
        ),
    ]
}

async fn bad_input_is_refused_clearly_and_writes_nothing(db: TestDb) {
    let s = TestServer::start(db).await;
    let hr = s.token(Role::HrAdviser).await;
    fixtures::organisations(&s, &hr).await;
    let head = s.head(&hr).await;
    for (what, request, code, word) in cases() {
        let (status, body) = s.post(Some(&hr), request).await;
        assert_eq!(status, 200, "{what}: {body}");
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], json!(code), "{what}: {body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(word),
            "{what}: {message:?} should mention {word:?}"
        );
    }
    unknown_ids_read_as_null(&s, &hr).await;
    malformed_and_oversized_bodies(&s, &hr).await;
    assert_eq!(s.head(&hr).await, head, "nothing was written");
    assert_eq!(s.get("/healthz").await.0, 200, "the server keeps serving");
    s.stop().await;
}
on_both_backends!(bad_input_is_refused_clearly_and_writes_nothing);

async fn unknown_ids_read_as_null(s: &TestServer, token: &str) {
    let id = Uuid::new_v4();
    let data = s
        .ok(token, "query($id: UUID!) { staffRecord(employeeId: $id) { status } transferCase(id: $id) { transferee } programme(id: $id) { name } }", json!({"id": id}))
        .await;
    assert_eq!(
        data,
        json!({"staffRecord": null, "transferCase": null, "programme": null})
    );
}

async fn malformed_and_oversized_bodies(s: &TestServer, token: &str) {
    let url = format!("{}/graphql", s.base);
    let not_json = s
        .client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let huge = json!({"query": format!("{{ staffChanges {{ edges {{ cursor }} }} }}{}", " ".repeat(1_200_000))});
    // The server answers 413 from the declared length without reading the body, so the
    // client may still be writing when the connection closes: either way it was refused.
    // On a connection of its own: the server closes it after refusing, and a pooled
    // keep-alive connection would then fail the next, unrelated request.
    let own_connection = reqwest::Client::new();
    let sent = own_connection
        .post(&url)
        .bearer_auth(token)
        .json(&huge)
        .send()
        .await;
    match sent {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        Err(e) => assert!(e.is_request(), "refused while sending: {e}"),
    }
}
