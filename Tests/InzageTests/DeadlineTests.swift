import Foundation
import Testing
@testable import Inzage

// Every expected date below was checked against Python's `datetime` calendar (weekdays, month
// lengths) and `zoneinfo` (Europe/Amsterdam offsets) before it was written down.

private func day(_ text: String) throws -> CivilDate {
    try CivilDate(parsing: text)
}

private func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "not an ISO 8601 instant: \(text)")
}

private func amsterdam() throws -> DeadlineCalendar {
    try DeadlineCalendar()
}

/// One row of the deadline table: received on `received`, due on `due`.
struct DeadlineCase: CustomTestStringConvertible, Sendable {
    let received: String
    let due: String
    let why: String

    var testDescription: String { "\(received) → \(due): \(why)" }
}

@Suite("Deadlines (Art. 12(3) GDPR, Regulation 1182/71, Algemene termijnenwet)")
struct DeadlineTests {
    // MARK: Due dates

    static let dueCases: [DeadlineCase] = [
        DeadlineCase(received: "2025-01-31", due: "2025-02-28", why: "31 February does not exist; last day of February, a Friday"),
        DeadlineCase(received: "2024-01-31", due: "2024-02-29", why: "leap year; Thursday 29 February"),
        DeadlineCase(received: "2025-02-28", due: "2025-03-28", why: "same date, not the end of the month; Friday"),
        DeadlineCase(received: "2025-03-28", due: "2025-04-28", why: "Friday to Monday 28 April; King's Day 2025 was the 26th"),
        DeadlineCase(received: "2026-03-27", due: "2026-04-28", why: "Monday 27 April 2026 is King's Day"),
        DeadlineCase(received: "2026-03-06", due: "2026-04-07", why: "Monday 6 April 2026 is Easter Monday"),
        DeadlineCase(received: "2026-03-03", due: "2026-04-07", why: "Good Friday 3 April, weekend, Easter Monday 6 April"),
        DeadlineCase(received: "2024-02-29", due: "2024-04-02", why: "Good Friday 29 March 2024, weekend, Easter Monday 1 April"),
        DeadlineCase(received: "2038-03-23", due: "2038-04-28", why: "Good Friday 23 April 2038, weekend, Easter Monday 26 April, King's Day Tuesday 27 April"),
        DeadlineCase(received: "2026-04-05", due: "2026-05-06", why: "Tuesday 5 May is Liberation Day"),
        DeadlineCase(received: "2026-04-14", due: "2026-05-15", why: "Thursday 14 May 2026 is Ascension Day; the Friday after is a working day unless configured"),
        DeadlineCase(received: "2026-04-25", due: "2026-05-26", why: "Monday 25 May 2026 is Whit Monday"),
        DeadlineCase(received: "2023-11-25", due: "2023-12-27", why: "Christmas Day Monday, Boxing Day Tuesday"),
        DeadlineCase(received: "2025-12-01", due: "2026-01-02", why: "New Year's Day Thursday; over the year boundary"),
        DeadlineCase(received: "2025-12-31", due: "2026-02-02", why: "31 January 2026 is a Saturday"),
        DeadlineCase(received: "2026-01-31", due: "2026-03-02", why: "28 February 2026 is a Saturday"),
        DeadlineCase(received: "2025-08-31", due: "2025-09-30", why: "end of month: September has 30 days; Tuesday"),
        DeadlineCase(received: "2024-08-31", due: "2024-09-30", why: "end of month: September has 30 days; Monday"),
        DeadlineCase(received: "2025-10-31", due: "2025-12-01", why: "30 November 2025 is a Sunday"),
    ]

    @Test("Due date is one month after receipt, moved to a working day", arguments: dueCases)
    func dueDate(_ row: DeadlineCase) throws {
        let calendar = try amsterdam()
        let due = calendar.dueDate(receivedOn: try day(row.received))
        #expect(due == (try day(row.due)), "\(row.why)")
        #expect(calendar.isWorkingDay(due))
    }

