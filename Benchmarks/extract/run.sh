#!/usr/bin/env bash
# The extract benchmark (issue #4): Inzage's extracts and worker against a straightforward Python peer
# (sqlite3 + XlsxWriter + json) that writes the same sheets and sections from the same database, in one run.
#
#   Benchmarks/extract/run.sh [--requests N] [--reps R] [--rounds K] [--seconds S | --loops L] [--only extract,worker,large]
#
#   1. extract  one person with 10 consents, 100 consent events and 1,000 edit records, XLSX and JSON, in two views
#               measured in the same run and printed side by side:
#                 process     `inzage extract person` against `peer.py extract`, one process per extract, R runs each
#                             (default 10), alternating; medians (bench.py). Process start is included.
#                 in-process  the database opened once (Inzage) or the peer imported once and connected once (Python),
#                             then extracts in a row for S seconds per side (default 2; after one warm-up extract that
#                             is not counted), in K rounds (default 10) alternating the sides; the median per extract
#                             over all rounds and the range of the rounds' medians. Each side gets the same time, so
#                             that the shared machine's slow spells fall on both alike (a fixed count gave Inzage's
#                             side a tenth of the peer's time; see README.md). --loops L counts L extracts per round
#                             instead; the last of --seconds and --loops given counts. The database's share (the
#                             dossier alone, and with its records read) is timed over 100 extracts per round. Inzage: Benchmarks/extract/Swift (`ExtractBenchmark`, the same calls as
#                             `inzage extract person`); the peer: peer.py's own functions in a loop.
#   2. worker   N queued access requests (default 10,000) for persons with 3 consents and 20 edit records:
#               `inzage work --once --concurrency 2` against `peer.py work --concurrency 2`; requests per second.
#   3. large    one person with 1,000,000 edit records: peak RSS of `inzage extract person` as XLSX and as JSON.
#
# The databases are made once (setup.py, through the inzage CLI; the 1,000,000 edit records by SQL, see README.md)
# and kept in Benchmarks/out/extract/ (ignored by git) with the extracts and the /usr/bin/time reports.
# The peer's extracts are compared with Inzage's (check.py, openpyxl), in both views: the run fails if a sheet, a
# header, a row count or a value differs. Put `CHRT="chrt -f 10"` in the environment to run the measured commands
# (both sides, nothing else) at real-time priority, as on an idle machine; mind that part 2 then holds both cores
# for minutes at N=10,000 (use a smaller --requests, or run part 2 without CHRT, on a shared machine).
# SCRATCH overrides the build folder (default .build-bench); BIN_DIR=DIR skips the build and takes `inzage` and
# `ExtractBenchmark` from DIR (to compare two builds with the same script).
#
# Needs: swift, python3 with XlsxWriter and openpyxl, /usr/bin/time (Debian: time). Ends with the lines
#   extract view=process format=xlsx person_ms=… peer_ms=… speedup=…
#   extract view=process format=json person_ms=… peer_ms=… speedup=…
#   extract view=in-process format=xlsx person_ms=… peer_ms=… speedup=… person_range_ms=…-… peer_range_ms=…-…
#   extract view=in-process format=json person_ms=… peer_ms=… speedup=… person_range_ms=…-… peer_range_ms=…-…
#   worker requests=N inzage_rps=… peer_rps=… ratio=… peak_rss_mib=…
#   large edits=1000000 xlsx_peak_rss_mib=… json_peak_rss_mib=… xlsx_s=… json_s=…
set -euo pipefail

REQUESTS=10000
REPS=10
ROUNDS=10
SECONDS_PER_ROUND=2
LOOPS=
ONLY=extract,worker,large
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) REQUESTS="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --seconds) SECONDS_PER_ROUND="$2"; LOOPS=; shift 2 ;;
        --loops) LOOPS="$2"; shift 2
                 [[ "$LOOPS" =~ ^[1-9][0-9]*$ ]] || { echo "--loops must be a whole number of at least 1, not '$LOOPS'" >&2; exit 2; } ;;
        --only) ONLY="$2"; shift 2 ;;
        *) echo "usage: $0 [--requests N] [--reps R] [--rounds K] [--seconds S | --loops L] [--only extract,worker,large]" >&2; exit 2 ;;
    esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/Benchmarks/out/extract"
SCRATCH="${SCRATCH:-$ROOT/.build-bench}"

fail() { echo "run.sh: $*" >&2; exit 1; }
for tool in swift python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing: apt-get install time"
python3 -c 'import xlsxwriter, openpyxl' 2>/dev/null || fail "the peer needs: pip install XlsxWriter openpyxl"
mkdir -p "$OUT"

