//! Optimistic concurrency and idempotency under concurrent HTTP clients.

use futures::future::join_all;
use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{self, mutation_text, with_defaults};
use crate::harness::TestServer;
use crate::on_both_backends;

async fn same_expected_version_fifty_times_one_wins(db: TestDb) {
    let s = TestServer::start(db).await;
    let hr = s.token(Role::HrAdviser).await;
    fixtures::organisations(&s, &hr).await;
    let staff = fixtures::hire(&s, &hr, 2).await;
    let transfer = fixtures::transfer(&s, &hr, None, &staff).await;
    let stream = format!("transfer-{transfer}");
    let version = current_version(&s, &hr, &stream).await;

    let attempts = (0..50).map(|i| {
        let input = with_defaults(json!({
            "transferId": transfer, "by": "TRANSFEROR", "measures": [format!("measure {i}")],
            "effectiveDate": "2026-04-01", "expectedVersion": version,
        }));
        s.post(
            Some(&hr),
            json!({"query": mutation_text("notifyMeasures"), "variables": {"input": input}}),
        )
    });
    let answers = join_all(attempts).await;
    let wins = answers
        .iter()
        .filter(|(_, b)| b.get("errors").is_none())
        .count();
    let conflicts = answers
        .iter()
        .filter(|(_, b)| b["errors"][0]["extensions"]["code"] == json!("CONFLICT"))
        .count();
    assert_eq!((wins, conflicts), (1, 49), "{answers:?}");
    assert_eq!(
        current_version(&s, &hr, &stream).await,
        version + 1,
        "exactly one event was appended"
    );
    s.stop().await;
}
on_both_backends!(same_expected_version_fifty_times_one_wins);

async fn same_command_id_twenty_times_appends_once(db: TestDb) {
    let s = TestServer::start(db).await;
    let hr = s.token(Role::HrAdviser).await;
    let employee = Uuid::new_v4();
    let input = with_defaults(json!({
        "employeeId": employee, "effectiveDate": "2026-01-01",
        "personal": {"givenName": "Sam", "familyName": "Okafor"},
    }));
    let body = json!({"query": mutation_text("registerEmployee"), "variables": {"input": input}});
    let answers = join_all((0..20).map(|_| s.post(Some(&hr), body.clone()))).await;
    let firsts: Vec<_> = answers
        .iter()
        .map(|(_, b)| {
            assert!(b.get("errors").is_none(), "{b}");
            b["data"]["registerEmployee"]["firstPosition"].clone()
        })
        .collect();
    assert!(
        firsts.windows(2).all(|w| w[0] == w[1]),
        "every retry returns the first result: {firsts:?}"
    );
    let history = s
        .ok(
            &hr,
            "query($s: String!) { history(streamId: $s) { edges { cursor } } }",
            json!({"s": format!("employee-{employee}")}),
        )
        .await;
    assert_eq!(history["history"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(s.head(&hr).await, 1, "nothing else was written");
    s.stop().await;
}
on_both_backends!(same_command_id_twenty_times_appends_once);

async fn current_version(s: &TestServer, token: &str, stream: &str) -> u64 {
    let data = s
        .ok(token, "query($s: String!) { history(streamId: $s, first: 500) { edges { node { version } } } }", json!({"s": stream}))
        .await;
    let edges = data["history"]["edges"].as_array().unwrap();
    edges.last().expect("the stream has events")["node"]["version"]
        .as_u64()
        .unwrap()
}
