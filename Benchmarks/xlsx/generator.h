/* The benchmark's row generator, identical to Swift/main.swift and generator.py: splitmix64 seeded
   with 42, drawn in the same order, so all three writers write the same values. */
#ifndef XLSX_BENCHMARK_GENERATOR_H
#define XLSX_BENCHMARK_GENERATOR_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const STATUSES[5] = {"open", "pending", "shipped", "delivered", "cancelled"};
static const char *const REGIONS[12] = {"Noord-Holland", "Zuid-Holland", "Utrecht", "Fryslân", "Île-de-France",
                                        "Bayern", "Zürich", "Kraków", "São Paulo", "Québec", "Málaga", "København"};
static const char *const WORDS[64] = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
    "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
    "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
    "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit",
    "voluptate", "velit", "esse", "cillum", "fugiat", "nulla", "pariatur", "excepteur", "sint",
    "occaecat", "cupidatat", "non", "proident", "sunt", "culpa", "qui", "officia", "deserunt",
    "mollit", "anim", "id", "est", "laborum", "history", "request"};
static const char *const HEADERS[8] = {"id", "date", "status", "region", "amount", "reference", "text", "count"};
static const double WIDTHS[8] = {10, 12, 12, 16, 12, 42, 60, 8};

typedef struct { uint64_t state; } splitmix64;

static uint64_t splitmix64_next(splitmix64 *g) {
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t id;
    int year, month, day;
    const char *status;
    const char *region;
    double amount;
    char reference[64];
    char text[512];
    uint64_t small;
} bench_row;

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(long z, int *year, int *month, int *day) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static void bench_row_make(uint64_t i, splitmix64 *g, bench_row *row) {
    row->id = i;
    civil_from_days(18262 + (long)(splitmix64_next(g) % 1826), &row->year, &row->month, &row->day);
    row->status = STATUSES[splitmix64_next(g) % 5];
    row->region = REGIONS[splitmix64_next(g) % 12];
    row->amount = (double)(splitmix64_next(g) % 10000000) / 100;
    uint64_t a = splitmix64_next(g);
    uint64_t b = splitmix64_next(g) >> 16;
    snprintf(row->reference, sizeof row->reference, "REF-%016llX-%012llX-%06llu",
             (unsigned long long)a, (unsigned long long)b, (unsigned long long)(i % 1000000));
    size_t length = 180 + (size_t)(splitmix64_next(g) % 41), used = 0;
    row->text[0] = 0;
    while (used < length) {
        if (used > 0) row->text[used++] = ' ';
        const char *word = WORDS[splitmix64_next(g) % 64];
        size_t n = strlen(word);
        memcpy(row->text + used, word, n + 1);
        used += n;
    }
    row->small = splitmix64_next(g) % 100;
}
#endif
