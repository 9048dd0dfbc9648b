import Foundation
import GRDB
import Testing
@testable import Inzage

/// Options for an import from the `import` source by the test user.
private func options(allOrNothing: Bool = false, batchSize: Int = ImportOptions.defaultBatchSize, purposes: [String] = []) -> ImportOptions {
    ImportOptions(sourceKey: "import", purposes: purposes, allOrNothing: allOrNothing, batchSize: batchSize, actor: "importer")
}

/// Reads every raw record of `text` with the CSV reader, handing it the bytes in chunks of `chunkSize`.
private func csvRecords(_ bytes: [UInt8], chunkSize: Int) throws -> (CSVRecordReader, [ImportRecord]) {
    var reader = try CSVRecordReader(chunks: ByteChunks(bytes: bytes, chunkSize: chunkSize),
                                     parser: ImportValueParser(timeZone: TimeZone(identifier: "Europe/Amsterdam") ?? .current), path: "test.csv")
    var records: [ImportRecord] = []
    while let record = try reader.next() { records.append(record) }
    return (reader, records)
}

/// Writes `text` to a temporary file named `name` and returns its path.
private func temporaryFile(_ name: String, _ text: String) throws -> (URL, String) {
    let directory = try makeTemporaryDirectory()
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return (directory, url.path)
}

private func count(_ database: InzageDatabase, _ sql: String) throws -> Int {
    try database.dbWriter.read { try Int.fetchOne($0, sql: sql) ?? 0 }
}

@Suite("Bulk import: CSV reading")
struct ImportCSVReaderTests {
    /// Chunk sizes that put chunk boundaries inside quotes, CRLFs and the byte order mark.
    static let chunkSizes = [1, 2, 3, 5, 64, 1 << 16]

