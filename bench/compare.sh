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
# divan's table: "├─ a_compile  244.3 µs │ 338 µs │ 258.9 µs │ 260.1 µs │ 1893 │ 1893"
# (fastest, slowest, median, mean, samples, iters; each time in ns, µs, ms or s)
#   -> "RESULT engine_a median_us=258.9 mean_us=260.1 fastest_us=244.3 slowest_us=338"
awk -F'│' '
    function us(cell, parts) {
        split(cell, parts, " ")
        if (parts[2] == "ns") return parts[1] / 1000
        if (parts[2] == "ms") return parts[1] * 1000
        if (parts[2] == "s") return parts[1] * 1000000
        return parts[1] + 0
    }
    /^(├─|╰─) [a-z]_/ {
        split($1, head, " ")
        printf "RESULT engine_%s median_us=%.10g mean_us=%.10g fastest_us=%.10g slowest_us=%.10g\n",
            substr(head[2], 1, 1), us($3), us($4), us(head[3] " " head[4]), us($2)
    }' "$OUT/engine.txt" >>"$OUT/results.txt"
grep -q '^RESULT engine_' "$OUT/results.txt" || {
    echo "bench/compare.sh: no engine row found in divan's output ($OUT/engine.txt)" >&2
    exit 1
}

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
