#!/usr/bin/env bash
# Benchmarks, in release mode. Each prints one JSON line per figure, beside the raw engine limit
# measured in the same run. Figures and the machine they ran on are recorded in BENCHMARKS.md.
#
#   scripts/bench.sh store        event store: appends, group commit, replay, verify
#   scripts/bench.sh verify       verify alone, 5 rounds over one ledger (HRLEDGER_BENCH_EVENTS,
#                                 default 1,000,000), each beside the raw SHA-256 rate
#   scripts/bench.sh projections  full rebuild of every read model beside read_all and beside
#                                 the engine copying the same rows (INSERT ... SELECT); live lag
#                                 (HRLEDGER_BENCH_EVENTS sets the ledger size, default 1,000,000)
#   scripts/bench.sh api          GraphQL API under HTTP load; commands with 1, 8, 64 clients
#                                 (v7 command ids; 64 clients once more with random v4 ids)
#                                 (HRLEDGER_BENCH_EVENTS sets the ledger size, default 1,000,000)
#
# PostgreSQL figures need HRLEDGER_BENCH_PG_URL (or HRLEDGER_TEST_PG_URL); the bench creates
# and drops a database of its own there. Without either, only SQLite is measured.
set -euo pipefail

cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 <store|verify|projections|api>" >&2
    exit 2
}

bench_store() {
    cargo run --quiet --release -p hrledger-store --features testing --example bench_store
}

bench_verify() {
    HRLEDGER_BENCH_VERIFY_EVENTS="${HRLEDGER_BENCH_EVENTS:-1000000}" bench_store
}

bench_projections() {
    cargo run --quiet --release -p hrledger-projections --example bench_projections
}

bench_api() {
    cargo run --quiet --release -p hrledger-graphql --example bench_api
}

case "${1:-}" in
    store) bench_store ;;
    verify) bench_verify ;;
    projections) bench_projections ;;
    api) bench_api ;;
    *) usage ;;
esac
