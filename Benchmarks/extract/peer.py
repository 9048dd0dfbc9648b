#!/usr/bin/env python3
"""The Python peer of the extract benchmark: straightforward sqlite3 + XlsxWriter + json code that reads the same
tables as Inzage and writes the same XLSX sheets (same names, columns and rows) and the same JSON sections.

Usage:
    peer.py extract DB PERSON_ID --format xlsx|json --out FILE
    peer.py work DB --archive DIR [--concurrency N]

`extract` writes one person's extract, as `inzage extract person ID --format F --out FILE` does.
`work` answers every queued access request, as `inzage work --once --concurrency N` does: N processes each claim
the most urgent received request (state in-progress with a transition, in one IMMEDIATE transaction), read the
person, write the XLSX and the JSON into DIR/REF/, hash them, and complete the request (extract rows, completed
state and its transition) in a second transaction.

Labels, sheet names and the read-me come from Inzage's shipped templates (Sources/Inzage/Resources/templates/extract).
Plain code on purpose: XlsxWriter in its normal mode, json.dump of a document built in memory, one query per list.
"""
import datetime
import hashlib
import json
import math
import multiprocessing
import os
import re
import socket
import sqlite3
import sys
from zoneinfo import ZoneInfo

import xlsxwriter

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "Sources", "Inzage", "Resources", "templates", "extract")
UTC = datetime.timezone.utc
PERSON_FIELDS = [("first-name", "first_name"), ("name-prefix", "name_prefix"), ("last-name", "last_name"),
                 ("email", "email"), ("secondary-email", "secondary_email"), ("phone", "phone"), ("street", "street"),
                 ("postal-code", "postal_code"), ("city", "city"), ("country", "country"),
                 ("organisation", "organisation"), ("job-title", "job_title"), ("language", "language"),
                 ("external-id", "external_id"), ("source", "source_key")]
GLOSSARY_CATEGORIES = ["consentStatus", "consentEventType", "changeChannel", "sourceType", "recipientRole",
                       "requestState", "requestType", "extractFormat", "itemOutcome"]
RIGHTS = [("access", "15"), ("rectification", "16"), ("erasure", "17"), ("restriction", "18"), ("portability", "20"),
          ("objection", "21"), ("automated-decisions", "22"), ("withdraw-consent", "7(3)")]
SHEETS = ["readMe", "details", "purposes", "consents", "consentHistory", "sources", "changeHistory", "recipients",
          "requests", "glossary"]
DPV = "https://w3id.org/dpv/legal/eu/gdpr#"
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"],
          "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                 "november", "december"]}
COUNTRIES = {"en": {"NL": "Netherlands", "BE": "Belgium", "DE": "Germany", "IE": "Ireland", "US": "United States",
                    "GB": "United Kingdom", "FR": "France"},
             "nl": {"NL": "Nederland", "BE": "België", "DE": "Duitsland", "IE": "Ierland", "US": "Verenigde Staten",
                    "GB": "Verenigd Koninkrijk", "FR": "Frankrijk"}}
SETTING_DEFAULTS = {
    "name": "Voorbeeld B.V.", "address": "Voorbeeldstraat 1, 1234 AB Amsterdam, Nederland",
    "contact-email": "privacy@example.nl", "dpo-name": "Functionaris gegevensbescherming", "dpo-email": "fg@example.nl",
    "supervisory-authority-name": "Autoriteit Persoonsgegevens",
    "supervisory-authority-url": "https://autoriteitpersoonsgegevens.nl",
    "supervisory-authority-address": "Postbus 93374, 2509 AJ Den Haag, Nederland", "country": "NL",
    "time-zone": "Europe/Amsterdam", "default-language": "nl", "show-staff-names": "false",
    "extract-retention-days": "30"}

# Column layouts (width, wrap) per sheet, as Inzage lays them out.
COLUMNS = {
    "readMe": [("topic", 34, True), ("text", 110, True)],
    "details": [("field", 24, True), ("value", 40, True), ("source", 26, True), ("lastChanged", 19, False),
                ("changedBy", 24, True), ("changedVia", 24, True), ("statement", 40, True)],
    "purposes": [("purpose", 24, True), ("description", 50, True), ("inUse", 16, False), ("basis", 22, True),
                 ("basisArticle", 18, False),
                 ("basisExplanation", 50, True), ("dataCategories", 40, True), ("recipients", 30, True),
                 ("retention", 40, True), ("transfers", 36, True), ("automatedDecisions", 36, True),
                 ("directMarketing", 16, False), ("rightToObject", 50, True), ("consentStatus", 30, True), ("objectionRecorded", 19, False),
                 ("privacyStatement", 34, False)],
    "consents": [("purpose", 24, True), ("basis", 22, True), ("status", 18, True), ("statusExplanation", 50, True),
                 ("source", 22, True), ("givenAt", 19, False), ("withdrawnAt", 19, False), ("registeredAt", 19, False),
                 ("registeredBy", 22, True), ("updatedAt", 19, False), ("updatedBy", 22, True),
                 ("updateCount", 12, False), ("consentText", 50, True), ("comment", 40, True)],
    "consentHistory": [("at", 19, False), ("purpose", 24, True), ("event", 28, True), ("givenAt", 19, False), ("status", 26, True),
                       ("basis", 26, True), ("source", 26, True), ("by", 22, True), ("channel", 22, True),
                       ("request", 18, False), ("evidence", 24, True), ("comment", 40, True)],
    "sources": [("source", 26, True), ("suppliedBy", 20, True), ("suppliedByExplanation", 45, True),
                ("explanation", 50, True)],
    "changeHistory": [("at", 19, False), ("field", 24, True), ("oldValue", 36, True), ("newValue", 36, True),
                      ("by", 22, True), ("channel", 22, True), ("reason", 36, True), ("request", 18, False)],
    "recipients": [("recipient", 30, True), ("role", 24, True), ("roleExplanation", 45, True), ("country", 26, True),
                   ("purposes", 36, True), ("data", 30, True)],
    "requests": [("reference", 18, False), ("type", 16, True), ("received", 13, False), ("due", 13, False),
                 ("extendedDue", 13, False), ("extensionReason", 40, True), ("state", 24, True),
                 ("stateExplanation", 50, True), ("lastChange", 19, False), ("formats", 26, True),
                 ("givenDetails", 40, True), ("asked", 50, True), ("outcome", 60, True)],
    "glossary": [("category", 28, True), ("term", 30, True), ("meaning", 80, True), ("code", 22, False)],
}