if [ -z "${BIN_DIR:-}" ]; then
    # The release build as README.md gives it: the Swift runtime and Foundation linked statically.
    echo "building inzage and ExtractBenchmark (release, --static-swift-stdlib)..." >&2
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product inzage >&2)
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product ExtractBenchmark >&2)
    BIN_DIR="$(cd "$ROOT" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)"
fi
BIN="$BIN_DIR/inzage"
[ -x "$BIN" ] && [ -x "$BIN_DIR/ExtractBenchmark" ] || fail "no inzage and ExtractBenchmark in $BIN_DIR"

SETUP_ONLY="$(echo "$ONLY" | sed 's/extract/person/')"
python3 -B "$HERE/setup.py" "$BIN" "$OUT" --requests "$REQUESTS" --only "$SETUP_ONLY"

echo "load before: $(uptime)"
echo "priority of the measured commands: ${CHRT:-normal}"
LINES="$OUT/summary-lines.txt"
: > "$LINES"

# bench.py PARTS: runs parts of bench.py and keeps its final summary lines.
bench() {
    python3 -B "$HERE/bench.py" "$BIN" "$OUT" --requests "$REQUESTS" --reps "$REPS" --only "$1" | tee "$OUT/bench-$1.txt"
    grep -E '^(extract|worker|large) ' "$OUT/bench-$1.txt" >> "$LINES.bench" || true
}
: > "$LINES.bench"

if [[ ",$ONLY," == *",extract,"* ]]; then
    bench extract
    # The in-process view, then both views side by side.
    python3 -B - "$BIN_DIR/ExtractBenchmark" "$OUT" "$HERE" "$ROUNDS" "${LOOPS:-0}" "$SECONDS_PER_ROUND" "$LINES.bench" "$LINES" <<'EOF'
import json, os, shlex, statistics, subprocess, sys

binary, out, here, rounds, loops, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
process_lines, summary_lines = sys.argv[7], sys.argv[8]
# Either a fixed count per round (loops > 0) or a time per round (seconds), the same on both sides.
prefix = shlex.split(os.environ.get("CHRT", ""))
info = json.load(open(os.path.join(out, "setup.json")))
database, person = os.path.join(out, "person.sqlite"), str(info["person_id"])
run = os.path.join(out, "run-inprocess")
os.makedirs(run, exist_ok=True)

# The peer in one interpreter: import once, connect once, then per extract what `peer.py extract` does after
# connecting (a read transaction, the dossier, the file written under a temporary name and renamed). On both sides the
# previous extract's file is removed before each extract, outside the timing.
PEER_LOOP = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import peer
db_path, person_id, fmt, target, loops, seconds = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]), float(sys.argv[7])
writer = peer.write_xlsx if fmt == "xlsx" else peer.write_json
db = peer.connect(db_path)
first, times, counting_since = None, [], None
while True:
    if counting_since is None and first is not None:
        counting_since = time.perf_counter()
    if counting_since is not None and times and (
            len(times) >= loops if loops > 0 else time.perf_counter() - counting_since >= seconds):
        break
    if os.path.exists(target):
        os.unlink(target)  # outside the timing, as on Inzage's side: nothing is timed freeing the previous file
    start = time.perf_counter()
    db.execute("BEGIN")
    dossier = peer.load_dossier(db, person_id)
    peer.write_atomically(target, writer, dossier)
    db.execute("COMMIT")
    elapsed = (time.perf_counter() - start) * 1000
    if first is None:
        first = elapsed
    else:
        times.append(elapsed)
