import Foundation

/// An address in a message.
///
/// JSON: `address`, `name` (or null).
public struct OutboxAddressDocument: Encodable, Sendable {
    public let address: String
    @ExplicitNull public var name: String?

    /// The document of `address`.
    public init(_ address: MailAddress) {
        self.address = address.address
        name = address.name
    }

    /// `Name <address>`, or the bare address.
    public var text: String { name.map { "\($0) <\(address)>" } ?? address }
}

/// One message in the outbox.
///
/// JSON: `id`, `messageID` (without angle brackets), `kind`, `language`, `requestReference`, `requestID`, `personID`
/// (each null when the message is not about a request or person), `recipient` (an ``OutboxAddressDocument``),
/// `subject`, `state`, `attempts`, `createdAt`, `nextAttemptAt`, `sentAt` (ISO 8601 with offset, or null),
/// `lastError` (or null).
public struct OutboxSummaryDocument: Encodable, Sendable {
    public let id: Int64
    public let messageID: String
    public let kind: MessageKind
    public let language: Language
    @ExplicitNull public var requestReference: String?
    @ExplicitNull public var requestID: Int64?
    @ExplicitNull public var personID: Int64?
    public let recipient: OutboxAddressDocument
    public let subject: String
    public let state: OutboxState
    public let attempts: Int
    public let createdAt: Date
    @ExplicitNull public var nextAttemptAt: Date?
    @ExplicitNull public var sentAt: Date?
    @ExplicitNull public var lastError: String?

    /// The summary of `stored`.
    public init(_ stored: StoredMessage) {
        id = stored.id
        messageID = stored.messageID
        kind = stored.message.kind
        language = stored.message.language
        requestReference = stored.message.requestReference
        requestID = stored.message.requestID
        personID = stored.message.personID
        recipient = OutboxAddressDocument(stored.message.recipient)
        subject = stored.message.subject
        state = stored.state
        attempts = stored.attempts
        createdAt = stored.createdAt
        nextAttemptAt = stored.nextAttemptAt
        sentAt = stored.sentAt
        lastError = stored.lastError
    }

    /// The last error on one line, cut to `limit` characters.
    public func lastErrorText(limit: Int) -> String {
        guard let lastError, !lastError.isEmpty else { return TextStyle.empty }
        let line = lastError.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}
