import Foundation

/// Normalises and validates the values of personal data fields.
public enum FieldValidation {
    /// The longest value a free-text field accepts.
    public static let maximumLength = 500

    /// Returns the normalised value for `field`, nil for a value that shows nothing, or throws naming what is wrong.
    ///
    /// E-mail addresses are trimmed and lower-cased (matching is case-insensitive); other text is trimmed. A value of
    /// white space and invisible characters only (U+200B, U+202E, …; see ``FreeText/isBlank(_:)``) is no value, and
    /// the Unicode line and paragraph separators are line breaks like U+000A.
    public static func normalise(_ value: String?, for field: PersonField, sources: ReferenceSnapshot) throws -> String? {
        guard let raw = value else { return nil }
        let trimmed = trimmedWhiteSpace(raw)
        guard !FreeText.isBlank(trimmed) else { return nil }
        if let scalar = firstControlCharacter(in: trimmed) {
            throw LedgerError.invalidValue(field: field.rawValue, value: FreeText.visible(trimmed),
                                           reason: "it contains the control character \(FreeText.codePoint(scalar))")
        }
        guard trimmed.utf8.count <= maximumLength || trimmed.count <= maximumLength else {
            throw LedgerError.invalidValue(field: field.rawValue, value: String(trimmed.prefix(40)) + "…",
                                           reason: "it is longer than \(maximumLength) characters")
        }
        switch field {
        case .email, .secondaryEmail:
            let email = trimmed.lowercased()
            guard isValidEmail(email) else {
                throw LedgerError.invalidValue(field: field.rawValue, value: trimmed,
                                               reason: "an e-mail address looks like name@example.nl: one @, no spaces, a domain with a dot")
            }
            return email
        case .phone:
            guard isValidPhone(trimmed) else {
                throw LedgerError.invalidValue(field: field.rawValue, value: trimmed,
                                               reason: "a phone number has 6 to 20 digits and only spaces, +, -, (, ), . or / besides")
            }
            return trimmed
        case .language:
            guard let language = Language(rawValue: trimmed.lowercased()) else {
                throw LedgerError.invalidValue(field: field.rawValue, value: trimmed, reason: "valid languages: \(Language.validKeys)")
            }
            return language.rawValue
        case .source:
            return try sources.activeSource(trimmed).key
        case .country:
            try checkOneLine(trimmed, field: field)
            // Two letters are a code, and must be one that is assigned; anything longer is the country's name.
            guard trimmed.count == 2 else { return trimmed }
            let code = trimmed.uppercased()
            guard isCountryCode(code) else {
                throw LedgerError.invalidValue(field: field.rawValue, value: trimmed, reason: countryCodeRule + ", or the country's name")
            }
            return code
        case .street:
            // A street address may run over two lines (c/o, a building).
            return trimmed
        default:
            try checkOneLine(trimmed, field: field)
            return trimmed
        }
    }

    /// A name, a city or an id on two lines breaks every table, letter and mail it is shown in. (Fields with a format
    /// of their own, such as e-mail addresses, refuse line breaks with their format's message.)
    private static func checkOneLine(_ value: String, field: PersonField) throws {
        guard FreeText.hasLineBreak(value) else { return }
        throw LedgerError.invalidValue(field: field.rawValue, value: FreeText.visible(value), reason: "it holds a line break; write it on one line")
    }

    /// What a country code must be, for error messages.
    static let countryCodeRule = "give an assigned ISO 3166-1 alpha-2 country code, such as NL, BE, DE or US"

