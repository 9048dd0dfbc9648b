import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

// Fast row decoding for the SQLite store. The dossier of one person reads a few thousand rows per extract, and
// decoding them through GRDB's `Row` costs more than SQLite's own work: every `Date` goes through
// `DateComponents` and a `Calendar`, every enum through a `String`. These helpers read the current row of a
// stepping statement with the `sqlite3_column_*` functions, parse the date text GRDB writes without a calendar,
// and look enum keys up by their bytes. Each of them falls back to GRDB's own decoding for any value of another
// shape, so the results are exactly what `Row` decoding gives.

extension Database {
    /// Runs the cached statement `sql` with `arguments` and calls `body` with the columns of each result row,
    /// valid only during that call. `table` names the table read in error messages.
    func forEachRow(_ sql: String, table: String, arguments: StatementArguments = [], _ body: (SQLiteColumns) throws -> Void) throws {
        let statement = try cachedStatement(sql: sql)
        let columns = SQLiteColumns(statement.sqliteStatement, table: table)
        try StepCursor(statement: statement, arguments: arguments).forEach { try body(columns) }
    }

    /// Runs the cached statement `sql` with `arguments` and decodes every result row with `decode`.
    func fetchAll<T>(_ sql: String, table: String, arguments: StatementArguments = [], _ decode: (SQLiteColumns) throws -> T) throws -> [T] {
        var values: [T] = []
        try forEachRow(sql, table: table, arguments: arguments) { values.append(try decode($0)) }
        return values
    }
}

/// Steps a statement through GRDB (which tracks the statements it runs) without building the `Row` that
/// `Row.fetchCursor` makes for every query (a dictionary of its column names); the columns are read with
/// ``SQLiteColumns``.
private final class StepCursor: DatabaseCursor {
    typealias Element = Void
    let _statement: Statement
    var _isDone = false

    /// Resets `statement` and binds `arguments`, as GRDB's cursors do.
    init(statement: Statement, arguments: StatementArguments) throws {
        _statement = statement
        try statement.setArguments(arguments)
    }

    deinit {
        // As GRDB's cursors do: a cursor left early leaves no statement running.
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) {}
}

/// The columns of the current row of a stepping SQLite statement, read directly (no `Row`, no `DatabaseValue`).
///
/// Decoding matches GRDB's: a string is the column's text up to its first NUL (`String(cString:)`, invalid UTF-8
/// repaired), a date is what `Date.fromDatabaseValue` gives. A NULL where a value is required, an unknown enum key
/// and an unreadable date throw ``StoreError/corruptValue(table:column:value:)`` (GRDB's `Row` subscripts trap).
struct SQLiteColumns {
    /// The statement, positioned on a row.
    let statement: SQLiteStatement
    /// The table read, for error messages.
    let table: String

    /// Wraps `statement`, which must be positioned on a row while the columns are read.
    init(_ statement: SQLiteStatement, table: String) {
        self.statement = statement
        self.table = table
    }

    /// Whether the column is NULL.
    func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// The column's name, for error messages.
    private func name(_ index: Int32) -> String {
        sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "column \(index)"
    }

    /// The error for a column that holds NULL or an unreadable value.
    private func corrupt(_ index: Int32, _ value: String) -> StoreError {
        StoreError.corruptValue(table: table, column: name(index), value: value)
    }

    /// A required integer column.
    func int64(_ index: Int32) throws -> Int64 {
        guard !isNull(index) else { throw corrupt(index, "NULL") }
        return sqlite3_column_int64(statement, index)
    }

    /// A nullable integer column.
    func optionalInt64(_ index: Int32) -> Int64? {
        isNull(index) ? nil : sqlite3_column_int64(statement, index)
    }

    /// A required integer column, as `Int`.
    func int(_ index: Int32) throws -> Int {
        Int(try int64(index))
    }

    /// A required boolean column (stored as 0 or 1).
    func bool(_ index: Int32) throws -> Bool {
        try int64(index) != 0
    }

    /// A required text column.
    func string(_ index: Int32) throws -> String {
        guard let text = sqlite3_column_text(statement, index) else { throw corrupt(index, "NULL") }
        return String(cString: text)
    }

    /// A nullable text column.
    func optionalString(_ index: Int32) -> String? {
        // `sqlite3_column_text` is NULL exactly for NULL (or when out of memory, which GRDB does not expect either).
        guard let text = sqlite3_column_text(statement, index) else { return nil }
        return String(cString: text)
    }

