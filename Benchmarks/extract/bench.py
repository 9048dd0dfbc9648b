#!/usr/bin/env python3
"""Runs the three measurements of the extract benchmark on the databases setup.py made (run.sh calls it).

Usage: bench.py INZAGE_BIN OUT_DIR [--requests N] [--reps R] [--only extract,worker,large]

Every measured command runs under `/usr/bin/time -v` (peak RSS, and the wall time of the long runs); the short
extract runs are timed with a monotonic clock around it, because /usr/bin/time rounds to 10 ms. $CHRT (such as
`chrt -f 10`) is put before every measured command, Inzage's and the peer's alike, and before nothing else.
"""
import json
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = [sys.executable, "-B", os.path.join(HERE, "peer.py")]
CHECK = [sys.executable, "-B", os.path.join(HERE, "check.py")]
TEMPLATES = os.path.join(HERE, "..", "..", "Sources", "Inzage", "Resources", "templates", "extract")
PREFIX = shlex.split(os.environ.get("CHRT", ""))


def fail(message):
    sys.exit("bench.py: " + message)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def measure(command, report, prefix=None, codes=(0,)):
    """Runs command under /usr/bin/time -v; returns (wall seconds by the monotonic clock, wall seconds by time,
    peak RSS in KiB)."""
    start = time.perf_counter()
    result = subprocess.run((PREFIX if prefix is None else prefix) + ["/usr/bin/time", "-v", "-o", report] + command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if result.returncode not in codes:
        fail("%s failed (%d):\n%s%s" % (" ".join(command), result.returncode, result.stdout[-2000:], result.stderr[-2000:]))
    text = open(report).read()
    elapsed = next(line.split(": ", 1)[1] for line in text.splitlines() if "Elapsed (wall clock)" in line)
    seconds = 0.0
    for part in elapsed.strip().split(":"):
        seconds = seconds * 60 + float(part)
    rss = int(next(line.split(": ", 1)[1] for line in text.splitlines() if "Maximum resident set size" in line))
    return wall, seconds, rss


def cpu(report):
    """The share of a core the command used, from its /usr/bin/time -v report (children included)."""
    return next(line.split(": ", 1)[1].strip() for line in open(report) if "Percent of CPU" in line)


def check(*args):
    result = subprocess.run(CHECK + list(args), capture_output=True, text=True)
    if result.returncode != 0:
        fail("the peer's output does not match Inzage's:\n" + result.stdout + result.stderr)
    return result.stdout.strip()


def mib(kib):
    return kib / 1024


def remove_output(command):
    """Removes the file a command writes (its --out), outside the timing and on both sides alike: a worker never
    replaces a file (each attempt writes into a folder of its own), and replacing one would time freeing it."""
    if "--out" in command:
        target = command[command.index("--out") + 1]
        if os.path.exists(target):
            os.remove(target)


def extract(binary, out, reps):
    info = json.load(open(os.path.join(out, "setup.json")))
    database, person = os.path.join(out, "person.sqlite"), str(info["person_id"])
    run = os.path.join(out, "run-extract")
    os.makedirs(run, exist_ok=True)
    commands = {}
    for fmt in ("xlsx", "json"):
        commands[("inzage", fmt)] = [binary, "extract", "person", person, "--format", fmt,
                                     "--out", os.path.join(run, "inzage." + fmt), "--database", database]
        commands[("peer", fmt)] = PEER + ["extract", database, person, "--format", fmt, "--out", os.path.join(run, "peer." + fmt)]
    commands[("inzage", "start")] = [binary, "--help"]
    commands[("peer", "start")] = [sys.executable, "-B", "-c", "import datetime, hashlib, json, multiprocessing, os, re, socket, sqlite3, sys, zoneinfo, xlsxwriter"]
    # Where Inzage's time goes: start and one read of the database; then also the template check and the start of the
    # dossier (an unknown person fails when it is looked up, exit 1). Not compared with the peer.
    commands[("inzage", "open")] = [binary, "person", "show", person, "--database", database]
    commands[("inzage", "check")] = [binary, "extract", "person", "999999999", "--format", "xlsx",
                                     "--out", os.path.join(run, "none.xlsx"), "--database", database]
    loads = [load()]
    times = {key: [] for key in commands}
    rss = {key: 0 for key in commands}
    codes = {("inzage", "check"): (1,)}
    for key, command in commands.items():  # one warm-up run each: page cache, Python's bytecode cache is off (-B)
        measure(command, os.path.join(run, "warmup.time"), codes=codes.get(key, (0,)))
    for rep in range(reps):
        order = list(commands) if rep % 2 == 0 else [(side, fmt) for fmt in ("xlsx", "json", "start")
                                                      for side in ("peer", "inzage")] + [("inzage", "open"), ("inzage", "check")]
        for key in order:
            remove_output(commands[key])
            wall, _, peak = measure(commands[key], os.path.join(run, "%s-%s.time" % key), codes=codes.get(key, (0,)))
            times[key].append(wall)
            rss[key] = max(rss[key], peak)
    print(check("xlsx", os.path.join(run, "inzage.xlsx"), os.path.join(run, "peer.xlsx")))
    print(check("json", os.path.join(run, "inzage.json"), os.path.join(run, "peer.json")))
    median = {key: statistics.median(values) * 1000 for key, values in times.items()}
    print()
    print("Target 1: one person, 10 consents, 100 consent events, 1,000 edit records; median of %d runs each" % reps)
    print("(priority: %s; load average before: %s, after: %s)" % (" ".join(PREFIX) or "normal", loads[0], load()))
    print("| what | Inzage ms | peer ms | peer / Inzage | Inzage peak RSS MiB | peer peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for fmt, label in (("xlsx", "XLSX extract (process)"), ("json", "JSON extract (process)"),
                       ("start", "process start only (`inzage --help`; python3 importing the peer's modules)")):
        a, b = median[("inzage", fmt)], median[("peer", fmt)]
        print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |" % (label, a, b, b / a, mib(rss[("inzage", fmt)]), mib(rss[("peer", fmt)])))
    print("Inzage alone: start + `person show` (one read of the database) %.1f ms; start + database + template check"
          " (`extract person` of an unknown id) %.1f ms; so the XLSX itself %.1f ms, the JSON %.1f ms"
          % (median[("inzage", "open")], median[("inzage", "check")], median[("inzage", "xlsx")] - median[("inzage", "check")],
             median[("inzage", "json")] - median[("inzage", "check")]))
    lines = []
    for fmt in ("xlsx", "json"):
        a, b = median[("inzage", fmt)], median[("peer", fmt)]
        met = b / a >= 10
        print("target %s extract >= 10 x as fast as the peer: %s (%.1f x)" % (fmt, "met" if met else "MISSED", b / a))
        lines.append("extract format=%s person_ms=%.1f peer_ms=%.1f speedup=%.1f" % (fmt, a, b, b / a))
    return lines


def state_counts(database):
    db = sqlite3.connect(database)
    result = dict(db.execute("SELECT state, COUNT(*) FROM request GROUP BY state").fetchall())
    extracts = db.execute("SELECT COUNT(*) FROM extract").fetchone()[0]
    first = db.execute("SELECT reference FROM request ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    return result, extracts, first


def fresh_copy(source, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    if os.path.isdir(target + ".extracts"):
        shutil.rmtree(target + ".extracts")
    shutil.copyfile(source, target)


def worker(binary, out, n):
    template = os.path.join(out, "worker-%d.sqlite" % n)
    run = os.path.join(out, "run-worker")
    os.makedirs(run, exist_ok=True)
    inzage_db, peer_db = os.path.join(run, "inzage.sqlite"), os.path.join(run, "peer.sqlite")
    fresh_copy(template, inzage_db)
    fresh_copy(template, peer_db)
    loads = [load()]
    _, inzage_s, inzage_rss = measure([binary, "work", "--once", "--concurrency", "2", "--database", inzage_db],
                                      os.path.join(run, "inzage.time"))
    loads.append(load())
    _, peer_s, peer_rss = measure(PEER + ["work", peer_db, "--archive", peer_db + ".extracts", "--concurrency", "2"],
                                  os.path.join(run, "peer.time"))
    loads.append(load())
    for name, database in (("inzage", inzage_db), ("peer", peer_db)):
        states, extracts, _ = state_counts(database)
        if states != {"completed": n} or extracts != 2 * n:
            fail("%s left the requests in the states %s with %d extracts, not %d completed with %d" % (name, states, extracts, n, 2 * n))
    _, _, reference = state_counts(inzage_db)
    for fmt in ("xlsx", "json"):
        # Inzage writes each attempt into a folder of its own: its file is where the extract row says.
        db = sqlite3.connect(inzage_db)
        (stored,) = db.execute("SELECT extract.path FROM extract JOIN request ON request.id = extract.request_id "
                               "WHERE request.reference = ? AND extract.format = ?", (reference, fmt)).fetchone()
        db.close()
        name = "%s/%s.%s" % (reference, reference, fmt)
        print(check(fmt, "--any-time", os.path.join(inzage_db + ".extracts", stored), os.path.join(peer_db + ".extracts", name)))
    inzage_rps, peer_rps = n / inzage_s, n / peer_s
    print()
    print("Target 2: %d queued access requests (3 consents and 20 edit records per person), XLSX + JSON each, 2 workers" % n)
    print("(priority: %s; load average before Inzage, between, after the peer: %s)" % (" ".join(PREFIX) or "normal", " | ".join(loads)))
    print("| side | wall s | requests/s | CPU | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- |")
    print("| inzage work --once --concurrency 2 | %.1f | %.1f | %s | %.1f |" % (inzage_s, inzage_rps, cpu(os.path.join(run, "inzage.time")), mib(inzage_rss)))
    print("| peer.py work --concurrency 2 | %.1f | %.1f | %s | %.1f |" % (peer_s, peer_rps, cpu(os.path.join(run, "peer.time")), mib(peer_rss)))
    ratio = inzage_rps / peer_rps
    print("target peak RSS <= 128 MiB: %s" % ("met" if mib(inzage_rss) <= 128 else "MISSED"))
    return ["worker requests=%d inzage_rps=%.1f peer_rps=%.1f ratio=%.1f peak_rss_mib=%.1f"
            % (n, inzage_rps, peer_rps, ratio, mib(inzage_rss))]


def large(binary, out):
    info = json.load(open(os.path.join(out, "setup.json")))
    database, person = os.path.join(out, "large.sqlite"), str(info["large_person_id"])
    db = sqlite3.connect(database)
    edits = db.execute("SELECT COUNT(*) FROM person_edit WHERE person_id = ?", (int(person),)).fetchone()[0]
    db.close()
    run = os.path.join(out, "run-large")
    os.makedirs(run, exist_ok=True)
    result = {}
    for fmt in ("xlsx", "json"):
        target = os.path.join(run, "large." + fmt)
        _, seconds, peak = measure([binary, "extract", "person", person, "--format", fmt, "--out", target,
                                    "--database", database], os.path.join(run, fmt + ".time"))
        result[fmt] = (seconds, peak, os.path.getsize(target))
    rows = check("rows", os.path.join(run, "large.xlsx"))
    json_edits = int(check("edits", os.path.join(run, "large.json")))
    names = tuple(json.load(open(os.path.join(TEMPLATES, "labels.%s.json" % language)))["sheets"]["changeHistory"]["name"].replace(" ", "_")
                  for language in ("nl", "en"))
    history = sum(int(item.rsplit("=", 1)[1]) - 1 for item in rows.split() if item.startswith(names))
    print("large xlsx rows per sheet (header included): " + rows)
    if history != edits:
        fail("the large XLSX extract has %d rows of change history, not %d" % (history, edits))
    if json_edits != edits:
        fail("the large JSON extract has %d edit records, not %d" % (json_edits, edits))
    print()
    print("Target 3: one person with %d edit records (priority: %s; load average after: %s)" % (edits, " ".join(PREFIX) or "normal", load()))
    print("| extract | wall s | peak RSS MiB | MB |")
    print("| --- | --- | --- | --- |")
    for fmt in ("xlsx", "json"):
        seconds, peak, size = result[fmt]
        print("| %s | %.1f | %.1f | %.1f |" % (fmt, seconds, mib(peak), size / 1e6))
    for fmt in ("xlsx", "json"):
        print("target %s peak RSS <= 64 MiB: %s" % (fmt, "met" if mib(result[fmt][1]) <= 64 else "MISSED"))
    return ["large edits=%d xlsx_peak_rss_mib=%.1f json_peak_rss_mib=%.1f xlsx_s=%.1f json_s=%.1f"
            % (edits, mib(result["xlsx"][1]), mib(result["json"][1]), result["xlsx"][0], result["json"][0])]


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, out = os.path.abspath(args[0]), os.path.abspath(args[1])
    n = int(args[args.index("--requests") + 1]) if "--requests" in args else 10000
    reps = int(args[args.index("--reps") + 1]) if "--reps" in args else 10
    only = args[args.index("--only") + 1].split(",") if "--only" in args else ["extract", "worker", "large"]
    lines = []
    if "extract" in only:
        lines += extract(binary, out, reps)
    if "worker" in only:
        lines += worker(binary, out, n)
    if "large" in only:
        lines += large(binary, out)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
