import Foundation

/// The kind of data-subject request Inzage handles, with the GDPR article that grants the right.
///
/// The raw value is the stable key stored in the database, in request files and in extracts.
public enum RequestType: String, Codable, Sendable, CaseIterable, Hashable {
    /// The right of access (Art. 15): confirmation, a copy of the data and information about the processing.
    case access
    /// The right to rectification (Art. 16): correcting inaccurate data or completing incomplete data.
    case rectification
    /// The right to object (Art. 21): stopping processing for a purpose, absolutely for direct marketing.
    case objection

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The GDPR article that grants the right, as a number: 15, 16 or 21.
    public var gdprArticle: Int {
        switch self {
        case .access: 15
        case .rectification: 16
        case .objection: 21
        }
    }

    /// A citation of the article in the person's language, such as "Art. 15 GDPR" or "art. 15 AVG".
    public var articleReference: LocalizedText {
        LocalizedText(nl: "art. \(gdprArticle) AVG", en: "Art. \(gdprArticle) GDPR")
    }

    /// The short name of the request type.
    public var label: LocalizedText {
        switch self {
        case .access: LocalizedText(nl: "Inzage", en: "Access")
        case .rectification: LocalizedText(nl: "Rectificatie", en: "Rectification")
        case .objection: LocalizedText(nl: "Bezwaar", en: "Objection")
        }
    }

    /// One sentence in plain words saying what the person asked for.
    public var explanation: LocalizedText {
        switch self {
        case .access:
            LocalizedText(
                nl: "U hebt gevraagd welke persoonsgegevens wij van u hebben, waarvoor wij ze gebruiken en met wie wij ze delen.",
                en: "You asked which personal data we hold about you, what we use it for and who we share it with."
            )
        case .rectification:
            LocalizedText(
                nl: "U hebt gevraagd onjuiste of onvolledige persoonsgegevens over u te verbeteren of aan te vullen.",
                en: "You asked us to correct or complete personal data about you that is wrong or incomplete."
            )
        case .objection:
            LocalizedText(
                nl: "U hebt bezwaar gemaakt tegen het gebruik van uw persoonsgegevens voor een of meer doelen.",
                en: "You objected to the use of your personal data for one or more purposes."
            )
        }
    }

    /// Parses a key such as `access`; surrounding white space and letter case are ignored.
    ///
    /// - Throws: ``RequestTypeError/unknownKey(_:)`` naming the valid keys.
    public init(key: String) throws(RequestTypeError) {
        let normalized = key.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let type = RequestType(rawValue: normalized) else {
            throw .unknownKey(key)
        }
        self = type
    }
}

/// A request type key that Inzage does not know.
public enum RequestTypeError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The key is not one of ``RequestType/validKeys``.
    case unknownKey(String)

    /// What was wrong and which keys are valid.
    public var description: String {
        switch self {
        case .unknownKey(let key):
            "Unknown request type \"\(key)\"; valid types are: \(RequestType.validKeys)."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
