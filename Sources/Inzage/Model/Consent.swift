import Foundation

/// The state of a person's consent for one purpose. Kept apart from the legal basis.
public enum ConsentStatus: String, Codable, Sendable, CaseIterable {
    /// The person gave consent and has not withdrawn it.
    case given
    /// The person withdrew consent (Art. 7(3)).
    case withdrawn
    /// The person objected to the processing (Art. 21).
    case objected
    /// The person was asked and said no.
    case refused
    /// The consent lapsed.
    case expired
    /// Processing rests on a legal basis other than consent.
    case notApplicable = "not-applicable"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether processing for the purpose may go on in this status.
    public var allowsProcessing: Bool { self == .given || self == .notApplicable }
}

/// What happened to a consent: the append-only event log that proves consent (Art. 7(1)).
public enum ConsentEventType: String, Codable, Sendable, CaseIterable {
    /// Consent given.
    case given
    /// Consent given again while it stood.
    case renewed
    /// Consent withdrawn.
    case withdrawn
    /// The person objected.
    case objected
    /// The person refused consent.
    case refused
    /// A purpose registered on a legal basis other than consent.
    case registered
    /// The legal basis changed.
    case basisChanged = "basis-changed"
    /// The source changed.
    case sourceChanged = "source-changed"
    /// Consent expired.
    case expired
    /// Imported from another system.
    case imported
    /// An objection to direct marketing was lifted by a new consent from the person.
    case suppressionLifted = "suppression-lifted"
    /// An officer decided that processing goes on despite the person's objection, for compelling legitimate
    /// grounds written down in the event's comment (Art. 21(1)); the status does not change.
    case objectionOverridden = "objection-overridden"
}

/// The current state of one person's consent for one purpose.
public struct Consent: Codable, Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// The person.
    public var personID: Int64
    /// The purpose's key.
    public var purposeKey: String
    /// The legal basis's key.
    public var basisKey: String
    /// The consent status.
    public var status: ConsentStatus
    /// The key of the source the consent came from.
    public var sourceKey: String
    /// A comment by the registering user.
    public var comment: String?
    /// The consent text shown to the person when consent was given.
    public var consentText: String?
    /// When consent was (last) given.
    public var givenAt: Date?
    /// When consent was withdrawn or objected to.
    public var withdrawnAt: Date?
    /// When the purpose was first registered for the person.
    public var registeredAt: Date
    /// Who registered it.
    public var registeredBy: String
    /// Through which channel it was registered (the channel of its first consent event).
    public var registeredVia: ChangeChannel
    /// When it last changed.
    public var updatedAt: Date
    /// Who last changed it.
    public var updatedBy: String
    /// Through which channel it last changed (the channel of the consent event that changed it).
    public var updatedVia: ChangeChannel
    /// How often it changed since registration.
    public var updateCount: Int

    /// Creates a consent record.
    public init(
        id: Int64, personID: Int64, purposeKey: String, basisKey: String, status: ConsentStatus, sourceKey: String,
        comment: String?, consentText: String?, givenAt: Date?, withdrawnAt: Date?,
        registeredAt: Date, registeredBy: String, registeredVia: ChangeChannel, updatedAt: Date, updatedBy: String,
        updatedVia: ChangeChannel, updateCount: Int
    ) {
        self.id = id
        self.personID = personID
        self.purposeKey = purposeKey
        self.basisKey = basisKey
        self.status = status
        self.sourceKey = sourceKey
        self.comment = comment
        self.consentText = consentText
        self.givenAt = givenAt
        self.withdrawnAt = withdrawnAt
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
        self.registeredVia = registeredVia
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.updatedVia = updatedVia
        self.updateCount = updateCount
    }
}

/// One event in a consent's history. Never updated, never deleted.
public struct ConsentEvent: Codable, Sendable, Hashable {
    /// Row id (increasing in the order events happened).
    public var id: Int64?
    /// The consent.
    public var consentID: Int64
    /// The person (denormalised for the person's history).
    public var personID: Int64
    /// The purpose's key (denormalised for the person's history).
    public var purposeKey: String
    /// When.
    public var at: Date
    /// What happened.
    public var type: ConsentEventType
    /// Status before; nil on registration.
    public var fromStatus: ConsentStatus?
    /// Status after.
    public var toStatus: ConsentStatus
    /// Legal basis before; nil on registration.
    public var fromBasis: String?
    /// Legal basis after.
    public var toBasis: String
    /// Source before; nil on registration.
    public var fromSource: String?
    /// Source after.
    public var toSource: String
    /// Who, through which channel, and for which request.
    public var attribution: Attribution
    /// A reference to the evidence (a form submission id, a recorded call, a signed document).
    public var evidence: String?
    /// A comment.
    public var comment: String?
    /// When the person gave the consent, for an event by which consent is given (given, renewed, or imported as
    /// given); earlier than ``at`` when it was recorded later (`consent give --given-at`, an import's `givenAt`).
    /// nil for every other event.
    public var givenAt: Date?

    /// Creates an event.
    public init(
        id: Int64? = nil, consentID: Int64, personID: Int64, purposeKey: String, at: Date, type: ConsentEventType,
        fromStatus: ConsentStatus?, toStatus: ConsentStatus, fromBasis: String?, toBasis: String,
        fromSource: String?, toSource: String, attribution: Attribution, evidence: String?, comment: String?,
        givenAt: Date? = nil
    ) {
        self.id = id
        self.consentID = consentID
        self.personID = personID
        self.purposeKey = purposeKey
        self.at = at
        self.type = type
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.fromBasis = fromBasis
        self.toBasis = toBasis
        self.fromSource = fromSource
        self.toSource = toSource
        self.attribution = attribution
        self.evidence = evidence
        self.comment = comment
        self.givenAt = givenAt
    }
}

/// A person who objected to direct marketing for a purpose: imports never give consent for it again.
public struct Suppression: Codable, Sendable, Hashable {
    /// The person.
    public var personID: Int64
    /// The direct-marketing purpose.
    public var purposeKey: String
    /// When the objection was recorded.
    public var at: Date
    /// Who recorded it, and for which request.
    public var attribution: Attribution

    /// Creates a suppression.
    public init(personID: Int64, purposeKey: String, at: Date, attribution: Attribution) {
        self.personID = personID
        self.purposeKey = purposeKey
        self.at = at
        self.attribution = attribution
    }
}

/// One entry of a person's history: a field edit or a consent event.
public enum HistoryEntry: Sendable, Hashable {
    case edit(PersonEdit)
    case consent(ConsentEvent)

    /// When it happened.
    public var at: Date {
        switch self {
        case .edit(let edit): edit.at
        case .consent(let event): event.at
        }
    }
}
