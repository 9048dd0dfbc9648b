"""The benchmark's row generator, identical to Swift/main.swift and generator.h (splitmix64, seed 42)."""
import datetime

MASK = (1 << 64) - 1
STATUSES = ["open", "pending", "shipped", "delivered", "cancelled"]
REGIONS = ["Noord-Holland", "Zuid-Holland", "Utrecht", "Fryslân", "Île-de-France", "Bayern",
           "Zürich", "Kraków", "São Paulo", "Québec", "Málaga", "København"]
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
         "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
         "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
         "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit",
         "voluptate", "velit", "esse", "cillum", "fugiat", "nulla", "pariatur", "excepteur", "sint",
         "occaecat", "cupidatat", "non", "proident", "sunt", "culpa", "qui", "officia", "deserunt",
         "mollit", "anim", "id", "est", "laborum", "history", "request"]
HEADERS = ["id", "date", "status", "region", "amount", "reference", "text", "count"]
WIDTHS = [10, 12, 12, 16, 12, 42, 60, 8]
EPOCH_2020 = datetime.date(2020, 1, 1)


class SplitMix64:
    def __init__(self, seed=42):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def rows(count):
    """Yields count rows of (id, date, status, region, amount, reference, text, small)."""
    g = SplitMix64(42)
    for i in range(1, count + 1):
        day = EPOCH_2020 + datetime.timedelta(days=g.next() % 1826)
        status = STATUSES[g.next() % 5]
        region = REGIONS[g.next() % 12]
        amount = (g.next() % 10000000) / 100
        reference = "REF-%016X-%012X-%06d" % (g.next(), g.next() >> 16, i % 1000000)
        length = 180 + g.next() % 41
        text = ""
        while len(text) < length:
            if text:
                text += " "
            text += WORDS[g.next() % 64]
        yield (i, day, status, region, amount, reference, text, g.next() % 100)
