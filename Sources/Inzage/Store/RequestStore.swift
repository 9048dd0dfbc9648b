import Foundation

/// Reads of the request aggregate: requests with their state history and extracts.
public protocol RequestReader {
    /// The request with `reference`, or nil.
    func request(reference: String) throws -> DataSubjectRequest?
    /// The request with `id`, or nil.
    func request(id: Int64) throws -> DataSubjectRequest?
    /// The request filed from a request file with this digest, or nil.
    func request(originDigest: String) throws -> DataSubjectRequest?
    /// Requests in `states` (all when nil), ordered by effective due date, then reference.
    func requests(states: [RequestState]?) throws -> [DataSubjectRequest]
    /// Requests matched to the person, oldest first.
    func requests(personID: Int64) throws -> [DataSubjectRequest]
    /// The request's state changes, oldest first.
    func transitions(requestID: Int64) throws -> [RequestTransition]
    /// The state changes of several requests, read at once: by request id, each oldest first (as
    /// ``transitions(requestID:)`` gives them). Requests without any are absent.
    func transitions(requestIDs: [Int64]) throws -> [Int64: [RequestTransition]]
    /// The extracts stored for the request (also those whose files were deleted, with `deletedAt`).
    func extracts(requestID: Int64) throws -> [StoredExtract]
    /// The extracts whose files are still kept but expired before `cutoff`, oldest expiry first.
    func extractsExpired(before cutoff: Date) throws -> [StoredExtract]
    /// The lease a worker holds on the request, if any.
    func lease(requestID: Int64) throws -> RequestLease?
    /// The decisions on the request's items, in the order they were made.
    func decisions(requestID: Int64) throws -> [ItemDecision]
    /// The decisions on the items of several requests, read at once: by request id, each in the order they were
    /// made (as ``decisions(requestID:)`` gives them). Requests without any are absent.
    func decisions(requestIDs: [Int64]) throws -> [Int64: [ItemDecision]]
    /// The notifications of the request's corrections to recipients (Art. 19), with their status.
    func recipientNotifications(requestID: Int64) throws -> [RecipientNotification]
    /// The keys of the recipients that were told of a correction (or recorded as exempt) for any of the requests:
    /// each received the person's data, whether or not a purpose still links it.
    func notifiedRecipientKeys(requestIDs: [Int64]) throws -> Set<String>
}

/// Writes of the request aggregate, inside one transaction.
public protocol RequestWriter: RequestReader {
    /// Reserves the next reference number of `year` (1, 2, …).
    func nextSequenceNumber(year: Int) throws -> Int
    /// Inserts a request and returns it with its id.
    func insertRequest(_ request: DataSubjectRequest, originDigest: String?) throws -> DataSubjectRequest
    /// Stores a request's changed fields.
    func updateRequest(_ request: DataSubjectRequest) throws
    /// Appends a state change.
    func appendTransition(_ transition: RequestTransition) throws
    /// Records a stored extract.
    func insertExtract(_ extract: StoredExtract) throws -> StoredExtract
    /// Records that the extract's file was deleted at `at` (its retention passed).
    func markExtractDeleted(id: Int64, at: Date) throws
    /// Atomically takes the first workable request (by due date) that no live lease holds, is not waiting for a
    /// retry, and has no unsettled ambiguous match (candidates but no person), and leases it to `owner` until `until`.
    func claimNext(types: [RequestType], states: [RequestState], owner: String, now: Date, until: Date) throws -> DataSubjectRequest?
    /// Sets or clears (owner nil) the lease and the earliest time of the next attempt.
    func setLease(requestID: Int64, lease: RequestLease?, nextAttemptAt: Date?) throws
    /// Appends a decision on an item; an item decided before is refused by the store.
    func appendDecision(_ decision: ItemDecision) throws
    /// Records a notification to a recipient (its status is read from the outbox, or `exempt`).
    func insertRecipientNotification(_ notification: RecipientNotification) throws
}

/// A worker's hold on a request: while it lasts, no other worker takes the request.
public struct RequestLease: Codable, Sendable, Hashable {
    /// Who holds it (host, process id and worker number).
    public var owner: String
    /// When it lapses if not renewed or released.
    public var expiresAt: Date

    /// Creates a lease.
    public init(owner: String, expiresAt: Date) {
        self.owner = owner
        self.expiresAt = expiresAt
    }
}

/// The request queue's storage.
public protocol RequestStore: Sendable {
    /// Runs `body` with a consistent view of the requests.
    func readRequests<T>(_ body: (any RequestReader) throws -> T) throws -> T
    /// Runs `body` in one write transaction.
    func writeRequests<T>(_ body: (any RequestWriter) throws -> T) throws -> T
}

/// A store holding both aggregates, for the changes that must commit together
/// (a rectification applied to the ledger with the request's state change).
public protocol InzageStore: LedgerStore, RequestStore {
    /// Runs `body` in one write transaction spanning the ledger and the requests.
    func transaction<T>(_ body: (any LedgerWriter, any RequestWriter) throws -> T) throws -> T
    /// Runs `body` with one consistent view of the ledger and the requests.
    func snapshot<T>(_ body: (any LedgerReader, any RequestReader) throws -> T) throws -> T
}
