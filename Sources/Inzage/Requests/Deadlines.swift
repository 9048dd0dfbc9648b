import Foundation

// MARK: - CivilDate

/// A calendar date without a time or a time zone (proleptic Gregorian), as the law counts periods:
/// the day a request was received, the day it is due.
///
/// Encoded and printed as `YYYY-MM-DD`. Dates made by ``init(year:month:day:)`` or parsed from text
/// have a year in ``validYears``.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The year, such as 2026.
    public let year: Int
    /// The month, 1 (January) to 12 (December).
    public let month: Int
    /// The day of the month, from 1.
    public let day: Int

    /// The years a date may be created or parsed with (four digits in `YYYY-MM-DD`).
    public static let validYears = 1...9999

    /// A day of the week, numbered as ISO 8601 does: Monday is 1, Sunday is 7.
    public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable {
        /// Monday (1).
        case monday = 1
        /// Tuesday (2).
        case tuesday
        /// Wednesday (3).
        case wednesday
        /// Thursday (4).
        case thursday
        /// Friday (5).
        case friday
        /// Saturday (6).
        case saturday
        /// Sunday (7).
        case sunday
    }

    /// Creates a date after checking that it exists.
    ///
    /// - Throws: ``CivilDateError`` when the year is outside ``validYears``, the month outside 1...12,
    ///   or the day does not exist in that month.
    public init(year: Int, month: Int, day: Int) throws(CivilDateError) {
        guard Self.validYears.contains(year) else { throw .yearOutOfRange(year) }
        guard (1...12).contains(month) else { throw .monthOutOfRange(month) }
        let length = Self.numberOfDays(inMonth: month, year: year)
        guard (1...length).contains(day) else {
            throw .dayOutOfRange(year: year, month: month, day: day, daysInMonth: length)
        }
        self.init(uncheckedYear: year, month: month, day: day)
    }

    /// Creates a date from components the caller has already made valid (date arithmetic).
    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, such as `2026-01-31`.
    ///
    /// - Throws: ``CivilDateError/malformed(_:)`` when the text is not in that form, or another
    ///   ``CivilDateError`` when the date does not exist.
    public init(parsing text: String) throws(CivilDateError) {
        let bytes = Array(text.utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9]
        guard bytes.count == 10,
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              digitPositions.allSatisfy({ isDigit(bytes[$0]) })
        else {
            throw .malformed(text)
        }
        func number(_ range: Range<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        try self.init(year: number(0..<4), month: number(5..<7), day: number(8..<10))
    }

    /// Parses `YYYY-MM-DD`; nil when the text is not an existing date in that form.
    public init?(_ description: String) {
        guard let date = try? CivilDate(parsing: description) else { return nil }
        self = date
    }

    /// The date as `YYYY-MM-DD`.
    public var description: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// Orders dates chronologically.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes a date from a `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the date as a `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Whether `year` is a leap year in the Gregorian calendar.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` (1...12) of `year`; 0 for a month outside 1...12.
    public static func numberOfDays(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    /// The day of the week.
    public var weekday: Weekday {
        // Day 0 (1970-01-01) was a Thursday (4).
        let index = ((dayNumber % 7) + 7 + 3) % 7 + 1
        return Weekday(rawValue: index) ?? .monday
    }

    /// Whether the date is a Saturday or a Sunday.
    public var isWeekend: Bool {
        weekday == .saturday || weekday == .sunday
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CivilDate {
        CivilDate(dayNumber: dayNumber + days)
    }

    /// The same day `months` months later (earlier when negative); when that day does not exist in
    /// the target month, the last day of that month (31 January + 1 month = 28 or 29 February).
    public func adding(months: Int) -> CivilDate {
        let monthIndex = year * 12 + (month - 1) + months
        let newYear = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        let newMonth = monthIndex - newYear * 12 + 1
        let newDay = Swift.min(day, Self.numberOfDays(inMonth: newMonth, year: newYear))
        return CivilDate(uncheckedYear: newYear, month: newMonth, day: newDay)
    }

    /// The number of days from this date to `other`: positive when `other` is later, 0 on the same day.
    public func days(until other: CivilDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// Days since 1970-01-01 (negative before it), by Howard Hinnant's `days_from_civil`.
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01, by Howard Hinnant's `civil_from_days`.
    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(uncheckedYear: year, month: month, day: day)
    }
}

/// A text or components that do not make an existing ``CivilDate``.
public enum CivilDateError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The text is not of the form `YYYY-MM-DD`.
    case malformed(String)
    /// The year is outside ``CivilDate/validYears``.
    case yearOutOfRange(Int)
    /// The month is outside 1...12.
    case monthOutOfRange(Int)
    /// The day does not exist in that month.
    case dayOutOfRange(year: Int, month: Int, day: Int, daysInMonth: Int)

    /// What was wrong and what is valid.
    public var description: String {
        switch self {
        case .malformed(let text):
            "\"\(text)\" is not a date of the form YYYY-MM-DD, such as 2026-01-31."
        case .yearOutOfRange(let year):
            "The year \(year) is out of range; a date needs a year from \(CivilDate.validYears.lowerBound) to \(CivilDate.validYears.upperBound)."
        case .monthOutOfRange(let month):
            "The month \(month) does not exist; a month is 1 to 12."
        case .dayOutOfRange(let year, let month, let day, let length):
            "Day \(day) does not exist in month \(month) of \(year); that month has days 1 to \(length)."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}

// MARK: - DeadlineCalendar

/// Computes the legal dates of a data-subject request: the day of receipt, the due date (Art. 12(3)
/// GDPR) and the extended due date, counting periods per Regulation (EEC, Euratom) No 1182/71.
///
/// A period of months ends on the day with the same date as the day of receipt (the day of receipt
/// itself is not counted), or on the last day of the month when that date does not exist; a period
/// that ends on a Saturday, Sunday or public holiday ends on the next working day (Art. 3(4)). Dates are
/// taken in the organisation's time zone and holidays from its country.
public struct DeadlineCalendar: Sendable {
    /// The time zone used when none is given: the Netherlands.
    public static let defaultTimeZoneIdentifier = "Europe/Amsterdam"

    /// The organisation's time zone, which decides on which day an instant falls.
    public let timeZone: TimeZone
    /// The organisation's public holidays, including configured days.
    public let holidays: PublicHolidays

    /// The months in the ordinary period of Art. 12(3).
    public static let periodMonths = 1
    /// The months from receipt to the end of the extended period: one month plus two further months.
    public static let extendedPeriodMonths = 3

    /// Creates a calendar for an organisation in `timeZone` whose holidays are `holidays`.
    public init(timeZone: TimeZone, holidays: PublicHolidays = .netherlands) {
        self.timeZone = timeZone
        self.holidays = holidays
    }

    /// Creates a calendar from a time zone identifier such as `Europe/Amsterdam` (the default).
    ///
    /// - Throws: ``DeadlineCalendarError/unknownTimeZone(_:)`` when the system does not know the zone.
    public init(
        timeZoneIdentifier: String = DeadlineCalendar.defaultTimeZoneIdentifier,
        holidays: PublicHolidays = .netherlands
    ) throws(DeadlineCalendarError) {
        guard let zone = TimeZone(identifier: timeZoneIdentifier) else {
            throw .unknownTimeZone(timeZoneIdentifier)
        }
        self.init(timeZone: zone, holidays: holidays)
    }

    /// The calendar date of `instant` in the organisation's time zone.
    public func localDate(for instant: Date) -> CivilDate {
        let offset = Double(timeZone.secondsFromGMT(for: instant))
        let days = ((instant.timeIntervalSince1970 + offset) / 86_400).rounded(.down)
        // Keep absurd instants (infinite, NaN, far beyond any calendar) from trapping the conversion.
        let limit = 1e12
        let bounded = days.isNaN ? 0 : Swift.min(Swift.max(days, -limit), limit)
        return CivilDate(dayNumber: Int(bounded))
    }

    /// The day of receipt of a request that arrived at `instant`: its local date in the organisation's zone.
    public func receivedDate(for instant: Date) -> CivilDate {
        localDate(for: instant)
    }

    /// Whether `date` is a working day: not a Saturday, Sunday or public holiday.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        !date.isWeekend && !holidays.isHoliday(date)
    }

    /// `date` itself when it is a working day, otherwise the first working day after it.
    ///
    /// Gives up after a year of consecutive non-working days (only a misconfigured holiday list can
    /// cause that) and then returns the day a year on, rather than looping for ever.
    public func nextWorkingDay(onOrAfter date: CivilDate) -> CivilDate {
        var candidate = date
        var skipped = 0
        while !isWorkingDay(candidate), skipped < 366 {
            candidate = candidate.adding(days: 1)
            skipped += 1
        }
        return candidate
    }

    /// The due date of a request received on `receivedOn`: one month later, moved to a working day.
    ///
    /// It is also the last day for telling the person about a refusal (Art. 12(4)) or an extension
    /// (Art. 12(3)), both of which must happen within the first month.
    public func dueDate(receivedOn: CivilDate) -> CivilDate {
        nextWorkingDay(onOrAfter: receivedOn.adding(months: Self.periodMonths))
    }

    /// The due date after the extension by two further months: three months after receipt, moved to a
    /// working day (counted from the day of receipt, not from the ordinary due date).
    public func extendedDueDate(receivedOn: CivilDate) -> CivilDate {
        nextWorkingDay(onOrAfter: receivedOn.adding(months: Self.extendedPeriodMonths))
    }

    /// Calendar days from the local date of `now` to `due`: 0 on the due date, negative once overdue.
    public func daysUntil(_ due: CivilDate, from now: Date) -> Int {
        localDate(for: now).days(until: due)
    }

    /// Whether the request is overdue at `now`: the local date is after `due`. The due date itself is
    /// still in time.
    public func isOverdue(due: CivilDate, now: Date) -> Bool {
        localDate(for: now) > due
    }

    /// Checks that the period of a request received on `receivedOn` may be extended at `now`, and
    /// returns the extended due date.
    ///
    /// Art. 12(3) allows one extension by two further months, decided while the request is not yet due
    /// (up to and including the due date), with reasons that are told to the person. `dueOn` is the due date
    /// the request holds (the one `request list` shows); without it, the due date of `receivedOn`.
    ///
    /// - Throws: ``DeadlineExtensionError/alreadyExtended(extendedDue:)`` when the period was extended
    ///   before, ``DeadlineExtensionError/pastDue(due:today:)`` when the local date of `now` is after the
    ///   due date, ``DeadlineExtensionError/missingReason`` when `reason` shows nothing (``FreeText/isBlank(_:)``).
    @discardableResult
    public func validateExtension(
        receivedOn: CivilDate,
        dueOn: CivilDate? = nil,
        alreadyExtended: Bool,
        now: Date,
        reason: String
    ) throws(DeadlineExtensionError) -> CivilDate {
        let extendedDue = extendedDueDate(receivedOn: receivedOn)
        if alreadyExtended {
            throw .alreadyExtended(extendedDue: extendedDue)
        }
        let due = dueOn ?? dueDate(receivedOn: receivedOn)
        let today = localDate(for: now)
        if today > due {
            throw .pastDue(due: due, today: today)
        }
        if FreeText.isBlank(reason) {
            throw .missingReason
        }
        return extendedDue
    }
}

/// A ``DeadlineCalendar`` that cannot be set up.
public enum DeadlineCalendarError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The system does not know this time zone identifier.
    case unknownTimeZone(String)

    /// What was wrong and what is valid.
    public var description: String {
        switch self {
        case .unknownTimeZone(let identifier):
            "Unknown time zone \"\(identifier)\"; use an IANA time zone identifier such as \(DeadlineCalendar.defaultTimeZoneIdentifier) (is the tzdata package installed?)."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Why the period of a request cannot be extended.
public enum DeadlineExtensionError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The period was already extended once; the request is due on `extendedDue`.
    case alreadyExtended(extendedDue: CivilDate)
    /// The request was due on `due` and the local date is already `today`.
    case pastDue(due: CivilDate, today: CivilDate)
    /// No reason was given.
    case missingReason

    /// What was wrong and what is valid.
    public var description: String {
        switch self {
        case .alreadyExtended(let extendedDue):
            "The period of this request was already extended (it is now due on \(extendedDue)); Art. 12(3) GDPR allows only one extension, by two further months."
        case .pastDue(let due, let today):
            "The period can no longer be extended: the request was due on \(due) and today is \(today); an extension must be decided, and the person told why, no later than the due date."
        case .missingReason:
            "An extension needs a reason, such as the complexity or the number of requests, because the person must be told why; the reason given was empty."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
