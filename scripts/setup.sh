#!/usr/bin/env bash
# Installs what Tollgate needs and is missing; safe to run again (it skips what is there).
# Usage: scripts/setup.sh [run|test]   — `test` also installs Chromium and sqlx-cli.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.129   # must equal the wasm-bindgen crate pinned in Cargo.toml
SQLX_CLI_VERSION=0.8.6
purpose=${1:-run}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}
has_version() { command -v "$1" >/dev/null 2>&1 && "$1" "${@:3}" 2>/dev/null | grep -q "$2"; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! has_version cargo-leptos "$CARGO_LEPTOS_VERSION" --version; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 15 minutes)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION" --version; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once; about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force
fi
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  say "installing PostgreSQL"
  apt_install postgresql
fi
# wasm-opt (binaryen, pinned in end2end/package.json) and Playwright, without a browser download.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "$purpose" = test ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium from Debian's packages"
    apt_install chromium
  fi
  # The webhook tests verify deliveries with the reference Standard Webhooks library, and the
  # notification tests send mail to a real SMTP server (aiosmtpd): both Python, from PyPI.
  if ! target/test-python/bin/python -c 'import standardwebhooks, aiosmtpd' >/dev/null 2>&1; then
    say "installing the Standard Webhooks library and aiosmtpd for the tests (target/test-python)"
    [ -x target/test-python/bin/pip ] || python3 -m venv target/test-python \
      || { apt_install python3-venv && python3 -m venv target/test-python; }
    target/test-python/bin/pip install --quiet --disable-pip-version-check standardwebhooks==1.1.0 aiosmtpd==1.4.6
  fi
  if ! has_version sqlx "$SQLX_CLI_VERSION" --version; then
    say "installing sqlx-cli $SQLX_CLI_VERSION (once; about 2 minutes)"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features --features postgres,rustls --locked
  fi
fi
