#!/usr/bin/env python3
"""Appends N edit records for one person to an Inzage database with plain SQL — for target 3 only.

Usage: fill_large.py DB PERSON_ID N

Making a million edit records through `inzage` would take a million field changes through the ledger (about 100,000
process starts of `inzage person update`), so this database is filled behind Inzage's back. What is measured on it is
the extract's reader and writers, which only need valid rows of the schema: `person_edit` rows in the formats GRDB
writes (dates as UTC 'YYYY-MM-DD HH:MM:SS.SSS'), with fields, channels and values as Inzage records them. Each edit
continues the previous one of its field (its old value is that edit's new value). The person row itself is not
touched (the schema refuses a person update without an edit record of the same instant, and none is needed).
"""
import datetime
import sqlite3
import sys

FIELDS = ["city", "phone", "street", "postal-code", "job-title", "organisation", "secondary-email", "last-name"]
CITIES = ["Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Groningen", "Eindhoven", "Zwolle", "Leiden", "Delft"]
VIAS = ["cli", "import", "cli", "api", "request"]


def value(field, i):
    if field == "city":
        return CITIES[i % len(CITIES)]
    if field == "phone":
        return "+31 6 %04d %04d" % (i % 10000, i // 10000 % 10000)
    if field == "street":
        return "Kerkstraat %d" % (i % 400 + 1)
    if field == "postal-code":
        return "%04d AB" % (1000 + i % 9000)
    if field == "job-title":
        return "Projectleider niveau %d" % (i % 12)
    if field == "organisation":
        return "Bakker Logistiek B.V. vestiging %d" % (i % 250)
    if field == "secondary-email":
        return "anna.%d@example.org" % i
    return "Jansen-%d" % (i % 1000)


def rows(person_id, n, start):
    previous = {}
    for i in range(n):
        field = FIELDS[i % len(FIELDS)]
        new = value(field, i)
        via = VIAS[i % len(VIAS)]
        at = start + datetime.timedelta(seconds=37 * i, milliseconds=i % 1000)
        yield (person_id, field, previous.get(field), new, at.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (at.microsecond // 1000),
               "benchmark", via, "Wijziging doorgegeven door de klant" if i % 7 == 0 else None,
               "DSR-2026-%06d" % (i % 999999 + 1) if via == "request" else None)
        previous[field] = new


def main():
    path, person_id, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    created = db.execute("SELECT created_at FROM person WHERE id = ?", (person_id,)).fetchone()
    if created is None:
        sys.exit("fill_large.py: no person %d" % person_id)
    start = datetime.datetime.fromisoformat(created[0]) + datetime.timedelta(seconds=60)
    db.executemany("INSERT INTO person_edit (person_id, field, old_value, new_value, at, by, via, reason, request_reference) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(person_id, n, start))
    db.execute("COMMIT")
    db.close()


if __name__ == "__main__":
    main()
