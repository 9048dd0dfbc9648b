import Foundation

/// What an officer decided about one item of a request: an item of a rectification request, or a purpose of an
/// objection. Decisions are append-only; each item is decided once. The names and explanations the person reads
/// are under `codes.itemOutcome` of the label files.
public enum ItemOutcome: String, Codable, Sendable, CaseIterable, Hashable {
    /// A rectification item is carried out: the value is corrected.
    case accepted
    /// A rectification item is not carried out, for a reason given to the person.
    case rejected
    /// A rectification item is carried out by adding a supplementary statement (Art. 16, second sentence).
    case supplemented
    /// A rectification item needs no change: the value held is already the one the person asked for (or already
    /// empty, when they asked to remove it). The person gets what they asked, so it grants the request.
    case alreadyCorrect = "already-correct"
    /// An objection to processing for a direct-marketing purpose, applied at intake with no review (Art. 21(3)).
    case applied
    /// An objection to processing for a purpose that is not direct marketing is upheld: processing stops (Art. 21(1)).
    case upheld
    /// An objection is overridden: processing goes on for compelling legitimate grounds written down (Art. 21(1)).
    case overridden

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether the person's wish was granted.
    public var grantsRequest: Bool {
        switch self {
        case .accepted, .supplemented, .alreadyCorrect, .applied, .upheld: true
        case .rejected, .overridden: false
        }
    }
}

/// One decision on one item of a request, with who decided, when, and what it changed.
public struct ItemDecision: Codable, Sendable, Hashable {
    /// Row id; nil before it is stored.
    public var id: Int64?
    /// The request.
    public var requestID: Int64
    /// The item: the number of a rectification item (`1`, `2`, …) or the key of a purpose objected to.
    public var item: String
    /// What was decided.
    public var outcome: ItemOutcome
    /// The field of a rectification item.
    public var field: PersonField?
    /// The value the person asked for (nil: remove the value, or nothing asked).
    public var requestedValue: String?
    /// The value before a correction, or the value already held (already-correct).
    public var before: String?
    /// The value after a correction, or the value already held (already-correct).
    public var after: String?
    /// Why an item was rejected, or the compelling grounds of an override, or the officer's reason for upholding,
    /// as written to the person.
    public var reason: String?
    /// The supplementary statement added.
    public var statement: String?
    /// When it was decided.
    public var at: Date
    /// Who decided.
    public var by: String

    /// Creates a decision.
    public init(id: Int64? = nil, requestID: Int64, item: String, outcome: ItemOutcome, field: PersonField? = nil,
                requestedValue: String? = nil, before: String? = nil, after: String? = nil, reason: String? = nil,
                statement: String? = nil, at: Date, by: String) {
        self.id = id
        self.requestID = requestID
        self.item = item
        self.outcome = outcome
        self.field = field
        self.requestedValue = requestedValue
        self.before = before
        self.after = after
        self.reason = reason
        self.statement = statement
        self.at = at
        self.by = by
    }
}

/// A request's refusal as the person was told it (Art. 12(4)): the reason and the officer's own words.
public struct RequestRefusal: Codable, Sendable, Hashable {
    /// Why.
    public var reason: RefusalReason
    /// What the officer added for the person; nil when nothing.
    public var note: String?

    /// Creates a refusal.
    public init(reason: RefusalReason, note: String?) {
        self.reason = reason
        self.note = note
    }
}

/// Why a request is refused (Art. 12(4)). The words the person reads — the sentence the refusal letter gives as the
/// reason — are under `codes.refusalReason` of the label files, which an organisation may edit.
public enum RefusalReason: String, Codable, Sendable, CaseIterable, Hashable {
    /// The request is manifestly unfounded (Art. 12(5)).
    case manifestlyUnfounded = "manifestly-unfounded"
    /// The request is excessive, in particular because it repeats (Art. 12(5)).
    case excessive
    /// The person did not confirm their identity when asked (Art. 12(6)); Art. 11(2) when the organisation cannot identify them.
    case identityNotVerified = "identity-not-verified"
    /// No personal data about the person is held, so there is nothing to correct or to stop.
    case noPersonalData = "no-personal-data"
    /// A statutory restriction applies (Art. 23, as in the Dutch UAVG art. 41).
    case legalRestriction = "legal-restriction"
    /// Answering would disclose other people's personal data (Art. 15(4)).
    case rightsOfOthers = "rights-of-others"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a key; surrounding white space and letter case are ignored.
    ///
    /// - Throws: ``RequestError/invalidSubmission(field:reason:)`` naming `reason` and the valid keys.
    public init(key: String) throws {
        guard let reason = RefusalReason(rawValue: key.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()) else {
            throw RequestError.invalidSubmission(field: "reason", reason: "unknown refusal reason '\(key)'; valid reasons are: \(Self.validKeys)")
        }
        self = reason
    }

    /// The GDPR article the refusal rests on.
    public var article: String {
        switch self {
        case .manifestlyUnfounded, .excessive: "12(5)"
        case .identityNotVerified: "12(6)"
        case .noPersonalData: "11(2)"
        case .legalRestriction: "23"
        case .rightsOfOthers: "15(4)"
        }
    }
}

/// Where a notification to a recipient of the person's data (Art. 19) stands.
public enum RecipientNotificationStatus: String, Codable, Sendable, CaseIterable, Hashable {
    /// Stored in the outbox, not yet delivered.
    case planned
    /// Delivered.
    case sent
    /// Every delivery attempt failed; the outbox keeps the error.
    case failed
    /// Not sent, for the reason recorded (impossible or disproportionate effort, Art. 19).
    case exempt

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A notification of a correction to one recipient of the person's data (Art. 19), tracked until it is sent.
public struct RecipientNotification: Codable, Sendable, Hashable {
    /// Row id.
    public var id: Int64?
    /// The rectification request that caused it.
    public var requestID: Int64
    /// The recipient's key.
    public var recipientKey: String
    /// The recipient's name at the time.
    public var recipientName: String
    /// The message in the outbox; nil when exempt.
    public var outboxMessageID: Int64?
    /// Why no notification was sent; nil unless exempt.
    public var exemptReason: String?
    /// When it was planned.
    public var at: Date
    /// Where it stands (read from the outbox message's state).
    public var status: RecipientNotificationStatus

    /// Creates a record.
    public init(id: Int64? = nil, requestID: Int64, recipientKey: String, recipientName: String, outboxMessageID: Int64?,
                exemptReason: String?, at: Date, status: RecipientNotificationStatus) {
        self.id = id
        self.requestID = requestID
        self.recipientKey = recipientKey
        self.recipientName = recipientName
        self.outboxMessageID = outboxMessageID
        self.exemptReason = exemptReason
        self.at = at
        self.status = status
    }
}