# ---------------------------------------------------------------------------------------------------------------
# Templates


class Labels:
    """The label file of one language, with the lookups the extract needs."""

    def __init__(self, language):
        self.language = language
        with open(os.path.join(TEMPLATES, f"labels.{language}.json"), encoding="utf-8") as f:
            self.data = json.load(f)
        with open(os.path.join(TEMPLATES, f"readme.{language}.mustache"), encoding="utf-8") as f:
            self.readme = f.read()

    def sheet_name(self, sheet):
        return self.data["sheets"][sheet]["name"]

    def sheet_about(self, sheet):
        return self.data["sheets"][sheet]["about"]

    def column(self, sheet, key):
        return self.data["columns"][sheet][key]

    def code(self, category, key):
        value = self.data["codes"][category]["values"].get(key)
        return (value["label"], value["explanation"]) if value else (key, "")

    def label(self, category, key):
        return self.code(category, key)[0]

    def word(self, key):
        return self.data["words"][key]

    def right_explanation(self, key, json_included):
        explanation = self.data["rights"][key]["explanation"]
        if key != "portability":
            return explanation
        return explanation + " " + self.word("portabilityWithJSON" if json_included else "portabilityWithoutJSON")

    def citation(self, article):
        return self.data["meta"]["articleCitation"].replace("{{article}}", article)

    def long_date(self, date):
        return f"{date.day} {MONTHS[self.language][date.month - 1]} {date.year}"

    def country(self, code):
        name = COUNTRIES[self.language].get(code)
        return f"{name} ({code})" if name else code


# The European Economic Area: the EU's 27 member states, Iceland, Liechtenstein and Norway.
EEA = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
       "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
       "GF", "GP", "MQ", "RE", "YT", "MF", "AX"}  # the EU's outermost regions and Åland, with codes of their own

TAG = re.compile(r"\{\{([#^/!]?)\s*(.*?)\s*\}\}", re.S)
STANDALONE = re.compile(r"(?m)^[ \t]*(\{\{[#^/!].*?\}\})[ \t]*(?:\n|$)")


def render_mustache(template, context):
    """A small Mustache: variables, sections over flags and lists, inverted sections, comments, standalone lines."""
    return _render(STANDALONE.sub(r"\1", template), [context])


def _lookup(stack, name):
    for frame in reversed(stack):
        if isinstance(frame, dict) and name in frame:
            return frame[name]
    return None


def _render(text, stack):
    out, pos = [], 0
    while True:
        match = TAG.search(text, pos)
        if not match:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:match.start()])
        kind, name = match.group(1), match.group(2)
        pos = match.end()
        if kind == "!":
            continue
        if kind == "":
            value = _lookup(stack, name)
            out.append("" if value is None or value is False else str(value))
            continue
        depth, scan = 1, pos
        while depth:
            inner = TAG.search(text, scan)
            if inner.group(2) == name and inner.group(1) in ("#", "^"):
                depth += 1
            elif inner.group(2) == name and inner.group(1) == "/":
                depth -= 1
            scan = inner.end()
        body, pos = text[pos:inner.start()], inner.end()
        value = _lookup(stack, name)
        if kind == "^":
            if not value:
                out.append(_render(body, stack))
        elif isinstance(value, list):
            for item in value:
                out.append(_render(body, stack + [item]))
        elif value:
            out.append(_render(body, stack + [value] if isinstance(value, dict) else stack))


def reason_text(labels, edit):
    """Why a change was made: a request's type in words for a change made by a request, else as written."""
    if edit["request_reference"] and edit["reason"] in ("access", "rectification", "objection"):
        return labels.label("requestType", edit["reason"])
    return edit["reason"]


def readme_rows(text):
    """The rendered read-me as (heading, text) rows: a line starting with "## " starts a row."""
    rows, heading, lines = [], None, []

    def finish():
        while lines and lines[-1] == "":
            lines.pop()
        collapsed = []
        for line in lines:
            if line == "" and (not collapsed or collapsed[-1] == ""):
                continue
            collapsed.append(line)
        if heading is not None or collapsed:
            rows.append((heading or "", "\n".join(collapsed)))

    for raw in text.split("\n"):
        line = raw.strip(" \t")
        if line.startswith("## "):
            finish()
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    finish()
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Reading the dossier


def parse_time(text):
    return None if text is None else datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def parse_day(text):
    return None if text is None else datetime.date.fromisoformat(text)


def localized(text):
    return None if text is None else json.loads(text)


