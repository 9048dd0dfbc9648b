import Foundation

/// A column of an import file (or a key of a JSON object): a person field or one of the consent columns.
enum ImportColumn: Hashable, Sendable {
    /// A field of the person's personal data.
    case person(PersonField)
    /// `consents`: `purpose[:basis]` entries separated by semicolons (in JSON also an array).
    case consents
    /// `consent_given_at`: when the person originally consented (ISO 8601 date or date-time).
    case consentGivenAt
    /// `consent_evidence`: a reference to the evidence of the consents on the row.
    case consentEvidence
    /// `consent_comment`: a comment recorded with the consents on the row.
    case consentComment

    /// The consent columns, in the order they are listed in messages.
    static let consentColumns: [(name: String, column: ImportColumn)] = [
        ("consents", .consents), ("consent-given-at", .consentGivenAt),
        ("consent-evidence", .consentEvidence), ("consent-comment", .consentComment),
    ]

    /// The valid column names in snake_case, as CSV headers usually spell them, for error messages.
    static var validNames: String {
        (PersonField.allCases.map(\.rawValue) + consentColumns.map(\.name))
            .map { $0.replacingOccurrences(of: "-", with: "_") }
            .joined(separator: ", ")
    }

    /// The column named `name` (kebab-case, snake_case, camelCase or words, any case), or nil when there is none.
    init?(name: String) {
        let key = Self.normalisedKey(name)
        if let field = PersonField(rawValue: key) {
            self = .person(field)
        } else if let consent = Self.consentColumns.first(where: { $0.name == key }) {
            self = consent.column
        } else {
            return nil
        }
    }

    /// The name used in refusals: the person field's key, or the consent column's key.
    var name: String {
        switch self {
        case .person(let field): field.rawValue
        case .consents: "consents"
        case .consentGivenAt: "consent-given-at"
        case .consentEvidence: "consent-evidence"
        case .consentComment: "consent-comment"
        }
    }

    /// Folds a column name to kebab-case: `First_Name`, `first-name`, `firstName` and `First name` all become `first-name`.
    static func normalisedKey(_ name: String) -> String {
        var result = ""
        var previousWasLower = false
        for scalar in name.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars {
            if scalar == "_" || scalar == " " || scalar == "-" {
                if !result.hasSuffix("-") { result.append("-") }
                previousWasLower = false
            } else if scalar.properties.isUppercase {
                if previousWasLower { result.append("-") }
                result.unicodeScalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                previousWasLower = false
            } else {
                result.unicodeScalars.append(scalar)
                previousWasLower = scalar.properties.isLowercase
            }
        }
        return result
    }
}

/// The format of an import file, chosen by its extension.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header row; `,` or `;` delimited; UTF-8 with or without BOM.
    case csv
    /// One JSON array of objects, read element by element.
    case json
    /// JSON Lines: one object per line.
    case jsonl

    /// The valid extensions, for error messages.
    public static var validExtensions: String { allCases.map { "." + $0.rawValue }.joined(separator: ", ") }

    /// The format for the file at `path`, or ``ImportError/unsupportedFileType(path:)``.
    public init(path: String) throws {
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let format = ImportFormat(rawValue: fileExtension) else { throw ImportError.unsupportedFileType(path: path) }
        self = format
    }
}
