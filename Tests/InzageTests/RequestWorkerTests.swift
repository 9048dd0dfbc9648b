import Foundation
import Synchronization
import Testing
@testable import Inzage

/// A renderer for the worker's own tests: writes a small summary of the dossier, and fails on demand.
final class SummaryRenderer: ExtractRenderer {
    let failures: Mutex<Int>

    init(failFirst: Int = 0) { failures = Mutex(failFirst) }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "renderer failed on purpose" }
    }

    func render(_ dossier: Dossier, as format: ExtractFormat, to url: URL) throws -> FileDigest? {
        let fail = failures.withLock { count in
            defer { count = max(0, count - 1) }
            return count > 0
        }
        if fail { throw Failure() }
        let summary = "\(format.rawValue) person=\(dossier.person.map { String($0.id) } ?? "none") edits=\(dossier.editCount)"
        try Data(summary.utf8).write(to: url)
        return nil
    }
}

@Suite("Request worker")
struct RequestWorkerTests {
    private func setUp() throws -> (InzageDatabase, URL, String) {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("inzage.sqlite").path
        return (try InzageDatabase(path: path), directory, path)
    }

    private func worker(_ database: InzageDatabase, _ directory: URL, owner: String, renderer: any ExtractRenderer = SummaryRenderer(),
                        lease: TimeInterval = 60, clock: @escaping @Sendable () -> Date = { Date() }) throws -> RequestWorker {
        RequestWorker(store: database, archive: try ExtractArchive(root: directory.appendingPathComponent("extracts")),
                      renderer: renderer, owner: owner, leaseDuration: lease, maximumAttempts: 3, retryDelay: 0, clock: clock)
    }

    @Test("an access request is answered: extracts stored with checksum, state completed, every step recorded")
    func completes() async throws {
        let (database, directory, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let person = try Ledger(store: database).annaJansen()
        let queue = RequestQueue(store: database)
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "ANNA.jansen@example.nl")), by: "officer")
        #expect(filed.request.personID == person.id)

        let worker = try worker(database, directory, owner: "w1")
        let outcome = try await worker.processNext()
        #expect(outcome == .completed(reference: filed.request.reference, extracts: 2))
        #expect(try await worker.processNext() == nil)

        let details = try queue.details(filed.request.reference)
        #expect(details.request.state == .completed)
        #expect(details.transitions.map(\.to) == [.received, .inProgress, .completed])
        #expect(details.extracts.map(\.format) == [.json, .xlsx])
        for extract in details.extracts {
            #expect(try worker.archive.verify(extract))
            #expect(extract.sha256.count == 64 && extract.size > 0 && extract.expiresAt != nil)
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: worker.archive.root.path).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
    }

    @Test("a request about nobody we know is still answered")
    func noMatch() async throws {
        let (database, directory, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let filed = try RequestQueue(store: database).file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "nobody@example.nl")), by: "officer")
        #expect(filed.request.personID == nil)
        let outcome = try await worker(database, directory, owner: "w1").processNext()
        #expect(outcome == .completed(reference: filed.request.reference, extracts: 2))
    }

    @Test("failures retry with backoff, then the request is failed with its error kept; an officer's retry starts again")
    func failures() async throws {
        let (database, directory, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Ledger(store: database).annaJansen()
        let queue = RequestQueue(store: database)
        let reference = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request.reference
        let worker = try worker(database, directory, owner: "w1", renderer: SummaryRenderer(failFirst: 3))
        guard case .willRetry(_, 1, _) = try await worker.processNext() else { Issue.record("first failure did not schedule a retry"); return }
        guard case .willRetry(_, 2, _) = try await worker.processNext() else { Issue.record("second failure did not schedule a retry"); return }
        #expect(try await worker.processNext() == .failed(reference: reference, attempts: 3))
        let failed = try queue.details(reference)
        #expect(failed.request.state == .failed && failed.request.lastError == "renderer failed on purpose")
        #expect(failed.extracts.isEmpty)
        #expect(try await worker.processNext() == nil)

        try queue.transition(reference, to: .inProgress, by: "officer", note: "retry after fixing the disk")
        #expect(try await worker.processNext() == .completed(reference: reference, extracts: 2))
    }

    @Test("a lapsed lease lets another worker take the request, and the first cannot complete it any more")
    func leaseLapses() async throws {
        let (database, directory, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Ledger(store: database).annaJansen()
        let reference = try RequestQueue(store: database).file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request.reference
        // Worker A claims and dies (its lease is never renewed).
        let claimed = try database.writeRequests { try $0.claimNext(types: [.access], states: RequestQueue.workableStates, owner: "dead", now: Date(), until: Date().addingTimeInterval(0.2)) }
        #expect(claimed?.reference == reference)
        let worker = try worker(database, directory, owner: "w2")
        #expect(try await worker.processNext() == nil)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await worker.processNext() == .completed(reference: reference, extracts: 2))
    }

    @Test("two workers on two connections never process the same request")
    func twoWorkers() async throws {
        let (database, directory, path) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = RequestQueue(store: database)
        var references: [String] = []
        for index in 0..<24 {
            references.append(try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "p\(index)@example.nl"), formats: [.json]), by: "officer").request.reference)
        }
        let outcomes = try await withThrowingTaskGroup(of: [WorkOutcome].self) { group in
            for owner in ["a", "b"] {
                let worker = try worker(InzageDatabase(path: path), directory, owner: owner)
                group.addTask {
                    var done: [WorkOutcome] = []
                    while let outcome = try await worker.processNext() { done.append(outcome) }
                    return done
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.count == 24)
        #expect(Set(outcomes).count == 24)
        for reference in references {
            let details = try queue.details(reference)
            #expect(details.request.state == .completed)
            #expect(details.transitions.filter { $0.to == .completed }.count == 1)
            #expect(details.extracts.count == 1)
        }
    }
}
