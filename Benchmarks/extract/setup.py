#!/usr/bin/env python3
"""Builds the databases of the extract benchmark, through the `inzage` CLI wherever that is practical.

Usage: setup.py INZAGE_BIN OUT_DIR [--requests N]

  OUT_DIR/person.sqlite   target 1: one person with 10 consents, 100 consent events and 1,000 edit records, all made
                          by `inzage` commands (purpose add, person add, 99 × person update, consent give/withdraw).
  OUT_DIR/worker-N.sqlite target 2: N persons with 3 consents and 20 edit records each (4 `inzage import`s of N rows)
                          and N queued access requests (`inzage request ingest` of N request files).
  OUT_DIR/large.sqlite    target 3: one person made by `inzage person add` whose 1,000,000 edit records are then
                          inserted with SQL (fill_large.py): for the memory measurement of the extract only.

Each database is made once and reused while a stamp (this script's and fill_large.py's SHA-256, N) still matches.
Every step is checked: the counts per person must be exactly what the targets name, or the setup fails.
"""
import csv
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BY = "benchmark"


def fail(message):
    sys.exit("setup.py: " + message)


class CLI:
    """`inzage … --database DB --by benchmark`, failing loudly."""

    def __init__(self, binary, database):
        self.binary, self.database = binary, database
        self.calls = 0

    def __call__(self, *args, ok=(0,)):
        self.calls += 1
        result = subprocess.run([self.binary, *args, "--database", self.database, "--by", BY],
                                capture_output=True, text=True)
        if result.returncode not in ok:
            fail("inzage %s failed (%d):\n%s%s" % (" ".join(args), result.returncode, result.stdout, result.stderr))
        return result.stdout


def stamp(*parts):
    digest = hashlib.sha256()
    for name in ("setup.py", "fill_large.py"):
        with open(os.path.join(HERE, name), "rb") as f:
            digest.update(f.read())
    digest.update(repr(parts).encode())
    return digest.hexdigest()


def cached(path, key):
    return os.path.exists(path) and os.path.exists(path + ".stamp") and open(path + ".stamp").read() == key


