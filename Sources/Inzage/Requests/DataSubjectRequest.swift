import Foundation

/// How a request reached the organisation.
public enum RequestChannel: String, Codable, Sendable, CaseIterable {
    case email
    case webForm = "web-form"
    case letter
    case phone
    case inPerson = "in-person"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The name in the person's language.
    public var label: LocalizedText {
        switch self {
        case .email: LocalizedText(nl: "E-mail", en: "E-mail")
        case .webForm: LocalizedText(nl: "Webformulier", en: "Web form")
        case .letter: LocalizedText(nl: "Brief", en: "Letter")
        case .phone: LocalizedText(nl: "Telefoon", en: "Phone")
        case .inPerson: LocalizedText(nl: "Persoonlijk", en: "In person")
        }
    }
}

/// A format an extract is delivered in.
public enum ExtractFormat: String, Codable, Sendable, CaseIterable, Comparable {
    /// An Excel workbook for reading.
    case xlsx
    /// A JSON document with a published schema, also the machine-readable copy (Art. 20).
    case json

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public static func < (lhs: ExtractFormat, rhs: ExtractFormat) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The file name extension.
    public var fileExtension: String { rawValue }

    /// The file's media type (MIME type), for an attachment.
    public var mediaType: String {
        switch self {
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .json: "application/json"
        }
    }
}

/// How the person identified themself in the request, as given.
public struct SubjectIdentifiers: Codable, Sendable, Hashable {
    /// The e-mail address given.
    public var email: String?
    /// Inzage's person id, when an officer filed the request for a known person.
    public var personID: Int64?
    /// The CRM's id of the person.
    public var externalID: String?
    /// The name given.
    public var name: String?

    /// Creates identifiers; at least one of e-mail, person id or external id is needed to match.
    public init(email: String? = nil, personID: Int64? = nil, externalID: String? = nil, name: String? = nil) {
        self.email = email
        self.personID = personID
        self.externalID = externalID
        self.name = name
    }
}

/// One correction asked for in a rectification request.
public struct RectificationItem: Codable, Sendable, Hashable {
    /// The field to correct.
    public var field: PersonField
    /// The value the person asks for; nil asks to remove the value.
    public var requestedValue: String?
    /// A supplementary statement the person wants added (Art. 16: completing incomplete data).
    public var statement: String?

    /// Creates an item.
    public init(field: PersonField, requestedValue: String?, statement: String? = nil) {
        self.field = field
        self.requestedValue = requestedValue
        self.statement = statement
    }
}

/// What an objection is about.
public struct ObjectionContent: Codable, Sendable, Hashable {
    /// The purposes objected to.
    public var purposeKeys: [String]
    /// The person's grounds relating to their particular situation (Art. 21(1)).
    public var grounds: String?

    /// Creates the content.
    public init(purposeKeys: [String], grounds: String? = nil) {
        self.purposeKeys = purposeKeys
        self.grounds = grounds
    }
}

/// What a new request says, before it has a reference: from the CLI, a request file or the API.
public struct RequestSubmission: Sendable, Hashable {
    public var type: RequestType
    public var subject: SubjectIdentifiers
    public var channel: RequestChannel
    public var language: Language?
    /// When the organisation received it; nil means now.
    public var receivedAt: Date?
    public var formats: [ExtractFormat]
    public var rectification: [RectificationItem]
    public var objection: ObjectionContent?
    /// Where it came from (a request file's name), for the record.
    public var origin: String?
    /// A digest of the request file, so that ingesting a folder twice files nothing twice.
    public var originDigest: String?
    /// The digest a request file had before digests named the file too (the SHA-256 of its bytes alone): a file
    /// filed then under the same name (`origin`) is recognised by it.
    public var legacyOriginDigest: String?

