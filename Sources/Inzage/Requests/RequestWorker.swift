import Foundation
import Logging

/// Writes an extract of a dossier in one format to a file.
public protocol ExtractRenderer: Sendable {
    /// Writes `dossier` as `format` to `url`, a new private path (the extract archive's temporary name, which the
    /// archive renames when the file is complete); throws and leaves nothing usable at `url` on failure.
    ///
    /// - Returns: the digest of exactly the bytes written, when the renderer computed it on the way; nil makes the
    ///   archive read the file back to checksum it.
    func render(_ dossier: Dossier, as format: ExtractFormat, to url: URL) throws -> FileDigest?
}

/// What one processing step did.
public enum WorkOutcome: Sendable, Hashable {
    /// The request was answered: its extracts are stored and it is completed.
    case completed(reference: String, extracts: Int)
    /// Processing failed; the request will be tried again after `retryAt`.
    case willRetry(reference: String, attempt: Int, retryAt: Date)
    /// Processing failed for the last time; the request is `failed`, waiting for an officer's retry.
    case failed(reference: String, attempts: Int)
    /// The lease lapsed before the work was done; another worker takes the request.
    case leaseLost(reference: String)
    /// The request was closed while it was processed (withdrawn, or refused by an officer): nothing was recorded.
    case closedMeanwhile(reference: String, state: RequestState)
}

/// Takes access requests from the queue and answers them: resolves the dossier, renders every requested
/// format into the extract archive, and completes the request — with a lease, so that two workers never
/// process the same request and a killed worker's request is taken again once its lease lapses.
public struct RequestWorker: Sendable {
    /// Where requests, the ledger and the outbox are stored.
    public let store: any InzageMessagingStore
    /// Where extract files go.
    public let archive: ExtractArchive
    /// Writes the extracts.
    public let renderer: any ExtractRenderer
    /// This worker's name in leases (host, process and worker number).
    public let owner: String
    /// How long a lease lasts; it is renewed while a request is being processed.
    public let leaseDuration: TimeInterval
    /// How many attempts before a request becomes `failed`.
    public let maximumAttempts: Int
    /// The wait before the first retry; each further retry waits twice as long.
    public let retryDelay: TimeInterval
    /// Writes the "extract ready" message to the person.
    public let notices: RequestNotices
    /// The clock.
    public let clock: @Sendable () -> Date
    private let logger: Logger

    /// The request types this worker answers.
    public static let types: [RequestType] = [.access]

