#!/usr/bin/env bash
# Re-runs every benchmark and prints one table, each figure next to its
# target and to the previous run's (target/bench/previous.txt), so a
# regression shows. `bench/run.sh all` runs this.
#
#   bench/compare.sh          everything (about 25 minutes on 2 cores)
#
# The engine and notice_latency cargo benches run first, then every row of
# bench/run.sh on SQLite and PostgreSQL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=target/bench
mkdir -p "$OUT"
if [ -s "$OUT/results.txt" ]; then
    mv "$OUT/results.txt" "$OUT/previous.txt"
fi
: >"$OUT/results.txt"

echo "== engine (cargo bench --bench engine)" >&2
cargo bench --quiet --bench engine 2>/dev/null | tee "$OUT/engine.txt" >&2
# "(a) compile 200 q / 1,000 rules   250.0   372.2   4,073   24,421" -> RESULT engine_a median_us=250.0 ...
awk '/^\([a-z]\) / { n = NF; gsub(/[(),]/, "", $1); m = $(n-3); p = $(n-2); gsub(/,/, "", m); gsub(/,/, "", p);
      printf "RESULT engine_%s median_us=%s p99_us=%s\n", $1, m, p }' "$OUT/engine.txt" >>"$OUT/results.txt"

echo "== notice latency (cargo bench --bench notice_latency, 300 leads)" >&2
LATENCY_LEADS=300 cargo bench --quiet --bench notice_latency 2>/dev/null | tee "$OUT/notice_latency.txt" >&2
# "| 2.10 | 3.00 | 4.20 | 9.90 |" -> p50, p95, p99, max
awk -F'|' '/^\| [0-9]/ { gsub(/ /, ""); printf "RESULT notice_latency p50_ms=%s p99_ms=%s\n", $2, $4 }' \
    "$OUT/notice_latency.txt" >>"$OUT/results.txt"

bench/run.sh http both
bench/run.sh notices both
bench/run.sh page-weight
bench/run.sh cold-start

echo
grep '^MACHINE' "$OUT/results.txt" | tail -1
target/release/examples/bench_driver report --results "$OUT/results.txt" --previous "$OUT/previous.txt"
