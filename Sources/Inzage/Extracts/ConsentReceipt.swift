import Crypto
import Foundation

/// A record of one consent a person gave, in the JSON form of the Kantara Initiative Consent Receipt Specification
/// 1.1.0 (2018-02-20): who the controller is, when and how the consent was given, for which purpose, which data,
/// how long, and to which third parties it goes. A person can keep it as their own proof of consent.
///
/// Built by ``ConsentReceipts``. Member names and meanings follow the specification's field table.
public struct ConsentReceipt: Codable, Sendable, Hashable {
    /// The specification version: always ``specificationVersion``.
    public var version: String
    /// The jurisdiction of the controller: its ISO 3166-1 country code.
    public var jurisdiction: String
    /// When the consent was given (its last giving or renewal), in seconds since 1970-01-01 UTC (§4.3.3).
    public var consentTimestamp: Int64
    /// How the consent was obtained, in words in the person's language: the channel and the source.
    public var collectionMethod: String
    /// A UUID unique to this consent and this giving of it; asking again gives the same receipt ID.
    public var consentReceiptID: String
    /// The language of the receipt's texts (ISO 639-1).
    public var language: String
    /// The person, by the identifier they gave: their e-mail address, else the organisation's id for them.
    public var piiPrincipalId: String
    /// The controller (the organisation).
    public var piiControllers: [Controller]
    /// The privacy statement that applies.
    public var policyUrl: String
    /// The purpose consented to, as one service with one purpose.
    public var services: [Service]
    /// Whether sensitive (special category) data is involved: Inzage's ledger holds none (its fields are contact data).
    public var sensitive: Bool
    /// The categories of sensitive data; empty, as ``sensitive`` is false.
    public var spiCat: [String]

    /// `KI-CR-v1.1.0`, which §4.3.1 requires for this version of the specification.
    public static let specificationVersion = "KI-CR-v1.1.0"

    /// The controller of a receipt.
    public struct Controller: Codable, Sendable, Hashable {
        /// Its name.
        public var piiController: String
        /// Whom to contact: the data protection officer.
        public var contact: String
        /// Its postal address.
        public var address: Address
        /// Where people send privacy questions.
        public var email: String
        /// Its telephone number.
        public var phone: String
    }

    /// A postal address in the schema.org `PostalAddress` form the specification uses.
    public struct Address: Codable, Sendable, Hashable {
        /// The address as the organisation writes it.
        public var streetAddress: String
        /// ISO 3166-1 country code.
        public var addressCountry: String
    }

    /// A service the consent is for.
    public struct Service: Codable, Sendable, Hashable {
        /// The purpose's name.
        public var service: String
        /// Its one purpose.
        public var purposes: [ServicePurpose]
    }

    /// A purpose of a service.
    public struct ServicePurpose: Codable, Sendable, Hashable {
        /// What the organisation does with the data, in plain words.
        public var purpose: String
        /// The purpose's name, as its category.
        public var purposeCategory: [String]
        /// `EXPLICIT`: consent under the GDPR is always a clear affirmative act (Art. 4(11)).
        public var consentType: String
        /// The categories of personal data used, as the purpose lists them.
        public var piiCategory: [String]
        /// How long the data is kept, and that the consent can be withdrawn at any time.
        public var termination: String
        /// Whether the data goes to third parties for this purpose: recipients other than processors.
        public var thirdPartyDisclosure: Bool
        /// Their names, when it does; absent otherwise.
        public var thirdPartyName: String?
    }
}

/// Why a consent receipt cannot be made.
public enum ConsentReceiptError: Error, CustomStringConvertible, Equatable {
    /// The person has no consent record for the purpose; `standing` lists the purposes a receipt can be made for.
    case noConsent(personID: Int64, purposeKey: String, standing: [String])
    /// No purpose has the key.
    case unknownPurpose(String, valid: [String])
    /// The consent is not standing consent (another legal basis, or withdrawn, objected, refused, expired).
    case notGiven(purposeKey: String, basisKey: String, status: ConsentStatus)
    /// A receipt must give the controller's telephone number, and the `phone` setting is empty.
    case noPhone
    /// A receipt must link a privacy statement; neither the purpose nor the organisation names one.
    case noPolicy(purposeKey: String)

