import Foundation
import Logging
import ServiceLifecycle

/// Deletes the extract files whose retention has passed, as the "extract ready" message promised the person: "we keep
/// them until <day> (inclusive) and then delete them". That day is the organisation's local day of the extract's
/// `expiresAt` (set from the setting `extract-retention-days` when the answer was made), so a file goes from the next
/// day on.
///
/// Each file is deleted before its record is marked deleted: a crash in between leaves a record that the next run
/// deletes (again, harmlessly) and marks, never a kept file that the database calls gone. The record stays, with
/// its checksum, as the proof of what was sent.
public struct ExtractRetention: Sendable {
    /// Where the records are.
    public let store: any InzageStore
    /// Where the files are.
    public let archive: ExtractArchive
    /// The clock that decides what has expired.
    public let clock: @Sendable () -> Date
    private let logger: Logger

    /// Deletes from `archive` the files of `store`'s records.
    public init(store: any InzageStore, archive: ExtractArchive, clock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "inzage.retention")) {
        self.store = store
        self.archive = archive
        self.clock = clock
        self.logger = logger
    }

    /// An extract whose file was deleted, with the request it answered.
    public struct DeletedExtract: Sendable, Hashable {
        /// The record, with its `deletedAt`.
        public var extract: StoredExtract
        /// The reference of the request it answered; nil for one made without a request.
        public var reference: String?
    }

    /// What one run of ``deleteExpired()`` did.
    public struct Run: Sendable {
        /// The files deleted, with their records.
        public var deleted: [DeletedExtract] = []
        /// The files that could not be deleted, each with why; they are tried again at the next run.
        public var notDeleted: [String] = []
    }

    /// Deletes every kept file whose last day has passed. A file that cannot be deleted (its folder's permissions) is
    /// reported in ``Run/notDeleted`` and the others are still deleted.
    ///
    /// - Throws: a database error; the files deleted before it stay recorded.
    @discardableResult
    public func deleteExpired() throws -> Run {
        let now = clock()
        let (expired, references) = try store.snapshot { ledger, requests -> ([StoredExtract], [Int64: String]) in
            let zone = TimeZone(identifier: OrganisationProfile(settings: try ledger.settings()).timeZone) ?? .gmt
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            // The person may fetch the files all through the day named as the last, in the organisation's time zone.
            let expired = try requests.extractsExpired(before: calendar.startOfDay(for: now))
            var references: [Int64: String] = [:]
            for id in Set(expired.compactMap(\.requestID)) {
                references[id] = try requests.request(id: id)?.reference
            }
            return (expired, references)
        }
        var run = Run()
        for var extract in expired {
            guard let id = extract.id else { continue }
            do {
                try archive.delete(extract.path)
            } catch {
                run.notDeleted.append(ErrorText.describe(error))
                logger.error("extract not deleted", metadata: ["extract": "\(id)"])
                continue
            }
            try store.writeRequests { try $0.markExtractDeleted(id: id, at: now) }
            extract.deletedAt = now
            run.deleted.append(DeletedExtract(extract: extract, reference: extract.requestID.flatMap { references[$0] }))
            logger.info("extract deleted after its retention", metadata: ["extract": "\(id)"])
        }
        return run
    }

    /// Removes what killed workers left in the archive for requests no worker will take again: in the folder of a
    /// closed or failed request that no live lease holds, every attempt folder without a recorded extract, finished or
    /// half-written (a request that is taken again clears its own folder first). Returns how many were removed.
    @discardableResult
    public func removeAbandonedAttempts() throws -> Int {
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: archive.root.path) else { return 0 }
        let now = clock()
        // One read transaction for every folder: which requests are done with, and what of theirs is recorded.
        let keptByReference = try store.readRequests { requests -> [String: Set<String>] in
            var kept: [String: Set<String>] = [:]
            for reference in folders where reference.hasPrefix("DSR-") {
                guard let request = try requests.request(reference: reference),
                      request.state.isTerminal || request.state == .failed,
                      !(try requests.lease(requestID: request.id)?.holds(at: now) ?? false)
                else { continue }
                kept[reference] = Set(try requests.extracts(requestID: request.id).compactMap { ExtractArchive.attemptFolder(of: $0.path) })
            }
            return kept
        }
        var removed = 0
        for (reference, kept) in keptByReference {
            let folder = archive.root.appendingPathComponent(reference, isDirectory: true)
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where !kept.contains(entry) {
                // Only what nobody touched for an hour: a failed request retried meanwhile writes into a fresh folder.
                let url = folder.appendingPathComponent(entry)
                let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? now
                guard now.timeIntervalSince(modified) > ExtractArchive.stalePartialAge else { continue }
                if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
            }
            rmdir(folder.path)
        }
        if removed > 0 { logger.info("abandoned attempts removed", metadata: ["count": "\(removed)"]) }
        return removed
    }
}

/// Runs ``ExtractRetention/deleteExpired()`` every `interval` (an hour by default) until shut down, beside the workers of
/// `inzage work`. A failure is logged and tried again at the next turn.
public struct ExtractRetentionService: Service {
    /// The deletion run at each turn.
    public let retention: ExtractRetention
    /// The time between two turns.
    public let interval: Duration
    private let logger: Logger

    /// Creates the service.
    public init(retention: ExtractRetention, interval: Duration = .seconds(3600), logger: Logger = Logger(label: "inzage.retention")) {
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    /// Deletes expired extracts after every `interval` until the service group shuts down (the command runs the first
    /// turn itself, before the workers start).
    public func run() async throws {
        while true {
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: interval)
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            do {
                try retention.deleteExpired()
                try retention.removeAbandonedAttempts()
            } catch {
                logger.error("deleting expired extracts failed; tried again at the next turn")
            }
        }
    }
}
