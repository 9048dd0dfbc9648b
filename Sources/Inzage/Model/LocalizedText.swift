import Foundation

/// A language Inzage writes to people in: Dutch or English.
public enum Language: String, Codable, Sendable, CaseIterable, Comparable {
    case nl
    case en

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public static func < (lhs: Language, rhs: Language) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A text in both languages Inzage speaks; stored as one JSON column.
public struct LocalizedText: Codable, Sendable, Hashable {
    /// The Dutch text.
    public var nl: String
    /// The English text.
    public var en: String

    /// Creates a text from its Dutch and English versions.
    public init(nl: String, en: String) {
        self.nl = nl
        self.en = en
    }

    /// The same text in both languages (for names that need no translation).
    public init(_ both: String) {
        self.init(nl: both, en: both)
    }

    /// The text in `language`.
    public subscript(_ language: Language) -> String {
        get { language == .nl ? nl : en }
        set {
            switch language {
            case .nl: nl = newValue
            case .en: en = newValue
            }
        }
    }
}
