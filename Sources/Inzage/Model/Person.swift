import Foundation

/// A field of a person's personal data: the unit of the field-level edit history.
public enum PersonField: String, Codable, Sendable, CaseIterable {
    case firstName = "first-name"
    case namePrefix = "name-prefix"
    case lastName = "last-name"
    case email
    case secondaryEmail = "secondary-email"
    case phone
    case street
    case postalCode = "postal-code"
    case city
    case country
    case organisation
    case jobTitle = "job-title"
    case language
    case externalID = "external-id"
    case source

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// What a list of fields means when it is written ``allFieldsWord``: every field.
    public static let allFieldsWord = "all"

    /// Parses a comma-separated list of field keys, such as `email,first-name,last-name`, into fields in their own
    /// order without repeats; ``allFieldsWord`` gives nil (every field). Spaces around keys and letter case are ignored.
    ///
    /// - Throws: ``LedgerError/invalidValue(field:value:reason:)`` naming `option` and the valid keys, for an unknown
    ///   key or an empty list.
    public static func list(from text: String, option: String) throws -> [PersonField]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased() == allFieldsWord { return nil }
        let keys = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !trimmed.isEmpty, !keys.contains("") else {
            throw LedgerError.invalidValue(field: option, value: text, reason: "give the fields separated by commas, such as email,first-name,last-name, or \(allFieldsWord); fields: \(validKeys)")
        }
        var chosen = Set<PersonField>()
        for key in keys {
            guard let field = PersonField(rawValue: key) else {
                throw LedgerError.invalidValue(field: option, value: text, reason: "unknown field '\(key)'; fields: \(validKeys), or \(allFieldsWord)")
            }
            chosen.insert(field)
        }
        return allCases.filter(chosen.contains)
    }

    /// `fields` as the text ``list(from:option:)`` reads: keys separated by commas, or ``allFieldsWord`` for nil.
    public static func text(of fields: [PersonField]?) -> String {
        fields.map { $0.map(\.rawValue).joined(separator: ",") } ?? allFieldsWord
    }

    /// Where the field's value lives in ``PersonDetails``.
    var keyPath: WritableKeyPath<PersonDetails, String?> {
        switch self {
        case .firstName: \.firstName
        case .namePrefix: \.namePrefix
        case .lastName: \.lastName
        case .email: \.email
        case .secondaryEmail: \.secondaryEmail
        case .phone: \.phone
        case .street: \.street
        case .postalCode: \.postalCode
        case .city: \.city
        case .country: \.country
        case .organisation: \.organisation
        case .jobTitle: \.jobTitle
        case .language: \.language
        case .externalID: \.externalID
        case .source: \.sourceKey
        }
    }

    /// Parses a field key, accepting the CLI's kebab-case and the snake_case of CSV headers.
    public init(key: String) throws {
        let normalized = key.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        guard let field = PersonField(rawValue: normalized) else {
            throw LedgerError.unknownField(key, valid: PersonField.validKeys)
        }
        self = field
    }
}

/// The personal data of a person: every field is optional text so that changes can be recorded uniformly.
public struct PersonDetails: Codable, Sendable, Hashable {
    public var firstName: String?
    public var namePrefix: String?
    public var lastName: String?
    public var email: String?
    public var secondaryEmail: String?
    public var phone: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    public var country: String?
    public var organisation: String?
    public var jobTitle: String?
    /// `nl` or `en`; the language Inzage writes to the person in.
    public var language: String?
    /// The person's id in the CRM the data came from.
    public var externalID: String?
    /// The key of the source the person's data came from.
    public var sourceKey: String?

    /// Creates details; every field defaults to empty.
    public init(
        firstName: String? = nil, namePrefix: String? = nil, lastName: String? = nil,
        email: String? = nil, secondaryEmail: String? = nil, phone: String? = nil,
        street: String? = nil, postalCode: String? = nil, city: String? = nil, country: String? = nil,
        organisation: String? = nil, jobTitle: String? = nil, language: String? = nil,
        externalID: String? = nil, sourceKey: String? = nil
    ) {
        self.firstName = firstName
        self.namePrefix = namePrefix
        self.lastName = lastName
        self.email = email
        self.secondaryEmail = secondaryEmail
        self.phone = phone
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
        self.organisation = organisation
        self.jobTitle = jobTitle
        self.language = language
        self.externalID = externalID
        self.sourceKey = sourceKey
    }

