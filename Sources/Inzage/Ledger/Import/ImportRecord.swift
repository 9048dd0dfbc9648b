import Foundation

/// One consent a row of an import file asks to record.
struct ImportConsent: Sendable, Hashable {
    /// The purpose's key.
    var purposeKey: String
    /// The legal basis's key; nil takes the purpose's default basis.
    var basisKey: String?
    /// When the person originally gave it; nil for "now".
    var givenAt: Date?
    /// A reference to the evidence.
    var evidence: String?
    /// A comment.
    var comment: String?
}

/// One record of an import file, mapped onto person fields and consents, not yet checked against the ledger.
struct ImportRecord: Sendable {
    /// The physical line where the record starts.
    var line: Int
    /// The record's place in the file: 1 for the first row or object (the header not counted). Tells the objects of
    /// a JSON array written on one line apart.
    var number = 0
    /// The person fields as given (empty cells are nil).
    var details = PersonDetails()
    /// The consents the row asks for, in file order.
    var consents: [ImportConsent] = []
    /// The row's `consent_given_at`, applied to its consents that carry no date of their own.
    var givenAt: Date?
    /// The row's `consent_evidence`.
    var evidence: String?
    /// The row's `consent_comment`.
    var comment: String?
    /// A problem found while reading the record (bad quoting, an unreadable date): the row is refused.
    var problem: ImportRefusal?

    /// Creates an empty record starting at `line`.
    init(line: Int) {
        self.line = line
    }

    /// Records the first problem of the row; later ones are dropped since the row is refused anyway.
    mutating func refuse(field: String, reason: String) {
        if problem == nil { problem = ImportRefusal(line: line, record: number, field: field, reason: reason) }
    }

    /// Stores a text value for `column`, parsing consent lists and dates.
    mutating func set(_ column: ImportColumn, text: String, parser: ImportValueParser) {
        switch column {
        case .person(let field):
            details[field] = Self.nonBlank(text)
        case .consents:
            consents += parser.consents(fromList: text, record: &self)
        case .consentGivenAt:
            givenAt = parser.date(text, field: column.name, record: &self)
        case .consentEvidence:
            evidence = Self.nonBlank(text)
        case .consentComment:
            comment = Self.nonBlank(text)
        }
    }

    /// The row's consents with the row-wide date, evidence and comment filled in where a consent has none.
    var resolvedConsents: [ImportConsent] {
        consents.map { consent in
            var consent = consent
            consent.givenAt = consent.givenAt ?? givenAt
            consent.evidence = consent.evidence ?? evidence
            consent.comment = consent.comment ?? comment
            return consent
        }
    }

    /// `text` trimmed, or nil when nothing is left.
    static func nonBlank(_ text: String) -> String? {
        let trimmed = ImportValueParser.trimmed(text)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Parses the non-personal values of an import file: consent lists and ISO 8601 dates.
struct ImportValueParser: Sendable {
    /// The time zone of dates and date-times written without an offset (the organisation's).
    let timeZone: TimeZone

    /// Parses `purpose[:basis]` entries separated by semicolons; empty entries are ignored.
    func consents(fromList text: String, record: inout ImportRecord) -> [ImportConsent] {
        var result: [ImportConsent] = []
        for entry in text.split(separator: ";", omittingEmptySubsequences: true) {
            if let consent = consent(fromSpec: String(entry), record: &record) { result.append(consent) }
        }
        return result
    }

    /// Parses one `purpose[:basis]` entry.
    func consent(fromSpec spec: String, record: inout ImportRecord) -> ImportConsent? {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { Self.trimmed(String($0)) }
        if parts.count == 1, parts[0].isEmpty { return nil }
        guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            record.refuse(field: "consents", reason: "each consent is written purpose or purpose:basis, such as e-marketing:consent, separated by semicolons")
            return nil
        }
        return ImportConsent(purposeKey: parts[0].lowercased(), basisKey: parts.count == 2 ? parts[1].lowercased() : nil)
    }

    /// Parses an ISO 8601 date (`2024-03-01`, midnight in the organisation's time zone) or date-time
    /// (`2024-03-01T09:30`, `2024-03-01 09:30:15.250`, with an optional `Z` or `±HH:MM` offset); empty is nil.
    func date(_ text: String, field: String, record: inout ImportRecord) -> Date? {
        let trimmed = Self.trimmed(text)
        if trimmed.isEmpty { return nil }
        guard let date = Self.parseISO8601(trimmed, timeZone: timeZone) else {
            if let year = Int(trimmed.prefix(4)), trimmed.utf8.count >= 10, year < InputDates.earliestYear {
                record.refuse(field: field, reason: "the year \(trimmed.prefix(4)) lies before \(InputDates.earliestYear); dates are read from \(InputDates.earliestYear) on")
                return nil
            }
            record.refuse(field: field, reason: "use an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T09:30:00+01:00, "
                + "from the year \(InputDates.earliestYear) on")
            return nil
        }
        return date
    }

    /// The date `text` denotes, or nil when it is not an ISO 8601 date or date-time, or its year is before
    /// ``InputDates/earliestYear``.
    static func parseISO8601(_ text: String, timeZone: TimeZone) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), year >= InputDates.earliestYear, scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, nanosecond: 0)
        var zone = timeZone
        if !scanner.atEnd {
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
                  let hour = scanner.number(digits: 2), scanner.skip(":"),
                  let minute = scanner.number(digits: 2) else { return nil }
            components.hour = hour
            components.minute = minute
            if scanner.skip(":") {
                guard let second = scanner.number(digits: 2) else { return nil }
                components.second = second
                if scanner.skip(".") || scanner.skip(",") {
                    guard let (fraction, digits) = scanner.digits(), digits <= 9 else { return nil }
                    var nanoseconds = fraction
                    for _ in digits..<9 { nanoseconds *= 10 }
                    components.nanosecond = nanoseconds
                }
            }
            if scanner.skip("Z") || scanner.skip("z") {
                zone = TimeZone(secondsFromGMT: 0) ?? timeZone
            } else if let sign = scanner.sign() {
                guard let hours = scanner.number(digits: 2) else { return nil }
                _ = scanner.skip(":")
                let minutes = scanner.atEnd ? 0 : scanner.number(digits: 2)
                guard let minutes, hours <= 18, minutes < 60,
                      let offset = TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60)) else { return nil }
                zone = offset
            }
            guard scanner.atEnd, (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(components.second ?? 0)
            else { return nil }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        components.calendar = calendar
        components.timeZone = zone
        guard (1...12).contains(month), (1...31).contains(day), components.isValidDate else { return nil }
        return calendar.date(from: components)
    }

    /// `text` without leading and trailing white space (ASCII fast path; other white space via Foundation).
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last else { return text }
        if first < 0x80, last < 0x80, !isASCIISpace(first), !isASCIISpace(last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `byte` is an ASCII space, tab, line feed, carriage return, vertical tab or form feed.
    @inline(__always)
    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// Reads fixed-width numbers and signs from the bytes of an ISO 8601 text.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    /// Starts at the first byte.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte was read.
    var atEnd: Bool { index == bytes.count }

    /// Reads exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    /// Reads one or more decimal digits; returns the value and how many digits there were.
    mutating func digits() -> (Int, Int)? {
        let start = index
        var value = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]), index - start < 18 {
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        return index > start ? (value, index - start) : nil
    }

    /// Consumes `character` when it is next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Consumes `+` (1) or `-` (-1) when it is next.
    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