    /// Creates a submission.
    public init(type: RequestType, subject: SubjectIdentifiers, channel: RequestChannel = .email, language: Language? = nil,
                receivedAt: Date? = nil, formats: [ExtractFormat] = ExtractFormat.allCases,
                rectification: [RectificationItem] = [], objection: ObjectionContent? = nil,
                origin: String? = nil, originDigest: String? = nil) {
        self.type = type
        self.subject = subject
        self.channel = channel
        self.language = language
        self.receivedAt = receivedAt
        self.formats = formats
        self.rectification = rectification
        self.objection = objection
        self.origin = origin
        self.originDigest = originDigest
    }
}

/// A data-subject request in the queue, with its legal dates and processing state.
public struct DataSubjectRequest: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    /// The reference the person and the officers use, such as `DSR-2026-000123`.
    public var reference: String
    public var type: RequestType
    public var state: RequestState
    public var subject: SubjectIdentifiers
    public var channel: RequestChannel
    /// The language to answer in; nil until known (then the person's, else the organisation's default).
    public var language: Language?
    public var formats: [ExtractFormat]
    public var rectification: [RectificationItem]
    public var objection: ObjectionContent?
    /// When it was received.
    public var receivedAt: Date
    /// The local date of receipt in the organisation's time zone; the period starts here.
    public var receivedOn: CivilDate
    /// The legal due date (one month).
    public var dueOn: CivilDate
    /// The due date after an extension by two further months, if extended.
    public var extendedDueOn: CivilDate?
    /// Why the period was extended.
    public var extensionReason: String?
    /// The person the request was matched to.
    public var personID: Int64?
    /// Persons that matched when the match was ambiguous.
    public var candidateIDs: [Int64]
    /// Where it came from (a request file's name).
    public var origin: String?
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    /// Processing attempts made by workers.
    public var attempts: Int
    /// The last processing error, kept for the officer.
    public var lastError: String?
    /// Why the request was refused, when it was (state `rejected`).
    public var refusal: RequestRefusal? = nil

    /// The date the answer is due now: the extended date when extended.
    public var effectiveDueOn: CivilDate { extendedDueOn ?? dueOn }
}

/// One recorded state change of a request: when, by whom, from → to, and why.
public struct RequestTransition: Codable, Sendable, Hashable {
    public var id: Int64?
    public var requestID: Int64
    public var at: Date
    /// The state before; nil when the request was filed.
    public var from: RequestState?
    public var to: RequestState
    public var by: String
    public var note: String?

    /// Creates a transition record.
    public init(id: Int64? = nil, requestID: Int64, at: Date, from: RequestState?, to: RequestState, by: String, note: String?) {
        self.id = id
        self.requestID = requestID
        self.at = at
        self.from = from
        self.to = to
        self.by = by
        self.note = note
    }
}

/// An extract produced for a request (or directly for a person) and kept with its checksum.
public struct StoredExtract: Codable, Sendable, Hashable {
    public var id: Int64?
    /// The request it answers; nil for an extract made directly by an officer.
    public var requestID: Int64?
    /// The person it describes; nil when no data was held.
    public var personID: Int64?
    public var format: ExtractFormat
    /// The file's path, relative to the extract store.
    public var path: String
    /// Lower-case hex SHA-256 of the file.
    public var sha256: String
    /// Size in bytes.
    public var size: Int64
    public var createdAt: Date
    /// When the file is deleted (retention): after the organisation's local day of this instant, which the person was
    /// told is the last.
    public var expiresAt: Date?
    /// When the file was deleted because its retention passed; nil while it is kept. The record stays.
    public var deletedAt: Date?

    /// Creates a record.
    public init(id: Int64? = nil, requestID: Int64?, personID: Int64?, format: ExtractFormat, path: String, sha256: String, size: Int64,
                createdAt: Date, expiresAt: Date? = nil, deletedAt: Date? = nil) {
        self.id = id
        self.requestID = requestID
        self.personID = personID
        self.format = format
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.deletedAt = deletedAt
    }
}
