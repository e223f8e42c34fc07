//! The change feed's pages are written straight to JSON when selected plainly: the bytes must
//! be those of the general resolvers, and `changes` must be what serde_json prints.

use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::fixtures::{self, command};
use crate::harness::TestServer;
use crate::on_both_backends;

const STAFF: usize = 6;

/// A ledger whose feed holds starts and transfers (changes of several fields each).
async fn feed(s: &TestServer) -> String {
    let hr = s.token(Role::HrAdviser).await;
    fixtures::organisations(s, &hr).await;
    let programme = fixtures::programme(s, &hr).await;
    let staff = fixtures::hire(s, &hr, STAFF).await;
    let transfer = fixtures::transfer(s, &hr, Some(programme), &staff).await;
    command(s, &hr, "provideEmployeeLiabilityInformation", json!({
        "transferId": transfer, "employeeIds": staff, "asAt": "2026-05-01", "effectiveDate": "2026-05-01",
    }))
    .await;
    let done = command(s, &hr, "completeTransfer", json!({"transferId": transfer})).await;
    let payroll = s.token(Role::Payroll).await;
    let min = done["lastPosition"].as_u64().unwrap();
    s.ok(&payroll, "query($m: Int) { checkpoint staffChanges(minPosition: $m, first: 0) { nodes { position } } }", json!({"m": min}))
        .await;
    payroll
}

const NODE: &str = "position employeeId changeKind effectiveDate recordedAt changes __typename";
const NODE_ALIASED: &str = "at: recordedAt kind: changeKind changes position";

/// The same fields (aliases kept), each marked `@include(if: true)`: the same answer, by the
/// general resolvers.
fn general(fields: &str) -> String {
    fields
        .split_whitespace()
        .map(|word| match word.ends_with(':') {
            true => word.to_string(),
            false => format!("{word} @include(if: true)"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn fast_and_general_pages_are_the_same_bytes(db: TestDb) {
    let s = TestServer::start(db).await;
    let payroll = feed(&s).await;
    let plain = format!(
        "{{ nodes {{ {NODE} }} more: nodes {{ {NODE_ALIASED} }} \
         edges {{ __typename cursor node {{ {NODE} }} }} pageInfo {{ hasNextPage endCursor startCursor }} }}"
    );
    let slow_nodes = general(NODE);
    let slow_aliased = general(NODE_ALIASED);
    let slow = format!(
        "{{ nodes {{ {slow_nodes} }} more: nodes {{ {slow_aliased} }} \
         edges {{ __typename @include(if: true) cursor @include(if: true) node {{ {slow_nodes} }} }} \
         pageInfo {{ hasNextPage endCursor startCursor }} }}"
    );
    assert!(slow.contains("changes @include(if: true)"), "{slow}");
    for after in ["0", "3", "20"] {
        let page = |selection: &str| {
            json!({
                "query": format!("query($a: String) {{ staffChanges(after: $a, first: 9) {selection} }}"),
                "variables": {"a": after},
            })
        };
        let (status, fast) = s.post_text(Some(&payroll), page(&plain)).await;
        assert_eq!(status, 200, "{fast}");
        assert!(!fast.contains("\"errors\""), "{fast}");
        assert!(fast.contains("\"changes\":{"), "{fast}");
        let (_, general) = s.post_text(Some(&payroll), page(&slow)).await;
        assert_eq!(fast, general, "after {after}");
    }
    s.stop().await;
}
on_both_backends!(fast_and_general_pages_are_the_same_bytes);

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(borrow)]
    staff_changes: Page<'a>,
}

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    nodes: Vec<Node<'a>>,
}

#[derive(Deserialize)]
struct Node<'a> {
    #[serde(borrow)]
    changes: &'a RawValue,
}

/// `changes` is copied from the read model as stored: it must be what parsing it and printing
/// it with serde_json gives (as the API printed it before), e.g. compact with sorted keys.
async fn changes_are_sent_as_serde_json_prints_them(db: TestDb) {
    let s = TestServer::start(db).await;
    let payroll = feed(&s).await;
    let (_, text) = s
        .post_text(
            Some(&payroll),
            json!({"query": "{ staffChanges(first: 500) { nodes { changes } } }"}),
        )
        .await;
    let answer: Answer = serde_json::from_str(&text).expect("a page");
    let nodes = answer.data.staff_changes.nodes;
    assert!(nodes.len() > 2 * STAFF, "{text}");
    for node in nodes {
        let sent = node.changes.get();
        let parsed: Value = serde_json::from_str(sent).unwrap();
        assert!(parsed.as_object().is_some_and(|o| !o.is_empty()), "{sent}");
        assert_eq!(sent, serde_json::to_string(&parsed).unwrap());
    }
    s.stop().await;
}
on_both_backends!(changes_are_sent_as_serde_json_prints_them);
