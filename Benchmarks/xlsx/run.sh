#!/usr/bin/env bash
# Writes the same workbook with XLSXWriter, libxlsxwriter (constant_memory) and Python XlsxWriter
# (constant_memory), in one run, and compares wall time, peak RSS and file size.
#
#   Benchmarks/xlsx/run.sh [ROWS]        (default 200000)
#
# Needs: swift, cc, libxlsxwriter-dev, python3 with XlsxWriter and openpyxl, /usr/bin/time (Debian: time).
# Outputs go to Benchmarks/out/ (ignored by git). The last line is the summary:
#   xlsx rows=N time_vs_libxlsxwriter=R size_vs_libxlsxwriter=R time_vs_xlsxwriter=R peak_rss_mib=M
set -euo pipefail

ROWS="${1:-200000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/Benchmarks/out"
SCRATCH="$ROOT/.build-xlsx"

fail() { echo "run.sh: $*" >&2; exit 1; }
for tool in swift cc python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing: apt-get install time"
python3 -c 'import xlsxwriter, openpyxl' 2>/dev/null || fail "Python peers need: pip install XlsxWriter openpyxl"
mkdir -p "$OUT"

echo "building (release)..." >&2
swift build -c release --scratch-path "$SCRATCH" --product XLSXBenchmark >&2
SWIFT_WRITER="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/XLSXBenchmark"
cc -O2 -o "$OUT/libxlsxwriter_peer" "$HERE/libxlsxwriter_peer.c" -lxlsxwriter \
    || fail "cannot build the C peer: apt-get install libxlsxwriter-dev"

# measure NAME COMMAND...: runs COMMAND ROWS FILE under /usr/bin/time -v; sets WALL (s), RSS (KiB), SIZE (bytes).
measure() {
    local name="$1"; shift
    local file="$OUT/$name.xlsx" report="$OUT/$name.time"
    rm -f "$file"
    /usr/bin/time -v -o "$report" "$@" "$ROWS" "$file" || fail "$name failed (see $report)"
    [ -s "$file" ] || fail "$name wrote no file"
    WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$report")"
    RSS="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$report")"
    SIZE="$(stat -c %s "$file")"
    printf '%-14s rows=%s wall_s=%.2f peak_rss_mib=%.1f size_bytes=%s\n' "$name" "$ROWS" "$WALL" "$(awk "BEGIN { print $RSS / 1024 }")" "$SIZE"
}

measure xlsxwriter-swift "$SWIFT_WRITER"
SWIFT_WALL=$WALL SWIFT_RSS=$RSS SWIFT_SIZE=$SIZE
measure libxlsxwriter "$OUT/libxlsxwriter_peer"
C_WALL=$WALL C_SIZE=$SIZE
measure xlsxwriter-py python3 -B "$HERE/xlsxwriter_peer.py"
PY_WALL=$WALL

# The three files must hold the same values (first 2,000 rows, read by openpyxl).
python3 -B - "$OUT/xlsxwriter-swift.xlsx" "$OUT/libxlsxwriter.xlsx" "$OUT/xlsxwriter-py.xlsx" <<'EOF' || fail "the writers disagree"
import itertools, sys, openpyxl
def head(path):
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return [tuple(c.value for c in row) for row in itertools.islice(sheet.iter_rows(), 2000)]
first, *others = [head(p) for p in sys.argv[1:]]
for path, rows in zip(sys.argv[2:], others):
    if rows != first:
        sys.exit(f"{path} differs from {sys.argv[1]}")
EOF

ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }
printf 'xlsx rows=%s time_vs_libxlsxwriter=%s size_vs_libxlsxwriter=%s time_vs_xlsxwriter=%s peak_rss_mib=%.1f\n' \
    "$ROWS" "$(ratio "$SWIFT_WALL" "$C_WALL")" "$(ratio "$SWIFT_SIZE" "$C_SIZE")" "$(ratio "$SWIFT_WALL" "$PY_WALL")" \
    "$(awk "BEGIN { print $SWIFT_RSS / 1024 }")"
