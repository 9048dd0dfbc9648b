#!/usr/bin/env bash
# The extract benchmark (issue #4): Inzage's extracts and worker against a straightforward Python peer
# (sqlite3 + XlsxWriter + json) that writes the same sheets and sections from the same database, in one run.
#
#   Benchmarks/extract/run.sh [--requests N] [--reps R] [--only extract,worker,large]
#
#   1. extract  one person with 10 consents, 100 consent events and 1,000 edit records: `inzage extract person`
#               as XLSX and as JSON against `peer.py extract`, R runs each (default 10), alternating; medians.
#   2. worker   N queued access requests (default 10,000) for persons with 3 consents and 20 edit records:
#               `inzage work --once --concurrency 2` against `peer.py work --concurrency 2`; requests per second.
#   3. large    one person with 1,000,000 edit records: peak RSS of `inzage extract person` as XLSX and as JSON.
#
# The databases are made once (setup.py, through the inzage CLI; the 1,000,000 edit records by SQL, see README.md)
# and kept in Benchmarks/out/extract/ (ignored by git) with the extracts and the /usr/bin/time reports.
# The peer's extracts are compared with Inzage's (check.py, openpyxl): the run fails if a sheet, a header, a row
# count or a value differs. Put `CHRT="chrt -f 10"` in the environment to run the measured commands (both
# sides, nothing else) at real-time priority, as on an idle machine; mind that part 2 then holds both cores for
# minutes at N=10,000 (use a smaller --requests, or run part 2 without CHRT, on a shared machine).
#
# Needs: swift, python3 with XlsxWriter and openpyxl, /usr/bin/time (Debian: time). Ends with the lines
#   extract format=xlsx person_ms=… peer_ms=… speedup=…
#   extract format=json person_ms=… peer_ms=… speedup=…
#   worker requests=N inzage_rps=… peer_rps=… ratio=… peak_rss_mib=…
#   large edits=1000000 xlsx_peak_rss_mib=… json_peak_rss_mib=… xlsx_s=… json_s=…
set -euo pipefail

REQUESTS=10000
REPS=10
ONLY=extract,worker,large
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) REQUESTS="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        *) echo "usage: $0 [--requests N] [--reps R] [--only extract,worker,large]" >&2; exit 2 ;;
    esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/Benchmarks/out/extract"
SCRATCH="$ROOT/.build-bench"

fail() { echo "run.sh: $*" >&2; exit 1; }
for tool in swift python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing: apt-get install time"
python3 -c 'import xlsxwriter, openpyxl' 2>/dev/null || fail "the peer needs: pip install XlsxWriter openpyxl"
mkdir -p "$OUT"

echo "building inzage (release)..." >&2
(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product inzage >&2)
BIN="$(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/inzage"

SETUP_ONLY="$(echo "$ONLY" | sed 's/extract/person/')"
python3 -B "$HERE/setup.py" "$BIN" "$OUT" --requests "$REQUESTS" --only "$SETUP_ONLY"

echo "load before: $(uptime)"
echo "priority of the measured commands: ${CHRT:-normal}"
python3 -B "$HERE/bench.py" "$BIN" "$OUT" --requests "$REQUESTS" --reps "$REPS" --only "$ONLY"
