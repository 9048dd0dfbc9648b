import Foundation

/// A setting of the organisation profile, shown in every extract and message.
public enum SettingKey: String, Codable, Sendable, CaseIterable {
    case name
    case address
    case contactEmail = "contact-email"
    case dpoName = "dpo-name"
    case dpoEmail = "dpo-email"
    case supervisoryAuthorityName = "supervisory-authority-name"
    case supervisoryAuthorityURL = "supervisory-authority-url"
    case supervisoryAuthorityAddress = "supervisory-authority-address"
    case country
    case timeZone = "time-zone"
    case defaultLanguage = "default-language"
    case showStaffNames = "show-staff-names"
    case decreedDays = "decreed-days"
    case extractRetentionDays = "extract-retention-days"
    case phone
    case privacyStatementURL = "privacy-statement-url"
    case extractDelivery = "extract-delivery"
    case attachmentLimitMB = "attachment-limit-mb"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The value a new database starts with.
    public var defaultValue: String {
        switch self {
        case .name: "Voorbeeld B.V."
        case .address: "Voorbeeldstraat 1, 1234 AB Amsterdam, Nederland"
        case .contactEmail: "privacy@example.nl"
        case .dpoName: "Functionaris gegevensbescherming"
        case .dpoEmail: "fg@example.nl"
        case .supervisoryAuthorityName: "Autoriteit Persoonsgegevens"
        case .supervisoryAuthorityURL: "https://autoriteitpersoonsgegevens.nl"
        case .supervisoryAuthorityAddress: "Postbus 93374, 2509 AJ Den Haag, Nederland"
        case .country: "NL"
        case .timeZone: "Europe/Amsterdam"
        case .defaultLanguage: "nl"
        case .showStaffNames: "false"
        case .decreedDays: ""
        case .extractRetentionDays: "30"
        case .phone, .privacyStatementURL: ""
        case .extractDelivery: ExtractDelivery.attachment.rawValue
        case .attachmentLimitMB: "10"
        }
    }
}

/// How the person receives the files that answer an access request.
public enum ExtractDelivery: String, Codable, Sendable, CaseIterable {
    /// Attached to the message that says the answer is ready, when together they fit within the attachment limit;
    /// larger files are handed over as `collectionInstructions` say.
    case attachment
    /// Never attached: the organisation hands the files over itself, as `words.collectionInstructions` of the label
    /// files say (a secured mail, a portal, on paper).
    case instructions

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The organisation profile: who the controller is and where a person can complain.
public struct OrganisationProfile: Codable, Sendable, Hashable {
    /// The organisation's name.
    public var name: String
    /// Its postal address.
    public var address: String
    /// Where people send privacy questions.
    public var contactEmail: String
    /// The data protection officer's name.
    public var dpoName: String
    /// The data protection officer's e-mail address.
    public var dpoEmail: String
    /// The supervisory authority's name.
    public var supervisoryAuthorityName: String
    /// The supervisory authority's web site.
    public var supervisoryAuthorityURL: String
    /// The supervisory authority's postal address.
    public var supervisoryAuthorityAddress: String
    /// ISO 3166-1 code of the country whose public holidays count for deadlines.
    public var country: String
    /// The organisation's time zone identifier.
    public var timeZone: String
    /// The language used when a person's language is unknown.
    public var defaultLanguage: Language
    /// Whether extracts name staff members (otherwise they appear by role).
    public var showStaffNames: Bool
    /// Extra non-working days set by decree (bridging days), which move deadlines like public holidays.
    public var decreedDays: [CivilDate]
    /// How many days extracts are kept before they are deleted.
    public var extractRetentionDays: Int
    /// The organisation's telephone number for privacy questions; empty when not set.
    public var phone: String
    /// Where the organisation's privacy statement is published; empty when not set (a purpose may name its own).
    public var privacyStatementURL: String
    /// How the person receives the files of an access request's answer.
    public var extractDelivery: ExtractDelivery
    /// The most the attached files of one message may hold together, in bytes (the setting is in megabytes).
    public var attachmentLimit: Int64

    /// Builds the profile from stored settings, using defaults for missing keys.
    public init(settings: [SettingKey: String]) {
        func value(_ key: SettingKey) -> String { settings[key] ?? key.defaultValue }
        name = value(.name)
        address = value(.address)
        contactEmail = value(.contactEmail)
        dpoName = value(.dpoName)
        dpoEmail = value(.dpoEmail)
        supervisoryAuthorityName = value(.supervisoryAuthorityName)
        supervisoryAuthorityURL = value(.supervisoryAuthorityURL)
        supervisoryAuthorityAddress = value(.supervisoryAuthorityAddress)
        country = value(.country)
        timeZone = value(.timeZone)
        defaultLanguage = Language(rawValue: value(.defaultLanguage)) ?? .nl
        showStaffNames = value(.showStaffNames) == "true"
        decreedDays = value(.decreedDays).split(separator: ",").compactMap { CivilDate(String($0).trimmingCharacters(in: .whitespaces)) }
        extractRetentionDays = Int(value(.extractRetentionDays)) ?? 30
        phone = value(.phone)
        privacyStatementURL = value(.privacyStatementURL)
        extractDelivery = ExtractDelivery(rawValue: value(.extractDelivery)) ?? .attachment
        attachmentLimit = Int64(Int(value(.attachmentLimitMB)) ?? 10) * 1_000_000
    }

    /// Where the person reads the privacy statement that covers `purpose`: the purpose's own, else the organisation's;
    /// nil when neither is set.
    public func privacyStatementURL(for purpose: Purpose?) -> String? {
        purpose?.privacyStatementURL ?? (privacyStatementURL.isEmpty ? nil : privacyStatementURL)
    }

    /// The deadline calendar of the organisation: its time zone, its country's public holidays and decreed days.
    public func deadlineCalendar() throws -> DeadlineCalendar {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw LedgerError.invalidValue(field: SettingKey.timeZone.rawValue, value: timeZone, reason: "use an IANA time zone such as Europe/Amsterdam")
        }
        guard country == "NL" else {
            throw LedgerError.invalidValue(field: SettingKey.country.rawValue, value: country,
                                           reason: "public holidays are known for NL only; deadlines cannot be computed for another country yet")
        }
        return DeadlineCalendar(timeZone: zone, holidays: PublicHolidays.netherlands.addingDecreedDays(decreedDays))
    }
}