    /// The bytes of a text column, valid until the row changes; nil when NULL.
    private func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let text = sqlite3_column_text(statement, index) else { return nil }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index)))
    }

    /// A required date column.
    func date(_ index: Int32) throws -> Date {
        guard let date = try optionalDate(index) else { throw corrupt(index, "NULL") }
        return date
    }

    /// A nullable date column.
    func optionalDate(_ index: Int32) throws -> Date? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return nil
        case SQLITE_TEXT:
            if let bytes = bytes(index), let date = StoredDateFormat.date(bytes) { return date }
        default:
            break
        }
        // Any other shape (or a number): GRDB's own decoding.
        guard let date = Date(sqliteStatement: statement, index: index) else {
            throw corrupt(index, optionalString(index) ?? "")
        }
        return date
    }

    /// A required column holding the raw value of `T`.
    func value<T: StoredKey>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        guard let value = try optionalValue(index, as: type) else { throw corrupt(index, "NULL") }
        return value
    }

    /// A nullable column holding the raw value of `T`.
    func optionalValue<T: StoredKey>(_ index: Int32, as type: T.Type = T.self) throws -> T? {
        guard let bytes = bytes(index) else { return nil }
        if let value = T.storedKeys.value(bytes) { return value }
        // Not one of the keys byte for byte: compare as a string, as `T(rawValue:)` on the column's text does.
        let text = try string(index)
        guard let value = T(rawValue: text) else { throw corrupt(index, text) }
        return value
    }

    /// A required JSON column holding a ``LocalizedText``.
    func localizedText(_ index: Int32) throws -> LocalizedText {
        guard let text = try optionalLocalizedText(index) else { throw corrupt(index, "NULL") }
        return text
    }

    /// A nullable JSON column holding a ``LocalizedText``.
    func optionalLocalizedText(_ index: Int32) throws -> LocalizedText? {
        guard let bytes = bytes(index) else { return nil }
        if let text = LocalizedTextJSON.parse(bytes) { return text }
        // Any other shape (escapes, other keys, invalid text): the JSON decoder decides, as before.
        let text = try string(index)
        do {
            return try JSONDecoder().decode(LocalizedText.self, from: Data(text.utf8))
        } catch {
            throw corrupt(index, text)
        }
    }
}

// MARK: - Enum keys

/// A string enum stored by its raw value, looked up by the column's bytes without making a `String`.
protocol StoredKey: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// The raw values of all cases as bytes.
    static var storedKeys: StoredKeyTable<Self> { get }
}

/// The raw values of an enum's cases as bytes, for look-ups by a column's text: a key of up to 24 bytes is
/// compared as its length and three machine words.
struct StoredKeyTable<Value: RawRepresentable & CaseIterable & Sendable>: Sendable where Value.RawValue == String {
    private typealias Words = (UInt64, UInt64, UInt64)

    private struct Entry: Sendable {
        let count: Int
        let words: Words
        let value: Value
    }

    private let entries: [Entry]

    /// The table of all cases of `Value` (a raw value longer than 24 bytes is left to the caller's fallback).
    init() {
        entries = Value.allCases.compactMap { value in
            Array(value.rawValue.utf8).withUnsafeBufferPointer { bytes in
                Self.words(bytes).map { Entry(count: bytes.count, words: $0, value: value) }
            }
        }
    }

    /// The case whose raw value is exactly `bytes`, or nil.
    func value(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard let words = Self.words(bytes) else { return nil }
        for entry in entries where entry.count == bytes.count && entry.words == words {
            return entry.value
        }
        return nil
    }

    /// The bytes, zero-padded into three words; nil when longer than 24 bytes.
    private static func words(_ bytes: UnsafeBufferPointer<UInt8>) -> Words? {
        guard bytes.count <= MemoryLayout<Words>.size else { return nil }
        var words: Words = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        return words
    }
}

extension PersonField: StoredKey {
    static let storedKeys = StoredKeyTable<PersonField>()
}

extension ChangeChannel: StoredKey {
    static let storedKeys = StoredKeyTable<ChangeChannel>()
}

extension ConsentStatus: StoredKey {
    static let storedKeys = StoredKeyTable<ConsentStatus>()
}

extension ConsentEventType: StoredKey {
    static let storedKeys = StoredKeyTable<ConsentEventType>()
}

extension SourceType: StoredKey {
    static let storedKeys = StoredKeyTable<SourceType>()
}

extension RecipientRole: StoredKey {
    static let storedKeys = StoredKeyTable<RecipientRole>()
}

extension RequestState: StoredKey {
    static let storedKeys = StoredKeyTable<RequestState>()
}

extension RequestType: StoredKey {
    static let storedKeys = StoredKeyTable<RequestType>()
}

extension RequestChannel: StoredKey {
    static let storedKeys = StoredKeyTable<RequestChannel>()
}

extension ItemOutcome: StoredKey {
    static let storedKeys = StoredKeyTable<ItemOutcome>()
}

extension Language: StoredKey {
    static let storedKeys = StoredKeyTable<Language>()
}

extension RefusalReason: StoredKey {
    static let storedKeys = StoredKeyTable<RefusalReason>()
}

// MARK: - Dates

