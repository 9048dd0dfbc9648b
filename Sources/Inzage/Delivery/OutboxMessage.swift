import Foundation

/// An e-mail address with an optional display name.
public struct MailAddress: Codable, Sendable, Hashable {
    /// The address, such as `anna@example.nl`.
    public var address: String
    /// The name shown with it, such as "Anna Jansen"; nil when unknown.
    public var name: String?

    /// Creates an address; a blank name counts as no name, and line breaks in it become spaces.
    public init(address: String, name: String? = nil) {
        self.address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        let cleaned = name?.components(separatedBy: .controlCharacters).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        self.name = cleaned?.isEmpty == false ? cleaned : nil
    }
}

/// A file attached to a message: a stored extract, read from the extract archive when the message is sent and
/// checked against the SHA-256 and size recorded when it was written.
public struct MessageAttachment: Codable, Sendable, Hashable {
    /// The name the person sees, such as `DSR-2026-000123.xlsx`.
    public var fileName: String
    /// Its MIME type, such as `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`.
    public var contentType: String
    /// Where it is in the extract archive, relative to the archive's root.
    public var archivePath: String
    /// Lower-case hex SHA-256 of its bytes.
    public var sha256: String
    /// Its size in bytes.
    public var size: Int64

    /// Creates an attachment.
    public init(fileName: String, contentType: String, archivePath: String, sha256: String, size: Int64) {
        self.fileName = fileName
        self.contentType = contentType
        self.archivePath = archivePath
        self.sha256 = sha256
        self.size = size
    }
}

/// A rendered message, ready to be stored in the outbox with ``Outbox/enqueue(_:at:in:)``.
public struct OutgoingMessage: Codable, Sendable, Hashable {
    /// What kind of message it is.
    public var kind: MessageKind
    /// The language it is written in.
    public var language: Language
    /// Who it is from: the organisation's name and contact address.
    public var sender: MailAddress
    /// Who it is for.
    public var recipient: MailAddress
    /// The subject line.
    public var subject: String
    /// The plain-text body, lines separated by line feeds.
    public var body: String
    /// The request that caused it.
    public var requestID: Int64?
    /// That request's reference, sent in the `X-Inzage-Request` header.
    public var requestReference: String?
    /// The person it is about.
    public var personID: Int64?
    /// Files sent with it, in order; empty for most messages.
    public var attachments: [MessageAttachment]

    /// Creates a message.
    public init(kind: MessageKind, language: Language, sender: MailAddress, recipient: MailAddress, subject: String, body: String,
                requestID: Int64? = nil, requestReference: String? = nil, personID: Int64? = nil, attachments: [MessageAttachment] = []) {
        self.kind = kind
        self.language = language
        self.sender = sender
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.requestID = requestID
        self.requestReference = requestReference
        self.personID = personID
        self.attachments = attachments
    }
}

/// Where a message in the outbox stands.
public enum OutboxState: String, Codable, Sendable, CaseIterable, Hashable {
    /// Waiting to be sent (the first time, or again after a failed attempt once `nextAttemptAt` has passed).
    case pending
    /// Claimed by a delivery step, which holds a lease; when the lease lapses it is sent again.
    case sending
    /// Delivered to the maildir or accepted by the sendmail command.
    case sent
    /// Every attempt failed; the last error is kept. ``Outbox/requeue(messageID:at:in:)`` tries again.
    case failed

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A message in the outbox with its delivery state.
public struct StoredMessage: Codable, Sendable, Hashable, Identifiable {
    /// The row id.
    public var id: Int64
    /// The RFC 5322 Message-ID without angle brackets, such as `5f0c…@example.nl`; unique, and the same on every attempt.
    public var messageID: String
    /// The message as it was rendered and stored.
    public var message: OutgoingMessage
    /// When it was stored; also its `Date` header, so that every attempt sends the same bytes.
    public var createdAt: Date
    /// Where it stands.
    public var state: OutboxState
    /// How many delivery attempts were started.
    public var attempts: Int
    /// The last delivery error.
    public var lastError: String?
    /// Who holds the message while sending it.
    public var leaseOwner: String?
    /// When that hold lapses.
    public var leaseExpiresAt: Date?
    /// The earliest time of the next attempt after a failure.
    public var nextAttemptAt: Date?
    /// When it was delivered.
    public var sentAt: Date?

    /// Creates a stored message (the store does this when reading).
    public init(id: Int64, messageID: String, message: OutgoingMessage, createdAt: Date, state: OutboxState, attempts: Int,
                lastError: String?, leaseOwner: String?, leaseExpiresAt: Date?, nextAttemptAt: Date?, sentAt: Date?) {
        self.id = id
        self.messageID = messageID
        self.message = message
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
    }
}
