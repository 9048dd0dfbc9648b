import Foundation
import GRDB
import Testing
@testable import Inzage

@Suite("SQLite store")
struct StoreTests {
    @Test("opening twice migrates once and keeps the data")
    func reopen() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        let ledger = Ledger(store: try InzageDatabase(path: path))
        let person = try ledger.annaJansen()
        #expect(try InzageDatabase.needsMigration(path: path) == false)
        let reopened = Ledger(store: try InzageDatabase(path: path))
        #expect(try reopened.person(id: person.id).details.email == "anna.jansen@example.nl")
        #expect(try reopened.referenceLists().purposes.count == 2)
    }

    @Test("another program's database is refused and left without Inzage's tables; an empty file only when one must exist")
    func foreignAndEmptyFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = directory.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE foo (x)") }
        for connections in [InzageDatabase.Connections.pool, .single] {
            for mustExist in [false, true] {
                #expect(throws: StoreError.notInzage(path: other)) { try InzageDatabase(path: other, connections: connections, mustExist: mustExist) }
            }
        }
        #expect(throws: StoreError.notInzage(path: other)) { try InzageDatabase(try DatabaseQueue(path: other)) }
        #expect(try DatabaseQueue(path: other).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master") } == ["foo"])

        let empty = directory.appendingPathComponent("empty.sqlite").path
        FileManager.default.createFile(atPath: empty, contents: nil)
        #expect(throws: StoreError.empty(path: empty)) { try InzageDatabase(path: empty, connections: .single, mustExist: true) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
        let missing = directory.appendingPathComponent("missing.sqlite").path
        #expect(throws: StoreError.noDatabase(path: missing)) { try InzageDatabase(path: missing, mustExist: true) }
        #expect(!FileManager.default.fileExists(atPath: missing))
        _ = try InzageDatabase(path: empty)
        #expect(try InzageDatabase.needsMigration(path: empty) == false)
    }

    @Test("a database of an older schema is still migrated when a command opens it as an existing one")
    func olderSchemaMigratesWhenItMustExist() throws {
        let file = try AnnaDatabaseFile()
        defer { file.remove() }
        // Back to v5: no recipient fields, v6 not in the migration log.
        try DatabaseQueue(path: file.path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v6-recipient-fields'; ALTER TABLE recipient DROP COLUMN fields;")
        }
        #expect(try InzageDatabase.needsMigration(path: file.path))
        let database = try InzageDatabase(path: file.path, connections: .single, mustExist: true)
        #expect(try InzageDatabase.needsMigration(path: file.path) == false)
        #expect(try Ledger(store: database).person(id: file.personID).details.email == "anna.jansen@example.nl")
    }

    @Test("v9 gives the events recorded before it their date of consent: the consent's own on its last grant, else their time")
    func consentEventDatesOfConsentMigrated() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        let clock = DemoClock(start: Date(timeIntervalSince1970: 1_750_000_000))
        let ledger = Ledger(store: try InzageDatabase(path: path), clock: { clock.advance(minutes: 1); return clock.now() })
        let person = try ledger.addPerson(PersonDetails(firstName: "Ann", lastName: "Lee", email: "ann@example.nl", sourceKey: "web-form"),
                                          attribution: Attribution(by: "officer", via: .cli))
        let attribution = Attribution(by: "officer", via: .cli)
        let onPaper = Date(timeIntervalSince1970: 1_740_837_600)
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", givenAt: onPaper), attribution: attribution)
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent", sourceKey: "web-form",
                                                givenAt: onPaper), attribution: attribution)
        let renewal = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent",
                                                          sourceKey: "web-form"), attribution: attribution)
        // Back to v8: no given_at on the events.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-consent-event-given-at'; ALTER TABLE consent_event DROP COLUMN given_at;")
        }
        let database = try InzageDatabase(path: path, connections: .single, mustExist: true)
        var events: [ConsentEvent] = []
        try database.read { try $0.forEachConsentEvent(personID: person.id) { events.append($0) } }
        #expect(events.map(\.purposeKey) == ["e-marketing", "sales-and-service", "sales-and-service"])
        #expect(events[0].givenAt == onPaper, "the only grant: the consent's own date")
        #expect(events[1].givenAt == events[1].at, "an earlier grant whose date the renewal replaced: its own time, the best known")
        #expect(events[2].givenAt == renewal.givenAt)
        // The history is still append-only.
        #expect(throws: (any Error).self) {
            try DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE consent_event SET comment = 'x'") }
        }
    }

    @Test("a missing folder is a clear error")
    func missingFolder() {
        #expect(throws: StoreError.directoryMissing("/nonexistent/folder")) {
            try InzageDatabase(path: "/nonexistent/folder/inzage.sqlite")
        }
    }

    @Test("a pool and a single connection writing at once both succeed (WAL and busy timeout)")
    func concurrentWriters() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        _ = try InzageDatabase(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    // A separate pool or connection is a separate SQLite connection, locking the file as another
                    // process would: one writes as the worker does, the other as a one-shot command.
                    let database = try InzageDatabase(path: path, connections: writer == 0 ? .pool : .single)
                    #expect(writer == 0 ? database.dbWriter is DatabasePool : database.dbWriter is DatabaseQueue)
                    let ledger = Ledger(store: database)
                    for index in 0..<150 {
                        try ledger.write { tx in
                            let person = try tx.addPerson(PersonDetails(lastName: "W\(writer)", email: "w\(writer).\(index)@example.nl"), attribution: officer)
                            try tx.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let counts = try InzageDatabase(path: path).counts()
        #expect(counts["person"] == 300 && counts["consent_event"] == 300)
    }

    @Test("a one-shot command's connection reads the dossier without writing the database file")
    func singleConnectionDoesNotWrite() throws {
        let file = try AnnaDatabaseFile()
        defer { file.remove() }
        let (path, personID) = (file.path, file.personID)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))

        do {
            let database = try InzageDatabase(path: path, connections: .single)
            #expect(database.dbWriter is DatabaseQueue)
            let edits = try Resolver(store: database).withDossier(personID: personID) { dossier in
                var count = 0
                try dossier.forEachEdit { _ in count += 1 }
                return count
            }
            #expect(edits > 0)
        }
        // Closed: the file is byte for byte what it was, and no -wal file is left behind.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("a write refused because the database is read-only is a clear error, and nothing is written")
    func readOnlyDatabase() throws {
        let file = try AnnaDatabaseFile()
        defer { file.remove() }
        let (path, personID) = (file.path, file.personID)
        // File permissions do not bind root (the CI user), so the connection itself is opened read-only, which is
        // what SQLite makes of a file the user may read but not write.
        var configuration = Configuration()
        configuration.readonly = true
        let ledger = Ledger(store: try InzageDatabase(try DatabaseQueue(path: path, configuration: configuration)))
        #expect(try ledger.person(id: personID).details.email == "anna.jansen@example.nl")
        #expect(throws: StoreError.readOnly(path: path)) {
            try ledger.write { tx in
                _ = try tx.addPerson(PersonDetails(lastName: "Bakker", email: "b.bakker@example.nl"), attribution: officer)
            }
        }
        #expect(StoreError.readOnly(path: path).description.contains("read-only for this user, so nothing was written"))
        #expect(try InzageDatabase(path: path).counts()["person"] == 1)
    }

    @Test("a single connection on a new file makes a migrated WAL database")
    func singleConnectionCreatesWALDatabase() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        let database = try InzageDatabase(path: path, connections: .single)
        #expect(database.dbWriter is DatabasePool)
        let journalMode = try database.dbWriter.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journalMode == "wal")
        #expect(try InzageDatabase.needsMigration(path: path) == false)
        #expect(try InzageDatabase(path: path, connections: .single).dbWriter is DatabaseQueue)
    }

    @Test("the demo CRM is deterministic and complete")
    func demoIsDeterministic() throws {
        let first = try InzageDatabase.inMemory()
        let second = try InzageDatabase.inMemory()
        let summary = try DemoCRM(personCount: 60).populate(first)
        _ = try DemoCRM(personCount: 60).populate(second)
        #expect(summary.personIDs.count == 60 && summary.corrections > 0)
        func dump(_ database: InzageDatabase) throws -> [String] {
            try database.dbWriter.read { db in
                try ["person", "person_edit", "consent", "consent_event", "suppression", "recipient", "purpose_recipient"].flatMap { table in
                    try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map { "\(table): \($0)" }
                }
            }
        }
        let rows = try dump(first)
        #expect(rows == (try dump(second)))
        let counts = try first.counts()
        #expect((counts["consent_event"] ?? 0) > (counts["consent"] ?? 0))
        #expect((counts["suppression"] ?? 0) >= 0)
    }

    @Test("every change of the demo CRM lies between its start and its end, for a few persons and for many",
          arguments: [10, 60, 3_000])
    func demoDates(persons: Int) throws {
        let database = try InzageDatabase.inMemory()
        let demo = DemoCRM(personCount: persons)
        _ = try demo.populate(database)
        let (first, last) = try database.dbWriter.read { db -> (String?, String?) in
            let row = try Row.fetchOne(db, sql: """
                SELECT MIN(at), MAX(at) FROM (SELECT at FROM person_edit UNION ALL SELECT at FROM consent_event)
                """)
            return (row?[0], row?[1])
        }
        func text(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
            return formatter.string(from: date)
        }
        #expect(try #require(first) >= text(demo.start))
        #expect(try #require(last) <= text(demo.end), "the last change of \(persons) persons")
        // The last person's story starts one share of the span (under 1,000 days) and one story length before the end.
        let latestStart = demo.end.addingTimeInterval(-(125 + 1_000 / Double(persons) + 1) * 86_400)
        #expect(try #require(last) > text(latestStart), "the stories reach towards the end")
    }
}

