//! The same binary against PostgreSQL (when HRLEDGER_TEST_PG_URL names a server): the demo
//! seeds, verifies, exports and re-verifies offline.

mod common;

use common::Sandbox;
use hrledger_store::testing::TestDb;

#[tokio::test]
async fn demo_verify_and_export_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let sandbox = Sandbox::new();
    let url = db.url().to_string();
    let out = sandbox.run(&["demo", "--db", &url]).ok();
    assert!(out.contains("300 staff"), "{out}");
    let verified = sandbox.run(&["verify", "--db", &url]).ok();
    assert!(verified.starts_with("ledger intact"), "{verified}");
    let export = sandbox.path("pg.jsonl");
    sandbox
        .run(&["export", "--db", &url, "--out", export.to_str().unwrap()])
        .ok();
    let digest = sandbox.run(&["digest", "--db", &url]).ok();
    sandbox
        .run(&[
            "verify",
            "--file",
            export.to_str().unwrap(),
            "--digest",
            digest.trim(),
        ])
        .ok();
}
