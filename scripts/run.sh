#!/usr/bin/env bash
# Sets up everything and serves Tollgate at http://$LEPTOS_SITE_ADDR (default 127.0.0.1:3000).
# Without DATABASE_URL the server runs its own PostgreSQL in $TOLLGATE_DATA_DIR (.tollgate/pgdata).
set -euo pipefail
cd "$(dirname "$0")/.."
# Fail in the first second, before any build, when the embedded cluster could not start: as
# root it runs as the postgres user, which must be able to reach TOLLGATE_DATA_DIR. (Unset, the
# server picks a folder it can reach by itself.)
if [ -z "${DATABASE_URL:-}" ] && [ -n "${TOLLGATE_DATA_DIR:-}" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  dir=$TOLLGATE_DATA_DIR
  while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
  if ! runuser -u postgres -- test -x "$dir"; then
    echo "error: the embedded PostgreSQL runs as the postgres user, which can't reach $TOLLGATE_DATA_DIR." >&2
    echo "Set TOLLGATE_DATA_DIR to a folder it can reach (e.g. /var/lib/tollgate/pgdata), unset it, or set DATABASE_URL." >&2
    exit 1
  fi
fi
scripts/setup.sh run
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export SQLX_OFFLINE=true
exec cargo leptos serve --release