def load_dossier(db, person_id, request=None, language=None):
    """Everything about one person, read with one query per table (the edit history in one list)."""
    settings = dict(SETTING_DEFAULTS)
    settings.update(dict(db.execute("SELECT key, value FROM setting")))
    zone = ZoneInfo(settings["time-zone"])
    bases = {r["key"]: r for r in db.execute("SELECT * FROM legal_basis ORDER BY rank, key")}
    purposes = db.execute("SELECT * FROM purpose ORDER BY rank, key").fetchall()
    sources = db.execute("SELECT * FROM source ORDER BY rank, key").fetchall()
    recipients = db.execute("SELECT * FROM recipient ORDER BY rank, key").fetchall()
    links = db.execute("SELECT purpose_key, recipient_key FROM purpose_recipient JOIN recipient ON recipient.key = "
                       "recipient_key ORDER BY recipient.rank, recipient.key").fetchall()
    person = db.execute("SELECT * FROM person WHERE id = ?", (person_id,)).fetchone() if person_id else None
    if person_id and person is None:
        raise SystemExit(f"no person {person_id}")
    language = (request["language"] if request is not None and request["language"] else None) or language or \
        (person["language"] if person is not None and person["language"] else None) or settings["default-language"]

    consents = db.execute("SELECT consent.* FROM consent JOIN purpose ON purpose.key = consent.purpose_key "
                          "WHERE person_id = ? ORDER BY purpose.rank, purpose.key", (person_id,)).fetchall()
    events = db.execute("SELECT * FROM consent_event WHERE person_id = ? ORDER BY id", (person_id,)).fetchall()
    edits = db.execute("SELECT * FROM person_edit WHERE person_id = ? ORDER BY id", (person_id,)).fetchall()
    suppressions = {r["purpose_key"]: r["at"] for r in
                    db.execute("SELECT purpose_key, at FROM suppression WHERE person_id = ?", (person_id,))}
    try:
        statements = db.execute("SELECT field, statement FROM person_statement WHERE person_id = ? ORDER BY id",
                                (person_id,)).fetchall()
    except sqlite3.OperationalError:  # a database from before Inzage's schema v4
        statements = []
    by_purpose = {c["purpose_key"]: c for c in consents}
    # The channel of each consent's registration (its first event) and last change (its last event at updated_at).
    channels = {}
    for e in events:
        registered, updated = channels.get(e["consent_id"], (e["via"], None))
        channels[e["consent_id"]] = (registered, updated)
    for c in consents:
        last = [e["via"] for e in events if e["consent_id"] == c["id"] and e["at"] == c["updated_at"]]
        channels[c["id"]] = (channels.get(c["id"], ("cli",))[0], last[-1] if last else "cli")
    ordered = [p for p in purposes if p["key"] in by_purpose] + \
              [p for p in purposes if p["active"] and p["key"] not in by_purpose]
    recipient_by_key = {r["key"]: r for r in recipients}
    entries = []
    for purpose in ordered:
        consent = by_purpose.get(purpose["key"])
        basis = bases.get(consent["basis_key"] if consent else purpose["default_basis_key"])
        entries.append({"purpose": purpose, "consent": consent, "basis": basis,
                        "suppressed_at": suppressions.get(purpose["key"]),
                        "recipients": [recipient_by_key[r] for p, r in links if p == purpose["key"]]})

    source_keys = {c["source_key"] for c in consents} | {e["to_source"] for e in events} | \
                  {e["from_source"] for e in events if e["from_source"]}
    if person is not None and person["source_key"]:
        source_keys.add(person["source_key"])

    history = []
    if person is not None:
        for earlier in db.execute("SELECT * FROM request WHERE person_id = ? ORDER BY received_at, id", (person_id,)):
            history.append(earlier)
    if request is not None and all(r["id"] != request["id"] for r in history):
        history.append(request)
    history = [(r, db.execute("SELECT * FROM request_transition WHERE request_id = ? ORDER BY id", (r["id"],)).fetchall())
               for r in history]
    # Recipients told of a correction (or recorded as exempt) received the data: named even when no purpose links them.
    try:
        notified = {row[0] for r, _ in history for row in db.execute(
            "SELECT recipient_key FROM recipient_notification WHERE request_id = ?", (r["id"],))}
    except sqlite3.OperationalError:  # a database from before Inzage's schema v4
        notified = set()

    return {"now": datetime.datetime.now(UTC), "settings": settings, "zone": zone, "language": language,
            "labels": Labels(language), "bases": list(bases.values()), "basis": bases, "purposes": purposes,
            "sources": [s for s in sources if s["key"] in source_keys], "source": {s["key"]: s for s in sources},
            "recipients": recipients, "notified": notified, "person": person, "entries": entries, "events": events, "edits": edits,
            "channels": channels,
            "statements": statements, "db": db,
            "request": request, "requests": history}


