//! The README's first command as a user runs it: `serve --demo` on a fresh database seeds the
//! demo, prints a token per role and answers a payroll `staffRecords` query; a token made with
//! `token create` works too, a revoked one does not; SIGTERM stops the server cleanly.

mod common;

use common::{Sandbox, Served};

const STAFF_QUERY: &str =
    "{ staffRecords(employerCode: \"ICB\", first: 5) { edges { node { employeeId employerCode band fte } } } }";

fn token_for(banner: &[String], role: &str) -> String {
    banner
        .iter()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(role)).then(|| words.next().unwrap().to_string())
        })
        .unwrap_or_else(|| panic!("no {role} token in {banner:?}"))
}

#[test]
fn serve_demo_answers_staff_records_with_the_printed_token() {
    let sandbox = Sandbox::new();
    let db = sandbox.db();
    let served = Served::start(
        &sandbox,
        &["serve", "--demo", "--db", &db, "--listen", "127.0.0.1:0"],
    );
    let payroll = token_for(&served.banner, "payroll");
    assert!(payroll.starts_with("hrl_"));
    for role in ["admin", "hr_adviser", "auditor"] {
        token_for(&served.banner, role);
    }

    let (status, body) = served.graphql(Some(&payroll), STAFF_QUERY);
    assert_eq!(status, 200, "{body}");
    let edges = body["data"]["staffRecords"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), 5, "{body}");
    assert_eq!(edges[0]["node"]["employerCode"], "ICB");

    let (status, _) = served.graphql(None, STAFF_QUERY);
    assert_eq!(status, 401, "no token, no data");
    assert!(served.stop().success(), "SIGTERM shuts down cleanly");
}

#[test]
fn tokens_from_the_cli_authenticate_until_revoked() {
    let sandbox = common::seeded();
    let db = sandbox.db();
    let created = sandbox
        .run(&[
            "token",
            "create",
            "--db",
            &db,
            "--role",
            "payroll",
            "--name",
            "payroll-feed",
        ])
        .ok();
    let token = created.trim();
    assert_eq!(created.lines().count(), 1, "the token alone on stdout");
    let listed = sandbox.run(&["token", "list", "--db", &db]).ok();
    assert!(
        listed.contains("payroll-feed") && listed.contains("payroll"),
        "{listed}"
    );
    assert!(!listed.contains(token), "secrets are never listed");

    let served = Served::start(&sandbox, &["serve", "--db", &db, "--listen", "127.0.0.1:0"]);
    let (status, body) = served.graphql(Some(token), STAFF_QUERY);
    assert_eq!(status, 200, "{body}");
    sandbox
        .run(&["token", "revoke", "--db", &db, "payroll-feed"])
        .ok();
    let (status, _) = served.graphql(Some(token), STAFF_QUERY);
    assert_eq!(status, 401, "a revoked token authenticates nothing");
    assert!(served.stop().success());
}

#[test]
fn a_port_in_use_is_one_line_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let db = sandbox.db();
    let line = sandbox
        .run(&["serve", "--demo", "--db", &db, "--listen", &addr])
        .fails_with_one_line(1);
    assert!(line.contains(&addr) && line.contains("in use"), "{line}");
    assert!(
        !sandbox.path("ledger.db").exists(),
        "no database was created"
    );
}
