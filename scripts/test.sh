#!/usr/bin/env bash
# The README's test command: formatting, lints, and every test of the workspace.
#
# PostgreSQL tests run when HRLEDGER_TEST_PG_URL points at a server
# (e.g. postgres://postgres@127.0.0.1:5432/test); each test creates and drops its own database.
# Without it they print "skipped" — except under CI=true, where a missing server is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ] && [ -z "${HRLEDGER_TEST_PG_URL:-}" ]; then
  echo "CI=true but HRLEDGER_TEST_PG_URL is not set: PostgreSQL tests cannot be skipped in CI" >&2
  exit 1
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole workspace (cargo prints one per test binary, the last being
# an empty doc-test run).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