def finish(path, key):
    """Folds the WAL into the file, so that a plain copy of the file is the whole database, and writes the stamp."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with open(path + ".stamp", "w") as f:
        f.write(key)


def fresh(path):
    for suffix in ("", "-wal", "-shm", ".stamp"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    if os.path.isdir(path + ".extracts"):
        shutil.rmtree(path + ".extracts")


def counts(path, person_id=None):
    db = sqlite3.connect(path)
    where = "" if person_id is None else " WHERE person_id = %d" % person_id
    result = {table: db.execute("SELECT COUNT(*) FROM %s%s" % (table, where)).fetchone()[0]
              for table in ("person_edit", "consent", "consent_event")}
    db.close()
    return result


# Reference data shared by the databases: two recipients and eight purposes besides the two shipped ones.
RECIPIENTS = [("mailhouse", "Mailhouse Nederland B.V.", "processor", "NL"),
              ("cloud-crm", "Cloud CRM Ltd", "processor", "IE"),
              ("partner-events", "Partner Events GmbH", "controller", "DE")]
EXTRA_PURPOSES = [
    ("newsletter", "Nieuwsbrief", "Newsletter", True, ["mailhouse"]),
    ("events", "Evenementen", "Events", True, ["partner-events"]),
    ("surveys", "Klanttevredenheidsonderzoek", "Customer surveys", False, ["cloud-crm"]),
    ("product-updates", "Productnieuws", "Product updates", True, ["mailhouse"]),
    ("webinars", "Webinars", "Webinars", True, []),
    ("partner-offers", "Aanbiedingen van partners", "Partner offers", True, ["partner-events"]),
    ("research", "Marktonderzoek", "Market research", False, ["cloud-crm"]),
    ("loyalty", "Klantenprogramma", "Loyalty programme", True, []),
]


def add_reference_data(cli, purposes):
    for key, name, role, country in RECIPIENTS:
        cli("recipient", "add", key, "--name", name, "--role", role, "--country", country)
    cli("purpose", "recipients", "e-marketing", "--recipient", "mailhouse", "--recipient", "cloud-crm")
    cli("purpose", "recipients", "sales-and-service", "--recipient", "cloud-crm")
    for key, nl, en, marketing, recipients in purposes:
        args = ["purpose", "add", key, "--name-nl", nl, "--name-en", en,
                "--description-nl", "Wij gebruiken uw gegevens voor: %s." % nl.lower(),
                "--description-en", "We use your data for: %s." % en.lower(),
                "--default-basis", "consent",
                "--data-categories-nl", "Naam, e-mailadres, voorkeuren", "--data-categories-en", "Name, e-mail address, preferences",
                "--retention-nl", "Tot u uw toestemming intrekt, daarna 2 jaar",
                "--retention-en", "Until you withdraw your consent, then 2 years",
                "--consent-text-nl", "Ja, ik wil %s ontvangen." % nl.lower(),
                "--consent-text-en", "Yes, I want to receive %s." % en.lower(),
                "--privacy-statement-url", "https://example.nl/privacy#" + key]
        if marketing:
            args.append("--direct-marketing")
        for recipient in recipients:
            args += ["--recipient", recipient]
        cli(*args)


# Target 1 -------------------------------------------------------------------------------------------------------

CITIES = ["Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Groningen", "Eindhoven", "Zwolle", "Leiden", "Delft", "Breda"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianalaan", "Nieuwstraat"]
ORGANISATIONS = ["Bakker Logistiek B.V.", "De Vries & Zonen", "Noordzee Visserij", "Tulip Software", "Rijnmond Zorg",
                 "Oranje Energie", "Gemeente Utrecht", "Hollandse Bouw Groep N.V."]
TITLES = ["Inkoper", "Directeur", "Office manager", "Accountmanager", "Projectleider", "Marketing manager",
          "Financial controller", "Operations manager"]
FIRST = ["Anna", "Sophie", "Julia", "Emma", "Sanne", "Lotte", "Jan", "Pieter", "Daan", "Lucas", "Thijs", "Bram"]
LAST = ["Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]


def person_values(i):
    """Ten fields whose values all differ from those of i - 1."""
    return {"--first-name": FIRST[i % len(FIRST)] + ("" if i % 2 else "-Marie" if i % 4 == 0 else "-Louise"),
            "--last-name": LAST[i % len(LAST)] + (" " + str(i) if i % 3 == 0 else ""),
            "--phone": "+31 6 %04d %04d" % (1000 + i, 5000 + i),
            "--street": "%s %d" % (STREETS[i % len(STREETS)], i + 1),
            "--postal-code": "%04d AB" % (1000 + i),
            "--city": CITIES[i % len(CITIES)] + ("" if i % 2 else " (centrum)"),
            "--organisation": ORGANISATIONS[i % len(ORGANISATIONS)] + " afdeling %d" % i,
            "--job-title": TITLES[i % len(TITLES)] + " %d" % i,
            "--secondary-email": "prive.%d@example.org" % i,
            "--external-id": "CRM-%06d" % i}


def setup_person(binary, path):
    cli = CLI(binary, path)
    cli("init")
    add_reference_data(cli, EXTRA_PURPOSES)
    first = person_values(0)
    first.pop("--secondary-email")
    output = cli("person", "add", "--email", "anna.jansen@example.nl", "--language", "nl", "--source", "import",
                 *[x for item in first.items() for x in item])
    person_id = int(next(word for word in output.replace(".", " ").split() if word.isdigit()))
    # An edit per field at creation (12), then updates of 10 fields each up to 1,000 edits.
    needed = 1000 - counts(path, person_id)["person_edit"]
    i = 1
    while needed > 0:
        values = list(person_values(i).items())[:min(10, needed)]
        cli("person", "update", str(person_id), "--reason", "Gewijzigd door de klant (%d)" % i,
            *[x for item in values for x in item])
        needed -= len(values)
        i += 1
    # Ten events per purpose: given, renewed, withdrawn, given, renewed, withdrawn, given, renewed, withdrawn, given.
    purposes = ["sales-and-service", "e-marketing"] + [p[0] for p in EXTRA_PURPOSES]
    sources = ["web-form", "import", "phone"]
    for round_ in range(10):
        for n, purpose in enumerate(purposes):
            if round_ % 3 == 2:
                cli("consent", "withdraw", str(person_id), "--purpose", purpose, "--comment", "Per e-mail ingetrokken")
            else:
                args = ["consent", "give", str(person_id), "--purpose", purpose, "--source", sources[(n + round_) % 3],
                        "--evidence", "form-%d-%d" % (n, round_)]
                if purpose == "sales-and-service":
                    args += ["--basis", "consent"]
                cli(*args)
    found = counts(path, person_id)
    if found != {"person_edit": 1000, "consent": 10, "consent_event": 100}:
        fail("person.sqlite has %s, not 1,000 edits, 10 consents and 100 events" % found)
    return person_id, cli.calls


# Target 2 -------------------------------------------------------------------------------------------------------

def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


def setup_worker(binary, path, n, work_dir):
    cli = CLI(binary, path)
    cli("init")
    add_reference_data(cli, EXTRA_PURPOSES[:1])
    os.makedirs(work_dir, exist_ok=True)
    emails = ["klant.%d@voorbeeld.nl" % i for i in range(n)]
    # Creation: 9 edits (eight columns and the source) and 3 consents.
    write_csv(os.path.join(work_dir, "create.csv"),
              ["first_name", "last_name", "email", "phone", "organisation", "job_title", "language", "city", "consents"],
              [[FIRST[i % len(FIRST)], LAST[i % len(LAST)], emails[i], "+31 6 %04d %04d" % (i % 10000, i // 10000),
                ORGANISATIONS[i % len(ORGANISATIONS)], TITLES[i % len(TITLES)], "nl" if i % 4 else "en",
                CITIES[i % len(CITIES)], "e-marketing:consent;sales-and-service;newsletter"] for i in range(n)])
    cli("import", os.path.join(work_dir, "create.csv"), "--source", "import")
    # Three imports that change fields: 4 + 4 + 3 edits, so 20 in all.
    changes = [(["street", "postal_code", "phone", "city"], 1), (["street", "postal_code", "job_title", "organisation"], 2),
               (["city", "phone", "secondary_email"], 3)]
    for columns, step in changes:
        def value(column, i):
            return {"street": "%s %d" % (STREETS[(i + step) % len(STREETS)], step * 10 + i % 97 + 1),
                    "postal_code": "%04d %s" % (1000 + (i * 7 + step) % 9000, "AB" if step == 1 else "CD"),
                    "phone": "+31 6 %04d %04d" % ((i + step) % 10000, step * 1000 + i // 10000),
                    "city": CITIES[(i + step) % len(CITIES)] + (" %d" % step),
                    "job_title": TITLES[(i + step) % len(TITLES)] + " (%d)" % step,
                    "organisation": ORGANISATIONS[(i + step) % len(ORGANISATIONS)] + " (%d)" % step,
                    "secondary_email": "prive.%d@example.org" % i}[column]
        name = os.path.join(work_dir, "update-%d.csv" % step)
        write_csv(name, ["email"] + columns, [[emails[i]] + [value(c, i) for c in columns] for i in range(n)])
        cli("import", name, "--source", "import")
    db = sqlite3.connect(path)
    shape = db.execute("SELECT MIN(c), MAX(c), COUNT(*) FROM (SELECT COUNT(*) AS c FROM person_edit GROUP BY person_id)").fetchone()
    consents = db.execute("SELECT MIN(c), MAX(c) FROM (SELECT COUNT(*) AS c FROM consent GROUP BY person_id)").fetchone()
    db.close()
    if shape != (20, 20, n) or consents != (3, 3):
        fail("worker database: edits per person (min, max, persons) %s, consents per person %s; wanted 20 and 3" % (shape, consents))

    # The requests: one file per person, received a week ago, asking for both formats.
    folder = os.path.join(work_dir, "requests")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    received = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
    for i in range(n):
        with open(os.path.join(folder, "request-%06d.json" % i), "w", encoding="utf-8") as f:
            json.dump({"type": "access", "subject": {"email": emails[i], "name": "%s %s" % (FIRST[i % len(FIRST)], LAST[i % len(LAST)])},
                       "channel": "email", "receivedAt": received, "formats": ["xlsx", "json"]}, f)
    start = time.monotonic()
    cli("request", "ingest", folder)
    ingest_s = time.monotonic() - start
    db = sqlite3.connect(path)
    queued = db.execute("SELECT COUNT(*) FROM request WHERE state = 'received' AND person_id IS NOT NULL").fetchone()[0]
    db.close()
    if queued != n:
        fail("worker database: %d requests queued and matched, not %d" % (queued, n))
    return ingest_s


# Target 3 -------------------------------------------------------------------------------------------------------

def setup_large(binary, path, edits):
    cli = CLI(binary, path)
    cli("init")
    add_reference_data(cli, EXTRA_PURPOSES[:1])
    output = cli("person", "add", "--first-name", "Anna", "--last-name", "Jansen", "--email", "anna.jansen@example.nl",
                 "--language", "nl", "--source", "import", "--city", "Utrecht")
    person_id = int(next(word for word in output.replace(".", " ").split() if word.isdigit()))
    for purpose in ("e-marketing", "newsletter"):
        cli("consent", "give", str(person_id), "--purpose", purpose, "--source", "web-form")
    existing = counts(path, person_id)["person_edit"]
    subprocess.run([sys.executable, "-B", os.path.join(HERE, "fill_large.py"), path, str(person_id), str(edits - existing)],
                   check=True)
    found = counts(path, person_id)["person_edit"]
    if found != edits:
        fail("large.sqlite has %d edits for person %d, not %d" % (found, person_id, edits))
    return person_id


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, out = os.path.abspath(args[0]), os.path.abspath(args[1])
    n = int(args[args.index("--requests") + 1]) if "--requests" in args else 10000
    large_edits = int(args[args.index("--large-edits") + 1]) if "--large-edits" in args else 1_000_000
    only = args[args.index("--only") + 1].split(",") if "--only" in args else ["person", "worker", "large"]
    os.makedirs(out, exist_ok=True)
    info_path = os.path.join(out, "setup.json")
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}

    path = os.path.join(out, "person.sqlite")
    key = stamp("person")
    if "person" in only and not cached(path, key):
        fresh(path)
        start = time.monotonic()
        info["person_id"], calls = setup_person(binary, path)
        print("setup: person.sqlite in %.1f s (%d inzage commands)" % (time.monotonic() - start, calls), file=sys.stderr)
        finish(path, key)

    path = os.path.join(out, "worker-%d.sqlite" % n)
    key = stamp("worker", n)
    if "worker" in only and not cached(path, key):
        fresh(path)
        start = time.monotonic()
        info["ingest_s_%d" % n] = setup_worker(binary, path, n, os.path.join(out, "worker-%d" % n))
        print("setup: worker-%d.sqlite in %.1f s (request ingest %.1f s)" % (n, time.monotonic() - start, info["ingest_s_%d" % n]),
              file=sys.stderr)
        finish(path, key)

    path = os.path.join(out, "large.sqlite")
    key = stamp("large", large_edits)
    if "large" in only and not cached(path, key):
        fresh(path)
        start = time.monotonic()
        info["large_person_id"] = setup_large(binary, path, large_edits)
        print("setup: large.sqlite in %.1f s" % (time.monotonic() - start), file=sys.stderr)
        finish(path, key)

    with open(info_path, "w") as f:
        json.dump(info, f)


if __name__ == "__main__":
    main()
