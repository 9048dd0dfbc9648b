import Foundation

/// Normalises and validates the values of personal data fields.
public enum FieldValidation {
    /// The longest value a free-text field accepts.
    public static let maximumLength = 500

    /// Returns the normalised value for `field`, nil for an empty value, or throws naming what is wrong.
    ///
    /// E-mail addresses are trimmed and lower-cased (matching is case-insensitive); other text is trimmed.
    public static func normalise(_ value: String?, for field: PersonField, sources: ReferenceSnapshot) throws -> String? {
        guard let raw = value else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        if let scalar = trimmed.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            throw LedgerError.invalidValue(field: field.rawValue, value: trimmed.debugDescription,
                                           reason: "it contains the control character U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
        guard trimmed.count <= maximumLength else {
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
            let digits = trimmed.filter(\.isASCIIDigit).count
            let allowed = trimmed.allSatisfy { $0.isASCIIDigit || " +-()./".contains($0) }
            guard allowed, (6...20).contains(digits) else {
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
            return trimmed.count == 2 ? trimmed.uppercased() : trimmed
        default:
            return trimmed
        }
    }

    /// Whether `email` (already trimmed and lower-cased) has the shape of an e-mail address.
    public static func isValidEmail(_ email: String) -> Bool {
        guard email.count <= 254, !email.contains(where: { $0.isWhitespace || $0.isNewline }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, local.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }
}

extension Character {
    /// Whether the character is one of 0–9.
    var isASCIIDigit: Bool { isASCII && isNumber }
}