    @Test("quoted fields hold commas, doubled quotes and line breaks; lines are counted physically", arguments: chunkSizes)
    func quoting(chunkSize: Int) throws {
        let text = "first_name,last_name,organisation,job_title\r\n"
            + "Anna,Jansen,\"Jansen, de Vries & Co\",\"Hoofd \"\"inkoop\"\"\"\r\n"
            + "Piet,\"de\r\nGroot\",\"Line one\nline two\",\r\n"
            + "\r\n"
            + "Kees,Bakker,,\"\"\r\n"
        let (reader, records) = try csvRecords(Array(text.utf8), chunkSize: chunkSize)
        #expect(reader.delimiter == ASCII.comma)
        #expect(records.count == 3)
        #expect(records.map(\.line) == [2, 3, 7])
        #expect(records[0].details.organisation == "Jansen, de Vries & Co")
        #expect(records[0].details.jobTitle == "Hoofd \"inkoop\"")
        #expect(records[1].details.lastName == "de\r\nGroot")
        #expect(records[1].details.organisation == "Line one\nline two")
        #expect(records[1].details.jobTitle == nil)
        #expect(records[2].details.organisation == nil && records[2].details.jobTitle == nil)
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test("a byte order mark and a semicolon delimiter are detected; commas inside then are plain text", arguments: chunkSizes)
    func bomAndSemicolon(chunkSize: Int) throws {
        let text = "\u{FEFF}First_Name;Last-Name;organisation;consents\n"
            + "José;Müller;Bakker, Smit;e-marketing:consent;\n"
            + "Eva;\"Smit;Jansen\";;\"e-marketing:consent;sales-and-service\"\n"
        let (reader, records) = try csvRecords(Array(text.utf8), chunkSize: chunkSize)
        #expect(reader.delimiter == ASCII.semicolon)
        #expect(reader.columns == [.person(.firstName), .person(.lastName), .person(.organisation), .consents])
        #expect(records.count == 2)
        // The first data row has a trailing delimiter: five values for four columns.
        #expect(records[0].problem?.field == "row")
        #expect(records[0].problem?.reason.contains("5 values but the header names 4 columns") == true)
        #expect(records[1].details.firstName == "Eva")
        #expect(records[1].details.lastName == "Smit;Jansen")
        #expect(records[1].consents.map(\.purposeKey) == ["e-marketing", "sales-and-service"])
        #expect(records[1].consents.map(\.basisKey) == ["consent", nil])
    }

    @Test("a lone CR ends a record like CRLF and LF do, and the last record needs no line break", arguments: chunkSizes)
    func lineEndings(chunkSize: Int) throws {
        let text = "last_name,email\rA,a@example.nl\r\nB,b@example.nl\nC,c@example.nl"
        let (_, records) = try csvRecords(Array(text.utf8), chunkSize: chunkSize)
        #expect(records.map(\.line) == [2, 3, 4])
        #expect(records.map(\.details.lastName) == ["A", "B", "C"])
        #expect(records[2].details.email == "c@example.nl")
    }

    @Test("malformed records are refused with the line they start on and the column at fault", arguments: chunkSizes)
    func malformed(chunkSize: Int) throws {
        let text = "last_name,city\n\"Jansen\"x,Utrecht\nOk,Delft\n\"Open,Leiden\nmore\n"
        let (_, records) = try csvRecords(Array(text.utf8), chunkSize: chunkSize)
        #expect(records.count == 3)
        #expect(records[0].problem == ImportRefusal(line: 2, field: "last-name",
                                                    reason: "column 1 has text after its closing quote; a quote inside a quoted value is written as two quotes"))
        #expect(records[1].problem == nil)
        #expect(records[2].problem?.line == 4)
        #expect(records[2].problem?.reason.contains("not closed before the end of the file") == true)
    }

    @Test("bytes that are not UTF-8 are refused, naming the column")
    func invalidUTF8() throws {
        let bytes = Array("last_name,city\n".utf8) + [0x4A, 0xE9, 0x2C] + Array("Delft\n".utf8)
        let (_, records) = try csvRecords(bytes, chunkSize: 7)
        #expect(records.first?.problem?.field == "last-name")
        #expect(records.first?.problem?.reason.contains("not valid UTF-8") == true)
    }

    @Test("column names in snake_case, kebab-case, camelCase and words all map to the same column")
    func columnNames() {
        for name in ["postal_code", "postal-code", "postalCode", "Postal Code", "POSTAL_CODE"] {
            #expect(ImportColumn(name: name) == .person(.postalCode), "\(name)")
        }
        #expect(ImportColumn(name: "Consent_Given_At") == .consentGivenAt)
        #expect(ImportColumn(name: "externalID") == .person(.externalID))
        #expect(ImportColumn(name: "shoe_size") == nil)
    }

    @Test("ISO 8601 dates and date-times parse in the organisation's time zone unless they carry an offset")
    func dates() throws {
        let amsterdam = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        let parse = { (text: String) in ImportValueParser.parseISO8601(text, timeZone: amsterdam) }
        let utc = { (text: String) throws -> Date in try #require(ISO8601DateFormatter().date(from: text)) }
        #expect(parse("2024-03-01") == (try utc("2024-02-29T23:00:00Z")))
        #expect(parse("2024-07-01T09:30") == (try utc("2024-07-01T07:30:00Z")))
        #expect(parse("2024-07-01 09:30:15") == (try utc("2024-07-01T07:30:15Z")))
        #expect(parse("2024-07-01T09:30:15Z") == (try utc("2024-07-01T09:30:15Z")))
        #expect(parse("2024-07-01T09:30:15+02:00") == (try utc("2024-07-01T07:30:15Z")))
        #expect(parse("2024-07-01T09:30:15.250-0500")?.timeIntervalSince(try utc("2024-07-01T14:30:15Z")) == 0.25)
        #expect(parse("1900-01-01T00:00:00Z") == (try utc("1900-01-01T00:00:00Z")))
        // Before 1900 is a typing error (and before 1582 another calendar): refused, as in request files.
        for bad in ["2024-02-30", "2024-13-01", "01-03-2024", "2024-03-01T25:00", "2024-03-01X", "yesterday", "2024-3-1",
                    "1899-12-31", "0024-03-01", "1582-10-10"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Bulk import: JSON reading")
struct ImportJSONReaderTests {
    static let document = """
        \u{FEFF}[
          {"firstName": "Anna", "last_name": "Jansen", "email": "anna@example.nl", "external_id": 1001,
           "consents": [{"purpose": "e-marketing", "basis": "consent", "givenAt": "2023-05-01", "evidence": "form-17"},
                        "sales-and-service"]},
          {"last-name": "de Vries", "email": "devries@example.nl", "organisation": "A \\"quoted\\" {brace} [bracket]",
           "consents": "e-marketing:consent", "consent_comment": null},
          {
            "last_name": "Bakker",
            "phone": true
          }
        ]
        """

    static func records(_ text: String, layout: JSONRecordReader.Layout, chunkSize: Int) throws -> [ImportRecord] {
        var reader = JSONRecordReader(chunks: ByteChunks(bytes: Array(text.utf8), chunkSize: chunkSize), layout: layout,
                                      parser: ImportValueParser(timeZone: TimeZone(identifier: "Europe/Amsterdam") ?? .current))
        var records: [ImportRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test("an array is streamed element by element, with nested consent objects", arguments: [1, 3, 16, 1 << 16])
    func array(chunkSize: Int) throws {
        let records = try Self.records(Self.document, layout: .array, chunkSize: chunkSize)
        #expect(records.map(\.line) == [2, 5, 7])
        #expect(records[0].details.firstName == "Anna")
        #expect(records[0].details.externalID == "1001")
        #expect(records[0].consents.count == 2)
        #expect(records[0].consents[0].purposeKey == "e-marketing" && records[0].consents[0].evidence == "form-17")
        #expect(records[0].consents[0].givenAt != nil)
        #expect(records[0].consents[1] == ImportConsent(purposeKey: "sales-and-service", basisKey: nil))
        #expect(records[1].details.organisation == "A \"quoted\" {brace} [bracket]")
        #expect(records[1].consents == [ImportConsent(purposeKey: "e-marketing", basisKey: "consent")])
        #expect(records[2].problem == ImportRefusal(line: 7, record: 3, field: "phone", reason: "the value must be text or a number"))
    }

    @Test("JSON Lines: one object per line")
    func lines() throws {
        let text = "{\"last_name\": \"A\", \"email\": \"a@example.nl\"}\n\n{\"last_name\": \"B\"}\r\n"
        let records = try Self.records(text, layout: .lines, chunkSize: 4)
        #expect(records.map(\.line) == [1, 3])
        #expect(records.map(\.details.lastName) == ["A", "B"])
    }

    @Test("malformed JSON names the line", arguments: [
        ("{\"last_name\": \"A\"}", 1, "holds one array of objects"),
        ("[{\"last_name\": \"A\"},\n 42]", 2, "every element must be an object"),
        ("[{\"last_name\": \"A\"}\n {\"last_name\": \"B\"}]", 2, "expected , or ]"),
        ("[{\"last_name\": \"A\"},\n{\"last_name\": \"B\"", 2, "not closed before the end of the file"),
        ("[{\"last_name\": \"A\"}] x", 1, "more after the array"),
        ("[\n{\"last_name\": A}]", 2, "not valid JSON"),
        ("[{\"last_name\": \"A\"}", 1, "not closed with ]"),
        // Foundation's decoder accepts trailing commas; JSON does not.
        ("[{\"last_name\": \"A\",\n}]", 2, "a comma before '}' (trailing commas are not JSON)"),
        ("[{\"last_name\": \"A\", \"consents\": [\"e-marketing\", ]}]", 1, "a comma before ']'"),
    ])
    func malformed(text: String, line: Int, reason: String) {
        do {
            _ = try Self.records(text, layout: .array, chunkSize: 5)
            Issue.record("expected an error for \(text)")
        } catch let ImportError.malformedJSON(errorLine, errorReason) {
            #expect(errorLine == line)
            #expect(errorReason.contains(reason), "\(errorReason)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the objects of a JSON array on one line are told apart by their number")
    func recordNumbers() throws {
        let (ledger, _) = try makeLedger()
        let (directory, path) = try temporaryFile("people.json", """
            [{"first_name":"A","email":"x1@example.nl","language":"xx"},{"first_name":"B","email":"x2@example.nl"},{"first_name":"C","email":"bad"},{"first_name":"D","email":"d1@example.nl","email":"d2@example.nl"},{"first_name":"E","email":"x2@example.nl"}]
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try ledger.importFile(at: path, options: options())
        #expect(summary.refused.map(\.line) == [1, 1, 1, 1])
        #expect(summary.refused.map(\.record) == [1, 3, 4, 5])
        #expect(summary.refused.map(\.field) == ["language", "email", "email", "email"])
        #expect(summary.refused[2].reason == "the key appears twice in this object; give each key once")
        #expect(summary.refused[3].reason == "record 2 has the same e-mail address; one person is one row (merge records 2 and 5)")
        #expect(try ledger.findPersons(email: "d2@example.nl").isEmpty && ledger.findPersons(email: "d1@example.nl").isEmpty)
    }

    @Test("an unknown key stops the import before anything is written, even in the last element")
    func unknownKey() throws {
        let (ledger, database) = try makeLedger()
        let (directory, path) = try temporaryFile("people.json", """
            [{"last_name": "A", "email": "a@example.nl"},
             {"last_name": "B", "shoe_size": 44}]
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ImportError.unknownColumn("shoe_size", line: 2, valid: ImportColumn.validNames)) {
            try ledger.importFile(at: path, options: options())
        }
        #expect(try database.counts()["person"] == 0)
    }
}

@Suite("Bulk import into the ledger")
struct ImportLedgerTests {
    @Test("an unknown column stops the import before anything is written, naming it and the valid columns")
    func unknownColumn() throws {
        let (ledger, database) = try makeLedger()
        let text = "last_name,email,shoe_size\nJansen,a@example.nl,44\n"
        do {
            _ = try ledger.importCSV(Array(text.utf8), options: options())
            Issue.record("expected an error")
        } catch let error as ImportError {
            #expect(error == .unknownColumn("shoe_size", line: 1, valid: ImportColumn.validNames))
            #expect(error.isUsageError)
            #expect(error.description.contains("first_name, name_prefix, last_name, email"))
            #expect(error.description.contains("consents, consent_given_at, consent_evidence, consent_comment"))
        }
        #expect(try database.counts()["person"] == 0)
    }

    @Test("an unknown source, purpose or file type is a usage error before anything is read")
    func usageErrors() throws {
        let (ledger, _) = try makeLedger()
        #expect(throws: LedgerError.self) {
            try ledger.importCSV(Array("last_name\nA\n".utf8), options: ImportOptions(sourceKey: "fax", actor: "importer"))
        }
        #expect(throws: LedgerError.self) {
            try ledger.importCSV(Array("last_name\nA\n".utf8), options: options(purposes: ["newsletter"]))
        }
        #expect(throws: ImportError.unsupportedFileType(path: "people.xlsx")) {
            try ledger.importFile(at: "people.xlsx", options: options())
        }
        #expect(throws: ImportError.invalidBatchSize(0)) {
            try ledger.importCSV(Array("last_name\nA\n".utf8), options: options(batchSize: 0))
        }
    }

    @Test("every new person gets its creation edit records and every consent its imported event")
    func createsWithHistory() throws {
        let (ledger, database) = try makeLedger()
        let text = """
            first_name,last_name,email,phone,language,external_id,consents,consent_given_at,consent_evidence
            Anna,Jansen,Anna@Example.NL,+31 20 123 4567,nl,crm-1,e-marketing:consent;sales-and-service,2023-05-01,form-17
            Piet,de Groot,piet@example.nl,,en,crm-2,sales-and-service,,

            """
        let summary = try ledger.importCSV(Array(text.utf8), options: options())
        #expect(summary.isComplete)
        #expect(summary.rowsRead == 2 && summary.personsCreated == 2 && summary.consentsRecorded == 3)
        let anna = try #require(try ledger.findPersons(email: "anna@example.nl").first)
        #expect(anna.details.sourceKey == "import")
        let edits = try ledger.edits(anna.id)
        #expect(Set(edits.map(\.field)) == [.firstName, .lastName, .email, .phone, .language, .externalID, .source])
        #expect(edits.allSatisfy { $0.attribution == Attribution(by: "importer", via: .import) && $0.oldValue == nil })
        let events = try ledger.events(anna.id)
        #expect(events.map(\.type) == [.imported, .imported])
        #expect(events.first?.evidence == "form-17")
        let marketing = try #require(try ledger.read { try $0.consent(personID: anna.id, purposeKey: "e-marketing") })
        #expect(marketing.status == .given && marketing.sourceKey == "import")
        #expect(marketing.givenAt == ImportValueParser.parseISO8601("2023-05-01", timeZone: TimeZone(identifier: "Europe/Amsterdam") ?? .current))
        let service = try #require(try ledger.read { try $0.consent(personID: anna.id, purposeKey: "sales-and-service") })
        #expect(service.status == .notApplicable && service.basisKey == "legitimate-interest")
        #expect(try database.counts()["consent_event"] == 3)
    }

    @Test("a row matched by e-mail address whose person has another external id is refused, never overwritten")
    func conflictingExternalID() throws {
        let (ledger, _) = try makeLedger()
        let anna = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: "anna@example.nl", externalID: "E2"),
                                        attribution: officer)
        let summary = try ledger.importCSV(Array("first_name,email,external_id\nAnna,anna@example.nl,E3\n".utf8), options: options())
        #expect(summary.refused.map(\.line) == [2] && summary.refused.map(\.field) == ["external-id"], "\(summary.refused)")
        #expect(summary.refused.first?.reason.contains("another external id") == true)
        #expect(!(summary.refused.first?.reason.contains("E3") ?? true), "refusals never repeat the value")
        #expect(try ledger.person(id: anna.id).details.externalID == "E2")
        // The same external id, or none, is no conflict: the row updates the person.
        _ = try ledger.importCSV(Array("first_name,email,external_id\nAnnie,anna@example.nl,E2\n".utf8), options: options())
        let held = try ledger.person(id: anna.id).details
        #expect(held.externalID == "E2" && held.firstName == "Annie")
    }

    @Test("bad rows are refused with line, field and reason, leave nothing behind, and the good rows import")
    func badRows() throws {
        let (ledger, database) = try makeLedger()
        let text = """
            last_name,email,phone,consents
            Good,good1@example.nl,,e-marketing
            Multi,"bad-email
            on two lines",,
            NoMail,,12,
            Half,half@example.nl,,e-marketing;newsletter
            Good,good2@example.nl,,sales-and-service:contract
            Future,future@example.nl,,"e-marketing:consent"

            """ + "Broken,\"broken@example.nl,,\n"
        let summary = try ledger.importCSV(Array(text.utf8), options: options(batchSize: 2))
        #expect(!summary.isComplete)
        #expect(summary.rowsRead == 7)
        #expect(summary.personsCreated == 3)
        #expect(summary.rowsRefused == 4)
        #expect(summary.refused.map(\.line) == [3, 5, 6, 9])
        #expect(summary.refused.map(\.field) == ["email", "phone", "consents", "email"])
        #expect(summary.refused[0].reason.hasPrefix("invalid value: an e-mail address looks like"))
        #expect(!summary.refused[0].reason.contains("bad-email"), "refusals never repeat the value")
        #expect(!summary.refused[0].reason.contains("line break"), "an e-mail address is checked as one, whatever it holds")
        #expect(summary.refused[1].reason.contains("6 to 20 digits"))
        #expect(summary.refused[2].reason.hasPrefix("newsletter: Unknown purpose 'newsletter'. Valid purpose keys: sales-and-service, e-marketing"))
        #expect(summary.refused[3].reason.contains("not closed before the end of the file"))
        // The row with a bad second consent left neither the person nor its first consent behind.
        #expect(try ledger.findPersons(email: "half@example.nl").isEmpty)
        let counts = try database.counts()
        #expect(counts["person"] == 3 && counts["consent"] == 3 && counts["consent_event"] == 3)
        #expect(try count(database, "SELECT COUNT(*) FROM person_edit") == 3 * 3)
        #expect(summary.batchesCommitted == 4)
    }

    @Test("a consent dated in the future refuses the row")
    func futureConsent() throws {
        let (ledger, database) = try makeLedger()
        let text = "last_name,email,consents,consent_given_at\nLater,later@example.nl,e-marketing,2999-01-01\n"
        let summary = try ledger.importCSV(Array(text.utf8), options: options())
        #expect(summary.refused == [ImportRefusal(line: 2, field: "consent-given-at", reason: "the consent date lies in the future")])
        #expect(try database.counts()["person"] == 0)
    }

    @Test("--all-or-nothing writes nothing when a row is refused, and reports every refusal")
    func allOrNothing() throws {
        let (ledger, database) = try makeLedger()
        let bad = "last_name,email\nA,a@example.nl\nB,not-an-address\nC,c@example.nl\nD,d@@example.nl\n"
        let summary = try ledger.importCSV(Array(bad.utf8), options: options(allOrNothing: true, batchSize: 1))
        #expect(!summary.written && summary.allOrNothing)
        #expect(summary.refused.map(\.line) == [3, 5])
        #expect(summary.personsCreated == 0)
        #expect(try database.counts().values.allSatisfy { $0 == 0 })

        let good = "last_name,email\nA,a@example.nl\nC,c@example.nl\n"
        let written = try ledger.importCSV(Array(good.utf8), options: options(allOrNothing: true, batchSize: 1))
        #expect(written.written && written.isComplete && written.personsCreated == 2 && written.batchesCommitted == 1)
    }

    @Test("re-importing updates only the changed fields and leaves standing consents alone")
    func reimport() throws {
        let (ledger, database) = try makeLedger()
        let first = """
            external_id,first_name,last_name,email,phone,city,consents
            crm-1,Anna,Jansen,anna@example.nl,020 123 4567,Utrecht,e-marketing:consent
            crm-2,Piet,Bakker,piet@example.nl,,Delft,sales-and-service

            """
        _ = try ledger.importCSV(Array(first.utf8), options: options())
        let before = try database.counts()
        // Anna moved and changed e-mail (matched by external id); Piet is the same, with an empty cell for city.
        let second = """
            external_id,first_name,last_name,email,phone,city,consents
            crm-1,Anna,Jansen,anna.jansen@example.nl,020 123 4567,Amsterdam,e-marketing:consent
            crm-2,Piet,Bakker,PIET@example.nl,,,sales-and-service

            """
        let summary = try ledger.importCSV(Array(second.utf8), options: options())
        #expect(summary.isComplete)
        #expect(summary.personsCreated == 0 && summary.personsUpdated == 1 && summary.personsUnchanged == 1)
        #expect(summary.consentsRecorded == 0 && summary.consentsUnchanged == 2)
        let anna = try #require(try ledger.findPersons(email: "anna.jansen@example.nl").first)
        let changes = try ledger.edits(anna.id).filter { $0.oldValue != nil }
        #expect(changes.map(\.field).sorted { $0.rawValue < $1.rawValue } == [.city, .email])
        #expect(changes.first { $0.field == .city }?.newValue == "Amsterdam")
        #expect(try ledger.person(id: anna.id).details.city == "Amsterdam")
        let piet = try #require(try ledger.findPersons(email: "piet@example.nl").first)
        #expect(piet.details.city == "Delft", "an empty cell changes nothing")
        let after = try database.counts()
        #expect(after["person_edit"] == (before["person_edit"] ?? 0) + 2)
        #expect(after["consent_event"] == before["consent_event"])

        // A new basis for a standing consent is recorded with an imported event.
        let third = "email,consents\npiet@example.nl,sales-and-service:contract\n"
        let changed = try ledger.importCSV(Array(third.utf8), options: options())
        #expect(changed.consentsRecorded == 1 && changed.personsUnchanged == 1)
        #expect(try ledger.events(piet.id).map(\.type) == [.imported, .imported])
    }

    @Test("a detail corrected at the person's request or set by the person is kept by an import; the rest of the row applies")
    func rectifiedDetailsKept() throws {
        let (ledger, database) = try makeLedger()
        _ = try ledger.importCSV(Array("email,first_name,last_name,city,phone\nanna@example.nl,Anna,Jansen,Amsterdam,020 123 4567\n".utf8),
                                 options: options())
        let anna = try #require(try ledger.findPersons(email: "anna@example.nl").first)
        // The person's rectification (Art. 16) carried out, and her own phone number from the preference page.
        _ = try ledger.updatePerson(id: anna.id, changes: [.lastName: "Jansen-de Vries", .city: "Utrecht"],
                                    attribution: Attribution(by: "privacy-officer", via: .request, reason: "rectification", requestReference: "DSR-2026-000001"))
        _ = try ledger.updatePerson(id: anna.id, changes: [.phone: "06 1234 5678"], attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        let before = try ledger.edits(anna.id).count
        // The CRM's next export still has the old values, and a new job title.
        let stale = "email,first_name,last_name,city,phone,job_title\nANNA@example.nl,Anna,Jansen,Amsterdam,020 123 4567,Inkoper\n"
        let summary = try ledger.importCSV(Array(stale.utf8), options: options())
        #expect(!summary.isComplete && summary.fieldsKept == 3 && summary.personsUpdated == 1 && summary.rowsRefused == 0)
        #expect(Set(summary.refused.map(\.field)) == ["last-name", "city", "phone"] && summary.refused.allSatisfy { $0.scope == .field })
        #expect(summary.refused.first { $0.field == "city" }?.reason.contains("DSR-2026-000001") == true)
        let now = try ledger.person(id: anna.id).details
        #expect(now.lastName == "Jansen-de Vries" && now.city == "Utrecht" && now.phone == "06 1234 5678" && now.jobTitle == "Inkoper")
        #expect(try ledger.edits(anna.id).count == before + 1, "only the job title changed")
        // A value the file has as the person asked is no conflict, and an officer may still change the detail himself.
        let same = try ledger.importCSV(Array("email,city\nanna@example.nl,Utrecht\n".utf8), options: options())
        #expect(same.isComplete && same.personsUnchanged == 1)
        _ = try ledger.updatePerson(id: anna.id, changes: [.city: "Leiden"], attribution: officer)
        #expect(try ledger.importCSV(Array("email,city\nanna@example.nl,Delft\n".utf8), options: options()).isComplete)
        #expect(try database.counts()["person_edit"] == before + 3)
    }

    @Test("a person who objected to direct marketing is never given that consent again by an import")
    func suppressionRefusesConsent() throws {
        let (ledger, database) = try makeLedger()
        let file = "last_name,email,city,consents\nJansen,anna@example.nl,Utrecht,e-marketing:consent;sales-and-service\n"
        _ = try ledger.importCSV(Array(file.utf8), options: options())
        let anna = try #require(try ledger.findPersons(email: "anna@example.nl").first)
        try ledger.recordObjection(personID: anna.id, purposeKey: "e-marketing", attribution: officer)
        let eventsBefore = try database.counts()["consent_event"]

        let moved = "last_name,email,city,consents\nJansen,anna@example.nl,Leiden,e-marketing:consent;sales-and-service\n"
        let summary = try ledger.importCSV(Array(moved.utf8), options: options())
        #expect(!summary.isComplete)
        #expect(summary.rowsRefused == 0 && summary.consentsRefused == 1)
        #expect(summary.personsUpdated == 1 && summary.consentsUnchanged == 1)
        let refusal = try #require(summary.refused.first)
        #expect(refusal.line == 2 && refusal.field == "consents" && refusal.scope == .consent)
        #expect(refusal.reason.hasPrefix("e-marketing: person \(anna.id) objected to this direct-marketing purpose on"))
        let marketing = try #require(try ledger.read { try $0.consent(personID: anna.id, purposeKey: "e-marketing") })
        #expect(marketing.status == .objected)
        #expect(try database.counts()["consent_event"] == eventsBefore)
        #expect(try ledger.person(id: anna.id).details.city == "Leiden")

        // In --all-or-nothing mode the refused consent rolls back everything.
        let again = "last_name,email,city,consents\nJansen,anna@example.nl,Gouda,e-marketing:consent\n"
        let rolledBack = try ledger.importCSV(Array(again.utf8), options: options(allOrNothing: true))
        #expect(!rolledBack.written && rolledBack.consentsRefused == 1)
        #expect(try ledger.person(id: anna.id).details.city == "Leiden")
    }

    @Test("a withdrawn consent is not given again unless the file dates a new consent after the withdrawal")
    func withdrawnConsent() throws {
        let (ledger, _) = try makeLedger()
        let file = "email,last_name,consents\nanna@example.nl,Jansen,e-marketing\n"
        _ = try ledger.importCSV(Array(file.utf8), options: options())
        let anna = try #require(try ledger.findPersons(email: "anna@example.nl").first)
        try ledger.withdrawConsent(personID: anna.id, purposeKey: "e-marketing", attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))

        let stale = try ledger.importCSV(Array(file.utf8), options: options())
        #expect(stale.consentsRefused == 1 && stale.refused.first?.reason.contains("status withdrawn since") == true)
        #expect(try ledger.read { try $0.consent(personID: anna.id, purposeKey: "e-marketing") }?.status == .withdrawn)

        let renewed = "email,last_name,consents,consent_given_at\nanna@example.nl,Jansen,e-marketing,2030-01-01\n"
        let later = try Ledger(store: ledger.store, clock: { Date(timeIntervalSince1970: 1_950_000_000) })
            .importCSV(Array(renewed.utf8), options: options())
        #expect(later.isComplete && later.consentsRecorded == 1)
        #expect(try ledger.read { try $0.consent(personID: anna.id, purposeKey: "e-marketing") }?.status == .given)
    }

    @Test("two rows with the same e-mail address or external id: the second is refused, naming both lines")
    func duplicatesInFile() throws {
        let (ledger, database) = try makeLedger()
        let text = """
            last_name,email,secondary_email,external_id
            Jansen,anna@example.nl,,crm-1
            Bakker,piet@example.nl,anna.work@example.nl,crm-2
            Jansen,ANNA@example.nl ,,crm-3
            Smit,eva@example.nl,,crm-2
            Visser,anna.work@example.nl,,

            """
        let summary = try ledger.importCSV(Array(text.utf8), options: options())
        #expect(summary.personsCreated == 2)
        #expect(summary.refused == [
            ImportRefusal(line: 4, field: "email", reason: "line 2 has the same e-mail address; one person is one row (merge lines 2 and 4)"),
            ImportRefusal(line: 5, field: "external-id", reason: "line 3 has the same external id; one person is one row (merge lines 3 and 5)"),
            ImportRefusal(line: 6, field: "email", reason: "line 3 has the same e-mail address; one person is one row (merge lines 3 and 6)"),
        ])
        #expect(try database.counts()["person"] == 2)
    }

    @Test("--purpose gives every row a consent; a row's own entry for the purpose takes precedence")
    func purposeOption() throws {
        let (ledger, _) = try makeLedger()
        let text = "email,last_name,consents\na@example.nl,A,\nb@example.nl,B,sales-and-service:contract\n"
        let summary = try ledger.importCSV(Array(text.utf8), options: options(purposes: ["sales-and-service", "e-marketing:consent"]))
        #expect(summary.isComplete && summary.consentsRecorded == 4)
        let b = try #require(try ledger.findPersons(email: "b@example.nl").first)
        #expect(try ledger.read { try $0.consent(personID: b.id, purposeKey: "sales-and-service") }?.basisKey == "contract")
    }

    @Test("JSON and JSON Lines files import like CSV")
    func jsonFiles() throws {
        let (ledger, database) = try makeLedger()
        let (directory, path) = try temporaryFile("people.json", ImportJSONReaderTests.document)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try ledger.importFile(at: path, options: options(batchSize: 1))
        #expect(summary.personsCreated == 2 && summary.consentsRecorded == 3)
        #expect(summary.refused == [ImportRefusal(line: 7, record: 3, field: "phone", reason: "the value must be text or a number")])
        let anna = try #require(try ledger.findPersons(email: "anna@example.nl").first)
        #expect(try ledger.events(anna.id).first?.evidence == "form-17")

        let lines = directory.appendingPathComponent("more.jsonl")
        try Data("{\"last_name\": \"C\", \"email\": \"c@example.nl\", \"consents\": [\"e-marketing\"]}\n".utf8).write(to: lines)
        let more = try ledger.importFile(at: lines.path, options: options())
        #expect(more.isComplete && more.personsCreated == 1)
        #expect(try database.counts()["person"] == 3)
    }

    @Test("100,000 persons import with their edit records and consent events", .timeLimit(.minutes(3)))
    func hundredThousand() throws {
        let (ledger, database) = try makeLedger()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("people.csv")
        let total = 100_000
        var text = "first_name,last_name,email,phone,organisation,language,consents\n"
        text.reserveCapacity(total * 90)
        for index in 0..<total {
            let purpose = index % 3 == 0 ? "e-marketing:consent" : "sales-and-service"
            text += "Voornaam\(index),\"Achternaam, \(index)\",person\(index)@example.nl,+31 6 \(10_000_000 + index),Org \(index % 97),\(index % 2 == 0 ? "nl" : "en"),\(purpose)\n"
        }
        try Data(text.utf8).write(to: url)
        let summary = try ledger.importFile(at: url.path, options: options())
        #expect(summary.isComplete)
        #expect(summary.rowsRead == total && summary.personsCreated == total && summary.consentsRecorded == total)
        #expect(summary.batchesCommitted == total / ImportOptions.defaultBatchSize)
        let counts = try database.counts()
        #expect(counts["person"] == total && counts["consent"] == total && counts["consent_event"] == total)
        // first, last, e-mail, phone, organisation, language and source: seven edit records each.
        #expect(counts["person_edit"] == total * 7)
        #expect(try count(database, "SELECT COUNT(*) FROM person p WHERE (SELECT COUNT(*) FROM person_edit e WHERE e.person_id = p.id) != 7") == 0)
        #expect(try count(database, "SELECT COUNT(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM consent_event e WHERE e.person_id = p.id AND e.type = 'imported')") == 0)
    }
}

