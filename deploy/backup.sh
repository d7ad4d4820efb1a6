#!/bin/sh
# Back up and restore Linda's PostgreSQL database (pg_dump custom format).
#
#   deploy/backup.sh backup  [DATABASE_URL] FILE   write FILE (checked with pg_restore --list)
#   deploy/backup.sh restore FILE [DATABASE_URL]   replace the tables of DATABASE_URL by FILE
#
# DATABASE_URL defaults to the environment's (as Linda reads it; "postgresql+psycopg://" is
# accepted). The dump holds personal data sealed with LINDA_DATA_KEY: keep that key safe and
# apart from the dumps, or the restored data cannot be read. Redis needs no backup: the
# reconciler re-queues from the database whatever is due.
set -eu

usage() {
    echo "usage: $0 backup [DATABASE_URL] FILE | restore FILE [DATABASE_URL]" >&2
    exit 2
}

libpq_url() {
    # SQLAlchemy's driver suffix means nothing to libpq.
    printf '%s' "$1" | sed -e 's|^postgresql+[a-z0-9]*://|postgresql://|' -e 's|^postgres://|postgresql://|'
}

[ $# -ge 2 ] || usage
command=$1
shift
case "$command" in
backup)
    if [ $# -eq 2 ]; then url=$1; file=$2; else url=${DATABASE_URL:-}; file=$1; fi
    [ -n "$url" ] || { echo "backup: no DATABASE_URL" >&2; exit 2; }
    tmp="$file.partial"
    pg_dump --format=custom --no-owner --no-privileges --file="$tmp" "$(libpq_url "$url")"
    pg_restore --list "$tmp" >/dev/null  # a dump that cannot be listed is no backup
    mv "$tmp" "$file"
    echo "backup: wrote $file ($(wc -c <"$file") bytes)"
    ;;
restore)
    file=$1
    url=${2:-${DATABASE_URL:-}}
    [ -n "$url" ] || { echo "restore: no DATABASE_URL" >&2; exit 2; }
    [ -r "$file" ] || { echo "restore: cannot read $file" >&2; exit 2; }
    # Stop linda-web and every linda-worker first; start them after `linda db upgrade`.
    pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
        --single-transaction --dbname="$(libpq_url "$url")" "$file"
    echo "restore: $file restored"
    ;;
*)
    usage
    ;;
esac
