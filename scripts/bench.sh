#!/usr/bin/env bash
# Benchmarks, in release mode. Each prints one JSON line per figure, beside the raw engine limit
# measured in the same run. Figures and the machine they ran on are recorded in BENCHMARKS.md.
#
#   scripts/bench.sh store        event store: appends, group commit, replay, verify
#
# PostgreSQL figures need HRLEDGER_BENCH_PG_URL (or HRLEDGER_TEST_PG_URL); the bench creates
# and drops a database of its own there. Without either, only SQLite is measured.
set -euo pipefail

cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 <store>" >&2
    exit 2
}

bench_store() {
    cargo run --quiet --release -p hrledger-store --features testing --example bench_store
}

case "${1:-}" in
    store) bench_store ;;
    *) usage ;;
esac