@Suite("Bulk import: validation fast paths")
struct ImportValidationFastPathTests {
    /// The e-mail rule written independently, as a regular expression: an RFC 5322 dot-atom local part of at most
    /// 64 characters and an ASCII domain of labels of at most 63, 254 in all.
    static func referenceIsValidEmail(_ email: String) -> Bool {
        let atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
        let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        let pattern = "^(?=.{1,64}@)\(atom)(?:\\.\(atom))*@\(label)(?:\\.\(label))+$"
        guard email.utf8.count <= 254, let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        let range = NSRange(email.startIndex..., in: email)
        return expression.firstMatch(in: email, options: [], range: range)?.range == range
    }

    /// The Character-based phone rule, as FieldValidation had it before its ASCII fast path.
    static func referenceIsValidPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isASCIIDigit).count
        let allowed = text.allSatisfy { $0.isASCIIDigit || " +-()./".contains($0) }
        return allowed && (6...20).contains(digits)
    }

    @Test("the validation rules give the same answers as independent reference rules")
    func sameAnswers() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("ab.-@_ 1+()/\t\r\n\u{7F}\u{1}Zé.-@,\"<>:;")
        var samples = ["anna@example.nl", "a@b.c", ".a@b.nl", "a.@b.nl", "a..b@c.nl", "a@-b.nl", "a@b-.nl", "a@b", "a@@b.nl",
                       "x,root@example.nl", "a\"b(c)<d>@example.nl", "grp:x@example.nl", "a\u{1}b@example.nl", "zoë@bücher.de",
                       "o'brien+news@example.ie", "a{b}|c~d@example.nl",
                       "a@b..nl", "a b@c.nl", "020 123 4567", "+31 (0)20-123.45/67", "12345", "1234567890123456789012",
                       String(repeating: "a", count: 65) + "@b.nl", "a@" + String(repeating: "b", count: 64) + ".nl", "a\r\n@b.nl"]
        for _ in 0..<20_000 {
            let length = Int(random.next() % 16)
            samples.append(String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        }
        for sample in samples {
            #expect(FieldValidation.isValidEmail(sample) == Self.referenceIsValidEmail(sample), "\(sample.debugDescription)")
            #expect(FieldValidation.isValidPhone(sample) == Self.referenceIsValidPhone(sample), "\(sample.debugDescription)")
            #expect(FieldValidation.trimmedWhiteSpace(sample) == sample.trimmingCharacters(in: .whitespacesAndNewlines))
            let control = sample.unicodeScalars.first { $0.properties.generalCategory == .control && $0 != "\n" }
            #expect(FieldValidation.firstControlCharacter(in: sample) == control)
        }
    }
}

