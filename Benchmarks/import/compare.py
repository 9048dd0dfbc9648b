#!/usr/bin/env python3
"""Checks that Inzage and the peer wrote the same rows.

Usage: compare.py INZAGE.sqlite PEER.sqlite

Compares SELECT COUNT(*) for every table, then the contents of person, person_edit, consent and consent_event
column by column (ids included). Timestamps differ between the runs, so they are compared by format only:
every one must be text in GRDB's 'YYYY-MM-DD HH:MM:SS.SSS'. Exits 1 on any difference.
"""
import sqlite3
import sys

TIMESTAMP_GLOB = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]"
CONTENT = {
    "person": ["created_at", "updated_at"],
    "person_edit": ["at"],
    "consent": ["given_at", "registered_at", "updated_at"],
    "consent_event": ["at", "given_at"],
}


def main():
    inzage_path, peer_path = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(inzage_path)
    db.execute("ATTACH DATABASE ? AS peer", (peer_path,))
    tables = [name for (name,) in db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    failures = []
    for table in tables:
        mine = db.execute(f"SELECT COUNT(*) FROM main.{table}").fetchone()[0]
        theirs = db.execute(f"SELECT COUNT(*) FROM peer.{table}").fetchone()[0]
        if mine or theirs:
            print(f"  {table:<16} inzage={mine:<9} peer={theirs}")
        if mine != theirs:
            failures.append(f"{table}: inzage has {mine} rows, the peer {theirs}")
    for table, stamps in CONTENT.items():
        columns = [row[1] for row in db.execute(f"PRAGMA main.table_info({table})")]
        compared = ", ".join(c for c in columns if c not in stamps)
        for a, b in (("main", "peer"), ("peer", "main")):
            differing = db.execute(
                f"SELECT COUNT(*) FROM (SELECT {compared} FROM {a}.{table} EXCEPT SELECT {compared} FROM {b}.{table})").fetchone()[0]
            if differing:
                failures.append(f"{table}: {differing} rows in {a} are not in {b}")
        for schema in ("main", "peer"):
            for stamp in stamps:
                bad = db.execute(
                    f"SELECT COUNT(*) FROM {schema}.{table} WHERE {stamp} IS NOT NULL AND NOT ({stamp} GLOB ? AND typeof({stamp}) = 'text')",
                    (TIMESTAMP_GLOB,)).fetchone()[0]
                if bad:
                    failures.append(f"{schema}.{table}.{stamp}: {bad} values not in GRDB's timestamp format")
    if failures:
        print("DIFFERENT: " + "; ".join(failures))
        sys.exit(1)
    print("  same rows in every table (timestamps compared by format)")


if __name__ == "__main__":
    main()
