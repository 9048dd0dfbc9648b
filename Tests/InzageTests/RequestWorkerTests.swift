import Foundation
import GRDB
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

/// A renderer that withdraws the request while it is being answered, as a person's withdrawal recorded once the worker's
/// lease had lapsed would (from a connection of its own, as another process), then writes the summary.
final class WithdrawingRenderer: ExtractRenderer {
    let path: String
    let reference: String
    let withdrawn = Mutex(false)

    init(path: String, reference: String) {
        self.path = path
        self.reference = reference
    }

    func render(_ dossier: Dossier, as format: ExtractFormat, to url: URL) throws -> FileDigest? {
        if !withdrawn.withLock({ done in defer { done = true }; return done }) {
            // An hour on, the worker's lease has lapsed as far as this officer's command can tell.
            _ = try RequestQueue(store: try InzageDatabase(path: path), clock: { Date().addingTimeInterval(3600) })
                .transition(reference, to: .withdrawn, by: "officer", note: "Withdrawn by phone")
        }
        try Data("\(format.rawValue)".utf8).write(to: url)
        return nil
    }
}

/// The worker's store, refusing its first `failures` write transactions of the requests as a database locked past its
/// busy timeout (a long import) does.
final class FlakyStore: InzageMessagingStore, @unchecked Sendable {
    struct Locked: Error, CustomStringConvertible {
        var description: String { "database is locked" }
    }

    let base: InzageDatabase
    let failures: Mutex<Int>

    init(_ base: InzageDatabase, failures: Int) {
        self.base = base
        self.failures = Mutex(failures)
    }

    func writeRequests<T>(_ body: (any RequestWriter) throws -> T) throws -> T {
        if failures.withLock({ count in defer { count = max(0, count - 1) }; return count > 0 }) { throw Locked() }
        return try base.writeRequests(body)
    }

    func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T { try base.read(body) }
    func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T { try base.write(body) }
    func readRequests<T>(_ body: (any RequestReader) throws -> T) throws -> T { try base.readRequests(body) }
    func transaction<T>(_ body: (any LedgerWriter, any RequestWriter) throws -> T) throws -> T { try base.transaction(body) }
    func snapshot<T>(_ body: (any LedgerReader, any RequestReader) throws -> T) throws -> T { try base.snapshot(body) }
    func readOutbox<T>(_ body: (any OutboxReader) throws -> T) throws -> T { try base.readOutbox(body) }
    func writeOutbox<T>(_ body: (any OutboxWriter) throws -> T) throws -> T { try base.writeOutbox(body) }
    func transaction<T>(_ body: (any LedgerWriter, any RequestWriter, any OutboxWriter) throws -> T) throws -> T { try base.transaction(body) }
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

