#!/usr/bin/env bash
# Fails when a migration that is on an earlier commit has changed since it was first committed
# (a database migrated then would refuse to start): add a new migration instead, as
# migrations/README.md says. Files edited before this check existed are held to the contents
# listed in migrations/edited-before-the-rule.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --git-dir >/dev/null 2>&1 || [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  echo "check-migrations: no full git history here; skipped"
  exit 0
fi
changed=0
for file in migrations/*.sql; do
  first=$(git log --diff-filter=A --format=%H -- "$file" | tail -n1)
  [ -n "$first" ] || continue # not committed yet: still free to change
  held=$(awk -v name="$(basename "$file")" '$1 == name { print $2 }' migrations/edited-before-the-rule)
  [ -n "$held" ] || held=$(git rev-parse "$first:$file")
  if [ "$(git hash-object "$file")" != "$held" ]; then
    echo "check-migrations: $file has changed since commit ${first:0:12} added it;" \
      "put the change in a new migration (see migrations/README.md)" >&2
    changed=1
  fi
done
exit "$changed"
