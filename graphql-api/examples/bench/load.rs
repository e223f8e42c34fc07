//! The load generator: keep-alive HTTP/1.1 to 127.0.0.1, a fixed number of concurrent
//! connections, each sending its next request as soon as the last answer is read; bounded in
//! request count and in time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use hrledger_commands::scenario::Seeded;

use super::cpu::{process_cpu_seconds, server_cpu_seconds};

/// Builds the next request body.
pub type MakeRequest = Arc<dyn Fn(&mut Seeded) -> Value + Send + Sync>;

pub struct Load {
    client: reqwest::Client,
    url: String,
    auth: String,
    connections: usize,
    /// The PostgreSQL database the server reads, whose backends' CPU time is measured.
    pg_database: Option<String>,
}

pub struct LoadReport {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Occurrences of the marker per answer (rows per page, or 1 per found record).
    pub items_per_request: f64,
    /// CPU time of this whole process (server, load generator and, on SQLite, the database)
    /// per request: unlike rates, barely moved by other processes on a shared machine.
    pub cpu_ms_per_request: f64,
    /// The PostgreSQL server's CPU time for the benchmark's database per request (`None` on
    /// SQLite, which runs inside this process).
    pub server_cpu_ms_per_request: Option<f64>,
}

/// How far into the change feed a random cursor may go and still get a full page.
pub struct Feed {
    pub max_cursor: u64,
}

impl Load {
    pub fn new(url: &str, token: &str, connections: usize, pg_database: Option<&str>) -> Load {
        assert!(url.starts_with("http://127.0.0.1:"), "loopback only");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .tcp_nodelay(true)
            .build()
            .expect("HTTP client");
        Load {
            client,
            url: url.to_string(),
            auth: format!("Bearer {token}"),
            connections,
            pg_database: pg_database.map(String::from),
        }
    }

    async fn post(&self, body: &Value) -> Value {
        let response = self
            .client
            .post(&self.url)
            .header("authorization", &self.auth)
            .json(body)
            .send()
            .await
            .expect("request sent");
        let body: Value = response.json().await.expect("JSON answer");
        assert!(body.get("errors").is_none(), "{body}");
        body["data"].clone()
    }

    /// Employee ids of the current staff records, read through the API (up to `max`).
    pub async fn employee_ids(&self, max: usize) -> Vec<String> {
        const QUERY: &str = "query($after: String) { staffRecords(first: 500, after: $after) { \
            nodes { employeeId } pageInfo { endCursor hasNextPage } } }";
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        while ids.len() < max {
            let data = self
                .post(&json!({"query": QUERY, "variables": {"after": after}}))
                .await;
            let page = &data["staffRecords"];
            for node in page["nodes"].as_array().unwrap() {
                ids.push(node["employeeId"].as_str().unwrap().to_string());
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(String::from);
        }
        assert!(!ids.is_empty(), "no staff records");
        ids
    }

    /// The largest cursor (ledger position) after which the feed still holds 500 changes:
    /// a binary search over positions (rows after a cursor only fall as it grows).
    pub async fn feed(&self, head: u64) -> Feed {
        const QUERY: &str = "query($after: String) { staffChanges(after: $after, first: 500) { \
            nodes { position } pageInfo { hasNextPage } } }";
        let full = |data: &Value| data["staffChanges"]["nodes"].as_array().unwrap().len() == 500;
        let (mut lo, mut hi) = (0u64, head);
        let first = self
            .post(&json!({"query": QUERY, "variables": {"after": "0"}}))
            .await;
        assert!(full(&first), "the change feed holds fewer than 500 changes");
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            let data = self
                .post(&json!({"query": QUERY, "variables": {"after": mid.to_string()}}))
                .await;
            if full(&data) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Feed { max_cursor: lo }
    }

    /// Warms up for `warm_up`, then sends up to `max_requests` requests or for `max_time`,
    /// whichever ends first, and reports throughput and latency of the measured part.
    pub async fn run(
        &self,
        max_requests: usize,
        max_time: Duration,
        warm_up: Duration,
        marker: &'static str,
        make: MakeRequest,
    ) -> LoadReport {
        self.phase(usize::MAX, warm_up, marker, &make, 1).await;
        let started = Instant::now();
        let server_cpu = || self.pg_database.as_deref().map(server_cpu_seconds);
        let (cpu_before, server_before) = (process_cpu_seconds(), server_cpu());
        let (latencies, errors, items) = self
            .phase(max_requests, max_time, marker, &make, 1_000)
            .await;
        let seconds = started.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - cpu_before;
        let server = server_cpu()
            .zip(server_before)
            .map(|(after, before)| after - before);
        let mut latencies = latencies;
        latencies.sort_by(f64::total_cmp);
        let pick =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        LoadReport {
            requests: latencies.len(),
            errors,
            seconds,
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            items_per_request: items as f64 / latencies.len() as f64,
            cpu_ms_per_request: cpu * 1000.0 / latencies.len() as f64,
            server_cpu_ms_per_request: server.map(|s| s * 1000.0 / latencies.len() as f64),
        }
    }

    /// Returns (latencies in ms, errors, marker occurrences).
    async fn phase(
        &self,
        max_requests: usize,
        max_time: Duration,
        marker: &'static str,
        make: &MakeRequest,
        seed: u64,
    ) -> (Vec<f64>, usize, usize) {
        let deadline = Instant::now() + max_time;
        let issued = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..self.connections)
            .map(|w| {
                let (client, url, auth) =
                    (self.client.clone(), self.url.clone(), self.auth.clone());
                let (issued, make) = (Arc::clone(&issued), Arc::clone(make));
                tokio::spawn(async move {
                    let mut rng = Seeded::new(seed * 1_000 + w as u64);
                    let (mut latencies, mut errors, mut items) = (Vec::new(), 0, 0);
                    while Instant::now() < deadline
                        && issued.fetch_add(1, Ordering::Relaxed) < max_requests
                    {
                        let body = serde_json::to_vec(&make(&mut rng)).unwrap();
                        let sent = Instant::now();
                        let answer = client
                            .post(&url)
                            .header("authorization", &auth)
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await;
                        let ok = match answer {
                            Ok(r) if r.status().is_success() => r.bytes().await.ok(),
                            _ => None,
                        };
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        match ok {
                            Some(bytes) if !contains(&bytes, b"\"errors\"") => {
                                items += count(&bytes, marker.as_bytes());
                            }
                            _ => errors += 1,
                        }
                    }
                    (latencies, errors, items)
                })
            })
            .collect();
        let (mut all, mut errors, mut items) = (Vec::new(), 0, 0);
        for w in workers {
            let (l, e, i) = w.await.unwrap();
            all.extend(l);
            errors += e;
            items += i;
        }
        (all, errors, items)
    }
}

// The generator shares the cores with the server, so scanning answers must stay cheap: a
// comparison per byte of a 100 kB page (`windows`) cost more CPU than writing the page.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(haystack, needle).count()
}