    public var description: String {
        switch self {
        case .noConsent(let personID, let purposeKey, let standing):
            "Person \(personID) has no consent record for '\(purposeKey)'; "
                + (standing.isEmpty ? "no consent of theirs stands, so there is no receipt to make."
                   : "receipts can be made for: \(standing.joined(separator: ", ")).")
        case .unknownPurpose(let key, let valid):
            "Unknown purpose '\(key)'; purposes: \(valid.joined(separator: ", ")) (see `inzage purpose list`)."
        case .notGiven(let purposeKey, let basisKey, let status):
            if basisKey != LegalBasis.consentKey {
                "'\(purposeKey)' rests on the legal basis '\(basisKey)', not on consent, so there is no consent to give a receipt for."
            } else {
                Self.standing(status, purposeKey) + "; a receipt records consent that was given and stands."
            }
        case .noPhone:
            "A consent receipt must give the organisation's telephone number (Kantara Consent Receipt 1.1); set it with "
                + "`inzage settings set phone '+31 20 123 4567'`."
        case .noPolicy(let purposeKey):
            "A consent receipt must link the privacy statement (Kantara Consent Receipt 1.1); set the organisation's with "
                + "`inzage settings set privacy-statement-url https://…`, or the purpose's with "
                + "`inzage purpose update \(purposeKey) --set privacy-statement-url=https://…`."
        }
    }
}

extension ConsentReceiptError {
    /// Where a consent that does not stand is, in words, such as "The person objected to 'e-marketing'".
    static func standing(_ status: ConsentStatus, _ purposeKey: String) -> String {
        switch status {
        case .withdrawn: "The person withdrew their consent for '\(purposeKey)'"
        case .objected: "The person objected to '\(purposeKey)'"
        case .refused: "The person refused consent for '\(purposeKey)'"
        case .expired: "The consent for '\(purposeKey)' expired"
        case .given, .notApplicable: "The consent for '\(purposeKey)' is \(status.rawValue)"
        }
    }
}

/// Makes Kantara consent receipts (``ConsentReceipt``) of a person's standing consents from the ledger.
public struct ConsentReceipts: Sendable {
    private let ledger: Ledger
    private let templates: ExtractTemplates

    /// Receipts from `ledger`, with the words (channels) of `templates`' label files.
    public init(ledger: Ledger, templates: ExtractTemplates) {
        self.ledger = ledger
        self.templates = templates
    }

    /// The receipt of the person's consent for `purposeKey`, in `language` (default: the person's, else the
    /// organisation's).
    ///
    /// - Throws: ``ConsentReceiptError`` when there is no standing consent for the purpose, or a required setting is
    ///   empty; ``LedgerError/unknownPerson(_:)`` and friends for an unknown person.
    public func receipt(personID: Int64, purposeKey: String, language: Language? = nil) throws -> ConsentReceipt {
        try read(personID, language) { try $0.receipt(for: try $0.consent(purposeKey)) }
    }

    /// The receipts of every consent of the person that was given and stands, in purpose order; empty when there is
    /// none.
    public func receipts(personID: Int64, language: Language? = nil) throws -> [ConsentReceipt] {
        try read(personID, language) { context in try context.standing.map(context.receipt(for:)) }
    }

    /// The receipt of the person's consent for `purposeKey` in words (`receipts/consent-receipt.<language>.mustache`),
    /// the form a person reads; as ``receipt(personID:purposeKey:language:)``, with its errors and those of the template.
    public func text(personID: Int64, purposeKey: String, language: Language? = nil) throws -> String {
        try read(personID, language) { context in
            try context.text(for: try context.consent(purposeKey), template: try template(context.labels.language))
        }
    }

    /// The texts of every consent of the person that was given and stands, as ``text(personID:purposeKey:language:)``.
    public func texts(personID: Int64, language: Language? = nil) throws -> [String] {
        try read(personID, language) { context in
            let template = try template(context.labels.language)
            return try context.standing.map { try context.text(for: $0, template: template) }
        }
    }

    /// The relative path of the receipt template of `language`.
    public static func templatePath(for language: Language) -> String { "receipts/consent-receipt.\(language.rawValue).mustache" }

    /// `body` with what one read transaction of the ledger gives for the person's receipts.
    private func read<T>(_ personID: Int64, _ language: Language?, _ body: (Context) throws -> T) throws -> T {
        try ledger.read { reader in try body(try Context(personID: personID, language: language, reader: reader, templates: templates)) }
    }

    /// The parsed receipt template of `language`.
    private func template(_ language: Language) throws -> TextTemplate {
        try TextTemplate(templates.files.file(Self.templatePath(for: language)))
    }