    @Test("a request withdrawn while it is answered stays withdrawn: nothing recorded, never failed; withdrawing under a live lease waits")
    func withdrawnMeanwhile() async throws {
        let (database, directory, path) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Ledger(store: database).annaJansen()
        let queue = RequestQueue(store: database)
        let reference = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request.reference
        let worker = try worker(database, directory, owner: "w1", renderer: WithdrawingRenderer(path: path, reference: reference))
        #expect(try await worker.processNext() == .closedMeanwhile(reference: reference, state: .withdrawn))
        let details = try queue.details(reference)
        #expect(details.request.state == .withdrawn && details.extracts.isEmpty && details.request.lastError == nil)
        #expect(try database.readRequests { try $0.lease(requestID: details.request.id) } == nil)
        #expect(try await worker.processNext() == nil)

        // While a live worker holds the lease, closing the request is refused with what to do.
        let other = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request
        try database.writeRequests {
            try $0.setLease(requestID: other.id, lease: RequestLease(owner: "elsewhere.example/1/0", expiresAt: Date().addingTimeInterval(60)), nextAttemptAt: nil)
        }
        #expect {
            try queue.transition(other.reference, to: .withdrawn, by: "officer", note: nil)
        } throws: { "\($0)".contains("a worker is processing it right now") }
        #expect(try queue.request(other.reference).state == .received)
    }

    @Test("a running worker outlives a queue it cannot use for a while (a locked database); a run with --once reports it")
    func queueUnavailable() async throws {
        let (database, directory, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Ledger(store: database).annaJansen()
        let queue = RequestQueue(store: database)
        let reference = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request.reference
        let archive = try ExtractArchive(root: directory.appendingPathComponent("extracts"))
        func service(once: Bool, failures: Int) -> WorkerService {
            WorkerService(concurrency: 1, once: once, pollInterval: .milliseconds(5)) { _ in
                RequestWorker(store: FlakyStore(database, failures: failures), archive: archive, renderer: SummaryRenderer(), owner: "w1", retryDelay: 0)
            }
        }
        await #expect(throws: FlakyStore.Locked.self) { try await service(once: true, failures: 1).run() }
        #expect(try queue.request(reference).state == .received)

        let running = Task { try await service(once: false, failures: 3).run() }
        let deadline = Date().addingTimeInterval(30)
        while try queue.request(reference).state != .completed, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        try await running.value
        #expect(try queue.request(reference).state == .completed, "answered once the queue could be used again")
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

/// The answer's files go with its message (the setting `extract-delivery`), read from the archive when it is sent.
@Suite("Answers with their extracts attached")
struct AttachedAnswerTests {
    /// What Python's own e-mail parser finds in an .eml file: the text and every attachment's name, type and bytes.
    struct Parsed: Decodable {
        struct File: Decodable { let name: String; let type: String; let hex: String }
        let contentType: String
        let text: String
        let files: [File]
        let defects: [String]

        static let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            print(json.dumps({
                'contentType': message.get_content_type(),
                'text': message.get_body(preferencelist=('plain',)).get_content().replace('\\r\\n', '\\n'),
                'files': [{'name': part.get_filename(), 'type': part.get_content_type(), 'hex': part.get_content().hex()}
                          for part in message.iter_attachments()],
                'defects': [type(d).__name__ for p in message.walk() for d in p.defects],
            }))
            """
    }

    private func answer(settings: [SettingKey: String] = [:]) async throws -> (InzageDatabase, RequestWorker, DataSubjectRequest, URL) {
        let directory = try makeTemporaryDirectory()
        let database = try InzageDatabase(path: directory.appendingPathComponent("inzage.sqlite").path)
        let ledger = Ledger(store: database)
        for (key, value) in settings { try ledger.setSetting(key.rawValue, value: value, by: "officer") }
        _ = try ledger.annaJansen()
        let request = try RequestQueue(store: database).file(
            RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request
        let worker = RequestWorker(store: database, archive: try ExtractArchive(root: directory.appendingPathComponent("extracts")),
                                   renderer: SummaryRenderer(), owner: "w1", retryDelay: 0)
        #expect(try await worker.processNext() == .completed(reference: request.reference, extracts: 2))
        return (database, worker, request, directory)
    }

    private func answerMessage(_ database: InzageDatabase, _ request: DataSubjectRequest) throws -> StoredMessage {
        try #require(try database.readOutbox { try $0.messages(requestID: request.id) }.first { $0.message.kind == .extractReady })
    }

    @Test("extract files are kept for their owner only and deleted after the last day the letter named; the record stays")
    func retention() async throws {
        let (database, worker, request, directory) = try await answer()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = RequestQueue(store: database)
        let extracts = try queue.details(request.reference).extracts
        #expect(extracts.count == 2)
        let file = worker.archive.url(of: extracts[0].path)
        let folder = file.deletingLastPathComponent()
        func permissions(_ url: URL) throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) }
        #expect(try permissions(folder) == 0o700 && permissions(worker.archive.root) == 0o700)
        #expect(try extracts.allSatisfy { try permissions(worker.archive.url(of: $0.path)) == 0o600 })

        // The letter names the organisation's local day of expiresAt as the last (Europe/Amsterdam by default).
        let expiresAt = try #require(extracts[0].expiresAt)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        let nextDay = try #require(calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: expiresAt)))
        func retention(at instant: Date) -> ExtractRetention { ExtractRetention(store: database, archive: worker.archive, clock: { instant }) }
        #expect(try retention(at: nextDay.addingTimeInterval(-1)).deleteExpired().deleted.isEmpty, "kept all through the last day")
        #expect(extracts.allSatisfy { FileManager.default.fileExists(atPath: worker.archive.url(of: $0.path).path) })

        // One file that cannot be deleted (a folder stands in its place) is reported; the other is deleted all the same.
        let other = worker.archive.url(of: extracts[1].path)
        unlink(other.path)
        try FileManager.default.createDirectory(at: other.appendingPathComponent("inside"), withIntermediateDirectories: true)
        let blocked = try retention(at: nextDay).deleteExpired()
        #expect(blocked.deleted.map(\.extract.id) == [extracts[0].id] && blocked.notDeleted.count == 1)
        #expect(blocked.notDeleted.first?.contains("Cannot delete the extract") == true, "\(blocked.notDeleted)")
        // Now gone without a record, as after a crash between removing a file and recording it: the next run records it.
        try FileManager.default.removeItem(at: other)

        let deleted = try retention(at: nextDay).deleteExpired().deleted
        #expect(deleted.map(\.extract.id) == [extracts[1].id] && deleted.allSatisfy { $0.reference == request.reference })
        #expect(!FileManager.default.fileExists(atPath: folder.path), "the request's folder goes with its last file")
        let recorded = try queue.details(request.reference).extracts
        #expect(recorded.count == 2 && recorded.allSatisfy { $0.deletedAt == nextDay && $0.sha256.count == 64 })
        #expect(try retention(at: nextDay.addingTimeInterval(86_400)).deleteExpired().deleted.isEmpty, "each file is deleted once")
        #expect {
            try worker.archive.export(recorded.map { ($0, directory.appendingPathComponent("copy.\($0.format.rawValue)")) })
        } throws: { error in
            guard case ExtractArchiveError.deletedAfterRetention = error else { return false }
            return "\(error)".contains("extract-retention-days")
        }
    }

    @Test("what a killed worker left is removed once its request is closed; recorded files and open requests are left alone")
    func abandonedAttempts() async throws {
        let (database, worker, answered, directory) = try await answer()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = RequestQueue(store: database)
        let archive = worker.archive
        func leftover(_ reference: String, attempt: String, age: TimeInterval = 7200) throws -> URL {
            let folder = archive.root.appendingPathComponent("\(reference)/\(attempt)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("{\"half\":".utf8).write(to: folder.appendingPathComponent("\(reference).json"))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: folder.path)
            return folder
        }
        let beside = try leftover(answered.reference, attempt: "0-deadbeef")
        let refused = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request
        let killed = try leftover(refused.reference, attempt: "1-0badf00d")
        try queue.reject(refused.reference, reason: .excessive, note: "The third request this week.", by: "officer")
        let open = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request
        let waiting = try leftover(open.reference, attempt: "1-12345678")
        // Written a minute ago: a worker may be writing it right now (a failed request retried), so it stays for now.
        let recent = try leftover(refused.reference, attempt: "2-feedface", age: 60)
        // A request answered before attempt folders, its file recorded as <reference>/<file>, closed long ago.
        let older = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl")), by: "officer").request
        try queue.reject(older.reference, reason: .excessive, note: "Asked daily.", by: "officer")
        let oldLayout = archive.root.appendingPathComponent("\(older.reference)/\(older.reference).json")
        try FileManager.default.createDirectory(at: oldLayout.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: oldLayout)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-86_400)], ofItemAtPath: oldLayout.path)
        try database.writeRequests { requests in
            _ = try requests.insertExtract(StoredExtract(requestID: older.id, personID: nil, format: .json, path: "\(older.reference)/\(older.reference).json",
                                                         sha256: String(repeating: "0", count: 64), size: 2, createdAt: Date()))
        }

        let retention = ExtractRetention(store: database, archive: archive)
        #expect(try retention.removeAbandonedAttempts() == 2)
        #expect(FileManager.default.fileExists(atPath: recent.path) && FileManager.default.fileExists(atPath: oldLayout.path))
        #expect(!FileManager.default.fileExists(atPath: beside.path) && !FileManager.default.fileExists(atPath: killed.path))
        #expect(FileManager.default.fileExists(atPath: waiting.path), "an open request's folder is the next worker's to clear")
        for extract in try queue.details(answered.reference).extracts { #expect(try archive.verify(extract)) }
        #expect(try retention.removeAbandonedAttempts() == 0)
    }

    @Test("a writer killed mid-file leaves a hidden temporary file; the next write of that name removes it once it is old")
    func stalePartials() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try ExtractArchive(root: directory)
        let old = directory.appendingPathComponent(".anna.json\(ExtractArchive.partialMarker)\(UUID().uuidString)")
        let fresh = directory.appendingPathComponent(".anna.json\(ExtractArchive.partialMarker)\(UUID().uuidString)")
        let other = directory.appendingPathComponent(".bob.json\(ExtractArchive.partialMarker)\(UUID().uuidString)")
        for url in [old, fresh, other] { try Data("half".utf8).write(to: url) }
        let twoHoursAgo = Date().addingTimeInterval(-7200)
        for url in [old, other] { try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: url.path) }
        _ = try archive.write(folder: ".", name: "anna.json") { url in try Data("{}".utf8).write(to: url); return nil }
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(FileManager.default.fileExists(atPath: fresh.path), "another run may be writing it right now")
        #expect(FileManager.default.fileExists(atPath: other.path), "another name's file is not this write's business")
    }

    @Test("by default the files are attached: the letter says so, and the e-mail carries the archive's exact bytes")
    func attached() async throws {
        let (database, worker, request, directory) = try await answer()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try answerMessage(database, request)
        let extracts = try RequestQueue(store: database).details(request.reference).extracts
        #expect(stored.message.attachments.map(\.fileName) == extracts.map { "\(request.reference).\($0.format.fileExtension)" })
        #expect(stored.message.attachments.map(\.archivePath) == extracts.map(\.path))
        #expect(stored.message.attachments.map(\.contentType) == extracts.map(\.format.mediaType))
        #expect(stored.message.body.contains("De bestanden zitten als bijlage bij deze e-mail."))
        #expect(!stored.message.body.contains(try shippedLabels(.nl).word(.collectionInstructions)))
        let completed = try #require(try RequestQueue(store: database).details(request.reference).transitions.last)
        #expect(completed.note?.contains("The files are attached to it.") == true)

        let maildir = directory.appendingPathComponent("Maildir")
        let delivery = MessageDelivery(store: database, transport: MaildirTransport(directory: maildir), owner: "d1", archive: worker.archive)
        #expect(try delivery.deliverDue().contains(.sent(messageID: stored.messageID, attempt: 1)))
        let eml = maildir.appendingPathComponent("new").appendingPathComponent(MaildirTransport.fileName(for: stored))
        let parsed = try JSONDecoder().decode(Parsed.self, from: python(Parsed.script, [eml.path], needs: "email (standard library)"))
        #expect(parsed.defects.isEmpty && parsed.contentType == "multipart/mixed")
        #expect(parsed.text == stored.message.body)
        #expect(parsed.files.map(\.name) == stored.message.attachments.map(\.fileName))
        #expect(parsed.files.map(\.type) == stored.message.attachments.map(\.contentType))
        for (file, extract) in zip(parsed.files, extracts) {
            let bytes = try Data(contentsOf: worker.archive.url(of: extract.path))
            #expect(file.hex == bytes.map { String(format: "%02x", $0) }.joined(), "\(file.name) as stored")
        }
        // What was sent stays what the outbox says was sent: no file can be attached to it afterwards.
        let late = try #require(throws: DatabaseError.self) {
            try database.dbWriter.write { db in
                try db.execute(sql: """
                    INSERT INTO outbox_attachment (message_id, position, file_name, content_type, archive_path, sha256, size)
                    VALUES (?, 9, 'x.json', 'application/json', 'x/x.json', '', 0)
                    """, arguments: [stored.id])
            }
        }
        #expect(late.message?.contains("only when it is stored") == true)
    }

    @Test("a file changed in the archive after the answer is never sent: the message fails and says why")
    func damaged() async throws {
        let (database, worker, request, directory) = try await answer()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try answerMessage(database, request)
        let first = try #require(stored.message.attachments.first)
        try Data("not what was written".utf8).write(to: worker.archive.url(of: first.archivePath))
        let maildir = directory.appendingPathComponent("Maildir")
        let delivery = MessageDelivery(store: database, transport: MaildirTransport(directory: maildir), owner: "d1",
                                       maximumAttempts: 1, archive: worker.archive)
        #expect(try delivery.deliverDue().contains(.failed(messageID: stored.messageID, attempts: 1)))
        #expect(try !maildirFiles(maildir, "new").contains(MaildirTransport.fileName(for: stored)), "the answer was not sent")
        let failed = try #require(try database.readOutbox { try $0.message(id: stored.id) })
        #expect(failed.lastError?.contains("The attachment \(first.fileName) cannot be sent") == true)
        // Without the archive, nothing can be attached either.
        let blind = MessageDelivery(store: database, transport: MaildirTransport(directory: maildir), owner: "d2", maximumAttempts: 1)
        #expect(throws: DeliveryError.self) { try blind.attachedFiles(of: stored) }
    }

    @Test("with extract-delivery instructions nothing is attached and the letter gives the organisation's instructions")
    func instructions() async throws {
        let (database, _, request, directory) = try await answer(settings: [.extractDelivery: "instructions"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try answerMessage(database, request)
        #expect(stored.message.attachments.isEmpty)
        #expect(stored.message.body.contains(try shippedLabels(.nl).word(.collectionInstructions)))
        #expect(!stored.message.body.contains("bijlage"))
        #expect(try RequestQueue(store: database).details(request.reference).transitions.last?.note?.contains("not attached") == true)
    }

    @Test("files larger together than attachment-limit-mb are not attached; an unknown choice or limit is refused")
    func limit() throws {
        let file = { (size: Int64) in ExtractArchive.WrittenFile(relativePath: "r/f", sha256: String(repeating: "0", count: 64), size: size) }
        // The limit holds the files as the e-mail carries them: base64 in lines of 76 characters, CR LF after each.
        #expect(RequestNotices.encodedSize(of: 57) == 78 && RequestNotices.encodedSize(of: 58) == 84 && RequestNotices.encodedSize(of: 0) == 0)
        let profile = OrganisationProfile(settings: [.attachmentLimitMB: "2"])
        let fits: Int64 = 1_000_000 / 78 * 57  // two files whose encoded sizes are just under 1,000,000 bytes each
        #expect(RequestNotices.attachments(for: [(.xlsx, file(fits)), (.json, file(fits))], reference: "DSR-2026-000001",
                                           organisation: profile)?.count == 2)
        #expect(RequestNotices.attachments(for: [(.xlsx, file(1_000_000)), (.json, file(1_000_000))], reference: "DSR-2026-000001",
                                           organisation: profile) == nil, "2 MB of files is a third more in the e-mail")
        let (ledger, _) = try makeLedger()
        #expect(throws: LedgerError.self) { try ledger.setSetting("extract-delivery", value: "fax", by: "officer") }
        #expect(throws: LedgerError.self) { try ledger.setSetting("attachment-limit-mb", value: "0", by: "officer") }
        #expect(throws: LedgerError.self) { try ledger.setSetting("attachment-limit-mb", value: "26", by: "officer") }
    }
}
