import Foundation

/// Reads of the outbox.
public protocol OutboxReader {
    /// The message with row id `id`, or nil.
    func message(id: Int64) throws -> StoredMessage?
    /// The message with this RFC 5322 Message-ID (without angle brackets), or nil.
    func message(messageID: String) throws -> StoredMessage?
    /// The messages caused by the request, oldest first.
    func messages(requestID: Int64) throws -> [StoredMessage]
    /// The messages in `states` (all when nil), oldest first.
    func messages(states: [OutboxState]?) throws -> [StoredMessage]
}

/// Writes of the outbox, inside one transaction (which may also change the ledger and the requests).
public protocol OutboxWriter: OutboxReader {
    /// Stores a new `pending` message with its Message-ID and returns it with its row id.
    func insertMessage(_ message: OutgoingMessage, messageID: String, at: Date) throws -> StoredMessage
    /// Atomically takes the oldest message that is `pending` and due (`nextAttemptAt` passed), or `sending` with a
    /// lapsed lease (its sender died): marks it `sending`, counts the attempt and leases it to `owner` until `until`.
    func claimNextMessage(owner: String, now: Date, until: Date) throws -> StoredMessage?
    /// Marks the message `sent` at `at` and releases its lease; does nothing when it is already `sent`.
    func markSent(id: Int64, at: Date) throws
    /// Records a failed attempt by `owner`, if it still holds the lease: back to `pending` until `retryAt`, or
    /// `failed` when `retryAt` is nil. Returns whether the record was made.
    func recordFailure(id: Int64, owner: String, error: String, retryAt: Date?) throws -> Bool
    /// Puts a `failed` message back to `pending` with its attempts reset; returns whether it was failed.
    func requeueFailed(id: Int64, at: Date) throws -> Bool
}

/// The outbox's storage.
public protocol OutboxStore: Sendable {
    /// Runs `body` with a consistent view of the outbox.
    func readOutbox<T>(_ body: (any OutboxReader) throws -> T) throws -> T
    /// Runs `body` in one write transaction.
    func writeOutbox<T>(_ body: (any OutboxWriter) throws -> T) throws -> T
}

/// A store holding the ledger, the requests and the outbox, so that a message commits together with the
/// change that caused it (a request filed and its acknowledgement; a rectification applied and its outcome).
public protocol InzageMessagingStore: InzageStore, OutboxStore {
    /// Runs `body` in one write transaction spanning the ledger, the requests and the outbox.
    func transaction<T>(_ body: (any LedgerWriter, any RequestWriter, any OutboxWriter) throws -> T) throws -> T
}