print(json.dumps({"first_ms": first, "ms": times}))
"""


def measure(side, fmt, extra=(), reps=None):
    target = os.path.join(run, "%s.%s" % (side, fmt))
    if side == "peer":
        command = [sys.executable, "-B", "-c", PEER_LOOP, here, database, person, fmt, target, str(loops), str(seconds)]
    else:
        count = ["--reps", str(reps or loops)] if reps or loops > 0 else ["--seconds", str(seconds)]
        command = [binary, database, person, "--format", fmt, "--out", target, "--warmup", "1"] + count + list(extra)
    result = subprocess.run(prefix + command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("run.sh: %s failed:\n%s%s" % (" ".join(command), result.stdout[-2000:], result.stderr[-2000:]))
    return json.loads(result.stdout)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


loads = [load()]
samples = {(side, fmt): [] for side in ("inzage", "peer") for fmt in ("xlsx", "json")}
round_medians = {key: [] for key in samples}
parts = {"open": [], "first_xlsx": [], "first_json": [], "resolve": [], "read": []}
for number in range(rounds):
    for fmt in ("xlsx", "json"):
        sides = ("inzage", "peer") if number % 2 == 0 else ("peer", "inzage")
        for side in sides:
            result = measure(side, fmt)
            samples[(side, fmt)] += result["ms"]
            round_medians[(side, fmt)].append(statistics.median(result["ms"]))
            if side == "inzage" and "open_ms" in result:
                parts["open"].append(result["open_ms"])
                parts["first_" + fmt].append(result["first_ms"])
    for what in ("resolve", "read"):
        result = measure("inzage", "json", ["--%s-only" % what], reps=100)
        if result.get("format") == what:
            parts[what] += result["ms"]
loads.append(load())

check = [sys.executable, "-B", os.path.join(here, "check.py")]
for fmt in ("xlsx", "json"):
    result = subprocess.run(check + [fmt, os.path.join(run, "inzage." + fmt), os.path.join(run, "peer." + fmt)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("run.sh: the peer's in-process output does not match Inzage's:\n" + result.stdout + result.stderr)
    print(result.stdout.strip())

process = {}
for line in open(process_lines):
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    if line.startswith("extract ") and "format" in fields:
        process[fields["format"]] = (float(fields["person_ms"]), float(fields["peer_ms"]))

median = {key: statistics.median(values) for key, values in samples.items()}
spread = {key: (min(values), max(values)) for key, values in round_medians.items()}
report = sys.stdout
print(file=report)
print("Target 1, both views (priority: %s; load average before the in-process view: %s, after: %s)"
      % (" ".join(prefix) or "normal", loads[0], loads[1]), file=report)
counts = {key: len(values) for key, values in samples.items()}
per_round = ("%d extracts" % loops) if loops > 0 else ("%g s (Inzage %d and %d extracts in all, the peer %d and %d, XLSX and JSON)" % (
    seconds, counts[("inzage", "xlsx")], counts[("inzage", "json")], counts[("peer", "xlsx")], counts[("peer", "json")]))
print("In-process: %d rounds of %s per side and format, after one warm-up extract each; median per extract"
      " over all rounds, and in brackets the lowest and highest median of a round." % (rounds, per_round), file=report)
print("| format | process: Inzage ms | process: peer ms | process: peer / Inzage | in-process: Inzage ms |"
      " in-process: peer ms | in-process: peer / Inzage | >= 10 x |", file=report)
print("| --- | --- | --- | --- | --- | --- | --- | --- |", file=report)
lines, process_summary = [], []
for fmt in ("xlsx", "json"):
    a, b = median[("inzage", fmt)], median[("peer", fmt)]
    (a0, a1), (b0, b1) = spread[("inzage", fmt)], spread[("peer", fmt)]
    if fmt in process:
        pa, pb = process[fmt]
        cells = "%.1f | %.1f | %.1f" % (pa, pb, pb / pa)
        verdict_process = "process %s" % ("met" if pb / pa >= 10 else "MISSED")
    else:
        cells, verdict_process = "– | – | –", "process not run"
    verdict = "%s, in-process %s" % (verdict_process, "met" if b / a >= 10 else "MISSED")
    print("| %s | %s | %.2f (%.2f–%.2f) | %.1f (%.1f–%.1f) | %.1f | %s |" % (fmt, cells, a, a0, a1, b, b0, b1, b / a, verdict),
          file=report)
    if fmt in process:
        process_summary.append("extract view=process format=%s person_ms=%.1f peer_ms=%.1f speedup=%.1f" % (fmt, pa, pb, pb / pa))
    lines.append("extract view=in-process format=%s person_ms=%.2f peer_ms=%.1f speedup=%.1f person_range_ms=%.2f-%.2f"
                 " peer_range_ms=%.1f-%.1f" % (fmt, a, b, b / a, a0, a1, b0, b1))
m = {key: statistics.median(values) if values else float("nan") for key, values in parts.items()}
print("Inzage in-process, medians: opening the database as a pool %.1f ms (once per process, GRDB's WAL set-up included); the first extract %.1f ms (XLSX),"
      " %.1f ms (JSON), templates loaded then; gathering the dossier alone %.2f ms, and reading its 1,000 edit records"
      " and 100 consent events too %.2f ms (the database's share of every extract)."
      % (m["open"], m["first_xlsx"], m["first_json"], m["resolve"], m["read"]), file=report)
with open(summary_lines, "a") as f:
    f.write("".join(line + "\n" for line in process_summary + lines))
EOF
fi

REST="$(echo ",$ONLY," | sed 's/,extract,/,/g; s/^,//; s/,$//')"
if [ -n "$REST" ]; then
    bench "$REST"
fi

echo
cat "$LINES"
grep -vE '^extract ' "$LINES.bench" || true