    /// The assigned ISO 3166-1 alpha-2 codes: the two-letter regions Foundation knows (from ICU), less those ISO 3166-1
    /// does not assign to a country: the exceptionally reserved AC, CP, CQ, DG, EA, IC and TA, the groupings EU, EZ,
    /// QO and UN, and XK (Kosovo), which is user-assigned.
    static let countryCodes: Set<String> = Set(Locale.Region.isoRegions.map(\.identifier).filter { $0.count == 2 })
        .subtracting(["AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "QO", "UN", "XK"])

    /// Whether `code` (upper case) is an assigned ISO 3166-1 alpha-2 country code, such as NL.
    public static func isCountryCode(_ code: String) -> Bool { countryCodes.contains(code) }

    /// Whether `email` (already trimmed and lower-cased) is an e-mail address that can stand in a message header
    /// as it is: a dot-atom local part (RFC 5322: letters, digits and ``atextSymbols``, dots between them) and an
    /// ASCII domain of at least two labels (letters, digits, inner hyphens). Quoted local parts, comments and
    /// internationalised addresses (which need SMTPUTF8) are refused, so that no header can be misread.
    public static func isValidEmail(_ email: String) -> Bool {
        let bytes = email.utf8
        guard !bytes.isEmpty, bytes.count <= 254, bytes.allSatisfy({ $0 < 0x80 }) else { return false }
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, local.count <= 64, local.first != dot, local.last != dot,
              !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot }),
              local.allSatisfy({ $0 == dot || isAlphanumeric($0) || atextSymbols.contains($0) })
        else { return false }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != hyphen && label.last != hyphen
                && label.allSatisfy { isAlphanumeric($0) || $0 == hyphen }
        }
    }

    /// The symbols RFC 5322 allows in an atom besides letters and digits.
    static let atextSymbols = Set("!#$%&'*+/=?^_`{|}~-".utf8)

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
    }
}

// MARK: - Fast paths
// An import validates millions of values; these give the same answers as the Character-based rules above
// without Foundation or grapheme breaking when the text is plain ASCII, and fall back to them otherwise.
extension FieldValidation {
    /// `raw` without leading and trailing white space; skips Foundation when both ends are visible ASCII.
    static func trimmedWhiteSpace(_ raw: String) -> String {
        let utf8 = raw.utf8
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return raw
        }
        return raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first control character other than a line feed, if any.
    static func firstControlCharacter(in text: String) -> Unicode.Scalar? {
        for byte in text.utf8 {
            guard byte < 0x80 else {
                return text.unicodeScalars.first { $0.properties.generalCategory == .control && $0 != "\n" }
            }
            if (byte < 0x20 && byte != 0x0A) || byte == 0x7F { return Unicode.Scalar(byte) }
        }
        return nil
    }

    /// Whether `text` is an absolute https address with a host and no blanks, as a person can follow it safely from an
    /// extract, a receipt or a mail (a privacy statement, the supervisory authority, a DPV term). Plain http is refused
    /// everywhere alike: a page the person reads about their rights must not be open to tampering on the way.
    public static func isWebAddress(_ text: String) -> Bool {
        guard !text.contains(where: \.isWhitespace), let url = URL(string: text),
              url.scheme?.lowercased() == "https",
              let host = url.host, host.contains(".") || host == "localhost" else { return false }
        return true
    }

    /// Throws ``LedgerError/invalidValue(field:value:reason:)`` naming `field` unless `text` is nil or a web address.
    static func checkWebAddress(_ text: String?, field: String) throws {
        guard let text, !isWebAddress(text) else { return }
        throw LedgerError.invalidValue(field: field, value: text, reason: "give a web address starting with https://, such as https://example.nl/privacy")
    }

    /// Whether `text` is a phone number: 6 to 20 digits and only spaces, +, -, (, ), . or / besides.
    static func isValidPhone(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var digits = 0
            for byte in text.utf8 {
                if (0x30...0x39).contains(byte) {
                    digits += 1
                } else if !" +-()./".utf8.contains(byte) {
                    return false
                }
            }
            return (6...20).contains(digits)
        }
        let digits = text.filter(\.isASCIIDigit).count
        let allowed = text.allSatisfy { $0.isASCIIDigit || " +-()./".contains($0) }
        return allowed && (6...20).contains(digits)
    }
}