    static let extendedCases: [DeadlineCase] = [
        DeadlineCase(received: "2025-10-31", due: "2026-02-02", why: "31 January 2026 is a Saturday"),
        DeadlineCase(received: "2023-11-30", due: "2024-02-29", why: "leap year; Thursday"),
        DeadlineCase(received: "2025-11-30", due: "2026-03-02", why: "28 February 2026 is a Saturday"),
        DeadlineCase(received: "2025-09-25", due: "2025-12-29", why: "Christmas Thursday, Boxing Day Friday, weekend"),
        DeadlineCase(received: "2026-01-06", due: "2026-04-07", why: "Easter Monday 6 April 2026"),
    ]

    @Test("Extended due date is three months after receipt, moved to a working day", arguments: extendedCases)
    func extendedDueDate(_ row: DeadlineCase) throws {
        let calendar = try amsterdam()
        #expect(calendar.extendedDueDate(receivedOn: try day(row.received)) == (try day(row.due)), "\(row.why)")
    }

    @Test("A due date never lands on a non-working day and skips only non-working days")
    func dueDateInvariants() throws {
        let calendar = try amsterdam()
        var received = try day("2020-01-01")
        let end = try day("2032-12-31")
        while received <= end {
            for months in [1, 3] {
                let raw = received.adding(months: months)
                let due = months == 1 ? calendar.dueDate(receivedOn: received) : calendar.extendedDueDate(receivedOn: received)
                #expect(calendar.isWorkingDay(due), "due \(due) for \(received)")
                #expect(raw <= due)
                var between = raw
                while between < due {
                    #expect(!calendar.isWorkingDay(between), "\(between) was skipped but is a working day")
                    between = between.adding(days: 1)
                }
                // From 2020 to 2032 the longest run of non-working days is four (Good Friday to
                // Easter Monday; Christmas on a Thursday). 2038 has five: see the table above.
                #expect(raw.days(until: due) <= 4)
            }
            received = received.adding(days: 1)
        }
    }

    // MARK: Public holidays