    /// Creates a worker.
    public init(store: any InzageMessagingStore, archive: ExtractArchive, renderer: any ExtractRenderer, owner: String,
                leaseDuration: TimeInterval = 300, maximumAttempts: Int = 5, retryDelay: TimeInterval = 30,
                notices: RequestNotices = RequestNotices(),
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "inzage.worker")) {
        self.store = store
        self.archive = archive
        self.renderer = renderer
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.maximumAttempts = maximumAttempts
        self.retryDelay = retryDelay
        self.notices = notices
        self.clock = clock
        self.logger = logger
    }

    /// A worker name unique to this process: host, process id and worker number.
    public static func ownerName(worker: Int) -> String {
        "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(worker)"
    }

    /// The process id of the worker that `owner` (an ``ownerName(worker:)``) names, when it runs on this machine; nil
    /// for a worker elsewhere or an owner of another form.
    static func localProcess(ofOwner owner: String) -> pid_t? {
        let parts = owner.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == ProcessInfo.processInfo.hostName, let pid = pid_t(parts[1]), pid > 0 else { return nil }
        return pid
    }

    /// Takes the most urgent ready request and processes it; returns nil when none is ready.
    public func processNext() async throws -> WorkOutcome? {
        guard let request = try claim() else { return nil }
        logger.info("processing request", metadata: ["reference": "\(request.reference)", "attempt": "\(request.attempts)"])
        var written: [(ExtractFormat, ExtractArchive.WrittenFile)] = []
        // Every attempt writes into a folder of its own, so that a worker whose lease lapsed while it kept writing can
        // never replace the files another worker recorded meanwhile.
        let attempt = "\(request.attempts)-\(UUID().uuidString.prefix(8).lowercased())"
        let folder = "\(request.reference)/\(attempt)"
        do {
            written = try await withLeaseRenewed(request) { try render(request, into: folder, attempt: attempt) }
            return try complete(request, written: written)
        } catch RequestError.leaseLost(let reference) {
            // Another worker has the request now; this attempt's files are its own and will never be recorded.
            archive.remove(folder: folder)
            logger.warning("lease lost", metadata: ["reference": "\(reference)"])
            return .leaseLost(reference: reference)
        } catch {
            // Completing failed while this worker held the lease (a broken message template, a request withdrawn
            // meanwhile): the files have no extract row, so they go; a retry writes them again.
            archive.remove(folder: folder)
            return try recordFailure(request, error: error)
        }
    }

    /// Claims a request and, when it was just received, moves it to in-progress; counts the attempt.
    private func claim() throws -> DataSubjectRequest? {
        let now = clock()
        return try store.writeRequests { requests in
            guard var request = try requests.claimNext(types: Self.types, states: RequestQueue.workableStates, owner: owner,
                                                       now: now, until: now.addingTimeInterval(leaseDuration))
            else { return nil }
            request.attempts += 1
            request.updatedAt = now
            if request.state == .received {
                return try RequestQueue.move(request, to: .inProgress, at: now, by: "system", note: "Taken up by a worker", in: requests)
            }
            try requests.updateRequest(request)
            return request
        }
    }

    /// Renders every requested format into `folder` of the archive, this attempt's own (`<reference>/<attempt>`), after
    /// removing what earlier attempts left in the request's folder and never recorded. The lease is checked first: a
    /// worker that stalled after its claim until its lease lapsed (and another may have taken the request over) learns
    /// it here (``RequestError/leaseLost(reference:)``) and removes nothing; and the attempt folders of recorded extracts
    /// are kept whatever happens. (A read, not a renewal: a write transaction here cost a third of the worker's
    /// throughput, waiting for the other workers' commits.)
    private func render(_ request: DataSubjectRequest, into folder: String, attempt: String) throws -> [(ExtractFormat, ExtractArchive.WrittenFile)] {
        let (lease, recorded) = try store.readRequests { (try $0.lease(requestID: request.id), try $0.extracts(requestID: request.id)) }
        guard let lease, lease.owner == owner, lease.expiresAt > clock() else { throw RequestError.leaseLost(reference: request.reference) }
        archive.clear(folder: request.reference, keeping: Set([attempt] + recorded.compactMap { ExtractArchive.attemptFolder(of: $0.path) }))
        let resolver = Resolver(store: store, clock: clock)
        return try resolver.withDossier(personID: request.personID, request: request) { dossier in
            try request.formats.map { format in
                let file = try archive.write(folder: folder, name: "\(request.reference).\(format.fileExtension)") { url in
                    try renderer.render(dossier, as: format, to: url)
                }
                return (format, file)
            }
        }
    }

    /// Runs `work` while renewing the lease; fails with ``RequestError/leaseLost(reference:)`` when another worker took it.
    private func withLeaseRenewed<T: Sendable>(_ request: DataSubjectRequest, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try work() }
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(max(leaseDuration / 3, 0.05)))
                    try renewLease(request)
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw RequestError.leaseLost(reference: request.reference)
        }
    }

    private func renewLease(_ request: DataSubjectRequest) throws {
        let now = clock()
        try store.writeRequests { requests in
            guard let lease = try requests.lease(requestID: request.id), lease.owner == owner else {
                throw RequestError.leaseLost(reference: request.reference)
            }
            try requests.setLease(requestID: request.id, lease: RequestLease(owner: owner, expiresAt: now.addingTimeInterval(leaseDuration)), nextAttemptAt: nil)
        }
    }

    /// Stores the extract rows, completes the request and tells the person the answer is ready — in one
    /// transaction, and only if this worker still holds the lease.
    private func complete(_ request: DataSubjectRequest, written: [(ExtractFormat, ExtractArchive.WrittenFile)]) throws -> WorkOutcome {
        let now = clock()
        return try store.transaction { ledger, requests, outbox in
            guard let lease = try requests.lease(requestID: request.id), lease.owner == owner,
                  var current = try requests.request(id: request.id)
            else { throw RequestError.leaseLost(reference: request.reference) }
            let profile = OrganisationProfile(settings: try ledger.settings())
            let expiresAt = now.addingTimeInterval(TimeInterval(profile.extractRetentionDays) * 86_400)
            for (format, file) in written {
                _ = try requests.insertExtract(StoredExtract(
                    requestID: request.id, personID: request.personID, format: format, path: file.relativePath,
                    sha256: file.sha256, size: file.size, createdAt: now, expiresAt: expiresAt))
            }
            current.lastError = nil
            try requests.updateRequest(current)
            let attachments = RequestNotices.attachments(for: written, reference: current.reference, organisation: profile)
            let content = try notices.extractReady(
                formats: written.map(\.0), attachments: attachments, dataHeld: request.personID != nil, answeredAt: now, expiresAt: expiresAt,
                language: MessageRenderer.language(for: current, organisation: profile), calendar: try profile.deadlineCalendar())
            let told = try notices.notifyPerson(content, about: current, ledger: ledger, outbox: outbox, at: now)
            let note = request.personID == nil
                ? "No personal data held; answer written: \(written.map(\.0.rawValue).joined(separator: ", ")). \(RequestQueue.delivery(of: told))"
                : "Extracts written: \(written.map(\.0.rawValue).joined(separator: ", ")). \(RequestQueue.delivery(of: told))"
            let handover = told == nil ? "" : attachments == nil
                ? " The files are not attached (extract-delivery or attachment-limit-mb): hand them over as the message says."
                : " The files are attached to it."
            _ = try RequestQueue.move(current, to: .completed, at: now, by: "system", note: note + handover, in: requests)
            try requests.setLease(requestID: request.id, lease: nil, nextAttemptAt: nil)
            logger.info("request completed", metadata: ["reference": "\(request.reference)", "extracts": "\(written.count)"])
            return .completed(reference: request.reference, extracts: written.count)
        }
    }

    /// The longest wait between two attempts: however the delay doubles, a request is tried again within the hour.
    public static let maximumRetryDelay: TimeInterval = 3600

    /// The wait after failed attempt `attempt` (1, 2, …): `retryDelay` doubled per attempt, at most ``maximumRetryDelay``.
    static func wait(afterAttempt attempt: Int, retryDelay: TimeInterval) -> TimeInterval {
        min(maximumRetryDelay, retryDelay * pow(2, Double(max(0, min(attempt - 1, 30)))))
    }

    /// Keeps the error, schedules a retry with backoff, or gives up and marks the request failed.
    private func recordFailure(_ request: DataSubjectRequest, error: Error) throws -> WorkOutcome {
        let now = clock()
        let message = ErrorText.describe(error)
        logger.error("request failed", metadata: ["reference": "\(request.reference)", "attempt": "\(request.attempts)"])
        return try store.writeRequests { requests in
            guard let lease = try requests.lease(requestID: request.id), lease.owner == owner,
                  var current = try requests.request(id: request.id)
            else { return .leaseLost(reference: request.reference) }
            guard !current.state.isTerminal else {
                // Closed meanwhile: there is nothing left to retry, and a closed request never becomes failed.
                try requests.setLease(requestID: request.id, lease: nil, nextAttemptAt: nil)
                return .closedMeanwhile(reference: request.reference, state: current.state)
            }
            current.lastError = message
            current.updatedAt = now
            if current.attempts >= maximumAttempts {
                try requests.updateRequest(current)
                _ = try RequestQueue.move(current, to: .failed, at: now, by: "system",
                                          note: "Gave up after \(current.attempts) attempts: \(message)", in: requests)
                try requests.setLease(requestID: request.id, lease: nil, nextAttemptAt: nil)
                return .failed(reference: request.reference, attempts: current.attempts)
            }
            try requests.updateRequest(current)
            let retryAt = now.addingTimeInterval(Self.wait(afterAttempt: current.attempts, retryDelay: retryDelay))
            try requests.setLease(requestID: request.id, lease: nil, nextAttemptAt: retryAt)
            return .willRetry(reference: request.reference, attempt: current.attempts, retryAt: retryAt)
        }
    }
}

extension RequestLease {
    /// Whether the lease still keeps an officer's decision off the request at `now`: it has not lapsed, and its worker
    /// is not known to be gone. A worker on this machine whose process no longer runs (killed, crashed) holds nothing,
    /// so the officer need not wait out its lease; a worker on another machine is trusted until the lease lapses. (Workers
    /// themselves still take a request again only once its lease has lapsed.)
    public func holds(at now: Date) -> Bool {
        guard expiresAt > now else { return false }
        guard let pid = RequestWorker.localProcess(ofOwner: owner) else { return true }
        // Signal 0 only asks whether the process exists; EPERM means it does, under another user.
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