/// A database file in a new folder, holding Anna Jansen; ``remove()`` deletes the folder.
private struct AnnaDatabaseFile {
    let directory: URL
    let path: String
    let personID: Int64

    init() throws {
        directory = try makeTemporaryDirectory()
        path = directory.appendingPathComponent("inzage.sqlite").path
        do {
            personID = try Ledger(store: try InzageDatabase(path: path)).annaJansen().id
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Errors in words")
struct ErrorTextTests {
    @Test("Foundation's file errors read as the file and a sentence without a closing full stop; ours by their description")
    func describe() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inTheWay = folder.appendingPathComponent("DSR-2026-000001")
        try Data("x".utf8).write(to: inTheWay)
        let archive = try ExtractArchive(root: folder)
        let error = try #require(throws: ExtractArchiveError.self) {
            try archive.write(folder: "DSR-2026-000001", name: "DSR-2026-000001.json") { _ in nil }
        }
        let text = ErrorText.describe(error)
        #expect(text.hasPrefix("Cannot create the extract folder \(inTheWay.path): "), "\(text)")
        #expect(!text.contains("NSCocoaErrorDomain") && !text.contains("UserInfo") && !text.contains(".."), "\(text)")
        #expect(text.components(separatedBy: inTheWay.path).count == 2, "the path once: \(text)")

        let cocoa = CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: "/srv/x"])
        #expect(ErrorText.describe(cocoa).hasPrefix("/srv/x: ") && !ErrorText.describe(cocoa).hasSuffix("."))
        #expect(ErrorText.describe(LedgerError.unknownPerson(7)) == LedgerError.unknownPerson(7).description)
        #expect(ErrorText.reason("You don't have permission. ") == "You don't have permission")
    }

    @Test("a file with a long name is written through a temporary name that still fits the file system")
    func longNames() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = String(repeating: "é", count: 120) + ".json"  // 245 bytes: the longest a name may be, almost
        #expect(ExtractArchive.temporaryName(for: name).utf8.count <= 255)
        #expect(ExtractArchive.temporaryName(for: name).contains(ExtractArchive.partialMarker))
        let archive = try ExtractArchive(root: folder)
        let written = try archive.write(folder: "DSR-2026-000001", name: name) { url in
            try Data("{}".utf8).write(to: url)
            return nil
        }
        #expect(written.size == 2 && FileManager.default.fileExists(atPath: archive.url(of: written.relativePath).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("DSR-2026-000001").path) == [name])
    }

    @Test("a worker's retries double and never wait more than an hour")
    func retryWait() {
        #expect(RequestWorker.wait(afterAttempt: 1, retryDelay: 30) == 30)
        #expect(RequestWorker.wait(afterAttempt: 3, retryDelay: 30) == 120)
        #expect(RequestWorker.wait(afterAttempt: 20, retryDelay: 30) == 3600)
        #expect(RequestWorker.wait(afterAttempt: 2, retryDelay: 1e12) == 3600)
    }
}
