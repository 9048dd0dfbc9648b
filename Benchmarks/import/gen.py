#!/usr/bin/env python3
"""Writes a deterministic CSV of N persons for the Inzage import benchmark.

Usage: gen.py N OUT.csv

Each person has a realistic Dutch or English name (with a Dutch prefix such as "van der" where it fits),
a unique e-mail address, a phone number, an organisation (some with commas, so the CSV quotes them),
a job title, a language, and one consent: `e-marketing:consent` or `sales-and-service`.
The same N always gives the same file, byte for byte.
"""
import csv
import random
import sys
import unicodedata

DUTCH_FIRST = ["Anna", "Sophie", "Julia", "Emma", "Sanne", "Lotte", "Fleur", "Eva", "Noor", "Iris", "Femke", "Marieke",
               "Jan", "Pieter", "Daan", "Lucas", "Sem", "Thijs", "Bram", "Ruben", "Joost", "Maarten", "Kees", "Willem",
               "Gerrit", "Hendrik", "Anouk", "Floor", "Jeroen", "Wouter", "Inge", "Mirjam", "Sjoerd", "Tjeerd", "Geertje"]
ENGLISH_FIRST = ["Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William", "Amelia", "Olivia",
                 "Isla", "Emily", "Ava", "Jessica", "Sophia", "Grace", "Lily", "Chloé", "Zoë", "Siobhan", "Niamh", "Rhys"]
DUTCH_LAST = [("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
              ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
              ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
              ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"),
              ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"), ("van der", "Veen"),
              ("van den", "Broek"), ("de", "Bruijn"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"), ("", "Hoekstra")]
ENGLISH_LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
                "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "O'Brien"]
ORGANISATIONS = ["Bakker Logistiek B.V.", "De Vries & Zonen", "Jansen, de Wit en Partners", "Noordzee Visserij",
                 "Hollandse Bouw Groep N.V.", "Gemeente Utrecht", "Acme Ltd", "Brightside Consulting",
                 "Smith, Jones & Co", "Tulip Software", "Rijnmond Zorg", "Oranje Energie", "Northwind Traders",
                 "Fabrikam, Inc.", "Contoso Ltd", "Van der Meer Installatietechniek", "Zuidas Advocaten LLP"]
JOB_TITLES = ["Inkoper", "Directeur", "Office manager", "Hoofd \"Inkoop\"", "Accountmanager", "Projectleider",
              "Marketing manager", "Sales director", "Chief Executive Officer", "Facility manager", "HR-adviseur",
              "Software engineer", "Financial controller", "Receptionist", "Operations manager"]
DOMAINS = ["example.nl", "example.com", "voorbeeld.nl", "mail.example.org", "bedrijf.example.nl"]


def ascii_slug(text):
    """The text as lower-case ASCII letters, for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in plain.lower() if c.isalnum())


def person(index, rng):
    dutch = rng.random() < 0.7
    if dutch:
        first = rng.choice(DUTCH_FIRST)
        prefix, last = rng.choice(DUTCH_LAST)
        language = "nl" if rng.random() < 0.9 else "en"
        phone = rng.choice(["+31 6 %04d %04d" % (rng.randrange(10000), rng.randrange(10000)),
                            "020-%07d" % rng.randrange(10_000_000), "(030) %03d %04d" % (rng.randrange(1000), rng.randrange(10000))])
    else:
        first = rng.choice(ENGLISH_FIRST)
        prefix, last = "", rng.choice(ENGLISH_LAST)
        language = "en"
        phone = "+44 20 %04d %04d" % (rng.randrange(10000), rng.randrange(10000))
    email = "%s.%s%s.%d@%s" % (ascii_slug(first), ascii_slug(prefix), ascii_slug(last), index, rng.choice(DOMAINS))
    consent = "e-marketing:consent" if rng.random() < 0.5 else "sales-and-service"
    return [first, prefix, last, email, phone, rng.choice(ORGANISATIONS), rng.choice(JOB_TITLES), language, consent]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py N OUT.csv")
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20260101)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["first_name", "name_prefix", "last_name", "email", "phone", "organisation", "job_title",
                         "language", "consents"])
        for index in range(count):
            writer.writerow(person(index, rng))


if __name__ == "__main__":
    main()
