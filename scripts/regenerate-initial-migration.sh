#!/usr/bin/env bash
# Regenerate migrations/versions/ as ONE initial migration from the current models.
#
# Use only while nothing has been deployed: it throws away every existing migration. It runs
# autogenerate against a fresh, empty PostgreSQL database (the production dialect), so the file
# creates every table, index and CHECK constraint; then review the printed file before committing.
#
#   scripts/regenerate-initial-migration.sh
#   PGURL=postgresql://postgres@127.0.0.1:5432 MIGRATE_DB=linda_migrate scripts/regenerate-initial-migration.sh
set -euo pipefail

cd "$(dirname "$0")/.."
PGURL="${PGURL:-postgresql://postgres@127.0.0.1:5432}"
MIGRATE_DB="${MIGRATE_DB:-linda_migrate}"
LINDA="${LINDA:-.venv/bin/linda}"

if [[ ! -x "$LINDA" ]]; then
  echo "regenerate: $LINDA not found; run 'python3 dev.py test --co -q' (or 'python3 dev.py up') once to install" >&2
  exit 1
fi
if ! psql "$PGURL/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  echo "regenerate: cannot reach PostgreSQL at $PGURL; start it or set PGURL" >&2
  exit 1
fi

echo "== fresh database $MIGRATE_DB"
psql "$PGURL/postgres" -q -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS \"$MIGRATE_DB\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$MIGRATE_DB\""

echo "== removing migrations/versions/*"
rm -f migrations/versions/*.py

echo "== linda db migrate"
tmp_instance="$(mktemp -d)"
trap 'rm -rf "$tmp_instance"' EXIT
export DATABASE_URL="$PGURL/$MIGRATE_DB" LINDA_INSTANCE_PATH="$tmp_instance"
unset REDIS_URL
"$LINDA" db migrate -m "initial schema"

shopt -s nullglob
files=(migrations/versions/*.py)
if (( ${#files[@]} != 1 )); then
  echo "regenerate: expected one migration file, found ${#files[@]}" >&2
  exit 1
fi

echo "== round trip on $MIGRATE_DB: upgrade, check, downgrade, upgrade"
"$LINDA" db upgrade
"$LINDA" db check
"$LINDA" db downgrade base
"$LINDA" db upgrade
psql "$PGURL/postgres" -q -c "DROP DATABASE IF EXISTS \"$MIGRATE_DB\" WITH (FORCE)"

echo "== ${files[0]} (review it before committing)"
cat "${files[0]}"
