#!/usr/bin/env python3
"""The Python peer of the Inzage import benchmark: the least work that writes the same rows.

Usage: peer.py DATABASE FILE.csv [--source KEY] [--by ACTOR]

DATABASE must be fresh from `inzage init`. The peer reads the CSV with the csv module and inserts, with
sqlite3 executemany in one transaction, exactly the rows `inzage import FILE --source KEY --by ACTOR` writes
for valid new persons: one person row each, one person_edit row per filled field (in Inzage's field order),
one consent and one `imported` consent_event per consent — same columns and values, ids assigned in the same
order, timestamps as text in GRDB's format 'YYYY-MM-DD HH:MM:SS.SSS' (UTC). It does not validate, match
existing persons or look for duplicates: it is the floor that Inzage's import is measured against.
"""
import argparse
import csv
import datetime
import json
import sqlite3

# PersonField.allCases, in order: (column key, person table column).
FIELDS = [("first-name", "first_name"), ("name-prefix", "name_prefix"), ("last-name", "last_name"), ("email", "email"),
          ("secondary-email", "secondary_email"), ("phone", "phone"), ("street", "street"),
          ("postal-code", "postal_code"), ("city", "city"), ("country", "country"),
          ("organisation", "organisation"), ("job-title", "job_title"), ("language", "language"),
          ("external-id", "external_id"), ("source", "source_key")]


def normalise(field, value):
    """Inzage's normalisation of a valid value: trimmed; e-mail and language lower case; a 2-letter country upper case."""
    value = value.strip()
    if not value:
        return None
    if field in ("email", "secondary-email", "language"):
        return value.lower()
    if field == "country" and len(value) == 2:
        return value.upper()
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("file")
    parser.add_argument("--source", default="import")
    parser.add_argument("--by", default="benchmark")
    args = parser.parse_args()

    db = sqlite3.connect(args.database, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")   # as Inzage's connections
    db.execute("PRAGMA synchronous = NORMAL")
    default_basis = {}
    consent_text = {}
    for key, basis, text in db.execute("SELECT key, default_basis_key, consent_text FROM purpose"):
        default_basis[key] = basis
        consent_text[key] = json.loads(text)
    default_language = (db.execute("SELECT value FROM setting WHERE key = 'default-language'").fetchone() or ["nl"])[0]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    persons, edits, consents, events = [], [], [], []
    with open(args.file, newline="", encoding="utf-8-sig") as handle:
        header_line = handle.readline()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        handle.seek(0)
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        header = [h.strip().lower().replace("_", "-").replace(" ", "-") for h in next(reader)]
        columns = {name: index for index, name in enumerate(header)}
        person_id = 0
        consent_id = 0
        for row in reader:
            if not any(row):
                continue
            person_id += 1
            values = {}
            for field, _ in FIELDS:
                index = columns.get(field)
                values[field] = normalise(field, row[index]) if index is not None else None
            values["source"] = values["source"] or args.source
            persons.append([person_id] + [values[field] for field, _ in FIELDS] + [now, args.by, now, args.by])
            for field, _ in FIELDS:
                if values[field] is not None:
                    edits.append((person_id, field, values[field], now, args.by))
            language = values["language"] or default_language
            index = columns.get("consents")
            for entry in (row[index].split(";") if index is not None else []):
                entry = entry.strip()
                if not entry:
                    continue
                purpose, _, basis = (part.strip() for part in entry.partition(":"))
                basis = basis or default_basis[purpose]
                given = basis == "consent"
                consent_id += 1
                status = "given" if given else "not-applicable"
                consents.append((consent_id, person_id, purpose, basis, status, values["source"],
                                 consent_text[purpose][language] if given else None, now if given else None,
                                 now, args.by, now, args.by))
                events.append((consent_id, person_id, purpose, now, status, basis, values["source"], args.by,
                               now if given else None))

    db.execute("BEGIN IMMEDIATE")
    db.executemany("""
        INSERT INTO person (id, first_name, name_prefix, last_name, email, secondary_email, phone, street, postal_code,
            city, country, organisation, job_title, language, external_id, source_key,
            created_at, created_by, updated_at, updated_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", persons)
    db.executemany("""
        INSERT INTO person_edit (person_id, field, old_value, new_value, at, by, via, reason, request_reference)
        VALUES (?, ?, NULL, ?, ?, ?, 'import', NULL, NULL)""", edits)
    db.executemany("""
        INSERT INTO consent (id, person_id, purpose_key, basis_key, status, source_key, comment, consent_text, given_at,
            withdrawn_at, registered_at, registered_by, updated_at, updated_by, update_count)
        VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, ?, ?, 0)""", consents)
    db.executemany("""
        INSERT INTO consent_event (consent_id, person_id, purpose_key, at, type, from_status, to_status, from_basis,
            to_basis, from_source, to_source, by, via, request_reference, evidence, comment, given_at)
        VALUES (?, ?, ?, ?, 'imported', NULL, ?, NULL, ?, NULL, ?, ?, 'import', NULL, NULL, NULL, ?)""", events)
    db.execute("COMMIT")
    db.close()
    print("peer persons=%d edits=%d consents=%d events=%d" % (len(persons), len(edits), len(consents), len(events)))


if __name__ == "__main__":
    main()
