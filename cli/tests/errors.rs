//! Mistakes a user makes at the command line: each is one clear line on stderr and a non-zero
//! exit, with nothing written.

mod common;

use common::Sandbox;

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let line = sandbox
        .run(&["verify", "--frmo", "3"])
        .fails_with_one_line(2);
    assert!(line.contains("--frmo"), "{line}");
    let line = sandbox
        .run(&["token", "create", "--role", "boss", "--name", "x"])
        .fails_with_one_line(2);
    assert!(line.contains("unknown role"), "{line}");
    let line = sandbox
        .run(&["replay", "--out", "sqlite://x.db"])
        .fails_with_one_line(2);
    assert!(
        line.contains("--until-position") || line.contains("--until-time"),
        "{line}"
    );
}

#[test]
fn an_unreachable_postgres_server_is_named_quickly() {
    let sandbox = Sandbox::new();
    // Port 1 on the loopback: nothing listens there, so the connection is refused.
    let started = std::time::Instant::now();
    let line = sandbox
        .run(&["migrate", "--db", "postgres://hr:secret@127.0.0.1:1/ledger"])
        .fails_with_one_line(1);
    assert!(line.contains("cannot reach PostgreSQL"), "{line}");
    assert!(
        !line.contains("secret"),
        "passwords are never printed: {line}"
    );
    assert!(started.elapsed().as_secs() < 10, "no 30 s pool timeout");
}

#[test]
fn a_sqlite_file_in_a_missing_directory_is_named() {
    let sandbox = Sandbox::new();
    let url = sandbox.url("no/such/dir/ledger.db");
    let line = sandbox.run(&["demo", "--db", &url]).fails_with_one_line(1);
    assert!(line.contains("does not exist"), "{line}");
}

#[test]
fn the_database_comes_from_the_environment_too() {
    let sandbox = Sandbox::new();
    let url = sandbox.url("from-env.db");
    let out = sandbox
        .command(&["migrate"])
        .env("HRLEDGER_DB", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sandbox.path("from-env.db").exists());
}

#[test]
fn json_logs_are_one_object_per_line_on_stderr() {
    let sandbox = Sandbox::new();
    let url = sandbox.url("logs.db");
    let out = sandbox
        .command(&["--log-format", "json", "migrate", "--db", &url])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().count() > 0, "debug logging says something");
    for line in stderr.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(value.get("level").is_some(), "{line}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("ledger at "),
        "results stay on stdout: {stdout}"
    );
}
