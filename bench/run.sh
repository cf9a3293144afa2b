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
BASELINE_PORT=3912
BASELINE_BASE="http://127.0.0.1:$BASELINE_PORT"
SERVER_PID=""
SERVER_LOG="$OUT/server-server.log"
BASELINE_PID=""
COMMIT_STATS=""
PG_DATABASES=()

log() { printf '%s\n' "$*" >&2; }

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$BASELINE_PID" ] && kill "$BASELINE_PID" 2>/dev/null && wait "$BASELINE_PID" 2>/dev/null
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

# A fresh database for a backend, in FRESH_URL: a temp SQLite file or a new
# PostgreSQL database (dropped on exit). Not to be run in a subshell.
fresh_database() {
    local backend=$1
    if [ "$backend" = sqlite ]; then
        FRESH_URL="sqlite://$(mktemp -d)/bench.db"
    else
        local name="leadgate_bench_$$_$RANDOM"
        psql "$PG/postgres" -q -c "CREATE DATABASE $name" >/dev/null
        PG_DATABASES+=("$name")
        FRESH_URL="$PG/$name"
    fi
}

# Starts the server on database $1; its log goes to target/bench/server-$2.log
# (default "server"), kept after the run to look into a row's failures.
start_server() {
    local url=$1
    SERVER_LOG="$OUT/server-${2:-server}.log"
    LEADGATE_DATABASE_URL=$url LEADGATE_BIND=127.0.0.1:$PORT \
        LEADGATE_START_LIMIT_PER_MINUTE=100000000 LEADGATE_ANSWER_LIMIT_PER_MINUTE=100000000 \
        "$SERVER" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    log "the server did not start:"; cat "$SERVER_LOG" >&2; return 1
}

# Stops the server (SIGTERM), waits for it to exit and keeps the SQLite
# group-commit line it logs in COMMIT_STATS. Not to be run in a subshell.
stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
    COMMIT_STATS=$(sed 's/\x1b\[[0-9;]*m//g' "$SERVER_LOG" | grep -o 'commits=[0-9]* transactions=[0-9]*' | tail -1 || true)
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

# Each baseline row runs right before the row it is compared with, so both
# see the same load on a shared machine.
http_backend() {
    local backend=$1 url paths baseline_pid
    fresh_database "$backend"
    url=$FRESH_URL
    paths="$OUT/paths-$backend.txt"
    start_server "$url"
    "$DRIVER" prestart --base "$BASE" --count 2000 --out "$paths"
    stop_server
    export BENCH_PATHS=$paths
    fresh_database "$backend"
    "$BASELINE" "$FRESH_URL" "127.0.0.1:$BASELINE_PORT" >"$OUT/baseline.log" 2>&1 &
    baseline_pid=$!
    BASELINE_PID=$baseline_pid
    for _ in $(seq 1 200); do curl -fs "$BASELINE_BASE/text" >/dev/null 2>&1 && break; sleep 0.05; done
    for c in $CONNECTIONS; do
        for pair in "baseline_text get_step" "baseline_commit answer_step"; do
            local baseline=${pair% *} row=${pair#* } line
            local route=/text script=report
            [ "$baseline" = baseline_commit ] && route=/commit script=commit
            wrk_row "$baseline" "$backend" "$c" "$baseline_pid" "$BASELINE_BASE$route" "$BENCH_DIR/wrk/$script.lua" \
                | tee -a "$RESULTS"
            if [ "$baseline" = baseline_text ]; then
                wrk_row baseline_page "$backend" "$c" "$baseline_pid" "$BASELINE_BASE/page" "$BENCH_DIR/wrk/report.lua" \
                    | tee -a "$RESULTS"
            fi
            start_server "$url" "$row-$backend-$c"
            line=$(wrk_row "$row" "$backend" "$c" "$SERVER_PID" "$BASE" "$BENCH_DIR/wrk/$row.lua")
            # leadgate's own trivial route behind the same middleware as the
            # step page: how much of the gap to baseline_text is the stack.
            local health=""
            if [ "$row" = get_step ]; then
                health=$(wrk_row server_healthz "$backend" "$c" "$SERVER_PID" "$BASE/healthz" "$BENCH_DIR/wrk/report.lua")
            fi
            stop_server
            echo "$line $COMMIT_STATS" | tee -a "$RESULTS"
            [ -z "$health" ] || echo "$health" | tee -a "$RESULTS"
        done
        start_server "$url" "flows-$backend-$c"
        local flows
        flows=$("$DRIVER" flows --base "$BASE" --connections "$c" --seconds "$SECONDS_PER_ROW" --first $((1000000 * c)))
        line="${flows/RESULT flows/RESULT flows backend=$backend} $(rss_of "$SERVER_PID")"
        stop_server
        echo "$line $COMMIT_STATS" | tee -a "$RESULTS"
    done
    kill "$baseline_pid"; wait "$baseline_pid" 2>/dev/null || true
    BASELINE_PID=""
}

notices_backend() {
    local backend=$1
    fresh_database "$backend"
    start_server "$FRESH_URL"
    "$DRIVER" notices --base "$BASE" --rate 100 --seconds 20 \
        | sed "s/^RESULT \(notices_[a-z]*\)/RESULT \1 backend=$backend/" | tee -a "$RESULTS"
    stop_server
}

page_weight() {
    fresh_database sqlite
    start_server "$FRESH_URL"
    "$DRIVER" page-weight --base "$BASE" | tee -a "$RESULTS"
    stop_server
}

cold_start() {
    local url
    fresh_database sqlite
    url=$FRESH_URL
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$url" --label cold_start_new_database | tee -a "$RESULTS"
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$url" --label cold_start_existing_database | tee -a "$RESULTS"
    fresh_database postgres
    "$DRIVER" cold-start --binary "$SERVER" --database-url "$FRESH_URL" \
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
