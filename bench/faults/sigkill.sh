#!/usr/bin/env bash
# The SIGKILL drill: prospects answer and finish the demo form on a release
# server, which is killed with SIGKILL in the middle; after a restart, every
# answer, finished response, lead, assignment, booking and webhook that was
# acknowledged must be there. Prints the counts compared; exits 1 if any
# acknowledged item is missing or a notice is left undelivered.
#
#   bench/faults/sigkill.sh [sqlite|postgres|both]   (default both)
#
# Settings: SIGKILL_CONNECTIONS (default 16), SIGKILL_AFTER (seconds of load
# before the kill, default 8), BENCH_PG (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
CONNECTIONS=${SIGKILL_CONNECTIONS:-16}
AFTER=${SIGKILL_AFTER:-8}
DATABASES=()
cleanup() {
    for db in "${DATABASES[@]}"; do
        psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

[ "${BENCH_BUILD:-1}" = 0 ] || cargo build --release --quiet --bin leadgate --example bench_driver

drill() {
    local backend=$1 url
    if [ "$backend" = sqlite ]; then
        url="sqlite://$(mktemp -d)/sigkill.db"
    else
        local name="leadgate_sigkill_$$"
        psql "$PG/postgres" -q -c "CREATE DATABASE $name" >/dev/null
        DATABASES+=("$name")
        url="$PG/$name"
    fi
    echo "== SIGKILL drill on $backend: $CONNECTIONS prospects, kill after ${AFTER}s"
    target/release/examples/bench_driver sigkill --binary target/release/leadgate --database-url "$url" \
        --connections "$CONNECTIONS" --kill-after "$AFTER"
}

status=0
case ${1:-both} in
    sqlite | postgres) drill "$1" || status=1 ;;
    both) drill sqlite || status=1; drill postgres || status=1 ;;
    *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
exit $status
