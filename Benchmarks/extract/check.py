#!/usr/bin/env python3
"""Checks that the peer's extracts hold what Inzage's hold, so that the comparison is fair.

Usage:
    check.py xlsx INZAGE.xlsx PEER.xlsx     same sheets in the same order, same header rows, same number of rows,
                                            and the same values in every cell (read back with openpyxl)
    check.py json INZAGE.json PEER.json     same top-level sections in the same order, the same keys in every object,
                                            the same length of every array, and the same values (except generatedAt)
    check.py rows FILE.xlsx                 prints the number of rows (header included) of every sheet, streamed
                                            from the zip without loading the workbook (for the large extract)
    check.py edits FILE.json                prints the number of editHistory elements, counted line by line

With --any-time (for extracts of the same request made at different times, by the worker benchmark) any two
date-times count as equal: the request's state changes happened when each side processed it.

Prints one line per file pair and exits with 1 on the first structural difference or any value difference.
"""
import datetime
import json
import re
import sys
import zipfile

import openpyxl


def fail(message):
    sys.exit("check.py: " + message)


ANY_TIME = "--any-time" in sys.argv


def same_value(a, b):
    if isinstance(a, datetime.datetime) and isinstance(b, datetime.datetime):
        return ANY_TIME or abs((a - b).total_seconds()) < 0.002
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def same_instant(a, b):
    """Two ISO 8601 timestamps at most 1 ms apart (Inzage rounds a stored millisecond down through a Double, so it
    shows 22.876 for a stored 22.877 now and then)."""
    if not (isinstance(a, str) and isinstance(b, str) and len(a) > 19 and a[10:11] == "T" and b[10:11] == "T"):
        return False
    try:
        seconds = abs((datetime.datetime.fromisoformat(a) - datetime.datetime.fromisoformat(b)).total_seconds())
        return ANY_TIME or seconds <= 0.0011
    except ValueError:
        return False


def compare_xlsx(first, second):
    books = [openpyxl.load_workbook(path, read_only=True) for path in (first, second)]
    names = [book.sheetnames for book in books]
    if names[0] != names[1]:
        fail("the sheets differ:\n  %s\n  %s" % tuple(names))
    summary, differences = [], []
    for name in names[0]:
        rows = [[tuple(cell.value for cell in row) for row in book[name].iter_rows()] for book in books]
        if rows[0][:1] != rows[1][:1]:
            fail("sheet %r: the header rows differ:\n  %s\n  %s" % (name, rows[0][:1], rows[1][:1]))
        if len(rows[0]) != len(rows[1]):
            fail("sheet %r: %d rows against %d" % (name, len(rows[0]), len(rows[1])))
        for number, (a, b) in enumerate(zip(*rows), start=1):
            width = max(len(a), len(b))
            a, b = a + (None,) * (width - len(a)), b + (None,) * (width - len(b))
            for column, (x, y) in enumerate(zip(a, b), start=1):
                if not same_value(x, y):
                    differences.append("sheet %r row %d column %d: %r against %r" % (name, number, column, x, y))
        summary.append("%s=%d" % (name, len(rows[0]) - 1))
    if differences:
        fail("%d cells differ, such as:\n  %s" % (len(differences), "\n  ".join(differences[:10])))
    print("xlsx: same sheets, rows and values: " + ", ".join(summary))


def compare_json(first, second):
    documents = []
    for path in (first, second):
        with open(path, encoding="utf-8") as f:
            documents.append(json.load(f))
    if list(documents[0]) != list(documents[1]):
        fail("the sections differ:\n  %s\n  %s" % (list(documents[0]), list(documents[1])))
    differences = []

    def walk(a, b, where):
        if isinstance(a, dict) and isinstance(b, dict):
            if set(a) != set(b):
                fail("%s: keys %s against %s" % (where, sorted(a), sorted(b)))
            for key in a:
                if where == "" and key == "generatedAt":
                    continue
                walk(a[key], b[key], "%s.%s" % (where, key))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                fail("%s: %d elements against %d" % (where, len(a), len(b)))
            for index, (x, y) in enumerate(zip(a, b)):
                walk(x, y, "%s[%d]" % (where, index))
        elif a != b and not same_instant(a, b):
            differences.append("%s: %r against %r" % (where, a, b))

    walk(documents[0], documents[1], "")
    if differences:
        fail("%d values differ, such as:\n  %s" % (len(differences), "\n  ".join(differences[:10])))
    lengths = {key: len(value) for key, value in documents[0].items() if isinstance(value, list)}
    lengths["events"] = sum(len(consent["events"]) for consent in documents[0]["consents"])
    print("json: same sections, keys, lengths and values: " + ", ".join("%s=%d" % item for item in lengths.items()))


def sheet_rows(path):
    """Rows per sheet, counting <row elements in each sheet's XML as it is inflated."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
        targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        result = []
        for match in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
            target = targets[match.group(2)].lstrip("/")
            member = target if target.startswith("xl/") else "xl/" + target
            count, tail = 0, b""
            with archive.open(member) as sheet:
                while chunk := sheet.read(1 << 20):
                    data = tail + chunk
                    count += len(re.findall(rb"<row[ >]", data))
                    tail = data[-4:]
                    count -= len(re.findall(rb"<row[ >]", tail))
            result.append((match.group(1), count))
        return result


def json_edits(path):
    count = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if '"editID":' in line:
                count += 1
    return count


def main():
    if ANY_TIME:
        sys.argv.remove("--any-time")
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    command = sys.argv[1]
    if command == "xlsx":
        compare_xlsx(sys.argv[2], sys.argv[3])
    elif command == "json":
        compare_json(sys.argv[2], sys.argv[3])
    elif command == "rows":
        print(" ".join("%s=%d" % (name.replace(" ", "_"), rows) for name, rows in sheet_rows(sys.argv[2])))
    elif command == "edits":
        print(json_edits(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
