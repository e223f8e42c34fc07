//! Helpers for tests that run the built `hrledger` binary as a user would: in a temporary
//! directory, with its own SQLite file, reading what it prints and its exit code.

#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_hrledger");

/// A scratch directory holding one ledger file.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `sqlite://<dir>/<name>`.
    pub fn url(&self, name: &str) -> String {
        format!("sqlite://{}", self.path(name).display())
    }

    pub fn db(&self) -> String {
        self.url("ledger.db")
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write a fixture");
        path
    }

    /// Runs `hrledger ARGS` in the sandbox with a clean environment for its own variables.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self
            .command(args)
            .output()
            .expect("the hrledger binary runs");
        Run(output)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("HRLEDGER_DB")
            .env_remove("HRLEDGER_LISTEN")
            .env("RUST_LOG", "warn");
        command
    }
}

/// A finished run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("exited, not killed")
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Asserts success and returns stdout.
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }

    /// Asserts exit `code` with exactly one error line on stderr; returns that line.
    pub fn fails_with_one_line(&self, code: i32) -> String {
        assert_eq!(self.code(), code, "stderr: {}", self.stderr());
        let stderr = self.stderr();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one error line expected, got: {stderr}");
        assert!(lines[0].starts_with("error: "), "{stderr}");
        lines[0].to_string()
    }
}

/// The demo ledger, seeded once per sandbox.
pub fn seeded() -> Sandbox {
    let sandbox = Sandbox::new();
    let db = sandbox.db();
    sandbox.run(&["demo", "--db", &db]).ok();
    sandbox
}

/// Every line of a JSONL export.
pub fn export_lines(sandbox: &Sandbox, db: &str) -> Vec<Value> {
    let out = sandbox.path("export.jsonl");
    sandbox
        .run(&["export", "--db", db, "--out", out.to_str().unwrap()])
        .ok();
    read_jsonl(&out)
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("read the export")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// A running `hrledger serve`, stopped with SIGTERM when dropped.
pub struct Served {
    pub child: Child,
    pub addr: String,
    /// Lines printed before the "listening" line (e.g. the demo tokens).
    pub banner: Vec<String>,
}

impl Served {
    /// Starts `hrledger serve ARGS` and waits for the line naming the bound address.
    // The child is reaped by `stop` or by `Drop`, which clippy cannot see from here.
    #[allow(clippy::zombie_processes)]
    pub fn start(sandbox: &Sandbox, args: &[&str]) -> Served {
        let mut child = sandbox
            .command(args)
            .stdout(Stdio::piped())
            // Inherited, not piped: an unread pipe could fill and stall the server.
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("serve printed no address; so far: {banner:?}"));
            if let Some(rest) = line.strip_prefix("hrledger listening on http://") {
                let addr = rest.split_whitespace().next().unwrap().to_string();
                return Served {
                    child,
                    addr,
                    banner,
                };
            }
            banner.push(line);
        }
    }

    /// Sends SIGTERM and waits: the server must stop by itself, successfully.
    pub fn stop(mut self) -> std::process::ExitStatus {
        terminate(&self.child);
        // Drop's kill and wait are then no-ops on the reaped child.
        wait_with_timeout(&mut self.child, Duration::from_secs(30))
    }

    /// POSTs a GraphQL query; returns the HTTP status and the JSON body (Null if not JSON).
    pub fn graphql(&self, token: Option<&str>, query: &str) -> (u16, Value) {
        let body = serde_json::json!({ "query": query }).to_string();
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the server");
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < limit, "serve did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
