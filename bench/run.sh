#!/usr/bin/env bash
# leadgate's HTTP benchmarks on a release build over loopback.
# See docs/BENCHMARKS.md for what each row measures and the figures.
#
#   bench/run.sh http [sqlite|postgres|both]     load rows + baselines + RSS
#   bench/run.sh notices [sqlite|postgres|both]  finish -> live event / webhook at 100/s
#   bench/run.sh page-weight                     the prospect's first page on the wire
#   bench/run.sh cold-start                      start to first request; idle RSS
#   bench/run.sh all                             all of the above and the cargo
#                                                benches, then one table (bench/compare.sh)
#
# Settings (environment): BENCH_BUILD=0 (use the release binaries as built),
# BENCH_SECONDS (wrk time per row, default 10),
# BENCH_CONNECTIONS (default "16 64"), BENCH_PG (default
# postgres://postgres@127.0.0.1:5432). Results are appended to
# target/bench/results.txt, one `RESULT` line per row.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export BENCH_DIR="$ROOT/bench"
OUT="$ROOT/target/bench"
RESULTS="$OUT/results.txt"
SECONDS_PER_ROW=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-"16 64"}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
SERVER="$ROOT/target/release/leadgate"
BASELINE="$ROOT/target/release/examples/bench_baseline"
DRIVER="$ROOT/target/release/examples/bench_driver"
PORT=3911
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
PG_DATABASES=()

log() { printf '%s\n' "$*" >&2; }

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    for db in "${PG_DATABASES[@]}"; do
        psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

ensure_tools() {
    if ! command -v wrk >/dev/null 2>&1; then
        log "installing wrk (Debian)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null || {
            apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null
        }
    fi
    if [ "${BENCH_BUILD:-1}" = 0 ]; then
        log "BENCH_BUILD=0: using the release binaries already built"
    else
        log "building the release server, baseline and driver"
        cargo build --release --quiet --bin leadgate --example bench_baseline --example bench_driver
    fi
    mkdir -p "$OUT"
}

machine() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    printf 'MACHINE date=%s cores=%s cpu="%s" load="%s" rustc="%s"\n' "$(date -u +%F)" "$(nproc)" "$cpu" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" "$(rustc --version)" | tee -a "$RESULTS"
}

# A fresh database URL for a backend: a temp SQLite file or a new PostgreSQL database.
fresh_database() {
    local backend=$1
    if [ "$backend" = sqlite ]; then
        local dir
        dir=$(mktemp -d)
        echo "sqlite://$dir/bench.db"
    else
        local name="leadgate_bench_$$_$RANDOM"
        psql "$PG/postgres" -q -c "CREATE DATABASE $name" >/dev/null
        PG_DATABASES+=("$name")
        echo "$PG/$name"
    fi
}

start_server() {
    local url=$1
    LEADGATE_DATABASE_URL=$url LEADGATE_BIND=127.0.0.1:$PORT \
        LEADGATE_START_LIMIT_PER_MINUTE=100000000 LEADGATE_ANSWER_LIMIT_PER_MINUTE=100000000 \
        "$SERVER" >"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    log "the server did not start:"; cat "$OUT/server.log" >&2; return 1
}

# Stops the server (SIGTERM) and prints the SQLite group-commit line it logs.
stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
    sed 's/\x1b\[[0-9;]*m//g' "$OUT/server.log" | grep -o 'commits=[0-9]* transactions=[0-9]*' | tail -1 || true
}

rss_of() {
    awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{printf "rss_mb=%.1f hwm_mb=%.1f", r/1024, h/1024}' "/proc/$1/status"
}

# wrk for one row; prints its RESULT line with the row's name and backend.
wrk_row() {
    local name=$1 backend=$2 connections=$3 pid=$4 url=$5 script=$6
    wrk -t2 -c"$connections" -d2s -s "$script" "$url" >/dev/null # warm-up
    local line
    line=$(wrk -t2 -c"$connections" -d"${SECONDS_PER_ROW}s" --timeout 10s -s "$script" "$url" | grep '^RESULT wrk')
    echo "${line/RESULT wrk/RESULT $name backend=$backend connections=$connections} $(rss_of "$pid")"
}

http_backend() {
    local backend=$1 url paths
    url=$(fresh_database "$backend")
    paths="$OUT/paths-$backend.txt"
    start_server "$url"
    "$DRIVER" prestart --base "$BASE" --count 2000 --out "$paths"
    stop_server >/dev/null
    export BENCH_PATHS=$paths
    for c in $CONNECTIONS; do
        for row in get_step answer_step; do
            start_server "$url"
            local line stats
            line=$(wrk_row "$row" "$backend" "$c" "$SERVER_PID" "$BASE" "$BENCH_DIR/wrk/$row.lua")
            stats=$(stop_server)
            echo "$line ${stats}" | tee -a "$RESULTS"
        done
        start_server "$url"
        local flows
        flows=$("$DRIVER" flows --base "$BASE" --connections "$c" --seconds "$SECONDS_PER_ROW" --first $((1000000 * c)))
        line="${flows/RESULT flows/RESULT flows backend=$backend} $(rss_of "$SERVER_PID")"
        echo "$line $(stop_server)" | tee -a "$RESULTS"
    done
    baseline_backend "$backend"
}

baseline_backend() {
    local backend=$1 url pid
    url=$(fresh_database "$backend")
    "$BASELINE" "$url" "127.0.0.1:$PORT" >"$OUT/baseline.log" 2>&1 &
    pid=$!
    SERVER_PID=$pid
    for _ in $(seq 1 200); do curl -fs "$BASE/text" >/dev/null 2>&1 && break; sleep 0.05; done
    for c in $CONNECTIONS; do
        wrk_row baseline_text "$backend" "$c" "$pid" "$BASE/text" "$BENCH_DIR/wrk/report.lua" | tee -a "$RESULTS"
        wrk_row baseline_commit "$backend" "$c" "$pid" "$BASE/commit" "$BENCH_DIR/wrk/commit.lua" | tee -a "$RESULTS"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    SERVER_PID=""
}

notices_backend() {
    local backend=$1 url
    url=$(fresh_database "$backend")
    start_server "$url"
    "$DRIVER" notices --base "$BASE" --rate 100 --seconds 20 \
        | sed "s/^RESULT \(notices_[a-z]*\)/RESULT \1 backend=$backend/" | tee -a "$RESULTS"
    stop_server >/dev/null
}

page_weight() {
    start_server "$(fresh_database sqlite)"
    "$DRIVER" page-weight --base "$BASE" | tee -a "$RESULTS"
    stop_server >/dev/null
}

cold_start() {
    local url
    url=$(fresh_database sqlite)
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$url" --label cold_start_new_database | tee -a "$RESULTS"
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$url" --label cold_start_existing_database | tee -a "$RESULTS"
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$(fresh_database postgres)" \
        --label cold_start_new_postgres | tee -a "$RESULTS"
}

backends() {
    case ${1:-both} in
        sqlite) echo sqlite ;;
        postgres) echo postgres ;;
        both) echo "sqlite postgres" ;;
        *) log "unknown backend $1"; exit 2 ;;
    esac
}

main() {
    local command=${1:-}
    shift || true
    ensure_tools
    machine
    case $command in
        http) for b in $(backends "${1:-both}"); do http_backend "$b"; done ;;
        notices) for b in $(backends "${1:-both}"); do notices_backend "$b"; done ;;
        page-weight) page_weight ;;
        cold-start) cold_start ;;
        all) exec "$BENCH_DIR/compare.sh" ;;
        *) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 2 ;;
    esac
}

main "$@"