    /// A name-based UUID (RFC 4122 version 5, SHA-1) of the consent and the moment it was given: the same receipt
    /// whenever it is asked for, a new one when the consent is given again.
    static func receiptID(consentID: Int64, givenAt: Int64, person: Int64) -> String {
        var bytes = Array(namespace)
        bytes += Array("consent:\(consentID):person:\(person):given:\(givenAt)".utf8)
        var digest = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        let hex = digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    /// The namespace of Inzage's receipt IDs (a fixed random UUID).
    static let namespace: [UInt8] = [0x6b, 0x1f, 0x0e, 0x52, 0x3c, 0x9a, 0x4d, 0x2b, 0x8e, 0x71, 0x55, 0x0c, 0xa9, 0xd3, 0x47, 0x18]

    /// What one read of the ledger gives for the receipts of one person.
    private struct Context {
        let person: Person
        let consents: [Consent]
        let organisation: OrganisationProfile
        let labels: ExtractLabels
        /// Every purpose, in rank order.
        let purposeList: [Purpose]
        let purposes: [String: Purpose]
        let sources: [String: Source]
        /// The names of the third parties (recipients other than processors) of each purpose, by purpose key.
        let thirdParties: [String: [String]]
        /// The names of the processors of each purpose, by purpose key: recipients too (Art. 13(1)(e)), named in words.
        let processors: [String: [String]]
        /// The last giving (given, renewed or imported) of each consent, by consent id.
        let lastGiving: [Int64: ConsentEvent]

        init(personID: Int64, language: Language?, reader: any LedgerReader, templates: ExtractTemplates) throws {
            guard let person = try reader.person(id: personID) else { throw LedgerError.unknownPerson(personID) }
            self.person = person
            consents = try reader.consents(personID: personID)
            organisation = OrganisationProfile(settings: try reader.settings())
            let language = language ?? person.details.language.flatMap(Language.init(rawValue:)) ?? organisation.defaultLanguage
            labels = try templates.labels(language)
            purposeList = try reader.purposes()
            purposes = Dictionary(purposeList.map { ($0.key, $0) }) { first, _ in first }
            sources = Dictionary(try reader.sources().map { ($0.key, $0) }) { first, _ in first }
            // A processor works on the organisation's behalf: ISO/IEC 29100, whose terms the receipt uses, does not
            // count it as a third party.
            let recipients = try reader.recipients()
            let thirdPartyNames = Dictionary(recipients.filter { $0.role != .processor }.map { ($0.key, $0.name) }) { first, _ in first }
            let processorNames = Dictionary(recipients.filter { $0.role == .processor }.map { ($0.key, $0.name) }) { first, _ in first }
            let byPurpose = try reader.recipientKeysByPurpose()
            thirdParties = byPurpose.mapValues { $0.compactMap { thirdPartyNames[$0] } }
            processors = byPurpose.mapValues { $0.compactMap { processorNames[$0] } }
            var lastGiving: [Int64: ConsentEvent] = [:]
            try reader.forEachConsentEvent(personID: personID) { event in
                if [.given, .renewed, .imported].contains(event.type), event.toStatus == .given { lastGiving[event.consentID] = event }
            }
            self.lastGiving = lastGiving
        }

        /// The consents that were given and stand, in purpose order.
        var standing: [Consent] { consents.filter(Self.stands) }

        /// The person's consent record for `purposeKey`.
        func consent(_ purposeKey: String) throws -> Consent {
            guard purposes[purposeKey] != nil else { throw ConsentReceiptError.unknownPurpose(purposeKey, valid: purposeList.map(\.key)) }
            guard let consent = consents.first(where: { $0.purposeKey == purposeKey }) else {
                throw ConsentReceiptError.noConsent(personID: person.id, purposeKey: purposeKey, standing: standing.map(\.purposeKey))
            }
            return consent
        }

        /// The receipt of `consent` in words, from `template` (that of the receipt's language).
        func text(for consent: Consent, template: TextTemplate) throws -> String {
            let receipt = try receipt(for: consent)
            let zone = TimeZone(identifier: organisation.timeZone) ?? .gmt
            let time = ExtractTime(timeZone: zone)
            let given = Date(timeIntervalSince1970: TimeInterval(receipt.consentTimestamp))
            var v = TemplateVariables()
            v.set("organisationName", organisation.name)
            v.set("organisationAddress", organisation.address)
            v.set("contactEmail", organisation.contactEmail)
            v.set("phone", organisation.phone)
            v.set("dpoName", organisation.dpoName)
            v.set("dpoEmail", organisation.dpoEmail)
            v.set("policyUrl", receipt.policyUrl)
            v.set("purposeName", receipt.services.first?.service)
            v.set("purposeDescription", receipt.services.first?.purposes.first?.purpose)
            v.set("givenOn", labels.longDate(time.civilDate(given)))
            v.set("givenAt", String(time.iso8601(given).dropFirst(11).prefix(5)))  // HH:MM of 2026-03-28T14:05:09+01:00
            v.set("timeZone", zone.identifier)
            v.set("collectionMethod", receipt.collectionMethod)
            v.set("personIdentifier", receipt.piiPrincipalId)
            v.set("termination", receipt.services.first?.purposes.first?.termination)
            v.set("retention", purposes[consent.purposeKey]?.retention[labels.language] ?? receipt.services.first?.purposes.first?.termination)
            v.set("receiptID", receipt.consentReceiptID)
            v.set("dataCategories", list: (receipt.services.first?.purposes.first?.piiCategory ?? []).map { ["category": $0] })
            let names = thirdParties[consent.purposeKey] ?? []
            v.set("anyThirdParties", flag: !names.isEmpty)
            v.set("thirdParties", list: names.map { ["name": $0] })
            let handlers = processors[consent.purposeKey] ?? []
            v.set("anyProcessors", flag: !handlers.isEmpty)
            v.set("processors", list: handlers.map { ["name": $0] })
            return TextTemplate.tidy(try template.render(v))
        }

        /// Whether `consent` is consent given that stands.
        static func stands(_ consent: Consent) -> Bool {
            consent.basisKey == LegalBasis.consentKey && consent.status == .given
        }

        func receipt(for consent: Consent) throws -> ConsentReceipt {
            guard Self.stands(consent) else {
                throw ConsentReceiptError.notGiven(purposeKey: consent.purposeKey, basisKey: consent.basisKey, status: consent.status)
            }
            guard !organisation.phone.isEmpty else { throw ConsentReceiptError.noPhone }
            let purpose = purposes[consent.purposeKey]
            guard let policy = organisation.privacyStatementURL(for: purpose)
            else { throw ConsentReceiptError.noPolicy(purposeKey: consent.purposeKey) }
            let language = labels.language
            let giving = lastGiving[consent.id]
            let givenAt = consent.givenAt ?? giving?.at ?? consent.updatedAt
            let channel = labels.code(giving?.attribution.via ?? consent.updatedVia).label
            let sourceName = sources[consent.sourceKey]?.name[language] ?? consent.sourceKey
            let recipients = thirdParties[consent.purposeKey] ?? []
            let categories = (purpose?.dataCategories[language] ?? "")
                .split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let name = purpose?.name[language] ?? consent.purposeKey
            let retention = purpose?.retention[language] ?? ""
            let seconds = Int64(givenAt.timeIntervalSince1970.rounded(.down))
            return ConsentReceipt(
                version: ConsentReceipt.specificationVersion,
                jurisdiction: organisation.country,
                consentTimestamp: seconds,
                collectionMethod: "\(channel) — \(sourceName)",
                consentReceiptID: ConsentReceipts.receiptID(consentID: consent.id, givenAt: seconds, person: person.id),
                language: language.rawValue,
                piiPrincipalId: person.details.email ?? person.details.externalID ?? "person-\(person.id)",
                piiControllers: [ConsentReceipt.Controller(
                    piiController: organisation.name, contact: organisation.dpoName,
                    address: ConsentReceipt.Address(streetAddress: organisation.address, addressCountry: organisation.country),
                    email: organisation.contactEmail, phone: organisation.phone)],
                policyUrl: policy,
                services: [ConsentReceipt.Service(service: name, purposes: [ConsentReceipt.ServicePurpose(
                    purpose: purpose?.description[language] ?? name, purposeCategory: [name], consentType: "EXPLICIT",
                    piiCategory: categories.isEmpty ? [name] : categories,
                    termination: [retention, labels.word(.objectWithdrawConsent)].filter { !$0.isEmpty }.joined(separator: " "),
                    thirdPartyDisclosure: !recipients.isEmpty,
                    thirdPartyName: recipients.isEmpty ? nil : recipients.joined(separator: ", "))])],
                sensitive: false, spiCat: [])
        }

    }
}
