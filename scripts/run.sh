#!/usr/bin/env bash
# Sets up everything and serves Tollgate at http://$LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
# Without DATABASE_URL the server runs its own PostgreSQL in $TOLLGATE_DATA_DIR (.tollgate/pgdata).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export SQLX_OFFLINE=true
exec cargo leptos serve --release
