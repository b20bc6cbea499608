#!/usr/bin/env bash
# Sets up everything and runs every test: formatting, lints and the landed-migrations check
# first, then clippy (checking .sqlx on the way), unit and database tests (cargo test, each
# database test in its own database), and the browser journeys (Playwright in Chromium against
# the release build, which starts its own embedded PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says when it starts, counted from here, so a slow one is easy to see.
stage() { printf '==> %s  [%dm%02ds]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
SECONDS=0
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

stage "checking formatting and that no landed migration changed"
cargo fmt --all --check
scripts/check-migrations.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-test.XXXXXX")
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n1 || command -v pg_ctl)")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  # The e2e server stops its own cluster; stop it here too in case the run was interrupted.
  as_pg "$pg_bin/pg_ctl" -D "$work/e2e-data" -m immediate -w stop >/dev/null 2>&1 || true
  as_pg "$pg_bin/pg_ctl" -D "$work/seeded-data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

stage "starting a throwaway PostgreSQL for the database tests"
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work" "$work/pg"
chmod 700 "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -o \
  "-c listen_addresses='' -k $work/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
socket_url="postgres://postgres@localhost/%s?host=$work/pg"

stage "lints (clippy, warnings are errors), checking on the way that .sqlx/ matches the queries"
# One pass does both: clippy expands every query macro against a freshly migrated database,
# which writes what it finds to a scratch folder (SQLX_OFFLINE_DIR) that must equal .sqlx/ (what
# `cargo sqlx prepare --check` compares, without a second check of the workspace). The sources
# are touched so the macros run even when clippy's results are cached, and their modification
# times put back afterwards so the builds below reuse what is already compiled.
export DATABASE_URL=$(printf "$socket_url" tollgate_prepare)
sqlx database create
sqlx migrate run --source migrations >/dev/null
find app server -name '*.rs' -printf '%p %T@\n' >"$work/mtimes"
find app server -name '*.rs' -exec touch {} +
mkdir -p "$work/sqlx"
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$work/sqlx" cargo clippy --workspace --all-targets -- -D warnings
while read -r file mtime; do touch -m -d "@${mtime}" "$file"; done <"$work/mtimes"
diff -r .sqlx "$work/sqlx" >"$work/sqlx.diff" || {
  echo "==> .sqlx/ does not match the queries: run \`cargo sqlx prepare --workspace -- --all-targets\`" \
    "with DATABASE_URL set to a migrated database, and commit .sqlx/"
  head -n 40 "$work/sqlx.diff"
  exit 1
}

# The webhook tests' endpoint verifies signatures with the reference library installed by setup.
export TOLLGATE_TEST_PYTHON="$PWD/target/test-python/bin/python"

stage "unit and database tests"
export DATABASE_URL=$(printf "$socket_url" postgres)
# One test at a time within each test binary: when several tests build the whole router in
# one process at once, a server-rendered page now and then never finishes (4 of 40 runs of
# tests/http.rs with 11 threads, at this and the previous session's code; 0 of 15 with one
# thread; never seen from the real server under 40 concurrent users). Until that is understood,
# the suite must not hang.
SQLX_OFFLINE=true cargo test --workspace --all-targets -- --test-threads=1

stage "release build for the browser journeys"
# Build, serve and test in separate steps rather than `cargo leptos end-to-end`, which exits 0
# when the build fails: here a failed build or a failed journey fails the command. (Run beside
# the lints and tests instead, on two cores, it made the whole command slower: 43 min to reach
# the journeys in a cold run against about 37 run one after the other.)
SQLX_OFFLINE=true cargo leptos build --release
export SQLX_OFFLINE=true
unset DATABASE_URL
export TOLLGATE_DATA_DIR="$work/e2e-data"
export LEPTOS_OUTPUT_NAME=tollgate LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
export LEPTOS_SITE_ADDR=127.0.0.1:3210 LEPTOS_RELOAD_PORT=3211
export TOLLGATE_BASE_URL="http://$LEPTOS_SITE_ADDR"
# The server's request log would drown Playwright's report; it is kept in a file instead.
RUST_LOG="${RUST_LOG:-info}" target/release/server >"$work/server.log" 2>&1 &
server_pid=$!
# A second server over a seeded portfolio, for the portfolio journeys.
TOLLGATE_DATA_DIR="$work/seeded-data" target/release/server seed --projects 300 --seed 42 >"$work/seed.log" 2>&1 \
  || { cat "$work/seed.log"; exit 1; }
TOLLGATE_DATA_DIR="$work/seeded-data" LEPTOS_SITE_ADDR=127.0.0.1:3212 LEPTOS_RELOAD_PORT=3213 \
  RUST_LOG="${RUST_LOG:-info}" target/release/server >"$work/seeded-server.log" 2>&1 &
seeded_pid=$!
export TOLLGATE_SEEDED_URL="http://127.0.0.1:3212"
# A real webhook endpoint for the webhooks journey (scripts/webhook_receiver.py).
"$TOLLGATE_TEST_PYTHON" scripts/webhook_receiver.py --port 3214 >"$work/receiver.log" 2>&1 &
receiver_pid=$!
export TOLLGATE_WEBHOOK_RECEIVER="http://127.0.0.1:3214"
stop_server() {
  kill "$server_pid" "$seeded_pid" "$receiver_pid" 2>/dev/null || true
  wait "$server_pid" "$seeded_pid" "$receiver_pid" 2>/dev/null || true
}
trap 'stop_server; cleanup' EXIT
stage "browser journeys (Playwright in Chromium)"
# The seeded portfolio's journeys read their own server, so they run beside the others (their
# report follows); each run keeps its own failure traces.
(cd end2end && npx playwright test --project=seeded --output=test-results/seeded >"$work/seeded-journeys.log" 2>&1) &
seeded_journeys=$!
journeys=0
(cd end2end && npx playwright test --project=first-run --project=journeys --output=test-results/journeys) || journeys=$?
seeded=0
wait "$seeded_journeys" || seeded=$?
stage "the seeded portfolio's journeys:"
cat "$work/seeded-journeys.log"
if [ "$journeys" != 0 ] || [ "$seeded" != 0 ]; then
  stage "browser journeys failed; the servers' logs end:"
  tail -n 40 "$work/server.log"
  tail -n 20 "$work/seeded-server.log"
  exit 1
fi
stage "all tests passed"