@Suite("Bulk import: batches")
struct ImportBatchTests {
    @Test("a row that fails after part of it was written rolls its batch back; earlier batches stay")
    func failureAfterWrite() throws {
        let (ledger, database) = try makeLedger()
        // The consent insert fails after the person was written: outside a savepoint the batch must be replayed.
        try database.dbWriter.write { db in
            try db.execute(sql: """
                CREATE TRIGGER test_refuse_consent BEFORE INSERT ON consent WHEN NEW.comment = 'boom'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        let text = "email,last_name,consents,consent_comment\n"
            + "a@example.nl,A,e-marketing,\nb@example.nl,B,e-marketing,\n"
            + "c@example.nl,C,e-marketing,\nd@example.nl,D,e-marketing,boom\n"
        #expect(throws: DatabaseError.self) {
            try ledger.importCSV(Array(text.utf8), options: options(batchSize: 2))
        }
        let counts = try database.counts()
        #expect(counts["person"] == 2 && counts["consent"] == 2 && counts["consent_event"] == 2)
        #expect(try ledger.findPersons(email: "c@example.nl").isEmpty)
    }

    @Test("refusals found before anything of a row is written need no savepoint, and batches keep their good rows")
    func refusalsWithoutSavepoints() throws {
        let (ledger, database) = try makeLedger()
        var text = "email,last_name,phone,consents\n"
        for index in 0..<50 {
            let phone = index % 7 == 3 ? "12" : "020 123 45\(index % 10)\(index % 10)"
            let consent = index % 11 == 5 ? "e-marketing;newsletter" : "e-marketing"
            text += "p\(index)@example.nl,P\(index),\(phone),\(consent)\n"
        }
        let summary = try ledger.importCSV(Array(text.utf8), options: options(batchSize: 4))
        let refusedLines = Set(summary.refused.map(\.line))
        let expected = Set((0..<50).filter { $0 % 7 == 3 || $0 % 11 == 5 }.map { $0 + 2 })
        #expect(refusedLines == expected)
        #expect(summary.personsCreated == 50 - expected.count)
        let counts = try database.counts()
        #expect(counts["person"] == 50 - expected.count && counts["consent_event"] == 50 - expected.count)
        #expect(counts["person_edit"] == (50 - expected.count) * 4)
    }
}

extension ImportBatchTests {
    @Test("batches too large to hold for a replay stream with a savepoint per row and still refuse bad rows cleanly")
    func largeBatches() throws {
        let (ledger, database) = try makeLedger()
        let text = "email,last_name,consents\na@example.nl,A,e-marketing\nb@example.nl,B,e-marketing;newsletter\nc@example.nl,C,sales-and-service\n"
        let summary = try ledger.importCSV(Array(text.utf8), options: options(batchSize: ImportPlan.maximumReplayableBatch + 1))
        #expect(summary.personsCreated == 2 && summary.consentsRecorded == 2 && summary.batchesCommitted == 1)
        #expect(summary.refused.map(\.line) == [3])
        let counts = try database.counts()
        #expect(counts["person"] == 2 && counts["consent_event"] == 2)
    }
}
