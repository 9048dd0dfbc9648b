import Foundation

/// How text output looks to a privacy officer: dates in the organisation's time zone as `yyyy-MM-dd HH:mm`,
/// list entries named in one language next to their keys, and `—` for an empty value.
public struct TextStyle: Sendable {
    /// The time zone dates are shown in.
    public let timeZone: TimeZone
    /// The language list entries are named in (the CLI speaks English).
    public let language: Language
    private let calendar: Calendar

    /// What an empty value looks like.
    public static let empty = "—"

    /// A style with dates in `timeZone` and names in `language`.
    public init(timeZone: TimeZone, language: Language = .en) {
        self.timeZone = timeZone
        self.language = language
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// A style for the organisation: its time zone (UTC if the stored identifier is unknown), names in `language`.
    public init(profile: OrganisationProfile, language: Language = .en) {
        self.init(timeZone: TimeZone(identifier: profile.timeZone) ?? .gmt, language: language)
    }

    /// `date` as `yyyy-MM-dd HH:mm` in the time zone, or `—` for no date.
    public func date(_ date: Date?) -> String {
        guard let date else { return Self.empty }
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        /// `value` with leading zeros to `width` digits.
        func padded(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.year, 4))-\(padded(parts.month, 2))-\(padded(parts.day, 2)) \(padded(parts.hour, 2)):\(padded(parts.minute, 2))"
    }

    /// `value`, or `—` when it is nil or empty.
    public static func value(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return Self.empty }
        return value
    }

    /// A list entry as "Name (key)", or the bare key when its name is unknown.
    public func named(_ key: String, _ name: LocalizedText?) -> String {
        guard let name else { return key }
        return "\(name[language]) (\(key))"
    }

    /// "`date` by `actor`" for a time stamp with its actor.
    public func stamp(_ date: Date?, by actor: String?) -> String {
        guard let actor, !actor.isEmpty else { return self.date(date) }
        return "\(self.date(date)) by \(actor)"
    }

    /// "old → new" with `—` for an empty side.
    public static func change(_ old: String?, _ new: String?) -> String {
        "\(value(old)) → \(value(new))"
    }

    /// The closing line that says which time zone the dates above are in.
    public var timeZoneNote: String { "Times are in \(timeZone.identifier)." }
}

/// Lays out text in aligned columns.
public enum TextLayout {
    /// Label–value rows with the values aligned after the longest label; continuation lines of a value are indented under it.
    public static func labelled(_ rows: [(label: String, value: String)], indent: Int = 0) -> [String] {
        let width = rows.map(\.label.count).max() ?? 0
        let margin = String(repeating: " ", count: indent)
        let hanging = String(repeating: " ", count: indent + width + 2)
        return rows.flatMap { row in
            let lines = row.value.split(separator: "\n", omittingEmptySubsequences: false)
            let first = margin + pad(row.label, width) + "  " + (lines.first.map(String.init) ?? "")
            return [first] + lines.dropFirst().map { hanging + $0 }
        }
    }

    /// A table: the header, then one line per row, each column padded to its widest cell (the last one is not padded).
    public static func table(header: [String], rows: [[String]], indent: Int = 0) -> [String] {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        let margin = String(repeating: " ", count: indent)
        return all.map { cells in
            let padded = cells.enumerated().map { column, cell in column == cells.count - 1 ? cell : pad(cell, widths[column]) }
            var line = margin + padded.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