    @Test("Dutch public holidays of 2026")
    func holidays2026() throws {
        let holidays = PublicHolidays.netherlands.holidays(in: 2026)
        #expect(holidays.map(\.date.description) == [
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-04-27", "2026-05-05",
            "2026-05-14", "2026-05-25", "2026-12-25", "2026-12-26",
        ])
        #expect(holidays.map(\.key) == [
            "new-years-day", "good-friday", "easter-monday", "kings-day", "liberation-day",
            "ascension-day", "whit-monday", "christmas-day", "boxing-day",
        ])
        #expect(holidays.first { $0.key == "kings-day" }?.name == LocalizedText(nl: "Koningsdag", en: "King's Day"))
    }

    @Test("Dutch public holidays of 2025 and 2024")
    func holidays2025And2024() {
        #expect(PublicHolidays.netherlands.holidays(in: 2025).map(\.date.description) == [
            "2025-01-01", "2025-04-18", "2025-04-21", "2025-04-26", "2025-05-05",
            "2025-05-29", "2025-06-09", "2025-12-25", "2025-12-26",
        ])
        #expect(PublicHolidays.netherlands.holidays(in: 2024).map(\.date.description) == [
            "2024-01-01", "2024-03-29", "2024-04-01", "2024-04-27", "2024-05-05",
            "2024-05-09", "2024-05-20", "2024-12-25", "2024-12-26",
        ])
    }

    @Test("Named holidays of 2026", arguments: [
        ("good-friday", "2026-04-03"),
        ("easter-monday", "2026-04-06"),
        ("kings-day", "2026-04-27"),
        ("ascension-day", "2026-05-14"),
        ("whit-monday", "2026-05-25"),
    ])
    func namedHoliday2026(key: String, date: String) throws {
        let calendar = try amsterdam()
        let expected = try day(date)
        #expect(PublicHolidays.netherlands.holidays(on: expected).map(\.key) == [key])
        #expect(!calendar.isWorkingDay(expected))
    }

    @Test("King's Day 2025: the 27th is a Sunday, so the day is Saturday 26 April")
    func kingsDay2025() throws {
        let calendar = try amsterdam()
        let saturday = try day("2025-04-26")
        let sunday = try day("2025-04-27")
        #expect(saturday.weekday == .saturday)
        #expect(sunday.weekday == .sunday)
        #expect(PublicHolidays.netherlands.holidays(on: saturday).map(\.key) == ["kings-day"])
        #expect(PublicHolidays.netherlands.holidays(on: sunday).isEmpty)
        #expect(!calendar.isWorkingDay(saturday))
        #expect(!calendar.isWorkingDay(sunday))
        #expect(calendar.isWorkingDay(try day("2025-04-28")))
    }

    @Test("King's Day stays on 27 April when that is a Saturday", arguments: ["2024-04-27", "2030-04-27"])
    func kingsDayOnSaturday(date: String) throws {
        #expect(PublicHolidays.netherlands.holidays(on: try day(date)).map(\.key) == ["kings-day"])
    }

    @Test("5 May is a holiday every year, also when not a lustrum", arguments: 2019...2031)
    func liberationDay(year: Int) throws {
        let date = try CivilDate(year: year, month: 5, day: 5)
        #expect(PublicHolidays.netherlands.holidays(on: date).contains { $0.key == "liberation-day" })
    }

    @Test("Two holidays on one date are both listed: Ascension Day on 5 May 2005")
    func coincidingHolidays() throws {
        let keys = PublicHolidays.netherlands.holidays(on: try day("2005-05-05")).map(\.key)
        #expect(Set(keys) == ["liberation-day", "ascension-day"])
    }

    @Test("Easter Sunday by the anonymous Gregorian algorithm", arguments: [
        (1818, "1818-03-22"), (1943, "1943-04-25"), (2008, "2008-03-23"), (2011, "2011-04-24"),
        (2019, "2019-04-21"), (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"),
        (2038, "2038-04-25"), (2285, "2285-03-22"),
    ])
    func easter(year: Int, expected: String) throws {
        let sunday = DutchPublicHolidays.easterSunday(in: year)
        #expect(sunday == (try day(expected)))
        #expect(sunday.weekday == .sunday)
    }

    @Test("A configured bridging day moves a deadline")
    func bridgingDay() throws {
        let friday = try day("2026-05-15")
        let holidays = PublicHolidays.netherlands.addingDecreedDays([friday])
        let calendar = try DeadlineCalendar(holidays: holidays)
        #expect(!calendar.isWorkingDay(friday))
        #expect(holidays.holidays(on: friday).map(\.key) == [PublicHoliday.decreedDayKey])
        // Without the bridging day the request is due on that Friday.
        #expect(try amsterdam().dueDate(receivedOn: try day("2026-04-15")) == friday)
        // With it: Friday, Saturday, Sunday are skipped.
        #expect(calendar.dueDate(receivedOn: try day("2026-04-15")) == (try day("2026-05-18")))
        // Ascension Day, bridging day and the weekend in one chain.
        #expect(calendar.dueDate(receivedOn: try day("2026-04-14")) == (try day("2026-05-18")))
        // The configured day belongs to 2026 only.
        #expect(holidays.holidays(in: 2027).allSatisfy { $0.key != PublicHoliday.decreedDayKey })
        #expect(holidays.holidays(in: 2026).count == 10)
    }

    // MARK: Instants, time zone and overdue

    @Test("An instant counts on its local date in Amsterdam", arguments: [
        ("2025-01-31T23:30:00Z", "2025-02-01"), // 00:30 CET
        ("2025-01-31T22:59:59Z", "2025-01-31"), // 23:59:59 CET
        ("2025-06-30T22:30:00Z", "2025-07-01"), // 00:30 CEST
        ("2025-06-30T21:59:59Z", "2025-06-30"), // 23:59:59 CEST
        ("2025-10-26T22:30:00Z", "2025-10-26"), // 23:30 CET, the day summer time ended
        ("2025-10-26T23:30:00Z", "2025-10-27"),
    ])
    func receivedDate(at text: String, expected: String) throws {
        let calendar = try amsterdam()
        #expect(calendar.receivedDate(for: try instant(text)) == (try day(expected)))
    }

    @Test("23:30 UTC on 31 January is received on 1 February in Amsterdam, so the period starts then")
    func lateEveningReceipt() throws {
        let calendar = try amsterdam()
        let received = calendar.receivedDate(for: try instant("2025-01-31T23:30:00Z"))
        #expect(received == (try day("2025-02-01")))
        // 1 March 2025 is a Saturday.
        #expect(calendar.dueDate(receivedOn: received) == (try day("2025-03-03")))
        // The same instant in UTC is still 31 January, which gives an earlier due date.
        let utc = DeadlineCalendar(timeZone: try #require(TimeZone(identifier: "UTC")))
        #expect(utc.receivedDate(for: try instant("2025-01-31T23:30:00Z")) == (try day("2025-01-31")))
    }

    @Test("Days until the due date and overdue, on the local date", arguments: [
        ("2025-02-27T12:00:00Z", 1, false),
        ("2025-02-27T23:30:00Z", 0, false), // 00:30 on the due date in Amsterdam
        ("2025-02-28T22:59:59Z", 0, false), // the last second of the due date
        ("2025-02-28T23:00:00Z", -1, true), // midnight after the due date
        ("2025-03-10T09:00:00Z", -10, true),
        ("2025-01-31T09:00:00Z", 28, false),
    ])
    func daysUntil(now text: String, days: Int, overdue: Bool) throws {
        let calendar = try amsterdam()
        let due = try day("2025-02-28")
        let now = try instant(text)
        #expect(calendar.daysUntil(due, from: now) == days)
        #expect(calendar.isOverdue(due: due, now: now) == overdue)
    }

    @Test("An unknown time zone is refused with a clear message")
    func unknownTimeZone() {
        #expect(throws: DeadlineCalendarError.unknownTimeZone("Europe/Atlantis")) {
            try DeadlineCalendar(timeZoneIdentifier: "Europe/Atlantis")
        }
        #expect(DeadlineCalendarError.unknownTimeZone("Europe/Atlantis").description.contains("Europe/Amsterdam"))
    }

    // MARK: Extension

    // Received Friday 31 October 2025; due Monday 1 December 2025; extended to Monday 2 February 2026.

    @Test("An extension with a reason before the due date gives the extended due date", arguments: [
        "2025-11-03T09:00:00Z",
        "2025-12-01T22:59:00Z", // 23:59 on the due date in Amsterdam
    ])
    func extensionAllowed(now: String) throws {
        let calendar = try amsterdam()
        let extended = try calendar.validateExtension(
            receivedOn: try day("2025-10-31"), alreadyExtended: false, now: try instant(now), reason: "Many systems to search"
        )
        #expect(extended == (try day("2026-02-02")))
    }

    @Test("An extension after the due date is refused")
    func extensionPastDue() throws {
        let calendar = try amsterdam()
        let error = #expect(throws: DeadlineExtensionError.self) {
            try calendar.validateExtension(
                receivedOn: try day("2025-10-31"), alreadyExtended: false,
                now: try instant("2025-12-01T23:00:00Z"), // 00:00 on 2 December in Amsterdam
                reason: "Complex request"
            )
        }
        #expect(error == .pastDue(due: try day("2025-12-01"), today: try day("2025-12-02")))
        #expect(error?.description.contains("2025-12-01") == true)
        #expect(error?.description.contains("2025-12-02") == true)
    }

    @Test("A second extension is refused")
    func extensionTwice() throws {
        let calendar = try amsterdam()
        let error = #expect(throws: DeadlineExtensionError.self) {
            try calendar.validateExtension(
                receivedOn: try day("2025-10-31"), alreadyExtended: true,
                now: try instant("2025-11-03T09:00:00Z"), reason: "Complex request"
            )
        }
        #expect(error == .alreadyExtended(extendedDue: try day("2026-02-02")))
        #expect(error?.description.contains("only one extension") == true)
    }

    @Test("An extension without a reason is refused", arguments: ["", "   ", "\n\t"])
    func extensionWithoutReason(reason: String) throws {
        let calendar = try amsterdam()
        #expect(throws: DeadlineExtensionError.missingReason) {
            try calendar.validateExtension(
                receivedOn: try day("2025-10-31"), alreadyExtended: false,
                now: try instant("2025-11-03T09:00:00Z"), reason: reason
            )
        }
    }

    // MARK: CivilDate

    @Test("Dates parse and print as YYYY-MM-DD", arguments: ["2025-01-31", "2024-02-29", "0001-01-01", "9999-12-31"])
    func roundTrip(text: String) throws {
        let date = try day(text)
        #expect(date.description == text)
        #expect(CivilDate(text) == date)
    }

    @Test("Malformed or impossible dates are refused", arguments: [
        ("2025-1-31", CivilDateError.malformed("2025-1-31")),
        ("31-01-2025", .malformed("31-01-2025")),
        ("2025-01-31T00:00", .malformed("2025-01-31T00:00")),
        ("２０２５-01-31", .malformed("２０２５-01-31")),
        ("", .malformed("")),
        ("0000-01-01", .yearOutOfRange(0)),
        ("2025-13-01", .monthOutOfRange(13)),
        ("2025-00-10", .monthOutOfRange(0)),
        ("2025-02-29", .dayOutOfRange(year: 2025, month: 2, day: 29, daysInMonth: 28)),
        ("2025-04-31", .dayOutOfRange(year: 2025, month: 4, day: 31, daysInMonth: 30)),
        ("1900-02-29", .dayOutOfRange(year: 1900, month: 2, day: 29, daysInMonth: 28)),
    ])
    func refused(text: String, error: CivilDateError) {
        #expect(throws: error) { try CivilDate(parsing: text) }
        #expect(CivilDate(text) == nil)
    }

    @Test("Error messages say what was wrong and what is valid")
    func civilDateMessages() {
        #expect(CivilDateError.malformed("31-01-2025").description.contains("YYYY-MM-DD"))
        #expect(CivilDateError.dayOutOfRange(year: 2025, month: 2, day: 29, daysInMonth: 28).description
            == "Day 29 does not exist in month 2 of 2025; that month has days 1 to 28.")
    }

    @Test("Dates encode as a JSON string and decode back; bad strings fail to decode")
    func codable() throws {
        let date = try day("2026-04-27")
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-04-27"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }

    @Test("Date arithmetic: weekdays, day counts, months and order")
    func arithmetic() throws {
        #expect(try day("1970-01-01").weekday == .thursday)
        #expect(try day("2026-04-27").weekday == .monday)
        #expect(try day("1900-01-01").weekday == .monday)
        #expect(try day("2000-02-29").adding(days: 1) == (try day("2000-03-01")))
        #expect(try day("2025-12-31").adding(days: 1) == (try day("2026-01-01")))
        #expect(try day("2026-03-01").adding(days: -1) == (try day("2026-02-28")))
        #expect(try day("2024-01-01").days(until: try day("2025-01-01")) == 366)
        #expect(try day("2025-01-31").adding(months: 13) == (try day("2026-02-28")))
        #expect(try day("2025-03-31").adding(months: -1) == (try day("2025-02-28")))
        #expect(try day("2025-01-15").adding(months: -13) == (try day("2023-12-15")))
        #expect(try day("2025-01-31") < (try day("2025-02-01")))
        #expect(try day("2024-12-31") < (try day("2025-01-01")))
        // The day numbers round-trip over a long stretch, across leap centuries.
        var date = try day("1899-12-25")
        for _ in 0..<(366 * 3) {
            let next = date.adding(days: 1)
            #expect(next > date)
            #expect(date.days(until: next) == 1)
            date = next.adding(days: 146)
        }
    }
}
