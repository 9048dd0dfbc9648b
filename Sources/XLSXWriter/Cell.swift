#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One cell of a row.
///
/// How each case is stored:
/// - ``text(_:)``: an inline string, never a formula, even when it starts with `=`, `+`, `-` or `@`.
///   Characters XML forbids are written as `_xHHHH_` escapes, the underscore of literal `_x` text is
///   escaped (`_x005F_`) so that text such as `_x0041_` reads back unchanged, and leading and trailing
///   spaces are kept. Text longer than
///   ``XLSXLimits/maximumTextLength`` UTF-16 code units (Excel's limit) is cut and ends with the
///   visible marker `… [truncated: N more characters]`, where N counts the UTF-16 code units cut.
/// - ``integer(_:)``: a number; integers beyond ±2^53 (which a spreadsheet cannot hold exactly) are text.
/// - ``decimal(_:)``: a number written so that it reads back as the same `Double`; NaN and infinities are text.
/// - ``date(_:)``: a date serial number formatted `yyyy-mm-dd`.
/// - ``dateTime(_:_:)``: a date-time serial number formatted `yyyy-mm-dd hh:mm:ss`, holding the local
///   time in the given time zone (to the millisecond).
/// - Dates before 1900-03-01 (where Excel's 1900 leap-year bug makes serials ambiguous) are written as
///   ISO 8601 text in the same layout as the number format.
/// - ``empty``: no cell at all; the next cell moves one column on.
/// - ``hyperlink(url:text:)``: the text (or the URL when the text is empty) in the hyperlink style,
///   linked to the URL. A URL longer than ``XLSXLimits/maximumURLLength`` or holding characters XML
///   forbids, or a link beyond ``XLSXLimits/maximumHyperlinksPerSheet`` in one sheet, cannot be a
///   link; the cell then holds plain text: the URL, or `text (url)` when the text differs from it.
public enum Cell: Sendable, Hashable {
    /// Text, always stored as text.
    case text(String)
    /// A whole number.
    case integer(Int64)
    /// A floating-point number.
    case decimal(Double)
    /// TRUE or FALSE.
    case boolean(Bool)
    /// A calendar date without a time.
    case date(CalendarDate)
    /// An instant, shown as the local date and time in the time zone.
    case dateTime(Date, TimeZone)
    /// No value.
    case empty
    /// A link to `url` showing `text`.
    case hyperlink(url: String, text: String)
}

/// A day in the proleptic Gregorian calendar, without a time or time zone.
public struct CalendarDate: Sendable, Hashable, Comparable {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// Creates a date, throwing ``XLSXError/invalidDate(year:month:day:)`` when the day does not exist.
    public init(year: Int, month: Int, day: Int) throws {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
        else { throw XLSXError.invalidDate(year: year, month: month, day: day) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date a number of days after 1970-01-01 (negative for earlier days); `nil` outside years 1...9999.
    public init?(daysSince1970 days: Int) {
        guard (CivilCalendar.firstDay...CivilCalendar.lastDay).contains(days) else { return nil }
        let (y, m, d) = CivilCalendar.civil(fromDays: days)
        year = y
        month = m
        day = d
    }

    /// The local calendar date of `date` in `timeZone`.
    public init(_ date: Date, in timeZone: TimeZone) {
        let local = CivilCalendar.localMilliseconds(date, timeZone)
        let days = Int(local.floorDivided(by: CivilCalendar.millisecondsPerDay))
        let clamped = Swift.min(Swift.max(days, CivilCalendar.firstDay), CivilCalendar.lastDay)
        let (y, m, d) = CivilCalendar.civil(fromDays: clamped)
        year = y
        month = m
        day = d
    }

    /// Days since 1970-01-01.
    public var daysSince1970: Int { CivilCalendar.days(year: year, month: month, day: day) }

    /// Orders dates chronologically.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Calendar arithmetic on day counts since 1970-01-01 (Howard Hinnant's civil-date algorithms).
enum CivilCalendar {
    static let millisecondsPerDay: Int64 = 86_400_000
    /// 0001-01-01 and 9999-12-31 as days since 1970-01-01.
    static let firstDay = -719_162
    static let lastDay = 2_932_896
    /// Excel's serial number of 1970-01-01 (1900 date system).
    static let serialOf1970 = 25_569
    /// 1900-03-01: the first day whose serial number means the same in every reader.
    static let firstSerialDay = -25_508

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Milliseconds since 1970-01-01 00:00 of the local wall-clock time of `date` in `timeZone` (UTC when nil),
    /// clamped to years 1...9999 (an undefined date counts as the earliest).
    static func localMilliseconds(_ date: Date, _ timeZone: TimeZone?) -> Int64 {
        localMilliseconds(date, offsetSeconds: timeZone.map { $0.secondsFromGMT(for: date) } ?? 0)
    }

    /// ``localMilliseconds(_:_:)`` for a known offset from UTC.
    static func localMilliseconds(_ date: Date, offsetSeconds: Int) -> Int64 {
        let seconds = date.timeIntervalSince1970 + Double(offsetSeconds)
        let lower = Double(firstDay) * 86_400, upper = Double(lastDay + 1) * 86_400 - 0.001
        let clamped = seconds.isNaN ? lower : Swift.min(Swift.max(seconds, lower), upper)
        return Int64((clamped * 1000).rounded())
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

/// Limits of the SpreadsheetML format that this writer enforces.
public enum XLSXLimits {
    /// Rows in one worksheet; later rows continue on a numbered sheet.
    public static let rowsPerSheet = 1_048_576
    /// Columns in one worksheet.
    public static let columnsPerSheet = 16_384
    /// UTF-16 code units in one cell's text.
    public static let maximumTextLength = 32_767
    /// UTF-16 code units in a hyperlink's URL.
    public static let maximumURLLength = 2_079
    /// Hyperlinks in one worksheet.
    public static let maximumHyperlinksPerSheet = 65_530
    /// UTF-16 code units in a sheet name.
    public static let maximumSheetNameLength = 31
    /// Integers with a magnitude above this are written as text (a spreadsheet number is a `Double`).
    public static let largestExactInteger: Int64 = 1 << 53
}