/// GRDB's storage format for dates, `YYYY-MM-DD HH:MM:SS.SSS` in UTC, parsed without `DateComponents` and
/// `Calendar`, to the very same `Date` as GRDB's decoding.
enum StoredDateFormat {
    /// The date of `text` when it is a valid date in the format GRDB writes (or the same without milliseconds, or
    /// with a `T` separator), in the years 1600–9999; nil for anything else, which the caller decodes with GRDB.
    ///
    /// The arithmetic is that of Foundation's Gregorian calendar in UTC, operation by operation, so the result is
    /// bit-identical: the start of the day is a whole number of seconds (exact), the time of day is
    /// `hour·3600 + minute·60 + second` (exact) plus `nanosecond / 1e9`, and the two are added last.
    static func date(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        let count = text.count
        guard count == 19 || count == 23, let p = text.baseAddress else { return nil }
        guard p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
              p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "T"),
              p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":")
        else { return nil }
        @inline(__always) func digits(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for offset in start..<(start + length) {
                let digit = Int(p[offset]) &- 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2)
        else { return nil }
        var millisecond = -1
        if count == 23 {
            guard p[19] == UInt8(ascii: "."), let value = digits(20, 3) else { return nil }
            millisecond = value
        }
        // Only what Foundation takes literally: well after the Julian-Gregorian cutover, no overflowing fields.
        guard year >= 1600, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let dayStart = Double(daysSinceReferenceDate(year: year, month: month, day: day) * 86_400)
        var secondsInDay = Double(hour) * 3600.0
        secondsInDay += Double(minute) * 60.0
        secondsInDay += Double(second)
        if millisecond >= 0 {
            secondsInDay += Double(millisecond * 1_000_000) / 1_000_000_000.0
        }
        return Date(timeIntervalSinceReferenceDate: dayStart + secondsInDay)
    }

    /// The number of days in a month of the Gregorian calendar.
    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1 January 2001 (Foundation's reference date) to the date, in the proleptic Gregorian calendar.
    private static func daysSinceReferenceDate(year: Int, month: Int, day: Int) -> Int {
        // Howard Hinnant's days_from_civil, counted from 1970-01-01, then shifted by the 11,323 days to 2001.
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468 - 11_323
    }
}

// MARK: - Localized texts

/// The JSON of a ``LocalizedText`` column as Inzage writes it (`{"en":"…","nl":"…"}`), parsed without
/// `JSONDecoder`.
enum LocalizedTextJSON {
    /// The text, when `json` is an object with exactly the keys `en` and `nl` holding strings with at most the
    /// simple escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); nil for anything else (including `\u`
    /// escapes), which the caller hands to `JSONDecoder`. Invalid UTF-8 is repaired as `String(cString:)` repairs
    /// the whole column (a repair never spans the ASCII quotes around a value).
    static func parse(_ json: UnsafeBufferPointer<UInt8>) -> LocalizedText? {
        var parser = Parser(bytes: json)
        var nl: String?
        var en: String?
        parser.skipWhitespace()
        guard parser.take(UInt8(ascii: "{")) else { return nil }
        repeat {
            parser.skipWhitespace()
            guard let key = parser.key() else { return nil }
            parser.skipWhitespace()
            guard parser.take(UInt8(ascii: ":")) else { return nil }
            parser.skipWhitespace()
            guard let value = parser.string() else { return nil }
            switch key {
            case .nl where nl == nil: nl = value
            case .en where en == nil: en = value
            default: return nil
            }
            parser.skipWhitespace()
        } while parser.take(UInt8(ascii: ","))
        guard parser.take(UInt8(ascii: "}")) else { return nil }
        parser.skipWhitespace()
        guard parser.atEnd, let nl, let en else { return nil }
        return LocalizedText(nl: nl, en: en)
    }

    private enum Key { case nl, en }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// `"nl"` or `"en"`, unescaped.
        mutating func key() -> Key? {
            guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "\""), bytes[position + 3] == UInt8(ascii: "\"")
            else { return nil }
            let first = bytes[position + 1], second = bytes[position + 2]
            position += 4
            if first == UInt8(ascii: "n"), second == UInt8(ascii: "l") { return .nl }
            if first == UInt8(ascii: "e"), second == UInt8(ascii: "n") { return .en }
            return nil
        }

        /// A string value with simple escapes only.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            // Most texts have no escapes: the bytes between the quotes are the text.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { return nil }
                position += 1
            }
            var unescaped = Array(bytes[start..<position])
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: unescaped, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { return nil }
                    let escaped = bytes[position]
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escaped)
                    case UInt8(ascii: "b"): unescaped.append(0x08)
                    case UInt8(ascii: "f"): unescaped.append(0x0C)
                    case UInt8(ascii: "n"): unescaped.append(0x0A)
                    case UInt8(ascii: "r"): unescaped.append(0x0D)
                    case UInt8(ascii: "t"): unescaped.append(0x09)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    unescaped.append(byte)
                }
            }
            return nil
        }
    }
}
