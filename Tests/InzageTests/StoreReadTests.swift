import Foundation
import GRDB
import Testing
@testable import Inzage

/// The store's own row decoding (`SQLiteColumns`) gives exactly what GRDB's `Row` decoding gives, and reports a
/// value changed outside Inzage as ``StoreError/corruptValue(table:column:value:)``.
@Suite("SQLite store: reading rows")
struct StoreReadTests {
    /// GRDB's decoding of `text` as a date, as `Row` did before.
    private func grdbDate(_ text: String) -> Date? {
        Date.fromDatabaseValue(text.databaseValue)
    }

    /// The fast parser's date for `text`.
    private func fastDate(_ text: String) -> Date? {
        Array(text.utf8).withUnsafeBufferPointer { StoredDateFormat.date($0) }
    }

    @Test("dates GRDB wrote are parsed to the very same Date as GRDB parses them")
    func datesMatchGRDB() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        // Random instants over four centuries, at millisecond precision, plus the edges of days, months and years.
        var instants: [Date] = (0..<100_000).map { _ in
            let milliseconds = Int64.random(in: -11_670_000_000_000...250_000_000_000_000, using: &generator)
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        for year in [1600, 1900, 1970, 2000, 2001, 2024, 2100, 2400, 9999] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] {
                var components = DateComponents(year: year, month: month, day: day, hour: 23, minute: 59, second: 59, nanosecond: 999_000_000)
                components.timeZone = .gmt
                if let date = Calendar(identifier: .gregorian).date(from: components) { instants.append(date) }
            }
        }
        for instant in instants {
            // What GRDB stores for the instant, then both readings of that text.
            guard case .string(let stored) = instant.databaseValue.storage else {
                Issue.record("GRDB stored \(instant) as something else than text")
                continue
            }
            let expected = try #require(grdbDate(stored))
            let fast = try #require(fastDate(stored), "not parsed: \(stored)")
            #expect(fast.timeIntervalSinceReferenceDate.bitPattern == expected.timeIntervalSinceReferenceDate.bitPattern,
                    "\(stored): \(fast.timeIntervalSinceReferenceDate) != \(expected.timeIntervalSinceReferenceDate)")
            // Without milliseconds and with the ISO separator: the same as GRDB too.
            for variant in [String(stored.prefix(19)), stored.replacingOccurrences(of: " ", with: "T")] {
                let expectedVariant = try #require(grdbDate(variant))
                #expect(fastDate(variant)?.timeIntervalSinceReferenceDate.bitPattern
                        == expectedVariant.timeIntervalSinceReferenceDate.bitPattern, "\(variant)")
            }
            checked += 1
        }
        #expect(checked == instants.count)
    }

    @Test("any other date text is left to GRDB", arguments: [
        "2026-02-30 10:00:00", "2026-13-01 10:00:00", "2026-01-01 24:00:00", "2026-01-01 10:60:00", "2026-01-01 10:00:60",
        "1500-01-01 10:00:00", "2026-01-01", "2026-01-01 10:00", "2026-01-01 10:00:00.1", "2026-01-01 10:00:00.123456",
        "2026-01-01 10:00:00Z", "2026/01/01 10:00:00", "２０２６-01-01 10:00:00", "2026-01-01x10:00:00", "",
    ])
    func otherDatesFallBack(_ text: String) {
        #expect(fastDate(text) == nil)
    }

    @Test("a stored date of another shape reads as GRDB reads it; an unreadable one is a clear error")
    func dateColumnFallback() throws {
        let database = try DatabaseQueue()
        try database.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER, at)")
            try db.execute(sql: """
                INSERT INTO t VALUES (1, '2026-01-01'), (2, '2026-01-01 10:00:00.123456'), (3, 1700000000), (4, 'yesterday'), (5, NULL)
                """)
        }
        try database.read { db in
            var read: [Int64: Result<Date?, StoreError>] = [:]
            var expected: [Int64: Date?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, at FROM t") {
                expected[row[0]] = Date.fromDatabaseValue(row["at"])
            }
            try db.forEachRow("SELECT id, at FROM t", table: "t") { row in
                let id = try row.int64(0)
                do { read[id] = .success(try row.optionalDate(1)) } catch let error as StoreError { read[id] = .failure(error) }
            }
            for id: Int64 in 1...3 {
                #expect(try read[id]?.get() == expected[id] ?? nil)
                #expect(expected[id] != nil)
            }
            #expect(read[4] == .failure(.corruptValue(table: "t", column: "at", value: "yesterday")))
            #expect(try read[5]?.get() == nil)
        }
    }

    @Test("localized texts read as JSONDecoder reads them", arguments: [
        #"{"nl":"Verkoop en service","en":"Sales and service"}"#,
        #"{"en":"E-marketing","nl":"E-marketing"}"#,
        #" { "nl" : "a \"quote\" \\ back\/slash\n\t" , "en" : "" } "#,
        #"{"nl":"Één café — ü","en":"😀 emoji"}"#,
        #"{"nl":"\u00e9 escaped","en":"x"}"#,
        #"{"nl":"a","en":"b","extra":"c"}"#,
        #"{"nl":"a","nl":"b","en":"c"}"#,
        #"{"nl":"a"}"#,
        #"{"nl":1,"en":"b"}"#,
        #"["nl","en"]"#,
        #"{"nl":"a","en":"b"} trailing"#,
    ])
    func localizedTexts(_ json: String) {
        let decoded = try? JSONDecoder().decode(LocalizedText.self, from: Data(json.utf8))
        let fast = Array(json.utf8).withUnsafeBufferPointer { LocalizedTextJSON.parse($0) }
        // The fast parser either agrees with JSONDecoder or declines (and the column reader then asks JSONDecoder).
        if let fast { #expect(fast == decoded) }
        if !json.contains(#"\u"#), !json.contains("extra"), json.components(separatedBy: #""nl""#).count == 2, decoded != nil {
            #expect(fast != nil, "the common shape is parsed without JSONDecoder")
        }
    }

    @Test("enum keys are looked up by their bytes: every case, and nothing else")
    func storedKeys() {
        func check<T: StoredKey & Equatable>(_ type: T.Type) {
            for value in T.allCases {
                let found = Array(value.rawValue.utf8).withUnsafeBufferPointer { T.storedKeys.value($0) }
                #expect(found == value, "\(T.self).\(value.rawValue)")
                let longer = Array((value.rawValue + "x").utf8).withUnsafeBufferPointer { T.storedKeys.value($0) }
                #expect(longer == nil || T(rawValue: value.rawValue + "x") == longer)
                let shorter = Array(value.rawValue.dropLast().utf8).withUnsafeBufferPointer { T.storedKeys.value($0) }
                #expect(shorter == T(rawValue: String(value.rawValue.dropLast())))
            }
        }
        check(PersonField.self)
        check(ChangeChannel.self)
        check(ConsentStatus.self)
        check(ConsentEventType.self)
        check(SourceType.self)
        check(RecipientRole.self)
        check(RequestState.self)
        check(RequestType.self)
        check(RequestChannel.self)
        check(ItemOutcome.self)
        check(Language.self)
    }

    @Test("a value changed outside Inzage is a clear error naming table and column, not a crash")
    func corruptValues() throws {
        let (ledger, database) = try makeLedger()
        let anna = try ledger.annaJansen()
        _ = try ledger.updatePerson(id: anna.id, changes: [.lastName: "de Vries"], attribution: officer)
        // The history tables refuse changes (append-only triggers), so the damage is done with the triggers dropped.
        try database.dbWriter.write { db in
            for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'person_edit'") {
                try db.execute(sql: "DROP TRIGGER \(name)")
            }
            try db.execute(sql: "UPDATE person_edit SET field = 'shoe_size' WHERE person_id = ?", arguments: [anna.id])
        }
        #expect(throws: StoreError.corruptValue(table: "person_edit", column: "field", value: "shoe_size")) {
            try ledger.edits(anna.id)
        }
        try database.dbWriter.write { db in
            try db.execute(sql: "UPDATE person_edit SET field = 'last-name', at = 'last week' WHERE person_id = ?", arguments: [anna.id])
        }
        #expect(throws: StoreError.corruptValue(table: "person_edit", column: "at", value: "last week")) {
            try ledger.edits(anna.id)
        }
    }

    @Test("a consent's channels are those of its first event and of the event that last changed it; without events, the command line")
    func consentChannels() throws {
        let (ledger, database) = try makeLedger()
        let anna = try ledger.annaJansen()
        _ = try ledger.giveConsent(ConsentGrant(personID: anna.id, purposeKey: "e-marketing", sourceKey: "web-form"),
                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        _ = try ledger.recordObjection(personID: anna.id, purposeKey: "e-marketing",
                                       attribution: Attribution(by: "privacy-officer", via: .request, requestReference: "DSR-2026-000001"))
        var marketing = try #require(try ledger.legalBasisView(personID: anna.id).consents.first { $0.purposeKey == "e-marketing" })
        #expect(marketing.registeredVia == .preferencePage && marketing.updatedVia == .request)
        // A row another program wrote without its event (the triggers only guard updates) reads as before these channels.
        try database.dbWriter.write { db in
            try db.execute(sql: """
                INSERT INTO consent (person_id, purpose_key, basis_key, status, source_key, registered_at, registered_by, updated_at,
                                     updated_by, update_count)
                VALUES (?, 'sales-and-service', 'legitimate-interest', 'not-applicable', 'import', '2026-01-01 00:00:00.000', 'crm',
                        '2026-01-01 00:00:00.000', 'crm', 0)
                """, arguments: [anna.id])
        }
        let view = try ledger.legalBasisView(personID: anna.id)
        let sales = try #require(view.consents.first { $0.purposeKey == "sales-and-service" })
        #expect(sales.registeredVia == .cli && sales.updatedVia == .cli)
        marketing = try #require(view.consents.first { $0.purposeKey == "e-marketing" })
        #expect(marketing.updatedVia == .request)
    }

    @Test("the history of several requests read at once equals reading it per request")
    func batchedRequestHistory() throws {
        let (ledger, database) = try makeLedger()
        let anna = try ledger.annaJansen()
        let queue = RequestQueue(store: database)
        var requests: [DataSubjectRequest] = []
        for _ in 0..<3 {
            requests.append(try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(personID: anna.id)), by: "officer").request)
        }
        _ = try queue.transition(requests[1].reference, to: .withdrawn, by: "officer", note: "By phone")
        let ids = requests.map(\.id)
        try database.dbWriter.read { db in
            let requests = SQLiteRequestAccess(db: db)
            let batched = try requests.transitions(requestIDs: ids + [999])
            for id in ids {
                #expect(batched[id] == (try requests.transitions(requestID: id)))
                #expect(batched[id]?.isEmpty == false)
            }
            #expect(batched[999] == nil)
            #expect(try requests.transitions(requestIDs: []).isEmpty)
            #expect(try requests.decisions(requestIDs: ids).isEmpty)
        }
    }

    @Test("recipients of all purposes read at once equal reading them per purpose")
    func batchedRecipients() throws {
        let (_, database) = try makeLedger()
        try database.dbWriter.read { db in
            let ledger = SQLiteLedgerAccess(db: db)
            let byPurpose = try ledger.recipientKeysByPurpose()
            for purpose in try ledger.purposes() {
                let one = try ledger.recipientKeys(purposeKey: purpose.key)
                #expect(byPurpose[purpose.key] ?? [] == one)
            }
        }
    }
}
