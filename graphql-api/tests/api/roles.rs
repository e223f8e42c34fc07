//! Each role against each class of operation; forbidden writes leave the ledger untouched.

use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{self, mutation_text, with_defaults};
use crate::harness::TestServer;
use crate::on_both_backends;

/// One operation per class, and whether each role may run it.
struct Operation {
    name: &'static str,
    query: String,
    allowed: [bool; 4],
}

/// Order of `allowed`: admin, hr_adviser, payroll, auditor.
const ROLES: [Role; 4] = [Role::Admin, Role::HrAdviser, Role::Payroll, Role::Auditor];

/// `seen`: a ledger position the staff record queries wait for (`minPosition`), so they meet
/// the projected record rather than a not-yet-projected `null` that no field guard would see.
fn operations(employee: Uuid, seen: u64) -> Vec<Operation> {
    let read = |name, query: &str, allowed| Operation {
        name,
        query: query.to_string(),
        allowed,
    };
    vec![
        read(
            "staffRecord",
            &format!(
                "{{ staffRecord(employeeId: \"{employee}\", minPosition: {seen}) \
                 {{ employerCode niNumber }} }}"
            ),
            [true; 4],
        ),
        read(
            "staffChanges",
            "{ staffChanges(first: 5) { edges { cursor } } }",
            [true; 4],
        ),
        read(
            "openCases on a staff record",
            &format!(
                "{{ staffRecord(employeeId: \"{employee}\", minPosition: {seen}) {{ openCases }} }}"
            ),
            [true, true, false, true],
        ),
        read(
            "cases",
            "{ cases { edges { cursor } } }",
            [true, true, false, true],
        ),
        read(
            "deadlines",
            "{ deadlines { edges { cursor } } }",
            [true, true, false, true],
        ),
        read(
            "history",
            &format!("{{ history(streamId: \"employee-{employee}\") {{ edges {{ cursor }} }} }}"),
            [true, true, false, true],
        ),
        read(
            "auditTrail",
            "{ auditTrail { edges { cursor } } }",
            [true, true, false, true],
        ),
        read(
            "ledgerEvents",
            "{ ledgerEvents(first: 1) { edges { node { data } } } }",
            [true, true, false, true],
        ),
        read(
            "verifyLedger",
            "{ verifyLedger { intact } }",
            [true, true, false, true],
        ),
        read(
            "mediationCase",
            &format!(
                "{{ mediationCase(id: \"{}\") {{ state }} }}",
                Uuid::new_v4()
            ),
            [true, true, false, true],
        ),
    ]
}

async fn every_role_against_every_operation_class(db: TestDb) {
    let s = TestServer::start(db).await;
    let admin = s.token(Role::Admin).await;
    fixtures::organisations(&s, &admin).await;
    let employee = fixtures::hire(&s, &admin, 1).await[0];
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push(s.token(role).await);
    }
    let seen = s.head(&admin).await;
    for op in operations(employee, seen) {
        for (i, token) in tokens.iter().enumerate() {
            let (status, body) = s.post(Some(token), json!({"query": op.query})).await;
            assert_eq!(status, 200);
            let code = body["errors"][0]["extensions"]["code"].as_str();
            if op.allowed[i] {
                assert!(
                    body.get("errors").is_none(),
                    "{} as {}: {body}",
                    op.name,
                    ROLES[i]
                );
            } else {
                assert_eq!(
                    code,
                    Some("FORBIDDEN"),
                    "{} as {}: {body}",
                    op.name,
                    ROLES[i]
                );
            }
        }
    }
    commands_are_for_admins_and_advisers(&s, &tokens, &admin).await;
    s.stop().await;
}
on_both_backends!(every_role_against_every_operation_class);

async fn commands_are_for_admins_and_advisers(s: &TestServer, tokens: &[String], admin: &str) {
    for (i, token) in tokens.iter().enumerate() {
        let before = s.head(admin).await;
        let input = with_defaults(json!({
            "code": format!("ORG{i}"), "name": "New body", "kind": "TRUST", "effectiveDate": "2026-01-01",
        }));
        let (_, body) = s.post(Some(token), json!({"query": mutation_text("registerOrganisation"), "variables": {"input": input}})).await;
        let may = matches!(ROLES[i], Role::Admin | Role::HrAdviser);
        let after = s.head(admin).await;
        if may {
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(after, before + 1);
        } else {
            assert_eq!(
                body["errors"][0]["extensions"]["code"],
                json!("FORBIDDEN"),
                "{body}"
            );
            assert_eq!(after, before, "a refused command wrote nothing");
        }
    }
}

async fn no_token_no_data_and_revoked_tokens_stop_working(db: TestDb) {
    let s = TestServer::start(db).await;
    let query = json!({"query": "{ staffChanges { edges { cursor } } }"});
    let (status, body) = s.post(None, query.clone()).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("UNAUTHENTICATED")
    );
    let (status, _) = s.post(Some("hrl_0000"), query.clone()).await;
    assert_eq!(status, 401, "an unknown secret is no token");
    let (status, _) = s
        .post(None, json!({"query": "{ __schema { types { name } } }"}))
        .await;
    assert_eq!(status, 401, "no introspection without a token");

    let secret = s.named_token("payroll-sync", Role::Payroll).await;
    let (status, _) = s.post(Some(&secret), query.clone()).await;
    assert_eq!(status, 200);
    let (status, body) = s
        .post(
            Some(&secret),
            json!({"query": "{ __schema { queryType { name } } }"}),
        )
        .await;
    assert_eq!(
        (
            status,
            body["data"]["__schema"]["queryType"]["name"].clone()
        ),
        (200, json!("QueryRoot"))
    );
    s.revoke("payroll-sync").await;
    let (status, _) = s.post(Some(&secret), query).await;
    assert_eq!(status, 401, "a revoked token stops working at once");
    operational_routes_answer(&s).await;
    s.stop().await;
}
on_both_backends!(no_token_no_data_and_revoked_tokens_stop_working);

/// The server caches successful token lookups, but a revocation made by another process
/// (which cannot reach that cache) still holds for every request sent after it returned.
async fn a_token_revoked_elsewhere_stops_working_once_revoke_returns(db: TestDb) {
    let s = TestServer::start(db).await;
    let query = json!({"query": "{ checkpoint }"});
    let secret = s.named_token("payroll-cached", Role::Payroll).await;
    for _ in 0..3 {
        let (status, _) = s.post(Some(&secret), query.clone()).await;
        assert_eq!(
            status, 200,
            "a new token works at once, and again from the cache"
        );
    }
    s.revoke_elsewhere("payroll-cached").await;
    let (status, _) = s.post(Some(&secret), query).await;
    assert_eq!(status, 401, "revoked, though the server had it cached");
    s.stop().await;
}
on_both_backends!(a_token_revoked_elsewhere_stops_working_once_revoke_returns);

/// Health, readiness, metrics and GraphiQL need no token and carry no ledger data.
async fn operational_routes_answer(s: &TestServer) {
    assert_eq!(s.get("/healthz").await.0, 200);
    let (status, ready) = s.get("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    let (_, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains("hrledger_graphql_requests_total{outcome=\"unauthenticated\"} 4"),
        "{metrics}"
    );
    assert!(metrics.contains("hrledger_projection_lag "), "{metrics}");
    let (status, page) = s.get("/graphql").await;
    assert!(status == 200 && page.contains("graphiql"), "{status}");
}
