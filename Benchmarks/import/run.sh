#!/usr/bin/env bash
# The Inzage import benchmark: `inzage import` of N generated persons against a Python peer that inserts
# exactly the same rows with sqlite3 executemany in one transaction.
#
# Usage: Benchmarks/import/run.sh [N]        (default 100000; RUNS=3 timed runs each, the fastest counts)
#
# Prints the row counts per table of both databases (the run fails if they differ), then a final line:
#   import persons=N inzage_s=X peer_s=Y ratio=R peak_rss_mib=M
# Targets: ratio <= 1.5 and peak RSS of `inzage import` < 64 MiB.
set -euo pipefail

N="${1:-100000}"
RUNS="${RUNS:-3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/Benchmarks/out/import"
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
    echo "Installing GNU time (apt package 'time') for wall time and peak RSS..." >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq time >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null; fi
fi

echo "Building inzage in release mode..." >&2
(cd "$ROOT" && swift build -c release --scratch-path .build-release --product inzage >&2)
BIN="$(cd "$ROOT" && swift build -c release --scratch-path .build-release --show-bin-path)/inzage"

CSV="$OUT/persons-$N.csv"
if [ ! -s "$CSV" ]; then
    echo "Generating $N persons..." >&2
    python3 "$HERE/gen.py" "$N" "$CSV"
fi

# On a shared machine other work takes the cores in turns with the benchmark. As root, both timed commands run
# at the same real-time priority (chrt -f 10), as on an idle machine; RT=0 turns that off.
RUN_AS=()
if [ "${RT:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v chrt >/dev/null; then RUN_AS=(chrt -f 10); fi

# Seconds of wall time and peak RSS in KiB from a `/usr/bin/time -v` report.
wall_seconds() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
peak_kib() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
# Seconds of CPU (user + system): steadier than wall time on a machine that other work shares.
cpu_seconds() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }

best_inzage=""; best_peer=""; cpu_inzage=""; cpu_peer=""; peak=0
for run in $(seq 1 "$RUNS"); do
    rm -f "$OUT"/inzage.sqlite* "$OUT"/peer.sqlite*
    "$BIN" init --database "$OUT/inzage.sqlite" >/dev/null
    "$BIN" init --database "$OUT/peer.sqlite" >/dev/null
    sync

    "${RUN_AS[@]}" /usr/bin/time -v -o "$OUT/inzage.time" \
        "$BIN" import "$CSV" --source import --database "$OUT/inzage.sqlite" --by benchmark --json >"$OUT/inzage-summary.json"
    "${RUN_AS[@]}" /usr/bin/time -v -o "$OUT/peer.time" \
        python3 "$HERE/peer.py" "$OUT/peer.sqlite" "$CSV" --source import --by benchmark >"$OUT/peer.out"

    inzage_s="$(wall_seconds "$OUT/inzage.time")"; peer_s="$(wall_seconds "$OUT/peer.time")"; rss="$(peak_kib "$OUT/inzage.time")"
    inzage_cpu="$(cpu_seconds "$OUT/inzage.time")"; peer_cpu="$(cpu_seconds "$OUT/peer.time")"
    echo "run $run: inzage ${inzage_s}s wall ${inzage_cpu}s CPU (peak RSS $((rss / 1024)) MiB), peer ${peer_s}s wall ${peer_cpu}s CPU" >&2
    if [ -z "$cpu_inzage" ] || awk "BEGIN { exit !($inzage_cpu < $cpu_inzage) }"; then cpu_inzage="$inzage_cpu"; fi
    if [ -z "$cpu_peer" ] || awk "BEGIN { exit !($peer_cpu < $cpu_peer) }"; then cpu_peer="$peer_cpu"; fi
    if [ -z "$best_inzage" ] || awk "BEGIN { exit !($inzage_s < $best_inzage) }"; then best_inzage="$inzage_s"; fi
    if [ -z "$best_peer" ] || awk "BEGIN { exit !($peer_s < $best_peer) }"; then best_peer="$peer_s"; fi
    if [ "$rss" -gt "$peak" ]; then peak="$rss"; fi
done

echo "Rows per table (last run):"
python3 "$HERE/compare.py" "$OUT/inzage.sqlite" "$OUT/peer.sqlite"

ratio="$(awk "BEGIN { printf \"%.2f\", $best_inzage / $best_peer }")"
peak_mib="$(awk "BEGIN { printf \"%.1f\", $peak / 1024 }")"
cpu_ratio="$(awk "BEGIN { printf \"%.2f\", $cpu_inzage / $cpu_peer }")"
echo "cpu inzage_cpu_s=$cpu_inzage peer_cpu_s=$cpu_peer cpu_ratio=$cpu_ratio"
awk "BEGIN { exit !($ratio <= 1.5) }" && echo "target ratio <= 1.5: met" || echo "target ratio <= 1.5: MISSED"
awk "BEGIN { exit !($peak_mib < 64) }" && echo "target peak RSS < 64 MiB: met" || echo "target peak RSS < 64 MiB: MISSED"
echo "import persons=$N inzage_s=$best_inzage peer_s=$best_peer ratio=$ratio peak_rss_mib=$peak_mib"