class Words:
    """The dossier's values in words, shared by both formats."""

    def __init__(self, d):
        self.d, self.labels, self.lang, self.zone = d, d["labels"], d["language"], d["zone"]
        self.last_edit = {}
        for edit in d["edits"]:
            self.last_edit[edit["field"]] = edit

    def text(self, localized_json):
        return None if localized_json is None else json.loads(localized_json)[self.lang]

    def local(self, time):
        return None if time is None else time.astimezone(self.zone).replace(tzinfo=None)

    def iso(self, time):
        local = time.astimezone(self.zone)
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        if local.microsecond // 1000:
            text += ".%03d" % (local.microsecond // 1000)
        offset = int(local.utcoffset().total_seconds())
        sign = "-" if offset < 0 else "+"
        return text + "%s%02d:%02d" % (sign, abs(offset) // 3600, abs(offset) // 60 % 60)

    def actor(self, by, via):
        if by == "data-subject":
            return self.labels.word("actorYou")
        if by == "system":
            return self.labels.word("actorSystem")
        if self.d["settings"]["show-staff-names"] == "true":
            return by
        if via == "import":
            return self.labels.word("actorImport")
        if via == "request":
            return self.labels.word("actorPrivacyTeam")
        return self.labels.word("actorStaff")

    def source_name(self, key):
        source = self.d["source"].get(key)
        return self.text(source["name"]) if source else key

    def basis_name(self, key):
        basis = self.d["basis"].get(key)
        return self.text(basis["name"]) if basis else key

    def purpose_name(self, key):
        for purpose in self.d["purposes"]:
            if purpose["key"] == key:
                return self.text(purpose["name"])
        return key

    def display(self, value, field):
        if value is None:
            return None
        if field == "source":
            return self.source_name(value)
        if field == "language":
            return self.labels.label("language", value)
        if field == "country":
            return self.labels.country(value)
        return value

    def right_to_object(self, entry):
        if entry["purpose"]["is_direct_marketing"]:
            return self.labels.word("objectDirectMarketing")
        article = entry["basis"]["article"] if entry["basis"] else ""
        if article.endswith("(a)"):
            return self.labels.word("objectWithdrawConsent")
        if article.endswith("(e)") or article.endswith("(f)"):
            return self.labels.word("objectBalancing")
        return self.labels.word("objectNotAvailable")

    @staticmethod
    def in_use(entry):
        """Whether the person's data is used for the purpose now (consent given or not needed, and no objection)."""
        if entry["suppressed_at"]:
            return False
        if entry["consent"]:
            return entry["consent"]["status"] in ("given", "not-applicable")
        return entry["purpose"]["default_basis_key"] != "consent"

    def consent_summary(self, entry):
        if entry["consent"]:
            summary = self.labels.label("consentStatus", entry["consent"]["status"])
        else:
            summary = self.labels.word("consentNotGiven" if entry["purpose"]["default_basis_key"] == "consent"
                                       else "consentNotNeeded")
        return summary + "\n" + self.labels.word("objectionKept") if entry["suppressed_at"] else summary

    def detail_source(self, edit):
        """Where a detail came from: the person, when they last changed it (through a request or on the preference
        page), else the person's source."""
        if edit and (edit["by"] == "data-subject" or edit["via"] == "request"):
            return self.labels.word("valueFromYou")
        person = self.d["person"]
        return self.source_name(person["source_key"]) if person["source_key"] else None

    def consent_text(self, entry):
        return self.text(entry["purpose"]["consent_text"]) if entry["basis"] and entry["basis"]["key"] == "consent" else None

    @staticmethod
    def objection_recorded_at(entry):
        """When the objection that stands was recorded: the suppression's time for direct marketing, else the consent's
        withdrawal when its status is objected; None when none stands."""
        if entry["suppressed_at"]:
            return parse_time(entry["suppressed_at"])
        consent = entry["consent"]
        if consent and consent["status"] == "objected":
            return parse_time(consent["withdrawn_at"] or consent["updated_at"])
        return None

    def transfers(self, entry):
        """The purpose's statement of transfers outside the EEA; else its recipients outside the EEA; else None."""
        statement = self.text(entry["purpose"]["transfers_outside_eu"])
        if statement:
            return statement
        outside = [r for r in entry["recipients"] if r["country"] not in EEA]
        if not outside:
            return None
        names = "; ".join("%s, %s" % (r["name"], self.labels.country(r["country"])) for r in outside)
        return "%s: %s" % (names, self.labels.word("transfersUnstated"))

    def privacy_statement(self, entry):
        return entry["purpose"]["privacy_statement_url"] or self.d["settings"].get("privacy-statement-url") or None

    def is_answered(self, request):
        return self.d["request"] is not None and request["id"] == self.d["request"]["id"]

    def shown_state(self, request):
        return "completed" if self.is_answered(request) else request["state"]

    @staticmethod
    def refusal(request):
        """(reason key, note) of a refused request; None otherwise (or on a database from before Inzage's schema v7)."""
        if request["state"] != "rejected" or "refusal_reason" not in request.keys() or not request["refusal_reason"]:
            return None
        return request["refusal_reason"], request["refusal_note"]

    def given_details(self, request):
        # With several candidates, an identifier that is not this person's is another person's: left out.
        person = self.d["person"]
        ambiguous = len(json.loads(request["candidate_ids"] or "[]")) > 1

        def shown(value, columns):
            return not ambiguous or any(person is not None and person[c] and person[c].lower() == value.lower() for c in columns)
        lines = []
        if request["subject_email"] and shown(request["subject_email"], ("email", "secondary_email")):
            lines.append((self.labels.label("personField", "email"), request["subject_email"]))
        if request["subject_external_id"] and shown(request["subject_external_id"], ("external_id",)):
            lines.append((self.labels.label("personField", "external-id"), request["subject_external_id"]))
        def normalized(name):
            return " ".join(name.split()).lower()
        if request["subject_name"] and (not ambiguous or (person is not None and normalized(request["subject_name"]) == normalized(
                " ".join(p for p in (person["first_name"], person["name_prefix"], person["last_name"]) if p)))):
            lines.append((self.labels.word("requestName"), request["subject_name"]))
        return lines

    def asked(self, request):
        """What a request asked for, one line per item: a rectification's fields with the values (or a removal) and
        statements, an objection's purposes and grounds; None for an access request."""
        lines = []
        for item in json.loads(request["rectification"] or "[]"):
            value = self.display(item.get("requestedValue"), item["field"])
            statement = " (%s: %s)" % (self.labels.word("askedStatement"), item["statement"]) if item.get("statement") else ""
            lines.append("%s: %s%s" % (self.labels.label("personField", item["field"]),
                                       self.labels.word("askedRemoval") if value is None else value, statement))
        if request["objection"]:
            objection = json.loads(request["objection"])
            lines.append("%s: %s" % (self.labels.word("askedObjection"), ", ".join(self.purpose_name(k) for k in objection["purposeKeys"])))
            if objection.get("grounds"):
                lines.append("%s: %s" % (self.labels.word("askedGrounds"), objection["grounds"]))
        return "\n".join(lines) if lines else None

    @staticmethod
    def extension_reason(request):
        return request["extension_reason"] if request["extended_due_on"] else None

    def refusal_line(self, request):
        refusal = self.refusal(request)
        if refusal is None:
            return None
        label, explanation = self.labels.code("refusalReason", refusal[0])
        return "%s: %s" % (label, explanation) + ("\n" + refusal[1] if refusal[1] else "")

    def shown_last_change(self, request, transitions):
        if self.is_answered(request):
            return self.d["now"]
        return max((parse_time(t["at"]) for t in transitions if t["from_state"] != t["to_state"]), default=None)

    def fields(self):
        person = self.d["person"]
        if person is None:
            return []
        rows = []
        for key, column in PERSON_FIELDS:
            if person[column]:
                rows.append((key, person[column], self.display(person[column], key), self.last_edit.get(key)))
        return rows

    def recipient_rows(self):
        if self.d["person"] is None:
            return []
        by_recipient = {}
        for entry in self.d["entries"]:
            if entry["consent"] or entry["purpose"]["default_basis_key"] != "consent":
                for recipient in entry["recipients"]:
                    by_recipient.setdefault(recipient["key"], []).append(entry["purpose"])
        held = [key for key, _, _, _ in self.fields()]
        rows = []
        for r in self.d["recipients"]:
            if r["key"] in by_recipient or r["key"] in self.d["notified"]:
                # The details it receives (NULL: all of them) that hold a value, in the details' order.
                stored = r["fields"] if "fields" in r.keys() else None  # a database from before Inzage's schema v6
                received = None if stored is None else set(stored.split(","))
                rows.append((r, by_recipient.get(r["key"], []), [k for k in held if received is None or k in received]))
        return rows

    def glossary(self):
        rows = []
        for category in GLOSSARY_CATEGORIES:
            title = self.labels.data["codes"][category]["title"]
            for key, value in self.labels.data["codes"][category]["values"].items():
                rows.append((title, value["label"], value["explanation"], key))
        for basis in self.d["bases"]:
            meaning = "%s (%s)" % (self.text(basis["description"]), self.labels.citation(basis["article"]))
            rows.append((self.labels.word("legalBasisCategory"), self.text(basis["name"]), meaning, basis["key"]))
        history = self.labels.word("historyTermsCategory")
        named = self.d["settings"]["show-staff-names"] == "true"
        for actor in ["You", "System"] + (["NamedStaff"] if named else ["Import", "PrivacyTeam", "Staff"]):
            rows.append((history, self.labels.word("actor" + actor), self.labels.word("actor%sMeaning" % actor), None))
        rows.append((history, self.labels.data["columns"]["consentHistory"]["evidence"], self.labels.word("evidenceMeaning"), None))
        return rows

    def sheets(self):
        return SHEETS if self.d["person"] is not None else ["readMe", "requests", "glossary"]

    def readme(self, workbook=True):
        d, labels, settings = self.d, self.labels, self.d["settings"]
        request = d["request"]
        json_included = not workbook or (request is not None and "json" in request["formats"].split(","))
        context = {
            "organisationName": settings["name"], "organisationAddress": settings["address"],
            "contactEmail": settings["contact-email"], "dpoName": settings["dpo-name"], "dpoEmail": settings["dpo-email"],
            "authorityName": settings["supervisory-authority-name"],
            "authorityAddress": settings["supervisory-authority-address"],
            "authorityURL": settings["supervisory-authority-url"], "timeZone": settings["time-zone"],
            "generatedOn": labels.long_date(d["now"].astimezone(d["zone"]).date()),
            "complaintArticle": labels.citation("77"), "courtArticle": labels.citation("79"),
            "hasRequest": request is not None, "dataHeld": d["person"] is not None, "workbook": workbook,
            "sheets": [{"name": labels.sheet_name(s), "about": labels.sheet_about(s)} for s in self.sheets()],
            "rights": [{"label": labels.data["rights"][key]["label"], "article": labels.citation(article),
                        "explanation": labels.right_explanation(key, json_included)} for key, article in RIGHTS],
        }
        for sheet in SHEETS:
            context[sheet + "Sheet"] = labels.sheet_name(sheet)
        if settings.get("privacy-statement-url"):
            context["privacyStatementURL"] = settings["privacy-statement-url"]
        if request is not None:
            context.update({"requestReference": request["reference"],
                            "requestType": labels.label("requestType", request["type"]),
                            "receivedOn": labels.long_date(parse_day(request["received_on"])),
                            "dueOn": labels.long_date(parse_day(request["due_on"]))})
            if request["extended_due_on"]:
                context["extendedDueOn"] = labels.long_date(parse_day(request["extended_due_on"]))
            last_day = parse_day(request["extended_due_on"] or request["due_on"])
            context["answeredLate"] = d["now"].astimezone(d["zone"]).date() > last_day
        return readme_rows(render_mustache(labels.readme, context))


# ---------------------------------------------------------------------------------------------------------------
# XLSX


def write_xlsx(d, path):
    w = Words(d)
    labels = w.labels
    settings = d["settings"]
    workbook = xlsxwriter.Workbook(path)
    workbook.set_properties({"title": "%s — %s" % (labels.data["meta"]["documentTitle"], settings["name"]),
                             "subject": d["request"]["reference"] if d["request"] else "",
                             "author": settings["name"], "created": d["now"].replace(tzinfo=None)})
    header = workbook.add_format({"bold": True, "bg_color": "#D9D9D9"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})

    def sheet(key, rows):
        columns = COLUMNS[key]
        ws = workbook.add_worksheet(labels.sheet_name(key))
        for index, (column, width, wraps) in enumerate(columns):
            title = labels.column(key, column)
            # Wide enough for the whole header in bold beside the filter button, as Inzage widens it.
            width = max(width, math.ceil(min(len(title) * 1.15 + 3, 60)))
            ws.set_column(index, index, width, wrap if wraps else plain)
            ws.write_string(0, index, title, header)
        ws.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime.datetime):
                    ws.write_datetime(count, index, w.local(value), datetime_format)
                elif isinstance(value, datetime.date):
                    ws.write_datetime(count, index, value, date_format)
                elif isinstance(value, int):
                    ws.write_number(count, index, value)
                elif isinstance(value, str) and value.startswith(("https://", "http://")) and \
                        columns[index][0] == "privacyStatement":
                    ws.write_url(count, index, value, string=value)
                else:
                    ws.write_string(count, index, value, wrap if columns[index][2] else plain)
        ws.autofilter(0, 0, count, len(columns) - 1)

    for key in w.sheets():
        if key == "readMe":
            sheet(key, w.readme())
        elif key == "details":
            person = d["person"]
            sheet(key, ((labels.label("personField", field), display, w.detail_source(edit),
                         parse_time(edit["at"]) if edit else None, w.actor(edit["by"], edit["via"]) if edit else None,
                         labels.label("changeChannel", edit["via"]) if edit else None,
                         "\n".join(s["statement"] for s in d["statements"] if s["field"] == field) or None)
                        for field, _, display, edit in w.fields()))
        elif key == "purposes":
            rows = []
            for e in d["entries"]:
                p, b = e["purpose"], e["basis"]
                rows.append((w.text(p["name"]), w.text(p["description"]), labels.word("yes" if w.in_use(e) else "no"),
                             w.text(b["name"]) if b else None,
                             labels.citation(b["article"]) if b else None, w.text(b["description"]) if b else None,
                             w.text(p["data_categories"]),
                             ("\n".join(r["name"] for r in e["recipients"]) +
                              ("" if w.in_use(e) else "\n" + labels.word("recipientsNotNow")))
                             if e["recipients"] else labels.word("none"),
                             w.text(p["retention"]),
                             w.transfers(e) or labels.word("transfersNone"),
                             w.text(p["automated_decision_making"]) or labels.word("automatedDecisionsNone"),
                             labels.word("yes" if p["is_direct_marketing"] else "no"), w.right_to_object(e),
                             w.consent_summary(e),
                             w.objection_recorded_at(e), w.privacy_statement(e)))
            sheet(key, rows)
        elif key == "consents":
            rows = []
            for e in d["entries"]:
                c = e["consent"]
                if c is None:
                    continue
                status, explanation = labels.code("consentStatus", c["status"])
                rows.append((w.text(e["purpose"]["name"]), w.basis_name(c["basis_key"]), status, explanation,
                             w.source_name(c["source_key"]), parse_time(c["given_at"]), parse_time(c["withdrawn_at"]),
                             parse_time(c["registered_at"]), w.actor(c["registered_by"], d["channels"][c["id"]][0]),
                             parse_time(c["updated_at"]), w.actor(c["updated_by"], d["channels"][c["id"]][1]),
                             c["update_count"],
                             c["consent_text"], c["comment"]))
            sheet(key, rows)
        elif key == "consentHistory":
            def change(old, new):
                return new if old is None or old == new else "%s → %s" % (old, new)
            sheet(key, ((parse_time(e["at"]), w.purpose_name(e["purpose_key"]), labels.label("consentEventType", e["type"]),
                         parse_time(e["given_at"]) if e["given_at"] else None,
                         change(e["from_status"] and labels.label("consentStatus", e["from_status"]),
                                labels.label("consentStatus", e["to_status"])),
                         change(e["from_basis"] and w.basis_name(e["from_basis"]), w.basis_name(e["to_basis"])),
                         change(e["from_source"] and w.source_name(e["from_source"]), w.source_name(e["to_source"])),
                         w.actor(e["by"], e["via"]), labels.label("changeChannel", e["via"]), e["request_reference"],
                         e["evidence"], e["comment"]) for e in d["events"]))
        elif key == "sources":
            sheet(key, ((w.text(s["name"]),) + labels.code("sourceType", s["source_type"]) + (w.text(s["description"]),)
                        for s in d["sources"]))
        elif key == "changeHistory":
            sheet(key, ((parse_time(e["at"]), labels.label("personField", e["field"]), w.display(e["old_value"], e["field"]),
                         w.display(e["new_value"], e["field"]), w.actor(e["by"], e["via"]),
                         labels.label("changeChannel", e["via"]), reason_text(labels, e), e["request_reference"])
                        for e in d["edits"]))
        elif key == "recipients":
            stopped = {e["purpose"]["key"] for e in d["entries"] if not w.in_use(e)}
            sheet(key, ((r["name"],) + labels.code("recipientRole", r["role"]) +
                        (labels.country(r["country"]),
                         "\n".join(w.text(p["name"]) if p["key"] not in stopped else "%s (%s)" % (w.text(p["name"]), labels.word("purposeNotNow"))
                                   for p in ps),
                         "\n".join(labels.label("personField", k) for k in fields))
                        for r, ps, fields in w.recipient_rows()))
        elif key == "requests":
            rows = []
            for r, transitions in d["requests"]:
                state, explanation = labels.code("requestState", w.shown_state(r))
                last = w.shown_last_change(r, transitions)
                rows.append((r["reference"], labels.label("requestType", r["type"]), parse_day(r["received_on"]),
                             parse_day(r["due_on"]), parse_day(r["extended_due_on"]), w.extension_reason(r), state,
                             explanation, last,
                             "\n".join(labels.label("extractFormat", f) for f in r["formats"].split(","))
                             if r["type"] == "access" and (r["state"] == "completed" or d["request"] and r["id"] == d["request"]["id"])
                             else None,
                             "\n".join("%s: %s" % line for line in w.given_details(r)), w.asked(r),
                             labels.word("answeredWithThisFile") if w.is_answered(r) else w.refusal_line(r)))
            sheet(key, rows)
        elif key == "glossary":
            sheet(key, w.glossary())
    workbook.close()


# ---------------------------------------------------------------------------------------------------------------
# JSON


def write_json(d, path):
    w = Words(d)
    labels, lang = w.labels, w.lang
    settings = d["settings"]

    def coded(category, key):
        label, explanation = labels.code(category, key)
        return {"key": key, "label": label, "explanation": explanation}

    def basis(key):
        b = d["basis"].get(key)
        if b is None:
            return {"key": key, "label": key, "explanation": "", "gdprArticle": "", "dpvIRI": None}
        return {"key": b["key"], "label": w.text(b["name"]), "explanation": w.text(b["description"]),
                "gdprArticle": b["article"], "dpvIRI": b["dpv_iri"] or None}

    def source(key):
        s = d["source"].get(key)
        return {"key": key, "label": w.text(s["name"]) if s else key, "explanation": w.text(s["description"]) if s else ""}

    def request_part(r, transitions):
        label, explanation = labels.code("requestType", r["type"])
        article = {"access": "15", "rectification": "16", "objection": "21"}.get(r["type"], "")
        own = next((t for q, t in d["requests"] if q["id"] == r["id"]), [])
        last = w.shown_last_change(r, own)
        part = {"reference": r["reference"],
                "type": {"key": r["type"], "label": label, "explanation": explanation, "gdprArticle": article,
                         "dpvIRI": DPV + "A" + article},
                "state": coded("requestState", w.shown_state(r)), "receivedAt": w.iso(parse_time(r["received_at"])),
                "receivedOn": r["received_on"], "dueOn": r["due_on"], "extendedDueOn": r["extended_due_on"],
                "lastStateChangeAt": w.iso(last) if last else None,
                "refusal": {"reason": coded("refusalReason", w.refusal(r)[0]), "note": w.refusal(r)[1]} if w.refusal(r) else None,
                "formats": [coded("extractFormat", f) for f in r["formats"].split(",")],
                "givenDetails": [{"label": label, "value": value} for label, value in w.given_details(r)],
                "extensionReason": w.extension_reason(r),
                "rectificationItems": [{"field": coded("personField", item["field"]), "requestedValue": item.get("requestedValue"),
                                        "statement": item.get("statement")}
                                       for item in json.loads(r["rectification"] or "[]")],
                "objection": None}
        if r["objection"]:
            objection = json.loads(r["objection"])
            part["objection"] = {"grounds": objection.get("grounds"),
                                 "purposes": [{"key": k, "label": w.purpose_name(k)} for k in objection["purposeKeys"]]}
        if transitions is not None:
            # The benchmark's persons have no decided requests; the peer does not render decisions (their labels live
            # in Inzage's code, not in the label files) and says so rather than writing a wrong extract.
            try:
                decided = d["db"].execute("SELECT COUNT(*) FROM request_decision WHERE request_id = ?", (r["id"],)).fetchone()[0]
            except sqlite3.OperationalError:  # a database from before Inzage's schema v4
                decided = 0
            if decided:
                raise NotImplementedError("the peer does not write request decisions; the benchmark data has none")
            part["decisions"] = []
            # The first state began when the request was received, also when it was filed later.
            # Only the rows that change the state; the answered request ends completed at the extract's time.
            part["stateHistory"] = [{"at": w.iso(min(parse_time(t["at"]), parse_time(r["received_at"])) if not t["from_state"]
                                           else parse_time(t["at"])),
                                     "from": coded("requestState", t["from_state"]) if t["from_state"] else None,
                                     "to": coded("requestState", t["to_state"])}
                                    for t in transitions if t["from_state"] != t["to_state"]]
            if w.is_answered(r) and r["state"] != "completed":
                part["stateHistory"].append({"at": w.iso(d["now"]), "from": coded("requestState", r["state"]),
                                             "to": coded("requestState", "completed")})
        return part

    person = d["person"]
    subject = None
    if person is not None:
        subject = {"personID": person["id"], "source": source(person["source_key"]) if person["source_key"] else None,
                   "registeredAt": w.iso(parse_time(person["created_at"])),
                   "updatedAt": w.iso(parse_time(person["updated_at"])),
                   "details": [{"field": coded("personField", key), "value": value, "valueInWords": display,
                                "lastChangedAt": w.iso(parse_time(edit["at"])) if edit else None,
                                "lastChangedBy": w.actor(edit["by"], edit["via"]) if edit else None,
                                "lastChangedVia": coded("changeChannel", edit["via"]) if edit else None,
                                "source": w.detail_source(edit),
                                "statements": [st["statement"] for st in d["statements"] if st["field"] == key]}
                               for key, value, display, edit in w.fields()]}
    purposes = []
    for e in d["entries"] if d["person"] is not None else []:
        p = e["purpose"]
        purposes.append({
            "key": p["key"], "label": w.text(p["name"]), "description": w.text(p["description"]),
            "legalBasis": basis(e["basis"]["key"]) if e["basis"] else None,
            "dataCategories": w.text(p["data_categories"]),
            "recipients": [{"key": r["key"], "label": r["name"]} for r in e["recipients"]],
            "retention": w.text(p["retention"]), "transfersOutsideEU": w.transfers(e),
            "automatedDecisionMaking": w.text(p["automated_decision_making"]),
            "directMarketing": bool(p["is_direct_marketing"]), "inUse": w.in_use(e), "rightToObject": w.right_to_object(e),
            "consentStatus": coded("consentStatus", e["consent"]["status"]) if e["consent"] else None,
            "consentSummary": w.consent_summary(e), "consentText": w.consent_text(e),
            "objectionRecordedAt": w.iso(w.objection_recorded_at(e)) if w.objection_recorded_at(e) else None,
            "privacyStatementURL": w.privacy_statement(e)})
    consents = []
    for e in d["entries"]:
        c = e["consent"]
        if c is None:
            continue
        events = [{"eventID": ev["id"], "at": w.iso(parse_time(ev["at"])), "type": coded("consentEventType", ev["type"]),
                   "fromStatus": coded("consentStatus", ev["from_status"]) if ev["from_status"] else None,
                   "givenAt": w.iso(parse_time(ev["given_at"])) if ev["given_at"] else None,
                   "toStatus": coded("consentStatus", ev["to_status"]),
                   "fromBasis": basis(ev["from_basis"]) if ev["from_basis"] else None, "toBasis": basis(ev["to_basis"]),
                   "fromSource": source(ev["from_source"]) if ev["from_source"] else None,
                   "toSource": source(ev["to_source"]), "by": w.actor(ev["by"], ev["via"]),
                   "channel": coded("changeChannel", ev["via"]), "requestReference": ev["request_reference"],
                   "evidence": ev["evidence"], "comment": ev["comment"]}
                  for ev in d["events"] if ev["consent_id"] == c["id"]]
        consents.append({
            "consentID": c["id"], "purpose": {"key": c["purpose_key"], "label": w.purpose_name(c["purpose_key"])},
            "legalBasis": basis(c["basis_key"]), "status": coded("consentStatus", c["status"]),
            "source": source(c["source_key"]), "consentText": c["consent_text"], "comment": c["comment"],
            "givenAt": w.iso(parse_time(c["given_at"])) if c["given_at"] else None,
            "withdrawnAt": w.iso(parse_time(c["withdrawn_at"])) if c["withdrawn_at"] else None,
            "registeredAt": w.iso(parse_time(c["registered_at"])),
            "registeredBy": w.actor(c["registered_by"], d["channels"][c["id"]][0]),
            "updatedAt": w.iso(parse_time(c["updated_at"])), "updatedBy": w.actor(c["updated_by"], d["channels"][c["id"]][1]),
            "updateCount": c["update_count"], "events": events})
    def edit(e):
        document = {"editID": e["id"], "at": w.iso(parse_time(e["at"])), "field": coded("personField", e["field"]),
                    "oldValue": e["old_value"], "newValue": e["new_value"], "by": w.actor(e["by"], e["via"]),
                    "channel": coded("changeChannel", e["via"]), "reason": reason_text(w.labels, e),
                    "requestReference": e["request_reference"]}
        if e["field"] in ("source", "language", "country"):  # coded values, also in words
            document["oldValueInWords"] = w.display(e["old_value"], e["field"])
            document["newValueInWords"] = w.display(e["new_value"], e["field"])
        return document
    edits = [edit(e) for e in d["edits"]]
    document = {
        "schemaVersion": "inzage-extract/1",
        "generatedAt": w.iso(d["now"]),
        "language": coded("language", lang),
        "timeZone": settings["time-zone"],
        "organisation": {"name": settings["name"], "address": settings["address"],
                         "contactEmail": settings["contact-email"],
                         "dataProtectionOfficer": {"name": settings["dpo-name"], "email": settings["dpo-email"]},
                         "country": settings["country"], "countryInWords": labels.country(settings["country"])},
        "request": request_part(d["request"], None) if d["request"] is not None else None,
        "dataHeld": person is not None,
        "readMe": [{"heading": h, "text": t} for h, t in w.readme(workbook=False)],
        "subject": subject,
        "purposes": purposes,
        "consents": consents,
        "sources": [{"key": s["key"], "label": w.text(s["name"]), "explanation": w.text(s["description"]),
                     "suppliedBy": coded("sourceType", s["source_type"])} for s in d["sources"]],
        "editHistory": edits,
        "recipients": [{"key": r["key"], "name": r["name"], "role": coded("recipientRole", r["role"]),
                        "country": r["country"], "countryInWords": labels.country(r["country"]), "purposes": [{"key": p["key"], "label": w.text(p["name"])} for p in ps],
                        "data": [coded("personField", k) for k in fields]}
                       for r, ps, fields in w.recipient_rows()],
        "requests": [request_part(r, t) for r, t in d["requests"]],
        "rights": {"howToUse": labels.word("howToUseRights"), "contactEmail": settings["contact-email"],
                   "items": [{"key": key, "label": labels.data["rights"][key]["label"],
                              "explanation": labels.right_explanation(key, True), "gdprArticle": article,
                              "dpvIRI": DPV + ("A7-3" if key == "withdraw-consent" else "A" + article)}
                             for key, article in RIGHTS]},
        "complaint": {"supervisoryAuthority": {"name": settings["supervisory-authority-name"],
                                               "address": settings["supervisory-authority-address"],
                                               "url": settings["supervisory-authority-url"]},
                      "explanation": labels.word("complaint"), "gdprArticle": "77", "dpvIRI": DPV + "A77",
                      "court": {"explanation": labels.word("court"), "gdprArticle": "79"}},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, sort_keys=False)


# ---------------------------------------------------------------------------------------------------------------
# Commands


def connect(path):
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def write_atomically(path, writer, dossier):
    temporary = path + ".partial"
    writer(dossier, temporary)
    os.replace(temporary, path)


def extract(args):
    db_path, person_id = args[0], int(args[1])
    fmt, out = args[args.index("--format") + 1], args[args.index("--out") + 1]
    db = connect(db_path)
    db.execute("BEGIN")
    dossier = load_dossier(db, person_id)
    write_atomically(out, write_xlsx if fmt == "xlsx" else write_json, dossier)
    db.execute("COMMIT")
    print(out)


def sha256(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def db_time(time):
    return time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (time.microsecond // 1000)


def worker(db_path, archive, number):
    db = connect(db_path)
    owner = "%s/%d/%d" % (socket.gethostname(), os.getpid(), number)
    done = 0
    while True:
        now = db_time(datetime.datetime.now(UTC))
        db.execute("BEGIN IMMEDIATE")
        request = db.execute("SELECT * FROM request WHERE type = 'access' AND state = 'received' "
                             "ORDER BY COALESCE(extended_due_on, due_on), id LIMIT 1").fetchone()
        if request is None:
            db.execute("COMMIT")
            return done
        db.execute("INSERT INTO request_transition (request_id, at, from_state, to_state, by, note) "
                   "VALUES (?, ?, 'received', 'in-progress', 'system', 'Taken up by a worker')", (request["id"], now))
        db.execute("UPDATE request SET state = 'in-progress', updated_at = ?, attempts = attempts + 1, lease_owner = ? "
                   "WHERE id = ?", (now, owner, request["id"]))
        db.execute("COMMIT")
        request = db.execute("SELECT * FROM request WHERE id = ?", (request["id"],)).fetchone()

        db.execute("BEGIN")
        dossier = load_dossier(db, request["person_id"], request=request)
        folder = os.path.join(archive, request["reference"])
        os.makedirs(folder, exist_ok=True)
        written = []
        for fmt in request["formats"].split(","):
            path = os.path.join(folder, "%s.%s" % (request["reference"], fmt))
            write_atomically(path, write_xlsx if fmt == "xlsx" else write_json, dossier)
            written.append((fmt, os.path.relpath(path, archive)) + sha256(path))
        db.execute("COMMIT")

        now = db_time(datetime.datetime.now(UTC))
        expires = db_time(datetime.datetime.now(UTC) + datetime.timedelta(days=int(dossier["settings"]["extract-retention-days"])))
        db.execute("BEGIN IMMEDIATE")
        for fmt, path, digest, size in written:
            db.execute("INSERT INTO extract (request_id, person_id, format, path, sha256, size, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (request["id"], request["person_id"], fmt, path, digest, size,
                                                           now, expires))
        db.execute("INSERT INTO request_transition (request_id, at, from_state, to_state, by, note) "
                   "VALUES (?, ?, 'in-progress', 'completed', 'system', ?)",
                   (request["id"], now, "Extracts written: " + ", ".join(w[0] for w in written)))
        db.execute("UPDATE request SET state = 'completed', updated_at = ?, lease_owner = NULL, lease_expires_at = NULL "
                   "WHERE id = ?", (now, request["id"]))
        db.execute("COMMIT")
        done += 1


def work(args):
    db_path = args[0]
    archive = args[args.index("--archive") + 1]
    concurrency = int(args[args.index("--concurrency") + 1]) if "--concurrency" in args else 1
    os.makedirs(archive, exist_ok=True)
    if concurrency == 1:
        counts = [worker(db_path, archive, 0)]
    else:
        with multiprocessing.Pool(concurrency) as pool:
            counts = pool.starmap(worker, [(db_path, archive, n) for n in range(concurrency)])
    print("completed %d requests" % sum(counts))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("extract", "work"):
        sys.exit(__doc__)
    {"extract": extract, "work": work}[sys.argv[1]](sys.argv[2:])
