import Foundation

/// A kind of message Inzage sends: each has a subject and a body template per language,
/// `messages/<kind>.<language>.subject.mustache` and `messages/<kind>.<language>.body.mustache`.
///
/// The raw value is the stable key stored in the outbox and used in the template file names.
public enum MessageKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// To the person: we received your request, this is its reference and when we answer (Art. 12(3)).
    case acknowledgement
    /// To the person: we extend the period by two months, and why (Art. 12(3)).
    case extensionNotice = "extension-notice"
    /// To the person: the answer to an access request is ready, how to get it and until when (Art. 15).
    case extractReady = "extract-ready"
    /// To the person: what was corrected (before and after), added, and refused with the reason and how to complain (Art. 16, 12(4)).
    case rectificationOutcome = "rectification-outcome"
    /// To the person: the objection to direct marketing is applied (Art. 21(3)).
    case objectionConfirmation = "objection-confirmation"
    /// To the person: the objection is upheld, or overridden with the compelling grounds and how to complain (Art. 21(1)).
    case objectionDecision = "objection-decision"
    /// To the person: the request is refused, with the reason and the right to complain and to go to court (Art. 12(4)).
    case refusal
    /// To the person: before acting on the request we must be sure it comes from them; what we ask and how to send it
    /// (Art. 12(6)).
    case identityRequest = "identity-request"
    /// To a recipient of the data: which data of which person was corrected (Art. 19).
    case recipientNotification = "recipient-notification"

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// One of the two templates of a message.
public enum MessagePart: String, Sendable, CaseIterable, Hashable {
    /// The subject line (rendered, then joined into one line).
    case subject
    /// The plain-text body.
    case body
}

/// What a message says beyond what every message says (the organisation, the request and its dates):
/// one case per ``MessageKind``, so that a message cannot be rendered with the details of another kind.
public enum MessageContent: Sendable, Hashable {
    /// The request was received. Its type and dates come from the request.
    case acknowledgement
    /// The period was extended. The new due date and the reason come from the request
    /// (``DataSubjectRequest/extendedDueOn`` and ``DataSubjectRequest/extensionReason``), which must be set.
    case extensionNotice
    /// The extract is ready.
    case extractReady(ExtractReadyDetails)
    /// The outcome of a rectification request, item by item.
    case rectificationOutcome(RectificationOutcomeDetails)
    /// The objection to direct marketing for these purposes was applied.
    case objectionConfirmation(purposes: [Purpose])
    /// An officer's decision on an objection, per purpose.
    case objectionDecision([ObjectionPurposeDecision])
    /// The request is refused for `reason` (written to the person, in their language).
    case refusal(reason: String)
    /// The person is asked to confirm who they are: `question` says what to send (written to the person, in their
    /// language); `late` when the answer is already past its due date, which the message then admits rather than
    /// naming a day gone by as the last.
    case identityRequest(question: String, late: Bool = false)
    /// A recipient of the person's data is told what was corrected.
    case recipientNotification(RecipientNotificationDetails)

    /// The type of request this content answers; nil when it fits every type.
    public var requestType: RequestType? {
        switch self {
        case .acknowledgement, .extensionNotice, .refusal, .identityRequest: nil
        case .extractReady: .access
        case .rectificationOutcome, .recipientNotification: .rectification
        case .objectionConfirmation, .objectionDecision: .objection
        }
    }

    /// The kind of message this content makes.
    public var kind: MessageKind {
        switch self {
        case .acknowledgement: .acknowledgement
        case .extensionNotice: .extensionNotice
        case .extractReady: .extractReady
        case .rectificationOutcome: .rectificationOutcome
        case .objectionConfirmation: .objectionConfirmation
        case .objectionDecision: .objectionDecision
        case .refusal: .refusal
        case .identityRequest: .identityRequest
        case .recipientNotification: .recipientNotification
        }
    }
}

/// How the person gets the files of an extract.
public enum ExtractAccess: Sendable, Hashable {
    /// A personal download link.
    case download(URL)
    /// Instructions for collecting the files another way (written to the person, in their language),
    /// such as "We send the files in a separate e-mail protected with a password that we give you by phone."
    case collection(instructions: String)
    /// The files are attached to the message itself.
    case attached([MessageAttachment])
}

