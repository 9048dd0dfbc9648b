import Foundation

/// The reference lists an organisation keeps; each entry has a stable key, names in nl and en, a rank and an active flag.
public enum ReferenceList: String, Codable, Sendable, CaseIterable {
    /// GDPR Art. 6(1) legal bases.
    case basis
    /// Purposes of processing.
    case purpose
    /// Sources personal data comes from.
    case source
    /// Recipients of personal data.
    case recipient
    /// The organisation profile (settings).
    case settings
}

/// A legal basis of GDPR Art. 6(1).
public struct LegalBasis: Codable, Sendable, Hashable {
    /// Stable key, such as `consent` or `legitimate-interest`.
    public var key: String
    /// Display name in nl and en.
    public var name: LocalizedText
    /// Explanation in plain words.
    public var description: LocalizedText
    /// The GDPR article, such as `6(1)(a)`.
    public var article: String
    /// The Data Privacy Vocabulary IRI of the basis.
    public var dpvIRI: String
    /// Sort order in lists.
    public var rank: Int
    /// Inactive entries stay for history but are not offered for new data.
    public var active: Bool

    /// The key of the consent basis, whose status tracks the person's consent.
    public static let consentKey = "consent"

    /// Creates a legal basis.
    public init(key: String, name: LocalizedText, description: LocalizedText, article: String, dpvIRI: String, rank: Int, active: Bool = true) {
        self.key = key
        self.name = name
        self.description = description
        self.article = article
        self.dpvIRI = dpvIRI
        self.rank = rank
        self.active = active
    }
}

/// A purpose for which the organisation processes personal data.
public struct Purpose: Codable, Sendable, Hashable {
    /// Stable key, such as `e-marketing`.
    public var key: String
    /// Display name in nl and en.
    public var name: LocalizedText
    /// What the organisation does with the data for this purpose, in plain words.
    public var description: LocalizedText
    /// The legal basis used when none is given.
    public var defaultBasisKey: String
    /// The categories of personal data used.
    public var dataCategories: LocalizedText
    /// How long the data is kept, or the criteria that decide it.
    public var retention: LocalizedText
    /// The consent text shown to the person when consent is asked.
    public var consentText: LocalizedText
    /// Where the privacy statement for this purpose is published.
    public var privacyStatementURL: String?
    /// Whether the purpose is direct marketing (an objection is then absolute, Art. 21(3)).
    public var isDirectMarketing: Bool
    /// Transfers outside the EU/EEA and their safeguards; nil when there are none.
    public var transfersOutsideEU: LocalizedText?
    /// Automated decision-making and its logic; nil when there is none.
    public var automatedDecisionMaking: LocalizedText?
    /// Sort order in lists.
    public var rank: Int
    /// Inactive entries stay for history but are not offered for new data.
    public var active: Bool

    /// Creates a purpose.
    public init(
        key: String, name: LocalizedText, description: LocalizedText, defaultBasisKey: String,
        dataCategories: LocalizedText, retention: LocalizedText, consentText: LocalizedText,
        privacyStatementURL: String? = nil, isDirectMarketing: Bool = false,
        transfersOutsideEU: LocalizedText? = nil, automatedDecisionMaking: LocalizedText? = nil,
        rank: Int, active: Bool = true
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.defaultBasisKey = defaultBasisKey
        self.dataCategories = dataCategories
        self.retention = retention
        self.consentText = consentText
        self.privacyStatementURL = privacyStatementURL
        self.isDirectMarketing = isDirectMarketing
        self.transfersOutsideEU = transfersOutsideEU
        self.automatedDecisionMaking = automatedDecisionMaking
        self.rank = rank
        self.active = active
    }
}

/// Who supplied personal data that came from a source.
public enum SourceType: String, Codable, Sendable, CaseIterable {
    /// The person themself.
    case dataSubject = "data-subject"
    /// Someone else, such as a partner or a list provider.
    case thirdParty = "third-party"
    /// A publicly accessible source.
    case publicSource = "public-source"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How personal data reached the organisation (Art. 14(2)(f)).
public struct Source: Codable, Sendable, Hashable {
    /// Stable key, such as `business-card`.
    public var key: String
    /// Display name in nl and en.
    public var name: LocalizedText
    /// Explanation in plain words.
    public var description: LocalizedText
    /// Who supplied the data.
    public var sourceType: SourceType
    /// The name of the template of the confirmation message for persons registered from this source (Art. 13/14), if
    /// any: letters, digits and hyphens. Stored for that message, which Inzage does not send yet.
    public var confirmationTemplate: String?
    /// Sort order in lists.
    public var rank: Int
    /// Inactive entries stay for history but are not offered for new data.
    public var active: Bool