    /// The value of one field. (A switch rather than `field.keyPath`: an import reads and writes fields
    /// some hundred times per person, and key path projection is several times slower.)
    public subscript(_ field: PersonField) -> String? {
        get {
            switch field {
            case .firstName: firstName
            case .namePrefix: namePrefix
            case .lastName: lastName
            case .email: email
            case .secondaryEmail: secondaryEmail
            case .phone: phone
            case .street: street
            case .postalCode: postalCode
            case .city: city
            case .country: country
            case .organisation: organisation
            case .jobTitle: jobTitle
            case .language: language
            case .externalID: externalID
            case .source: sourceKey
            }
        }
        set {
            switch field {
            case .firstName: firstName = newValue
            case .namePrefix: namePrefix = newValue
            case .lastName: lastName = newValue
            case .email: email = newValue
            case .secondaryEmail: secondaryEmail = newValue
            case .phone: phone = newValue
            case .street: street = newValue
            case .postalCode: postalCode = newValue
            case .city: city = newValue
            case .country: country = newValue
            case .organisation: organisation = newValue
            case .jobTitle: jobTitle = newValue
            case .language: language = newValue
            case .externalID: externalID = newValue
            case .source: sourceKey = newValue
            }
        }
    }

    /// The person's full name as it is written: first name, prefix, last name.
    public var displayName: String {
        [firstName, namePrefix, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The fields whose values differ between `self` and `other`.
    public func changedFields(to other: PersonDetails) -> [PersonField] {
        PersonField.allCases.filter { self[$0] != other[$0] }
    }
}

/// A person whose personal data the organisation holds.
public struct Person: Codable, Sendable, Hashable, Identifiable {
    /// Inzage's id of the person.
    public var id: Int64
    /// The personal data.
    public var details: PersonDetails
    /// When the person was registered.
    public var createdAt: Date
    /// Who registered the person.
    public var createdBy: String
    /// When the personal data last changed.
    public var updatedAt: Date
    /// Who last changed it.
    public var updatedBy: String

    /// The language to write to this person in, falling back to `fallback`.
    public func language(fallback: Language) -> Language {
        details.language.flatMap(Language.init(rawValue:)) ?? fallback
    }

    /// Creates a person record.
    public init(id: Int64, details: PersonDetails, createdAt: Date, createdBy: String, updatedAt: Date, updatedBy: String) {
        self.id = id
        self.details = details
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// One change to one field of a person's data: written in the same transaction as the change.
public struct PersonEdit: Codable, Sendable, Hashable {
    /// Row id (increasing in the order changes were made).
    public var id: Int64?
    /// The person changed.
    public var personID: Int64
    /// The field changed.
    public var field: PersonField
    /// The value before; nil when the field was empty.
    public var oldValue: String?
    /// The value after; nil when the field was removed.
    public var newValue: String?
    /// When.
    public var at: Date
    /// Who and through which channel, why, and for which request.
    public var attribution: Attribution

    /// Creates an edit record.
    public init(id: Int64? = nil, personID: Int64, field: PersonField, oldValue: String?, newValue: String?, at: Date, attribution: Attribution) {
        self.id = id
        self.personID = personID
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.at = at
        self.attribution = attribution
    }
}

/// A supplementary statement that completes a person's data (Art. 16, second sentence): the person's own words
/// kept with a field, never replacing its value. Statements are append-only, like edit records.
public struct PersonStatement: Codable, Sendable, Hashable {
    /// Row id; nil before it is stored.
    public var id: Int64?
    /// The person.
    public var personID: Int64
    /// The field the statement is about.
    public var field: PersonField
    /// The statement.
    public var statement: String
    /// When it was added.
    public var at: Date
    /// Who added it, through which channel, why, and for which request.
    public var attribution: Attribution

    /// Creates a statement.
    public init(id: Int64? = nil, personID: Int64, field: PersonField, statement: String, at: Date, attribution: Attribution) {
        self.id = id
        self.personID = personID
        self.field = field
        self.statement = statement
        self.at = at
        self.attribution = attribution
    }
}