/// The details of an "extract ready" message.
public struct ExtractReadyDetails: Sendable, Hashable {
    /// The formats the extract was written in.
    public var formats: [ExtractFormat]
    /// How the person gets the files.
    public var access: ExtractAccess
    /// The last day the files (or the link) are available, in the organisation's time zone
    /// (``DeadlineCalendar/localDate(for:)`` of the expiry time).
    public var availableUntil: CivilDate
    /// Whether any personal data is held ("we hold no data about you" is an answer too).
    public var dataHeld: Bool
    /// The day of the answer in the organisation's time zone, when known: after the request's (extended) due date
    /// the message apologises for the delay.
    public var answeredOn: CivilDate?

    /// Creates the details.
    public init(formats: [ExtractFormat], access: ExtractAccess, availableUntil: CivilDate, dataHeld: Bool, answeredOn: CivilDate? = nil) {
        self.formats = formats
        self.access = access
        self.availableUntil = availableUntil
        self.dataHeld = dataHeld
        self.answeredOn = answeredOn
    }
}

/// What happened to one item of a rectification request.
public enum RectificationResult: Sendable, Hashable {
    /// The value was corrected; nil means empty (before) or removed (after).
    case corrected(field: PersonField, before: String?, after: String?)
    /// The data was completed with the person's supplementary statement (Art. 16).
    case supplemented(field: PersonField, statement: String)
    /// Nothing needed changing: the field already held `value`, the one asked for (nil: it was already empty).
    case alreadyCorrect(field: PersonField, value: String?)
    /// The item was not carried out, for `reason` (written to the person, in their language).
    case rejected(field: PersonField, requestedValue: String?, reason: String)

    /// The field the item is about.
    public var field: PersonField {
        switch self {
        case .corrected(let field, _, _), .supplemented(let field, _), .alreadyCorrect(let field, _), .rejected(let field, _, _): field
        }
    }

    /// Whether the person's data changed: a correction or a supplement, which the recipients of the data are told
    /// about (Art. 19); not a rejected item or one that was already correct.
    public var changedData: Bool {
        switch self {
        case .corrected, .supplemented: true
        case .rejected, .alreadyCorrect: false
        }
    }
}

/// The details of a "rectification outcome" message.
public struct RectificationOutcomeDetails: Sendable, Hashable {
    /// Every item of the request with its result, in the order of the request.
    public var results: [RectificationResult]
    /// The names of the recipients that were told about the correction (Art. 19).
    public var notifiedRecipients: [String]

    /// Creates the details.
    public init(results: [RectificationResult], notifiedRecipients: [String] = []) {
        self.results = results
        self.notifiedRecipients = notifiedRecipients
    }
}

/// An officer's decision on an objection to processing for one purpose (Art. 21(1)).
public struct ObjectionPurposeDecision: Sendable, Hashable {
    /// Upheld, or overridden with the grounds.
    public enum Outcome: Sendable, Hashable {
        /// Processing for the purpose stops, for the officer's reason (written to the person, in their language).
        case upheld(reason: String)
        /// Processing goes on, for these compelling legitimate grounds (written to the person, in their language).
        case overridden(grounds: String)
    }

    /// The purpose objected to.
    public var purpose: Purpose
    /// What the officer decided.
    public var outcome: Outcome

    /// Creates a decision.
    public init(purpose: Purpose, outcome: Outcome) {
        self.purpose = purpose
        self.outcome = outcome
    }
}

/// A value of one of the person's fields, such as their e-mail address.
public struct FieldValue: Sendable, Hashable {
    /// The field.
    public var field: PersonField
    /// Its value.
    public var value: String

    /// Creates a field value.
    public init(_ field: PersonField, _ value: String) {
        self.field = field
        self.value = value
    }
}

/// The details of a notification to a recipient of the person's data (Art. 19).
public struct RecipientNotificationDetails: Sendable, Hashable {
    /// The person's name, so that the recipient finds the record.
    public var subjectName: String
    /// Further identifiers that help the recipient find the record, such as the e-mail address.
    public var identifiers: [FieldValue]
    /// The corrections and supplements made; a rejected or already correct item is left out (nothing was changed, so a
    /// recipient has nothing to do).
    public var results: [RectificationResult]

    /// Creates the details.
    public init(subjectName: String, identifiers: [FieldValue], results: [RectificationResult]) {
        self.subjectName = subjectName
        self.identifiers = identifiers
        self.results = results
    }
}
