#!/usr/bin/env bash
# Benchmarks the release build against generated portfolios of growing size (not a test).
#
# Usage: scripts/bench.sh [SIZE...]            sizes in projects; default 1000 10000 100000
#   BENCH_NO_BUILD=1  use the existing release build instead of `cargo leptos build --release`
#   BENCH_PORT=3310   where the server listens during the run
#
# For each size: a fresh database in a throwaway PostgreSQL cluster, `server seed --projects N
# --seed 42`, the release server on it, then
#   1. the paths people take, in steady state (scripts/bench_load.py paths): the list (first
#      page, by flag, by team and stage, by name), a project page, My work of an editor owning
#      about 200 projects, the portfolio with a write before every read, a project update and
#      a record addition; the portfolio over time (a write before each read): the page as of a
#      day a year ago, the 52-week trend (API), the pipeline page: p50 and p90;
#   2. (at 10,000 projects, BENCH_MIXED_AT) 40 users for 60 s, 90% reads and 10% writes
#      (bench_load.py mixed): requests per second, p50, p99, errors;
#   3. GET /api/v1/projects.csv (API token) against psql's COPY of the same rows: wall time;
#   4. the server's resident memory before and at its peak during the CSV export;
#   5. a threshold change, which recomputes every project's signals: seconds;
#   6. (at the first size only) 1,000 failed sign-ins with made-up emails, 32 at a time, each
#      from its own address (X-Forwarded-For through a trusted proxy, as a botnet would come):
#      how they were answered, and the server's memory at its peak and afterwards.
# Once: the gzip -9 size of what a browser downloads (target/site/pkg: .js, .wasm, .css).
# Prints a table with the targets next to the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then sizes=("$@"); else sizes=(1000 10000 100000); fi
for n in "${sizes[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench: sizes are whole numbers of projects, not '$n'" >&2; exit 2; }
done
port=${BENCH_PORT:-3310}
base="http://127.0.0.1:$port"
today=${TOLLGATE_FAKE_TODAY:-$(date -u +%F)}
seed=42
password="seed-password-123"   # every seeded account's (see `server seed`)
viewer=viewer0001@seed.example
admin=admin01@seed.example

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# The p-th percentile (nearest rank) of the numbers on stdin.
percentile() {
  sort -n | awk -v p="$1" '{ v[NR] = $1 }
    END { if (NR == 0) exit 1; i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
}
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
kb_of() { grep "^$1:" "/proc/$2/status" | awk '{ print $2 }'; }

# --- tools and the release build ----------------------------------------------------------
server_bin=target/release/server
# Always (re)build, so the figures are of the code checked out; up to date, it takes seconds.
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  scripts/setup.sh run
  export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
  say "building the release server and site (cargo leptos build --release)"
  SQLX_OFFLINE=true cargo leptos build --release
else
  say "using the existing release build ($server_bin, $(date -r "$server_bin" '+%F %T'))"
fi

# --- a throwaway PostgreSQL cluster ---------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-bench.XXXXXX")
pg_bin=$(dirname "$(find /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n1 || command -v pg_ctl)")
[ -x "$pg_bin/pg_ctl" ] || pg_bin=$(dirname "$(command -v pg_ctl)")
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

say "starting a throwaway PostgreSQL in $work"
mkdir -p "$work/pg"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work" "$work/pg"; fi
chmod 700 "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability off only to seed quickly; the measured requests read.
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -o \
  "-c listen_addresses='' -k $work/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
psql_in() { psql -h "$work/pg" -U postgres -X -q -v ON_ERROR_STOP=1 -d "$@"; }

# --- what a browser downloads (once) --------------------------------------------------------
gzip_total=0
gzip_lines=()
for file in target/site/pkg/*.js target/site/pkg/*.wasm target/site/pkg/*.css; do
  [ -f "$file" ] || continue
  raw=$(wc -c <"$file")
  packed=$(gzip -9 -c "$file" | wc -c)
  gzip_total=$((gzip_total + packed))
  gzip_lines+=("$(printf '  %-36s %9.1f KB raw %9.1f KB gzip -9' "$file" \
    "$(awk -v b="$raw" 'BEGIN { print b / 1024 }')" "$(awk -v b="$packed" 'BEGIN { print b / 1024 }')")")
done

# --- a sign-in flood (once) -----------------------------------------------------------------
# 1,000 failed sign-ins, 32 at a time, each with a made-up email and from one of 500 addresses
# (documentation ranges, named in X-Forwarded-For; nothing is sent anywhere but the server).
flood=""
signin_flood() {
  local n=$1 before after peak started took codes
  before=$(kb_of VmRSS "$server_pid")
  echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
  say "$n projects: 1000 failed sign-ins, 32 at a time"
  started=$(now)
  seq 1 1000 | xargs -P 32 -I{} sh -c 'i={}; net=$([ $((i % 2)) = 0 ] && echo 198.51.100 || echo 203.0.113)
    curl -s -o /dev/null -w "%{http_code}\n" -H "Origin: $1" -H "X-Forwarded-For: $net.$((i % 250 + 1))" \
      --data-urlencode "email=nobody$i@flood.example" --data-urlencode "password=not the password $i" \
      "$1/api/login"' _ "$base" >"$work/flood.txt"
  took=$(since "$started")
  sleep 1
  after=$(kb_of VmRSS "$server_pid")
  peak=$(kb_of VmHWM "$server_pid")
  codes=$(sort "$work/flood.txt" | uniq -c | awk '{ printf "%s%s x %s", sep, $2, $1; sep = ", " }')
  flood="$(mb "$before")|$(mb "$peak")|$(mb "$after")|$took|$codes"
}

# --- one size -------------------------------------------------------------------------------
results=()
untested=()
declare -A paths_of thresholds_of scans_of imports_of
mixed=""
# Waits until a reminder scan that began after $3 (default: any) is done and then the database
# has been idle for five seconds running.
settle() {
  local n=$1 db=$2 after=${3:--infinity} idle=0 started busy
  started=$(now)
  for _ in $(seq 1 600); do
    busy=$(psql_in "$db" -At -c "select count(*) + (not exists (select from jobs
        where dedupe_key like 'notify_scan:%' and started_at > '$after' and done_at is not null))::int
      from pg_stat_activity
      where datname = current_database() and state = 'active' and pid <> pg_backend_pid()")
    if [ "$busy" = 0 ]; then idle=$((idle + 1)); else idle=0; fi
    [ "$idle" -ge 5 ] && break
    sleep 1
  done
  say "$n projects: the server's background work done ($(since "$started") s to an idle database)"
}
run_size() {
  local n=$1 db="bench_$1" url started seed_s cookie status token hash csv_s changed_at
  url="postgres://postgres@localhost/$db?host=$work/pg"
  say "$n projects: seeding"
  psql_in postgres -c "create database $db"
  started=$(now)
  DATABASE_URL="$url" TOLLGATE_FAKE_TODAY="$today" RUST_LOG=warn "$server_bin" seed --projects "$n" --seed "$seed" \
    >"$work/seed-$n.log" 2>&1 || { cat "$work/seed-$n.log" >&2; exit 1; }
  seed_s=$(since "$started")

  say "$n projects: starting the server on $base"
  # The request log would cost time on every request; warnings only.
  DATABASE_URL="$url" TOLLGATE_FAKE_TODAY="$today" RUST_LOG=warn \
    LEPTOS_OUTPUT_NAME=tollgate LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_RELOAD_PORT=$((port + 1)) TOLLGATE_TRUSTED_PROXIES=127.0.0.1 \
    "$server_bin" >"$work/server-$n.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$base/healthz" && break
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/server-$n.log" >&2; exit 1; }
    sleep 0.2
  done

  # A server's first start on a new portfolio has work of its own to do in the background (the
  # first reminder scan announces every flag already up: ~24,000 at 100k, ~20 s); the figures are
  # of steady state, so wait for that scan and then until the database has been idle for five
  # seconds running.
  settle "$n" "$db"

  # Sign in as a viewer with the login form, keeping the session cookie.
  cookie=$(curl -s -o /dev/null -D - -H "Origin: $base" --data-urlencode "email=$viewer" \
    --data-urlencode "password=$password" "$base/api/login" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(tollgate_session=[^;]*\).*/\1/p' | head -n1)
  [ -n "$cookie" ] || { echo "bench: signing in as $viewer gave no session cookie" >&2; exit 1; }
  if [ -z "$flood" ]; then signin_flood "$n"; fi

  local page=0 anonymous editor owned team
  read -r status page < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' -b "$cookie" "$base/portfolio")
  anonymous=$(curl -s -o /dev/null -w '%{size_download}' "$base/portfolio")
  if [ "$page" = "$anonymous" ]; then
    untested+=("GET /portfolio gave the same $page bytes signed in and out at $n projects: is the session accepted?")
  fi

  # An API token inserted the way the app stores one (SHA-256 hex, 10-character prefix).
  token="tg_bench$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  psql_in "$db" -c "insert into api_tokens (name, token_hash, prefix, created_by)
    select 'bench', '$hash', '${token:0:10}', id from accounts where email = '$admin'"
  # The busiest active editor, given more projects (as an admin would assign them) until they
  # own the current stage of 200; and the largest team.
  read -r editor editor_id owned < <(psql_in "$db" -At -F ' ' -c "select a.email, a.id, count(*)
    from accounts a join stage_owners so on so.owner_id = a.id
    join projects p on p.id = so.project_id and p.stage = so.stage and p.status not in ('cancelled', 'retired')
    where a.active and a.role = 'editor' group by a.email, a.id order by count(*) desc, a.email limit 1")
  team=$(psql_in "$db" -At -c "select team from projects group by team order by count(*) desc, team limit 1")
  local driver=(python3 scripts/bench_load.py --viewer "$viewer" --editor "$editor" --admin "$admin"
    --password "$password" --token "$token" --team "$team" --query model --today "$today")
  say "$n projects: the paths people take, in steady state (editor $editor owns $owned; 200 wanted)"
  "${driver[@]}" --editor-id "$editor_id" --own-more $((200 - owned)) paths "$base" | tee "$work/paths-$n.txt" >&2 \
    || untested+=("the path timings failed at $n projects")
  owned=$(psql_in "$db" -At -c "select count(*) from stage_owners so
    join projects p on p.id = so.project_id and p.stage = so.stage and p.status not in ('cancelled', 'retired')
    where so.owner_id = '$editor_id'")
  paths_of[$n]="$owned|$(awk '{ printf "%s%s=%s/%s", sep, $1, $2, $3; sep = " " }' "$work/paths-$n.txt")"
  if [ "$n" = "${BENCH_MIXED_AT:-10000}" ]; then
    say "$n projects: mixed load, ${BENCH_USERS:-40} users for ${BENCH_SECONDS:-60} s"
    mixed=$("${driver[@]}" --users "${BENCH_USERS:-40}" --seconds "${BENCH_SECONDS:-60}" mixed "$base" \
      | awk '{ print $2 "|" $3 "|" $4 "|" $5 "|" $6 }') || untested+=("the mixed load failed at $n projects")
    mixed="$n|$mixed"
  fi
  say "$n projects: changing a threshold (every project's signals recomputed)"
  changed_at=$(psql_in "$db" -At -c "select now()")
  thresholds_of[$n]=$("${driver[@]}" thresholds "$base" | awk '{ print $2 " s for " $3 " projects" }') \
    || untested+=("the threshold change failed at $n projects")
  # The change raises and clears flags everywhere, which the next reminder scan announces (at
  # 100k a few seconds and a few hundred MB): let it finish before the export's memory is read.
  settle "$n" "$db" "$changed_at"

  local csv="n/a" copy rss_before="n/a" rss_peak="n/a" rss_growth="n/a" bytes=0 runs=()
  say "$n projects: GET /api/v1/projects.csv x 3, sampling the server's memory"
  local before peak_file="$work/peak-$n" sampler result hwm polled
  before=$(kb_of VmRSS "$server_pid")
  # Reset the kernel's high-water mark so VmHWM covers the exports alone (Linux 4.0 and later);
  # the 50 ms samples cover kernels where that is refused.
  echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
  echo "$before" >"$peak_file"
  (
    peak=$before
    while kill -0 "$server_pid" 2>/dev/null; do
      rss=$(kb_of VmRSS "$server_pid" 2>/dev/null || echo 0)
      if [ "${rss:-0}" -gt "$peak" ]; then peak=$rss; echo "$peak" >"$peak_file"; fi
      sleep 0.05
    done
  ) &
  sampler=$!
  for _ in 1 2 3; do
    result=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
      -H "Authorization: Bearer $token" "$base/api/v1/projects.csv")
    if [ "${result%% *}" != 200 ]; then
      untested+=("GET /api/v1/projects.csv answered ${result%% *} at $n projects: CSV and memory skipped")
      runs=()
      break
    fi
    read -r _ csv_s bytes <<<"$result"
    runs+=("$csv_s")
  done
  sleep 0.1
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  hwm=$(kb_of VmHWM "$server_pid")
  polled=$(cat "$peak_file")
  if [ "$hwm" -gt "$polled" ]; then polled=$hwm; fi
  if [ "${#runs[@]}" -gt 0 ]; then
    csv=$(printf '%s\n' "${runs[@]}" | percentile 50)
    rss_before=$(mb "$before")
    rss_peak=$(mb "$polled")
    rss_growth=$(mb $((polled - before)))
  fi

  # psql's COPY of the same rows, as the floor the streamed CSV is compared with.
  runs=()
  for _ in 1 2 3; do
    started=$(now)
    psql_in "$db" -c "\\copy (select * from project_export('$today'::date)) to stdout with (format csv, header)" \
      >/dev/null
    runs+=("$(since "$started")")
  done
  copy=$(printf '%s\n' "${runs[@]}" | percentile 50)

  # Last, as it adds 10,000 projects: a spreadsheet imported (preview, commit), then the same
  # rows changed (every row an update).
  say "$n projects: importing a spreadsheet of 10,000 new projects, then the same rows changed"
  imports_of[$n]=$("${driver[@]}" imports "$base" | awk '{ printf "%s%s %s s", sep, $2, $4; sep = ", " }') \
    || untested+=("the import failed at $n projects")
  # The reminder scan runs as a job each minute on the server: how long its runs took while the
  # paths, the mixed load, the threshold change and the import wrote (and the run after them).
  sleep 61
  scans_of[$n]=$(psql_in "$db" -At -F ' ' -c "
    with runs as (
      select extract(epoch from done_at - started_at) * 1000 as ms
      from jobs where kind = 'notify_scan' and done_at is not null and started_at is not null)
    select count(*), coalesce(round(percentile_cont(0.5) within group (order by ms)::numeric, 1), 0),
           coalesce(round(max(ms)::numeric, 1), 0) from runs" \
    | awk '{ print $1 " runs, p50 " $2 " ms, slowest " $3 " ms" }')
  stop_server
  psql_in postgres -c "drop database $db"

  local csv_text ratio="n/a"
  csv_text=$csv
  if [ "$csv" != n/a ]; then
    ratio=$(awk -v a="$csv" -v b="$copy" 'BEGIN { printf "%.2f", a / b }')
    csv_text=$(awk -v s="$csv" 'BEGIN { printf "%.3f", s }')
  fi
  results+=("$n|$seed_s|$page|$bytes|$csv_text|$copy|$ratio|$rss_before|$rss_peak|$rss_growth")
}

for n in "${sizes[@]}"; do run_size "$n"; done

# --- the table ------------------------------------------------------------------------------
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
# The p50 (ms) of path $2 in the paths line $1.
p50_of() { tr ' ' '\n' <<<"$1" | awk -F'[=/]' -v k="$2" '$1 == k { print $2 }'; }
echo
echo "Tollgate benchmark: $(date -u '+%F %H:%M UTC'), seed $seed, today $today, $(nproc) cores, release build of $(date -r "$server_bin" '+%F %T')"
echo
echo "Paths, p50/p90 ms (steady state: 60 warm-up requests, then 100 timed; portfolio after a write each time):"
names=(list list_flag list_team_stage list_search project my_work portfolio_after_write project_update record_addition
  portfolio_year_ago trend_52_weeks pipeline)
printf '%9s' projects; printf ' %s' "${names[@]}"; echo
for n in "${sizes[@]}"; do
  IFS='|' read -r owned line <<<"${paths_of[$n]:-|}"
  printf '%9s' "$n"
  for k in "${names[@]}"; do
    v=$(tr ' ' '\n' <<<"$line" | awk -F= -v k="$k" '$1 == k { print $2 }')
    printf " %${#k}s" "${v:-n/a}"
  done
  echo "   (My work of an editor owning $owned projects)"
done
echo
printf '%9s %7s %8s %7s %7s %7s %8s %7s %7s %9s\n' projects seed_s page_KB csv_MB csv_s copy_s csv/copy \
  rss_MB peak_MB growth_MB
for row in "${results[@]}"; do
  IFS='|' read -r n s page bytes csv copy ratio rb rp rg <<<"$row"
  printf '%9s %7.1f %8.1f %7.1f %7s %7.3f %8s %7s %7s %9s\n' "$n" "$s" \
    "$(awk -v b="$page" 'BEGIN { print b / 1024 }')" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" \
    "$csv" "$copy" "$ratio" "$rb" "$rp" "$rg"
done
echo "(csv_s, copy_s: median of 3; memory: the server's RSS around the exports)"
echo
for n in "${sizes[@]}"; do
  echo "Threshold change at $n projects: ${thresholds_of[$n]:-not measured}"
done
for n in "${sizes[@]}"; do
  echo "Import of 10,000 rows at $n projects: ${imports_of[$n]:-not measured}"
done
for n in "${sizes[@]}"; do
  echo "Reminder scans at $n projects (each minute, over the writes above): ${scans_of[$n]:-not measured}"
done
if [ -n "$mixed" ]; then
  IFS='|' read -r m_n m_rps m_p50 m_p99 m_errors m_conflicts <<<"$mixed"
  echo "Mixed load at $m_n projects, ${BENCH_USERS:-40} users, ${BENCH_SECONDS:-60} s, 90% reads / 10% writes:" \
    "$m_rps req/s, p50 $m_p50 ms, p99 $m_p99 ms, $m_errors errors ($m_conflicts saves refused as conflicts)"
fi
if [ -n "$flood" ]; then
  IFS='|' read -r f_before f_peak f_after f_took f_codes <<<"$flood"
  echo
  echo "Sign-in flood: 1000 failed sign-ins (made-up emails, 500 addresses), 32 concurrent, in ${f_took} s"
  echo "  answers: $f_codes"
  echo "  server RSS: ${f_before} MB before, ${f_peak} MB at peak, ${f_after} MB one second after"
fi
echo
echo "Download (gzip -9):"
printf '%s\n' "${gzip_lines[@]}"
printf '  %-36s %32.1f KB\n' total "$(awk -v b="$gzip_total" 'BEGIN { print b / 1024 }')"

echo
echo "Targets:"
small=${sizes[0]}
large=${sizes[${#sizes[@]}-1]}
if [ "${#sizes[@]}" -gt 1 ] && [ -n "${paths_of[$small]:-}" ] && [ -n "${paths_of[$large]:-}" ]; then
  s_line=${paths_of[$small]#*|}
  l_line=${paths_of[$large]#*|}
  for k in list list_flag list_team_stage list_search project my_work; do
    a=$(p50_of "$s_line" "$k"); b=$(p50_of "$l_line" "$k")
    ok=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a != "" && b != "" && b <= 1.5 * a && b <= 50) ? 1 : 0 }')
    printf '  %-22s p50 at %s <= 1.5 x at %s and <= 50 ms:  %s vs %s ms  %s\n' "$k" "$large" "$small" "$b" "$a" "$(verdict "$ok")"
  done
  a=$(p50_of "$s_line" portfolio_after_write); b=$(p50_of "$l_line" portfolio_after_write)
  ok=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a != "" && b != "" && b <= 150 && b <= 3 * a) ? 1 : 0 }')
  printf '  %-22s p50 at %s <= 150 ms and <= 3 x at %s:  %s vs %s ms  %s\n' portfolio_after_write "$large" "$small" "$b" "$a" "$(verdict "$ok")"
  for k in project_update record_addition; do
    a=$(p50_of "$s_line" "$k"); b=$(p50_of "$l_line" "$k")
    ok=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a != "" && b != "" && b <= 2 * a) ? 1 : 0 }')
    printf '  %-22s p50 at %s <= 2 x at %s:  %s vs %s ms  %s\n' "$k" "$large" "$small" "$b" "$a" "$(verdict "$ok")"
  done
  for target in portfolio_year_ago:300 trend_52_weeks:500 pipeline:300; do
    k=${target%%:*}; limit=${target#*:}; b=$(p50_of "$l_line" "$k")
    ok=$(awk -v b="$b" -v l="$limit" 'BEGIN { print (b != "" && b <= l) ? 1 : 0 }')
    printf '  %-22s p50 at %s <= %s ms:  %s ms  %s\n' "$k" "$large" "$limit" "$b" "$(verdict "$ok")"
  done
else
  echo "  path timings across sizes: not measured (give at least two sizes)"
fi
if [ -n "$mixed" ]; then
  ok=$(awk -v r="$m_rps" -v p="$m_p99" -v e="$m_errors" 'BEGIN { print (r >= 200 && p <= 250 && e == 0) ? 1 : 0 }')
  printf '  mixed load >= 200 req/s, p99 <= 250 ms, 0 errors:  %s req/s, %s ms, %s errors  %s\n' "$m_rps" "$m_p99" "$m_errors" "$(verdict "$ok")"
fi
for row in "${results[@]}"; do
  IFS='|' read -r n _ _ _ _ _ ratio _ _ rg <<<"$row"
  if [ "$ratio" != n/a ]; then
    printf '  CSV <= 1.2 x psql COPY at %s:  %s x  %s\n' "$n" "$ratio" \
      "$(verdict "$(awk -v r="$ratio" 'BEGIN { print (r <= 1.2) ? 1 : 0 }')")"
    printf '  RSS growth during the export <= 32 MB at %s:  %s MB  %s\n' "$n" "$rg" \
      "$(verdict "$(awk -v g="$rg" 'BEGIN { print (g <= 32) ? 1 : 0 }')")"
  else
    printf '  CSV and RSS at %s:  not measured\n' "$n"
  fi
done
if [ -n "$flood" ]; then
  printf '  RSS after 1000 failed sign-ins at 32 concurrent <= 150 MB:  %s MB  %s\n' "$f_after" \
    "$(verdict "$(awk -v a="$f_after" 'BEGIN { print (a <= 150) ? 1 : 0 }')")"
fi
printf '  download gzip -9 <= 300 KB:  %.1f KB  %s\n' "$(awk -v b="$gzip_total" 'BEGIN { print b / 1024 }')" \
  "$(verdict "$(awk -v b="$gzip_total" 'BEGIN { print (b <= 300 * 1024) ? 1 : 0 }')")"
if [ "${#untested[@]}" -gt 0 ]; then
  echo
  echo "Not measured:"
  printf '  %s\n' "${untested[@]}"
fi
