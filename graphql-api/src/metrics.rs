//! Prometheus metrics, hand-rolled with atomics: the set is small and fixed, so a metrics
//! crate would add more than it saves.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// How a GraphQL HTTP request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without errors.
    Ok,
    /// Answered with GraphQL errors (refused commands, validation, ...).
    Error,
    /// No valid token: 401.
    Unauthenticated,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Error, Outcome::Unauthenticated];

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Unauthenticated => "unauthenticated",
        }
    }
}

#[derive(Default)]
struct Inner {
    requests: [AtomicU64; 3],
    /// Cumulative counts per bucket, plus the `+Inf` bucket at the end.
    latency_buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
    appended_events: AtomicU64,
}

/// Shared counters; cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Metrics {
    pub fn request(&self, outcome: Outcome, took: Duration) {
        let i = Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        self.inner.requests[i].fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.inner.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.inner
            .latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Events appended by commands through this server (replays excluded).
    pub fn appended(&self, events: u64) {
        self.inner
            .appended_events
            .fetch_add(events, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the ledger head and read-model checkpoint.
    pub fn render(&self, head: u64, checkpoint: u64) -> String {
        let mut out = String::new();
        self.render_requests(&mut out);
        self.render_latency(&mut out);
        let appended = self.inner.appended_events.load(Ordering::Relaxed);
        gauge(
            &mut out,
            "hrledger_appended_events_total",
            "counter",
            "Events appended by commands through this server.",
            appended,
        );
        gauge(
            &mut out,
            "hrledger_ledger_head",
            "gauge",
            "Last committed ledger position.",
            head,
        );
        gauge(
            &mut out,
            "hrledger_projection_checkpoint",
            "gauge",
            "Ledger position the read models include.",
            checkpoint,
        );
        gauge(
            &mut out,
            "hrledger_projection_lag",
            "gauge",
            "Events committed but not yet in the read models.",
            head.saturating_sub(checkpoint),
        );
        out
    }

    fn render_requests(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP hrledger_graphql_requests_total GraphQL HTTP requests by outcome."
        );
        let _ = writeln!(out, "# TYPE hrledger_graphql_requests_total counter");
        for (i, outcome) in Outcome::ALL.iter().enumerate() {
            let n = self.inner.requests[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "hrledger_graphql_requests_total{{outcome=\"{}\"}} {n}",
                outcome.label()
            );
        }
    }

    fn render_latency(&self, out: &mut String) {
        let name = "hrledger_graphql_request_duration_seconds";
        let _ = writeln!(out, "# HELP {name} GraphQL HTTP request latency.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.inner.latency_buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.inner.latency_buckets[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.inner.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
    }
}

fn gauge(out: &mut String, name: &str, kind: &str, help: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_lag_is_head_minus_checkpoint() {
        let m = Metrics::default();
        m.request(Outcome::Ok, Duration::from_micros(500));
        m.request(Outcome::Error, Duration::from_millis(30));
        m.request(Outcome::Unauthenticated, Duration::from_secs(10));
        m.appended(3);
        let text = m.render(10, 7);
        assert!(text.contains("hrledger_graphql_requests_total{outcome=\"ok\"} 1"));
        assert!(text.contains("hrledger_graphql_requests_total{outcome=\"unauthenticated\"} 1"));
        assert!(text.contains("hrledger_graphql_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("hrledger_graphql_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("hrledger_graphql_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("hrledger_appended_events_total 3"));
        assert!(text.contains("hrledger_projection_lag 3"));
    }
}