extension Character {
    /// Whether the character is one of 0–9.
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Checks text that people write and others read: reasons, notes, evidence, comments, statements and the names
/// and texts of list entries. Such text is shown in extracts, mails and history, so it may hold line breaks and
/// tabs but no other control characters (they would garble a mail or a terminal), and it has a length limit.
public enum FreeText {
    /// The longest free text accepted, in characters (request files allow the same for grounds and statements).
    public static let maximumLength = 4000
    /// The longest name of an acting user.
    public static let maximumActorLength = 200

    /// Throws ``LedgerError/invalidValue(field:value:reason:)`` naming `field` when `text` holds a control character
    /// other than a line feed or tab, or is longer than `maximumLength` characters; nil passes.
    public static func check(_ text: String?, field: String, maximumLength: Int = maximumLength, singleLine: Bool = false) throws {
        guard let text else { return }
        if let problem = problem(in: text, maximumLength: maximumLength, singleLine: singleLine) {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            throw LedgerError.invalidValue(field: field, value: visible(shown), reason: problem)
        }
    }

    /// What is wrong with `text`, or nil: the first forbidden control character, or the length.
    public static func problem(in text: String, maximumLength: Int = maximumLength, singleLine: Bool = false) -> String? {
        if let scalar = text.unicodeScalars.first(where: { scalar in
            scalar.properties.generalCategory == .control && (singleLine || (scalar != "\n" && scalar != "\t"))
        }) {
            return "it contains the control character \(codePoint(scalar))"
                + (singleLine ? "; write it on one line without tabs" : "; only line breaks and tabs are allowed")
        }
        if singleLine, let separator = text.unicodeScalars.first(where: { $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            return "it holds a line break (\(codePoint(separator))); write it on one line"
        }
        guard text.utf8.count <= maximumLength || text.count <= maximumLength else {
            return "it is \(text.count) characters long; the limit is \(maximumLength)"
        }
        return nil
    }

    /// Whether `text` shows nothing: empty, or only white space and characters that are never drawn (format characters
    /// such as U+200B or U+202E, and the other default-ignorable code points). A required text that is blank is missing.
    public static func isBlank(_ text: String) -> Bool {
        // A visible ASCII character settles it without looking at Unicode properties.
        if text.utf8.contains(where: { (0x21...0x7E).contains($0) }) { return false }
        return text.unicodeScalars.allSatisfy { $0.properties.isWhitespace || $0.properties.isDefaultIgnorableCodePoint }
    }

    /// `text`, or nil when it is nil or blank (see ``isBlank(_:)``): an optional text that shows nothing is not given.
    public static func nonBlank(_ text: String?) -> String? {
        guard let text, !isBlank(text) else { return nil }
        return text
    }

    /// Whether `text` holds a line break: U+000A, or the Unicode line or paragraph separator (U+2028, U+2029), which
    /// break a line wherever the text is shown just as well. (Other control characters are refused on their own.)
    static func hasLineBreak(_ text: String) -> Bool {
        let utf8 = text.utf8
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8: no E2 byte, no separator.
        return utf8.contains(0x0A) || (utf8.contains(0xE2) && text.unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{2029}" })
    }

    /// `scalar` as Unicode writes it: `U+0001`, `U+001B`.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `text` with each control character, line or paragraph separator and invisible format character written as
    /// `<U+0001>`, so that a message can show where it is (and a U+202E cannot turn the message around).
    public static func visible(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                shown += "<\(codePoint(scalar))>"
            default:
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Checks the acting user's name: one line, at most ``maximumActorLength`` characters.
    static func checkActor(_ by: String) throws {
        try check(by, field: "by", maximumLength: maximumActorLength, singleLine: true)
    }

    /// Checks the acting user's name and the reason of an attribution.
    static func check(_ attribution: Attribution) throws {
        try checkActor(attribution.by)
        try check(attribution.reason, field: "reason")
    }
}