    /// Creates a source.
    public init(key: String, name: LocalizedText, description: LocalizedText, sourceType: SourceType, confirmationTemplate: String? = nil, rank: Int, active: Bool = true) {
        self.key = key
        self.name = name
        self.description = description
        self.sourceType = sourceType
        self.confirmationTemplate = confirmationTemplate
        self.rank = rank
        self.active = active
    }
}

/// The role a recipient of personal data plays.
public enum RecipientRole: String, Codable, Sendable, CaseIterable {
    /// Processes data on the organisation's behalf (Art. 28).
    case processor
    /// Decides on its own purposes and means.
    case controller
    /// A public authority.
    case authority

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A named recipient of personal data, linked to the purposes for which it receives data.
public struct Recipient: Codable, Sendable, Hashable {
    /// Stable key, such as `mailing-service`.
    public var key: String
    /// The recipient's name.
    public var name: String
    /// Its role.
    public var role: RecipientRole
    /// ISO 3166-1 country code of where it processes the data.
    public var country: String
    /// Where notifications under Art. 19 go.
    public var contactEmail: String?
    /// The person's fields it receives, in ``PersonField`` order; nil: all of them. A correction is passed on only to
    /// the recipients that received the field (Art. 19), and with no more of the person's data than they hold.
    public var fields: [PersonField]?
    /// Sort order in lists.
    public var rank: Int
    /// Inactive entries stay for history.
    public var active: Bool

    /// Whether it processes the data outside the European Economic Area (a transfer to a third country).
    public var isOutsideEEA: Bool { !EuropeanEconomicArea.contains(country) }

    /// Creates a recipient.
    public init(key: String, name: String, role: RecipientRole, country: String, contactEmail: String? = nil,
                fields: [PersonField]? = nil, rank: Int, active: Bool = true) {
        self.key = key
        self.name = name
        self.role = role
        self.country = country
        self.contactEmail = contactEmail
        self.fields = fields
        self.rank = rank
        self.active = active
    }

    /// Whether it receives `field` of the person's data.
    public func receives(_ field: PersonField) -> Bool {
        fields?.contains(field) ?? true
    }
}

/// One recorded change to a reference list or to the settings: who, when, old → new.
public struct ReferenceChange: Codable, Sendable, Hashable {
    /// Row id.
    public var id: Int64?
    /// The list changed.
    public var list: ReferenceList
    /// The entry's key (or the setting's key).
    public var key: String
    /// The field changed, or `created` / `removed` for whole entries.
    public var field: String
    /// The old value, nil when the entry was created.
    public var oldValue: String?
    /// The new value, nil when the entry was removed.
    public var newValue: String?
    /// When.
    public var at: Date
    /// Who.
    public var by: String

    /// Creates a change record.
    public init(id: Int64? = nil, list: ReferenceList, key: String, field: String, oldValue: String?, newValue: String?, at: Date, by: String) {
        self.id = id
        self.list = list
        self.key = key
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.at = at
        self.by = by
    }
}

/// One kind of record that refers to a reference list entry, so that a refused removal can say what holds the entry.
public struct ReferenceUse: Sendable, Hashable {
    /// What refers to the entry, in the singular: `consent`, `request`, `recipient notification`.
    public var kind: String
    /// How many of them do.
    public var count: Int
    /// The first few of them by name, when they have one worth naming (request references, purpose keys).
    public var names: [String]

    /// Creates a use.
    public init(kind: String, count: Int, names: [String] = []) {
        self.kind = kind
        self.count = count
        self.names = names
    }

    /// The use in words: `2 consents`, `1 request (DSR-2026-000001)`.
    public var text: String {
        let shown = names.prefix(3)
        let list = shown.joined(separator: ", ") + (count > shown.count ? ", …" : "")
        return "\(count) \(kind)\(count == 1 ? "" : "s")" + (shown.isEmpty ? "" : " (\(list))")
    }
}
