import Foundation

/// The outbox: messages are stored here, in the same transaction as the change that caused them, and sent
/// later by ``MessageDelivery``. A message is never sent from inside a transaction, so a rolled-back change
/// sends nothing, and a committed one is sent even if the process stops right after the commit.
///
/// ```swift
/// try store.transaction { ledger, requests, outbox in
///     let filed = …                                      // the change
///     let message = try renderer.render(.acknowledgement, about: filed, to: person, in: language, organisation: profile)
///     try Outbox.enqueue(message, at: now, in: outbox)   // commits with the change, or not at all
/// }
/// ```
public enum Outbox {
    /// Checks `message` and stores it as `pending` with a new unique Message-ID, in the transaction of `writer`.
    ///
    /// - Throws: ``MessageError/invalidAddress(role:)`` when the sender or recipient is not an e-mail address,
    ///   ``MessageError/invalidContent(kind:field:reason:)`` when the subject is empty or not one line, or the body is empty.
    @discardableResult
    public static func enqueue(_ message: OutgoingMessage, at now: Date, in writer: any OutboxWriter) throws -> StoredMessage {
        try validate(message)
        return try writer.insertMessage(message, messageID: newMessageID(sender: message.sender), at: now)
    }

    /// Puts a `failed` message back in the queue for another round of attempts (an officer's retry).
    ///
    /// - Returns: whether the message was `failed` (a message in another state is left alone).
    @discardableResult
    public static func requeue(messageID: String, at now: Date, in writer: any OutboxWriter) throws -> Bool {
        guard let message = try writer.message(messageID: messageID) else { return false }
        return try writer.requeueFailed(id: message.id, at: now)
    }

    /// A new globally unique Message-ID (RFC 5322 §3.6.4) in the sender's domain, without angle brackets.
    static func newMessageID(sender: MailAddress) -> String {
        let domain = sender.address.split(separator: "@").last.map { $0.lowercased() } ?? "inzage.invalid"
        return "\(UUID().uuidString.lowercased()).inzage@\(domain)"
    }

    /// The characters of a request reference (it goes into a header unencoded).
    private static let referenceCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")

    /// Refuses a message that could not be sent as it is.
    static func validate(_ message: OutgoingMessage) throws {
        guard FieldValidation.isValidEmail(message.sender.address) else { throw MessageError.invalidAddress(role: "sender") }
        guard FieldValidation.isValidEmail(message.recipient.address) else { throw MessageError.invalidAddress(role: "recipient") }
        guard !message.subject.trimmingCharacters(in: .whitespaces).isEmpty,
              !message.subject.unicodeScalars.contains(where: CharacterSet.newlines.contains)
        else {
            throw MessageError.invalidContent(kind: message.kind, field: "subject", reason: "must be one line of text")
        }
        guard !message.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw MessageError.invalidContent(kind: message.kind, field: "body", reason: "is empty")
        }
        if let reference = message.requestReference,
           reference.isEmpty || !reference.unicodeScalars.allSatisfy(referenceCharacters.contains) {
            throw MessageError.invalidContent(kind: message.kind, field: "requestReference", reason: "must be a reference such as DSR-2026-000123")
        }
    }
}
