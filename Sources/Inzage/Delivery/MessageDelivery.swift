import Foundation
import Logging

/// What one delivery attempt did.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The message was delivered and marked sent.
    case sent(messageID: String, attempt: Int)
    /// The attempt failed; the message is tried again after `retryAt`.
    case willRetry(messageID: String, attempt: Int, retryAt: Date)
    /// The last attempt failed; the message is `failed` with the error kept, until an officer requeues it.
    case failed(messageID: String, attempts: Int)
    /// The attempt failed after the lease had lapsed and another delivery step took the message; it records the outcome.
    case leaseLost(messageID: String)
}

/// Sends the outbox: takes due messages one at a time with a lease, hands each to the transport outside any
/// database transaction, and marks it sent; a failure is retried with exponential backoff and, after the last
/// attempt, leaves the message `failed` with its error.
///
/// Nothing is lost: a message is claimed by marking it `sending` with its attempt counted (in an IMMEDIATE write
/// transaction, so two delivery steps — in one process or several — never take the same message while its lease
/// lasts). If the process dies while sending, the lease lapses and the next step sends the message again with
/// the same Message-ID and bytes: exactly once with ``MaildirTransport``, at least once with
/// ``SendmailTransport`` (see there).
///
/// Logs name message ids, request references and attempts only, never an address, a name or a text.
public struct MessageDelivery: Sendable {
    /// The outbox.
    public let store: any OutboxStore
    /// How messages leave.
    public let transport: any MessageTransport
    /// This delivery step's name in leases (host, process and worker number; see ``RequestWorker/ownerName(worker:)``).
    public let owner: String
    /// How long a claimed message is held; after it the message is taken again.
    public let leaseDuration: TimeInterval
    /// How many attempts before a message becomes `failed`.
    public let maximumAttempts: Int
    /// The wait after the first failed attempt; each further one waits twice as long, up to ``maximumRetryDelay``.
    public let retryDelay: TimeInterval
    /// The longest wait between attempts.
    public let maximumRetryDelay: TimeInterval
    /// The clock.
    public let clock: @Sendable () -> Date
    /// Where attached files are read from; nil when this delivery step sends no attachments (a message that has some
    /// then fails with ``DeliveryError/attachmentUnavailable(fileName:reason:)``).
    public let archive: ExtractArchive?
    private let logger: Logger

    /// Creates a delivery step. With the defaults, a message is tried 8 times over about two hours.
    public init(store: any OutboxStore, transport: any MessageTransport, owner: String, leaseDuration: TimeInterval = 300,
                maximumAttempts: Int = 8, retryDelay: TimeInterval = 60, maximumRetryDelay: TimeInterval = 3600,
                clock: @escaping @Sendable () -> Date = { Date() }, archive: ExtractArchive? = nil,
                logger: Logger = Logger(label: "inzage.delivery")) {
        self.store = store
        self.transport = transport
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.maximumAttempts = max(1, maximumAttempts)
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.clock = clock
        self.archive = archive
        self.logger = logger
    }

    /// Sends the oldest due message; nil when none is due.
    public func deliverNext() throws -> DeliveryOutcome? {
        guard let message = try claim() else { return nil }
        do {
            try transport.deliver(message, files: try attachedFiles(of: message))
        } catch {
            return try recordFailure(message, error: error)
        }
        try markSent(message)
        return .sent(messageID: message.messageID, attempt: message.attempts)
    }

    /// The files attached to `message`, read from the archive and checked against what the outbox recorded.
    func attachedFiles(of message: StoredMessage) throws -> [AttachedFile] {
        try message.message.attachments.map { attachment in
            guard let archive else {
                throw DeliveryError.attachmentUnavailable(fileName: attachment.fileName, reason: "this delivery step was not given the extract archive")
            }
            do {
                return AttachedFile(attachment: attachment,
                                    data: try archive.read(attachment.archivePath, sha256: attachment.sha256, size: attachment.size))
            } catch {
                throw DeliveryError.attachmentUnavailable(
                    fileName: attachment.fileName,
                    reason: "it is missing from the extract archive (\(archive.root.path)), or its bytes are not those written (deleted after its retention period, or damaged)")
            }
        }
    }

    /// Sends due messages until none is left or `limit` attempts were made; returns what each attempt did.
    /// A message that fails is not tried again in the same call (it waits for its retry time).
    public func deliverDue(limit: Int = .max) throws -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        while outcomes.count < limit, let outcome = try deliverNext() {
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Takes the oldest due message (or one whose sender's lease lapsed) and marks it `sending` with the attempt counted.
    func claim() throws -> StoredMessage? {
        let now = clock()
        guard let message = try store.writeOutbox({ try $0.claimNextMessage(owner: owner, now: now, until: now.addingTimeInterval(leaseDuration)) })
        else { return nil }
        logger.info("sending message", metadata: metadata(message, ["attempt": "\(message.attempts)"]))
        return message
    }

    /// Marks a delivered message sent.
    func markSent(_ message: StoredMessage) throws {
        let now = clock()
        try store.writeOutbox { try $0.markSent(id: message.id, at: now) }
        logger.info("message sent", metadata: metadata(message, ["attempt": "\(message.attempts)"]))
    }

    /// Keeps the error and schedules the next attempt, or gives up.
    private func recordFailure(_ message: StoredMessage, error: Error) throws -> DeliveryOutcome {
        let now = clock()
        let retryAt = message.attempts >= maximumAttempts ? nil : now.addingTimeInterval(delay(afterAttempt: message.attempts))
        let recorded = try store.writeOutbox {
            try $0.recordFailure(id: message.id, owner: owner, error: String(describing: error), retryAt: retryAt)
        }
        // The error text may contain what the mail system said about the recipient: it is kept in the outbox only.
        guard recorded else {
            logger.warning("delivery failed after the lease lapsed", metadata: metadata(message, ["attempt": "\(message.attempts)"]))
            return .leaseLost(messageID: message.messageID)
        }
        guard let retryAt else {
            logger.error("delivery failed for the last time", metadata: metadata(message, ["attempts": "\(message.attempts)"]))
            return .failed(messageID: message.messageID, attempts: message.attempts)
        }
        logger.warning("delivery failed; will retry", metadata: metadata(message, ["attempt": "\(message.attempts)", "retryAt": "\(retryAt)"]))
        return .willRetry(messageID: message.messageID, attempt: message.attempts, retryAt: retryAt)
    }

    /// The wait after failed attempt `attempt` (1, 2, …): ``retryDelay`` doubled per attempt, at most ``maximumRetryDelay``.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(maximumRetryDelay, retryDelay * pow(2, Double(max(0, min(attempt - 1, 30)))))
    }

    private func metadata(_ message: StoredMessage, _ extra: Logger.Metadata) -> Logger.Metadata {
        var result: Logger.Metadata = ["messageID": "\(message.messageID)", "kind": "\(message.message.kind.rawValue)"]
        if let reference = message.message.requestReference { result["reference"] = "\(reference)" }
        return result.merging(extra) { _, new in new }
    }
}
