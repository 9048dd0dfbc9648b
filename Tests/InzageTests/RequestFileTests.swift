import Foundation
import Testing
@testable import Inzage

/// The repository's `requests/` folder: the schema and the sample request files.
private let requestsFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("requests", isDirectory: true)

/// The sample request files, sorted by name.
private func sampleNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: requestsFolder.path).filter(RequestFile.isRequestFileName).sorted()
}

private let amsterdam = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt

/// Validates each file against `requests/request.schema.json` with python3 `jsonschema` (Draft202012Validator with
/// format checking) and returns, per file name, nil when valid or the JSON path of the first error.
private func validateWithJSONSchema(_ files: [URL]) throws -> [String: String?] {
    let script = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        result = {}
        for path in sys.argv[2:]:
            with open(path, encoding="utf-8") as handle:
                try:
                    document = json.load(handle)
                except ValueError as error:
                    result[path] = "not JSON"
                    continue
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            result[path] = errors[0].json_path if errors else None
        print(json.dumps(result))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, requestsFolder.appendingPathComponent("request.schema.json").path] + files.map(\.path)
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 with jsonschema is needed (scripts/setup --test): \(message)")
    let decoded = try JSONDecoder().decode([String: String?].self, from: data)
    return Dictionary(uniqueKeysWithValues: decoded.map { (URL(fileURLWithPath: $0.key).lastPathComponent, $0.value) })
}

/// Invalid request files: the text and the JSON path that ``RequestFile`` reports.
private let invalidRequestFiles: [(name: String, json: String, path: String)] = [
    ("not-json", #"{"type": "access", "subject": {"email": "a@example.nl"}"#, "$"),
    ("not-an-object", #"["access"]"#, "$"),
    ("unknown-key", #"{"type": "access", "subject": {"email": "a@example.nl"}, "priority": "high"}"#, "$.priority"),
    ("missing-type", #"{"subject": {"email": "a@example.nl"}}"#, "$.type"),
    ("unknown-type", #"{"type": "erasure", "subject": {"email": "a@example.nl"}}"#, "$.type"),
    ("type-not-string", #"{"type": 15, "subject": {"email": "a@example.nl"}}"#, "$.type"),
    ("missing-subject", #"{"type": "access"}"#, "$.subject"),
    ("subject-without-identifier", #"{"type": "access", "subject": {"name": "Anna Jansen"}}"#, "$.subject"),
    ("subject-unknown-key", #"{"type": "access", "subject": {"email": "a@example.nl", "phone": "0201234567"}}"#, "$.subject.phone"),
    ("email-blank", #"{"type": "access", "subject": {"email": "  "}}"#, "$.subject.email"),
    ("email-number", #"{"type": "access", "subject": {"email": 42}}"#, "$.subject.email"),
    ("person-id-string", #"{"type": "access", "subject": {"personId": "12"}}"#, "$.subject.personId"),
    ("person-id-zero", #"{"type": "access", "subject": {"personId": 0}}"#, "$.subject.personId"),
    ("person-id-fraction", #"{"type": "access", "subject": {"personId": 1.5}}"#, "$.subject.personId"),
    ("unknown-channel", #"{"type": "access", "subject": {"email": "a@example.nl"}, "channel": "fax"}"#, "$.channel"),
    ("unknown-language", #"{"type": "access", "subject": {"email": "a@example.nl"}, "language": "de"}"#, "$.language"),
    ("received-no-offset", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-11-02T10:00:00"}"#, "$.receivedAt"),
    ("received-not-a-day", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-02-30"}"#, "$.receivedAt"),
    ("received-dutch", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2 november 2026"}"#, "$.receivedAt"),
    ("received-hour-25", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-11-02T25:00:00Z"}"#, "$.receivedAt"),
    // Before 1900 calendars read dates in other ways (1582-10-04 became the 14th, in the Julian calendar).
    ("received-julian", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "1582-10-04"}"#, "$.receivedAt"),
    ("received-year-1", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "0001-01-01T00:00:00Z"}"#, "$.receivedAt"),
    ("formats-empty", #"{"type": "access", "subject": {"email": "a@example.nl"}, "formats": []}"#, "$.formats"),
    ("formats-unknown", #"{"type": "access", "subject": {"email": "a@example.nl"}, "formats": ["json", "pdf"]}"#, "$.formats[1]"),
    ("formats-twice", #"{"type": "access", "subject": {"email": "a@example.nl"}, "formats": ["json", "json"]}"#, "$.formats[1]"),
    ("formats-string", #"{"type": "access", "subject": {"email": "a@example.nl"}, "formats": "xlsx,json"}"#, "$.formats"),
    ("access-with-items", #"{"type": "access", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht"}]}"#, "$.rectification"),
    ("access-with-objection", #"{"type": "access", "subject": {"email": "a@example.nl"}, "objection": {"purposes": ["e-marketing"]}}"#, "$.objection"),
    ("rectification-without-items", #"{"type": "rectification", "subject": {"email": "a@example.nl"}}"#, "$.rectification"),
    ("rectification-empty", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": []}"#, "$.rectification"),
    ("rectification-unknown-field", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht"}, {"field": "shoe-size", "value": "44"}]}"#, "$.rectification[1].field"),
    ("rectification-missing-value", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city"}]}"#, "$.rectification[0].value"),
    ("rectification-value-number", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "phone", "value": 201234567}]}"#, "$.rectification[0].value"),
    ("rectification-item-unknown-key", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht", "reason": "moved"}]}"#, "$.rectification[0].reason"),
    ("rectification-with-objection", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht"}], "objection": {"purposes": ["e-marketing"]}}"#, "$.objection"),
    ("objection-without-content", #"{"type": "objection", "subject": {"email": "a@example.nl"}}"#, "$.objection"),
    ("objection-without-purposes", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"grounds": "Moved"}}"#, "$.objection.purposes"),
    ("objection-purposes-empty", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"purposes": []}}"#, "$.objection.purposes"),
    ("objection-purpose-not-a-key", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"purposes": ["E-Marketing"]}}"#, "$.objection.purposes[0]"),
    ("objection-purpose-line-break", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"purposes": ["e-marketing", "x\ny"]}}"#, "$.objection.purposes[1]"),
    ("received-line-break", #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-11-02\n"}"#, "$.receivedAt"),
    ("objection-purpose-twice", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"purposes": ["e-marketing", "e-marketing"]}}"#, "$.objection.purposes[1]"),
    ("objection-grounds-number", #"{"type": "objection", "subject": {"email": "a@example.nl"}, "objection": {"purposes": ["e-marketing"], "grounds": 1}}"#, "$.objection.grounds"),
    // Not JSON (RFC 8259, and Python's json), though JSONDecoder and JSONSerialization take a trailing comma.
    ("trailing-comma-object", #"{"type": "access", "subject": {"email": "a@example.nl",}, "receivedAt": "2026-11-01"}"#, "$.subject"),
    ("trailing-comma-array", #"{"type": "access", "subject": {"email": "a@example.nl"}, "formats": ["json",]}"#, "$.formats"),
    ("trailing-comma-top", "{\"type\": \"access\", \"subject\": {\"email\": \"a@example.nl\"},\n}", "$"),
    ("trailing-comma-items", #"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht",}]}"#, "$.rectification[0]"),
    ("comment", "{\"type\": \"access\", // by phone\n \"subject\": {\"email\": \"a@example.nl\"}}", "$"),
    ("leading-zero", #"{"type": "access", "subject": {"personId": 012}}"#, "$.subject.personId"),
    ("single-quotes", #"{"type": "access", "subject": {'email': "a@example.nl"}}"#, "$.subject"),
    ("raw-tab-in-string", "{\"type\": \"access\", \"subject\": {\"email\": \"a@example.nl\", \"name\": \"Anna\tJansen\"}}", "$.subject.name"),
    ("raw-nul-in-string", "{\"type\": \"access\", \"subject\": {\"email\": \"a@example.nl\", \"name\": \"Anna\u{0}\"}}", "$.subject.name"),
    ("invalid-escape", #"{"type": "access", "subject": {"email": "a\x40example.nl"}}"#, "$.subject.email"),
    ("text-after-object", #"{"type": "access", "subject": {"email": "a@example.nl"}} {}"#, "$"),
]

@Suite("Request files: schema, parsing and ingesting a folder")
struct RequestFileTests {
    @Test("requests/ holds samples of every type, and each is valid by the JSON Schema and by RequestFile")
    func samplesAreValid() throws {
        let names = try sampleNames()
        #expect(names.count >= 6)
        let verdicts = try validateWithJSONSchema(names.map { requestsFolder.appendingPathComponent($0) })
        var types: Set<RequestType> = []
        for name in names {
            #expect(verdicts[name] == .some(nil), "\(name) does not validate against the schema at \(String(describing: verdicts[name]))")
            let data = try Data(contentsOf: requestsFolder.appendingPathComponent(name))
            let submission = try RequestFile.parse(data, name: name, timeZone: amsterdam)
            #expect(submission.origin == name)
            #expect(submission.originDigest == RequestFile.digest(of: data, name: name) && submission.legacyOriginDigest == RequestFile.digest(of: data))
            let received = try #require(submission.receivedAt, "\(name) says when it was received")
            #expect(received < (try #require(ISO8601DateFormatter().date(from: "2026-11-29T00:00:00Z"))), "\(name) was received in the past")
            types.insert(submission.type)
        }
        #expect(types == Set(RequestType.allCases))
    }

    @Test("Invalid files are rejected by the JSON Schema and by RequestFile, which names the JSON path")
    func invalidFilesAreRejected() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var urls: [URL] = []
        for file in invalidRequestFiles {
            let url = folder.appendingPathComponent(file.name + ".json")
            try Data(file.json.utf8).write(to: url)
            urls.append(url)
        }
        let verdicts = try validateWithJSONSchema(urls)
        for file in invalidRequestFiles {
            let name = file.name + ".json"
            #expect(verdicts[name] != .some(nil), "the schema accepts \(name)")
            let error = try #require(throws: RequestFileError.self, "RequestFile accepts \(name)") {
                try RequestFile.parse(Data(file.json.utf8), name: name, timeZone: amsterdam)
            }
            #expect(error.file == name)
            #expect(error.path == file.path, "\(name): \(error.reason)")
            // Control characters quoted from the file are shown as code points, never sent to the terminal.
            #expect(error.description == FreeText.visible("\(name): \(file.path): \(error.reason)"))
        }
    }

    @Test("A key twice in one object is refused with the object's path (JSON Schema cannot say so; parsers keep one value)",
          arguments: [
              (#"{"type": "access", "type": "objection", "subject": {"email": "a@example.nl"}}"#, "$", "type"),
              (#"{"type": "access", "subject": {"email": "a@example.nl", "email": "b@example.nl"}}"#, "$.subject", "email"),
              (#"{"type": "access", "\u0074ype": "objection", "subject": {"email": "a@example.nl"}}"#, "$", "type"),
              (#"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht"}, {"field": "city", "value": "x", "field": "phone"}]}"#,
               "$.rectification[1]", "field"),
          ])
    func duplicateKeys(json: String, path: String, key: String) throws {
        let error = try #require(throws: RequestFileError.self) { try RequestFile.parse(Data(json.utf8), name: "twice.json", timeZone: amsterdam) }
        #expect(error.path == path && error.reason.contains("\"\(key)\" appears twice"), "\(error)")
    }

    @Test("The same key in different objects, or as a value, or inside a string, is no duplicate")
    func keysInDifferentObjects() throws {
        let json = #"{"type": "rectification", "subject": {"email": "a@example.nl", "name": "type"}, "rectification": [{"field": "city", "value": "Utrecht"}, {"field": "phone", "value": "020 123 4567"}]}"#
        #expect(try RequestFile.parse(Data(json.utf8), name: "fine.json", timeZone: amsterdam).rectification.count == 2)
        let tricky = #"{"type": "rectification", "subject": {"email": "a@example.nl", "name": "a\"},{\"field\": [\\"}, "rectification": [{"field": "city", "value": "x]},{\"field\":\"city\"}"}], "language": "nl"}"#
        let submission = try RequestFile.parse(Data(tricky.utf8), name: "tricky.json", timeZone: amsterdam)
        #expect(submission.subject.name == #"a"},{"field": [\"# && submission.rectification.count == 1)
    }

    @Test("A request file that is not UTF-8 is refused, whatever JSONDecoder would make of it")
    func notUTF8() throws {
        let json = #"{"type": "access", "subject": {"email": "a@example.nl", "name": "ĢŽŽŽ"}}"#
        var utf16 = Data([0xFF, 0xFE])
        for unit in json.utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let error = try #require(throws: RequestFileError.self) { try RequestFile.parse(utf16, name: "windows.json", timeZone: amsterdam) }
        #expect(error.path == "$" && error.reason.contains("not UTF-8"))
    }

    @Test("Messages name the valid choices")
    func messagesNameValidChoices() throws {
        func reason(_ json: String) throws -> String {
            try #require(throws: RequestFileError.self) { try RequestFile.parse(Data(json.utf8), name: "r.json", timeZone: amsterdam) }.reason
        }
        #expect(try reason(#"{"type": "erasure", "subject": {"email": "a@example.nl"}}"#).contains("access, rectification, objection"))
        #expect(try reason(#"{"type": "access", "subject": {"email": "a@example.nl"}, "channel": "fax"}"#).contains(RequestChannel.validKeys))
        #expect(try reason(#"{"type": "access", "subject": {"email": "a@example.nl"}, "x": 1}"#).contains("subject"))
        #expect(try reason(#"{"type": "rectification", "subject": {"email": "a@example.nl"}, "rectification": [{"field": "shoe-size", "value": "44"}]}"#)
            .contains(PersonField.validKeys))
        #expect(try reason(#"{"type": "access", "subject": {"email": 42}}"#) == "expected a string, found a number")
        #expect(try reason(#"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "yesterday"}"#).contains("2026-11-02T14:30:00+01:00"))
    }

    @Test("A full request file becomes the submission it describes")
    func parsesEverything() throws {
        let json = #"""
            {"$schema": "./request.schema.json", "type": "rectification",
             "subject": {"email": "Anna@Example.nl", "personId": 12, "externalId": "SO-40001", "name": "Anna Jansen"},
             "channel": "letter", "language": "en", "receivedAt": "2026-11-02T14:30:00+01:00", "formats": ["json"],
             "rectification": [{"field": "city", "value": "Utrecht"}, {"field": "job-title", "value": null, "statement": "No longer employed"}]}
            """#
        let data = Data(json.utf8)
        let submission = try RequestFile.parse(data, name: "anna.json", timeZone: amsterdam)
        #expect(submission.type == .rectification)
        #expect(submission.subject == SubjectIdentifiers(email: "Anna@Example.nl", personID: 12, externalID: "SO-40001", name: "Anna Jansen"))
        #expect(submission.channel == .letter)
        #expect(submission.language == .en)
        #expect(submission.receivedAt == ISO8601DateFormatter().date(from: "2026-11-02T13:30:00Z"))
        #expect(submission.formats == [.json])
        #expect(submission.rectification == [RectificationItem(field: .city, requestedValue: "Utrecht"),
                                             RectificationItem(field: .jobTitle, requestedValue: nil, statement: "No longer employed")])
        #expect(submission.objection == nil)
        #expect(submission.origin == "anna.json")
        #expect(submission.originDigest == RequestFile.digest(of: data, name: "anna.json"))

        let minimal = try RequestFile.parse(Data(#"{"type": "objection", "subject": {"personId": 3}, "objection": {"purposes": ["e-marketing"]}}"#.utf8),
                                            name: "m.json", timeZone: amsterdam)
        #expect(minimal.channel == .email)
        #expect(minimal.formats == ExtractFormat.allCases)
        #expect(minimal.receivedAt == nil)
        #expect(minimal.objection == ObjectionContent(purposeKeys: ["e-marketing"]))
    }

    @Test("Received dates: a date is the start of that day in the organisation's zone; a date-time needs an offset", arguments: [
        ("2026-11-02", "2026-11-01T23:00:00Z"),
        ("2026-07-01", "2026-06-30T22:00:00Z"),
        ("2026-11-02T14:30:00+01:00", "2026-11-02T13:30:00Z"),
        ("2026-11-02T14:30:00Z", "2026-11-02T14:30:00Z"),
        ("2026-11-02T14:30:00-05:30", "2026-11-02T20:00:00Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
    ])
    func receivedDates(text: String, expected: String) throws {
        #expect(RequestFile.receivedDate(text, timeZone: amsterdam) == ISO8601DateFormatter().date(from: expected))
    }

    @Test("A fraction of a second is kept")
    func fractionalSeconds() throws {
        let date = try #require(RequestFile.receivedDate("2026-11-02T14:30:00.250Z", timeZone: amsterdam))
        #expect(abs(date.timeIntervalSince1970 - 1_793_629_800.25) < 0.001)
    }

    @Test("Texts that are not received dates", arguments: [
        "", "2026-11-02T14:30:00", "2026-11-02 14:30:00+01:00", "2026-02-29", "2026-13-01", "2026-11-02T24:00:00Z",
        "2026-11-02T14:60:00Z", "2026-11-02T14:30:00+25:00", "02-11-2026", "2026-11-2", "2026-11-02T14:30Z", "2026-11-02t14:30:00z",
        "2026-11-02\n", "2026-11-02T14:30:00Z\n", " 2026-11-02", "2026-11-02T14:30:00.Z", "２０２６-11-02",
    ])
    func notReceivedDates(text: String) {
        #expect(RequestFile.receivedDate(text, timeZone: amsterdam) == nil)
    }

    @Test("The digest is the lower-case hex SHA-256 of the bytes")
    func digest() {
        #expect(RequestFile.digest(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Request file names: *.json, not the schema, not hidden", arguments: [
        ("access.json", true), ("Access.JSON", true), ("request.schema.json", false), (".draft.json", false),
        ("notes.txt", false), ("access.json.bak", false),
    ])
    func fileNames(name: String, isRequestFile: Bool) {
        #expect(RequestFile.isRequestFileName(name) == isRequestFile)
    }

    @Test("Ingesting the samples into the demo CRM: every file filed once, matched to the demo's persons")
    func ingestSamples() throws {
        let database = try InzageDatabase.inMemory()
        _ = try DemoCRM(personCount: 60).populate(database)
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let queue = RequestQueue(store: database, clock: { clock })

        let report = try queue.ingest(directory: requestsFolder, by: "intake")
        #expect(report.entries.map(\.file) == (try sampleNames()))
        #expect(report.invalidCount == 0, "\(report.entries.compactMap { if case .invalid(let error) = $0.outcome { error.description } else { nil } })")
        #expect(report.filedCount == report.entries.count)
        var byFile: [String: DataSubjectRequest] = [:]
        for entry in report.entries {
            if case .filed(let request) = entry.outcome { byFile[entry.file] = request }
        }
        let unmatched = byFile.filter { $0.value.personID == nil }.map(\.key)
        #expect(unmatched == ["access-unknown-email.json"], "every sample but the unknown e-mail address matches one demo person")
        #expect(byFile.values.allSatisfy { $0.origin != nil && $0.candidateIDs.isEmpty })

        let again = try queue.ingest(directory: requestsFolder, by: "intake")
        #expect(again.filedCount == 0)
        #expect(again.alreadyFiledCount == report.entries.count)
        #expect(try queue.list().count == report.entries.count)
    }

    @Test("A request file is recognised by its name and bytes: the same bytes under another name are a request of their own")
    func ingestRecognisesByNameAndBytes() throws {
        let database = try InzageDatabase.inMemory()
        let queue = RequestQueue(store: database)
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A web form without a received date writes the same bytes for a request repeated months later.
        let bytes = Data(#"{"type": "access", "subject": {"email": "anna@example.nl"}}"#.utf8)
        try bytes.write(to: folder.appendingPathComponent("form-0412.json"))
        #expect(try queue.ingest(directory: folder, by: "intake").filedCount == 1)
        try bytes.write(to: folder.appendingPathComponent("form-0719.json"))
        let second = try queue.ingest(directory: folder, by: "intake")
        #expect(second.filedCount == 1 && second.alreadyFiledCount == 1, "the July request is filed; the April one is not filed twice")

        // A request filed before digests named the file (its digest: the bytes alone) is still recognised by its name.
        let legacy = Data(#"{"type": "access", "subject": {"email": "bob@example.nl"}}"#.utf8)
        var old = try RequestFile.parse(legacy, name: "old.json", timeZone: amsterdam)
        old.originDigest = RequestFile.digest(of: legacy)
        old.legacyOriginDigest = nil
        let filed = try queue.file(old, by: "intake").request
        try legacy.write(to: folder.appendingPathComponent("old.json"))
        let third = try queue.ingest(directory: folder, by: "intake")
        #expect(third.filedCount == 0 && third.alreadyFiledCount == 3)
        #expect(third.entries.contains { entry in
            if case .alreadyFiled(let request) = entry.outcome { return entry.file == "old.json" && request.reference == filed.reference }
            return false
        })
    }

    @Test("An invalid file in a folder is reported with its path and nothing of it is filed; the valid ones are")
    func ingestWithInvalidFile() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "a-access.json": #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-11-02"}"#,
            "b-bad-field.json": #"{"type": "rectification", "subject": {"email": "b@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht"}, {"field": "shoe-size", "value": "44"}]}"#,
            "c-bad-phone.json": #"{"type": "rectification", "subject": {"email": "c@example.nl"}, "rectification": [{"field": "phone", "value": "12"}]}"#,
            "d-future.json": #"{"type": "access", "subject": {"email": "d@example.nl"}, "receivedAt": "2026-12-24"}"#,
            "e-unknown-purpose.json": #"{"type": "objection", "subject": {"email": "e@example.nl"}, "objection": {"purposes": ["newsletter"]}}"#,
            "f-objection.json": #"{"type": "objection", "subject": {"email": "f@example.nl"}, "objection": {"purposes": ["e-marketing"]}}"#,
            "request.schema.json": "{}",
            "notes.txt": "not a request",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub.json"), withIntermediateDirectories: false)
        let database = try InzageDatabase.inMemory()
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let queue = RequestQueue(store: database, clock: { clock })

        let report = try queue.ingest(directory: folder, by: "intake")
        // A folder named like a request file is reported, not passed over.
        #expect(report.entries.map(\.file) == ["a-access.json", "b-bad-field.json", "c-bad-phone.json", "d-future.json", "e-unknown-purpose.json", "f-objection.json", "sub.json"])
        let invalid = report.entries.compactMap { entry -> String? in
            if case .invalid(let error) = entry.outcome { return "\(error.file) \(error.path)" } else { return nil }
        }
        #expect(invalid == ["b-bad-field.json $.rectification[1].field", "c-bad-phone.json $.rectification[0].value",
                            "d-future.json $.receivedAt", "e-unknown-purpose.json $.objection.purposes", "sub.json $"])
        #expect(report.filedCount == 2 && report.invalidCount == 5 && report.alreadyFiledCount == 0)
        let filed = try queue.list()
        #expect(filed.map { $0.request.origin } == ["a-access.json", "f-objection.json"])
        let access = try #require(filed.first?.request)
        #expect(access.receivedOn == (try CivilDate(parsing: "2026-11-02")))
        #expect(access.receivedAt == ISO8601DateFormatter().date(from: "2026-11-01T23:00:00Z"))

        let document = RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam))
        #expect(document.contains("b-bad-field.json") && document.contains("$.rectification[1].field"))
        #expect(document.contains("this is a folder, not a request file"))
        #expect(document.hasSuffix("7 files: 2 filed, 0 already filed, 5 invalid."))
    }
}

extension RequestFileTests {
    @Test("A control character in a request file's e-mail address is shown as <U+…> in the message, as the command line shows it")
    func ingestControlCharacter() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"type": "access", "subject": {"email": "c@d.org\u0000"}}"#.utf8).write(to: folder.appendingPathComponent("a-nul.json"))
        let report = try RequestQueue(store: try InzageDatabase.inMemory()).ingest(directory: folder, by: "intake")
        guard case .invalid(let error) = try #require(report.entries.first).outcome else { Issue.record("filed: \(report)"); return }
        #expect(error.reason == "'c@d.org<U+0000>' is not an e-mail address (name@example.nl)", "\(error.reason)")
    }

    @Test("Control characters in a file's name or in a value a reason quotes never reach the terminal")
    func ingestEscapeSequences() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"type": "access", "subject": {"email": "a@example.nl"}, "channel": "\u001b[2J\u001b[31mALL FILED OK"}"#.utf8)
            .write(to: folder.appendingPathComponent("07-esc\u{1B}[31mred.json"))
        let report = try RequestQueue(store: try InzageDatabase.inMemory()).ingest(directory: folder, by: "intake")
        #expect(report.invalidCount == 1)
        let text = RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam))
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B }, "\(text)")
        #expect(text.contains("07-esc<U+001B>[31mred.json") && text.contains("<U+001B>[2J"), "\(text)")
        guard case .invalid(let error) = try #require(report.entries.first).outcome else { return }
        #expect(!RequestFileError(file: "07-esc\u{1B}.json", path: error.path, reason: error.reason).description.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test("A valid file that cannot be filed (a broken template) is reported, and the other files are still filed")
    func ingestGoesOnAfterAFailure() throws {
        let folder = try makeTemporaryDirectory()
        let templates = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: templates) }
        try FileManager.default.createDirectory(at: templates.appendingPathComponent("messages"), withIntermediateDirectories: true)
        try Data("{{nosuch}}".utf8).write(to: templates.appendingPathComponent("messages/acknowledgement.en.subject.mustache"))
        for (name, language) in [("a.json", "nl"), ("b.json", "en"), ("c.json", "nl")] {
            try Data(#"{"type": "access", "subject": {"email": "\#(name)@example.nl"}, "language": "\#(language)"}"#.utf8)
                .write(to: folder.appendingPathComponent(name))
        }
        let queue = RequestQueue(store: try InzageDatabase.inMemory(), notices: RequestNotices(renderer: MessageRenderer(overrideDirectory: templates)))
        let report = try queue.ingest(directory: folder, by: "intake")
        #expect(report.filedCount == 2 && report.notFiledCount == 1 && report.entries.map(\.file) == ["a.json", "b.json", "c.json"])
        guard case .notFiled(let reason) = report.entries[1].outcome else { Issue.record("b.json: \(report.entries[1].outcome)"); return }
        #expect(reason.contains("nosuch"), "\(reason)")
        #expect(try queue.list().count == 2, "nothing of b.json was filed")
        let text = RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam))
        #expect(text.contains("not filed") && text.hasSuffix("3 files: 2 filed, 0 already filed, 0 invalid, 1 not filed."), "\(text)")
    }

    @Test("A link to nothing named like a request file is reported as a file that cannot be read, not passed over")
    func ingestDanglingLink() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"type": "access", "subject": {"email": "a@example.nl"}}"#.utf8).write(to: folder.appendingPathComponent("a-access.json"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("b-link.json").path,
                                                   withDestinationPath: folder.appendingPathComponent("gone.json").path)
        let report = try RequestQueue(store: try InzageDatabase.inMemory()).ingest(directory: folder, by: "intake")
        #expect(report.entries.map(\.file) == ["a-access.json", "b-link.json"])
        #expect(report.invalidCount == 1 && report.filedCount == 1)
        guard case .invalid(let error) = try #require(report.entries.last).outcome else { Issue.record("not reported: \(report)"); return }
        #expect(error.path == "$" && error.reason.hasPrefix("the file cannot be read (it is a link to "), "\(error.reason)")
        #expect(RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam)).hasSuffix("2 files: 1 filed, 0 already filed, 1 invalid."))
    }
}

/// The schema agrees with the code.
extension RequestFileTests {
    /// The schema as a JSON object.
    private func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: requestsFolder.appendingPathComponent("request.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func object(_ value: Any?, _ path: String) throws -> [String: Any] {
        try #require(value as? [String: Any], "\(path) is an object")
    }

    private func strings(_ value: Any?, _ path: String) throws -> [String] {
        try #require(value as? [String], "\(path) is an array of strings")
    }

    @Test("The schema's keys and enumerations are the ones RequestFile and the model know")
    func enumerations() throws {
        let root = try schema()
        #expect(root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(root["additionalProperties"] as? Bool == false)
        let properties = try object(root["properties"], "properties")
        #expect(Set(properties.keys) == Set(RequestFile.topLevelKeys))
        #expect(try strings(try object(properties["type"], "type")["enum"], "type.enum") == RequestType.allCases.map(\.rawValue))
        #expect(try strings(try object(properties["channel"], "channel")["enum"], "channel.enum") == RequestChannel.allCases.map(\.rawValue))
        #expect(try strings(try object(properties["language"], "language")["enum"], "language.enum") == Language.allCases.map(\.rawValue))
        let formats = try object(try object(properties["formats"], "formats")["items"], "formats.items")
        #expect(try strings(formats["enum"], "formats.items.enum") == ExtractFormat.allCases.map(\.rawValue))
        #expect(try object(properties["receivedAt"], "receivedAt")["pattern"] as? String == RequestFile.receivedAtPattern)

        let definitions = try object(root["$defs"], "$defs")
        let subject = try object(definitions["subject"], "subject")
        #expect(subject["additionalProperties"] as? Bool == false)
        #expect(Set(try object(subject["properties"], "subject.properties").keys) == Set(RequestFile.subjectKeys))
        let item = try object(definitions["rectificationItem"], "rectificationItem")
        #expect(item["additionalProperties"] as? Bool == false)
        let itemProperties = try object(item["properties"], "rectificationItem.properties")
        #expect(Set(itemProperties.keys) == Set(RequestFile.rectificationKeys))
        #expect(try strings(try object(itemProperties["field"], "field")["enum"], "field.enum") == PersonField.allCases.map(\.rawValue))
        let objection = try object(definitions["objection"], "objection")
        #expect(objection["additionalProperties"] as? Bool == false)
        let objectionProperties = try object(objection["properties"], "objection.properties")
        #expect(Set(objectionProperties.keys) == Set(RequestFile.objectionKeys))
        let purposes = try object(try object(objectionProperties["purposes"], "purposes")["items"], "purposes.items")
        #expect(purposes["pattern"] as? String == RequestFile.purposeKeyPattern)
    }
}

/// Strict JSON: what RFC 8259 refuses is refused, with the JSON path, the place and a reason that names the real problem.
extension RequestFileTests {
    /// The error `RequestFile` reports for `text` (as UTF-8 bytes, or `bytes` when given).
    private func refusal(_ text: String = "", bytes: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> RequestFileError {
        try #require(throws: RequestFileError.self, "RequestFile accepts \(text)", sourceLocation: sourceLocation) {
            try RequestFile.parse(Data(bytes ?? Array(text.utf8)), name: "r.json", timeZone: amsterdam)
        }
    }

    @Test("Text that is not JSON is refused with its JSON path, its line and column, and the reason", arguments: [
        (#"{"type":"access","subject":{"email":"a@b.nl",},"receivedAt":"2026-11-01"}"#, "$.subject",
         "a comma before '}' (trailing commas are not JSON); remove the comma after the last member (line 1, column 45)"),
        (#"{"type":"access","subject":{"email":"a@b.nl"},"formats":["json",]}"#, "$.formats",
         "a comma before ']' (trailing commas are not JSON); remove the comma after the last element (line 1, column 64)"),
        ("{\"type\": \"access\",\n \"subject\": {\"email\": \"a@b.nl\"},\n \"formats\": [\"json\" ,\n  ]\n}", "$.formats",
         "a comma before ']' (trailing commas are not JSON); remove the comma after the last element (line 3, column 21)"),
        (#"{"type":"access","subject":{"email":"a@b.nl"} /* x */}"#, "$", "JSON has no comments"),
        (#"{"type":"access","subject":{"personId":NaN}}"#, "$.subject.personId", "NaN is not a JSON value"),
        (#"{"type":"access","subject":{"personId":-Infinity}}"#, "$.subject.personId", "-Infinity is not a JSON value"),
        (#"{"type":"access","subject":{"personId":007}}"#, "$.subject.personId", "a number with a leading zero"),
        (#"{"type":"access","subject":{"personId":1.}}"#, "$.subject.personId", "a number needs a digit after '.'"),
        (#"{"type":"access","subject":{"email":"a@b.nl","name":Anna}}"#, "$.subject.name", "a word without double quotes"),
        (#"{"type":"access","subject":{email:"a@b.nl"}}"#, "$.subject", "'e' where a key in double quotes was expected"),
        (#"{"type":"access","subject":{"email":"a@b.nl"}"#, "$", "the text ends where ',' or '}' after a member was expected"),
        (#"{"type":"access","subject":{"email":"a@b.nl}}"#, "$.subject.email", "a string is not closed"),
        (#"{"type":"access","subject":{"email":"a\qb.nl"}}"#, "$.subject.email", #"\q is not a JSON escape"#),
        (#"{"type":"access","subject":{"email":"a\u00"}}"#, "$.subject.email", #"\u must be followed by four hexadecimal digits"#),
        (#"{"type":"access","subject":{"email":"a@b.nl","name":"\ud800"}}"#, "$.subject.name",
         #"\uD800 is an unpaired surrogate escape: a high surrogate, which must be followed at once by a low one"#),
        (#"{"type":"access","subject":{"email":"a@b.nl","name":"\ud800\u0041"}}"#, "$.subject.name", #"\uD800 is an unpaired surrogate escape"#),
        (#"{"type":"access","subject":{"email":"a@b.nl","name":"x\udc00"}}"#, "$.subject.name",
         #"\uDC00 is an unpaired surrogate escape: a low surrogate, which must follow a high one"#),
        ("{\"type\":\"access\",\"subject\":{\"email\":\"a@b.nl\",\"name\":\"A\u{0}B\"}}", "$.subject.name",
         "an unescaped control character (U+0000) inside a string, which JSON forbids"),
        ("{\"type\":\"objection\",\"subject\":{\"email\":\"a@b.nl\"},\"objection\":{\"purposes\":[\"e-marketing\"],\"grounds\":\"a\nb\"}}",
         "$.objection.grounds", "an unescaped control character (U+000A) inside a string"),
        ("", "$", "the file holds no JSON value"),
        (#"{"type":"access","subject":{"email":"a@b.nl"}},"#, "$", "more text after the end of the JSON value"),
        (#"{"type":"access","type":"objection","subject":{"email":"a@b.nl"}}"#, "$", "the key \"type\" appears twice in this object; give each key once (line 1, column 18)"),
    ])
    func notJSON(text: String, path: String, reason: String) throws {
        let error = try refusal(text)
        #expect(error.path == path, "\(error)")
        #expect(error.reason.contains(reason), "\(error.reason)")
        #expect(!error.reason.contains("UTF-8"), "\(error.reason)")
    }

    @Test("What JSON allows is read: escapes, surrogate pairs, white space, a UTF-8 byte order mark, DEL in a string")
    func strictJSONStillReadsJSON() throws {
        let json = #"{ "type" : "access" ,"subject":{"email":"a\u0040example.nl","name":"Z\u00e9 \ud83d\ude00 \"x\" \\ \/ \t"},"$schema":"a","formats":["json"] }"#
        let submission = try RequestFile.parse(Data([0xEF, 0xBB, 0xBF] + Array("\r\n\t ".utf8) + Array(json.utf8) + Array("\n".utf8)),
                                               name: "r.json", timeZone: amsterdam)
        #expect(submission.subject.email == "a@example.nl")
        #expect(submission.subject.name == "Zé 😀 \"x\" \\ / \t")
        #expect(submission.formats == [.json])
        // Raw DEL (U+007F) is not a JSON control character; the queue judges it as text.
        #expect(try RequestFile.parse(Data("{\"type\":\"access\",\"subject\":{\"email\":\"a@b.nl\",\"name\":\"A\u{7F}\"}}".utf8),
                                      name: "r.json", timeZone: amsterdam).subject.name == "A\u{7F}")
    }

    @Test("Nesting deeper than the limit is refused as too deep, with the limit, without running out of stack")
    func tooDeep() throws {
        let depth = 100_000
        let error = try refusal(bytes: Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth))
        #expect(error.path == "$" + String(repeating: "[0]", count: RequestFile.maximumDepth), "\(error.path)")
        #expect(error.reason.hasPrefix("nested too deeply: more than \(RequestFile.maximumDepth) arrays and objects inside each other (the limit is \(RequestFile.maximumDepth))"),
                "\(error.reason)")
        let inKey = try refusal(#"{"type":"access","subject":{"email":"a@b.nl"},"x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}")
        #expect(inKey.path.hasPrefix("$.x[0][0]") && inKey.reason.hasPrefix("nested too deeply"), "\(inKey)")
        // At the limit it is JSON, refused for what the schema says.
        let atLimit = #"{"type":"access","subject":{"email":"a@b.nl"},"x":"# + String(repeating: "[", count: RequestFile.maximumDepth - 1)
            + String(repeating: "]", count: RequestFile.maximumDepth - 1) + "}"
        #expect(try refusal(atLimit).reason.hasPrefix("unknown key \"x\""))
    }

    @Test("A NUL byte inside a string is a control character; outside strings (UTF-16 text) and invalid UTF-8 it is not UTF-8")
    func nulAndEncodings() throws {
        let inString = try refusal(bytes: Array(#"{"type":"access","subject":{"email":"a@b.nl","name":"A"#.utf8) + [0] + Array(#""}}"#.utf8))
        #expect(inString.path == "$.subject.name" && inString.reason.hasPrefix("an unescaped control character (U+0000) inside a string"), "\(inString)")
        let json = #"{"type": "access", "subject": {"email": "a@example.nl"}}"#
        let utf16WithoutMark = json.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try refusal(bytes: utf16WithoutMark).reason.contains("not UTF-8 text"))
        #expect(try refusal(bytes: Array(json.utf8) + [0]).reason.contains("not UTF-8 text"))
        #expect(try refusal(bytes: Array(#"{"type":"access","subject":{"email":"a@b.nl","name":"\#u{FF}"}}"#.utf8).map { $0 == 0xC3 ? 0xFF : $0 })
            .reason.hasPrefix("the file is not UTF-8 text"))
    }

    @Test("A person id is a whole number from 1 to the largest Int64; one beyond is out of range, not 'not a whole number'", arguments: [
        ("9223372036854775808", "9223372036854775808 is out of range: larger than the largest person id, 9223372036854775807"),
        ("18446744073709551616", "18446744073709551616 is out of range: larger than the largest person id, 9223372036854775807"),
        ("1e400", "1e400 is out of range: larger than the largest person id, 9223372036854775807"),
        ("-9223372036854775809", "-9223372036854775809 is not a person id; person ids start at 1"),
        ("-0", "-0 is not a person id; person ids start at 1"),
        ("1.5", "1.5 is not a whole number; give a person id such as 42"),
        ("1e-1", "1e-1 is not a whole number; give a person id such as 42"),
    ])
    func personIDRange(number: String, reason: String) throws {
        let error = try refusal(#"{"type":"access","subject":{"personId":"# + number + "}}")
        #expect(error.path == "$.subject.personId" && error.reason == reason, "\(error)")
    }

    @Test("Person ids written as whole numbers in any JSON form are read", arguments: [
        ("9223372036854775807", Int64.max), ("12", 12), ("12.0", 12), ("1.2e1", 12), ("1E2", 100),
    ])
    func personIDForms(number: String, id: Int64) throws {
        let submission = try RequestFile.parse(Data((#"{"type":"access","subject":{"personId":"# + number + "}}").utf8), name: "r.json", timeZone: amsterdam)
        #expect(submission.subject.personID == id)
    }

    @Test("Ingest refuses a file with a trailing comma by name, path and reason, files nothing of it, and still files the others")
    func ingestTrailingCommas() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "a-object.json": #"{"type":"access","subject":{"email":"a@b.nl",},"receivedAt":"2026-11-01"}"#,
            "b-valid.json": #"{"type":"access","subject":{"email":"b@b.nl"},"receivedAt":"2026-11-01"}"#,
            "c-array.json": #"{"type":"access","subject":{"email":"c@b.nl"},"formats":["json",],"receivedAt":"2026-11-01"}"#,
            "d-nul.json": "{\"type\":\"access\",\"subject\":{\"email\":\"d@b.nl\",\"name\":\"D\u{0}\"},\"receivedAt\":\"2026-11-01\"}",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let queue = RequestQueue(store: try InzageDatabase.inMemory(), clock: { clock })

        let report = try queue.ingest(directory: folder, by: "intake")
        let invalid = report.entries.compactMap { entry -> String? in
            if case .invalid(let error) = entry.outcome { return "\(error.file) \(error.path)" } else { return nil }
        }
        #expect(invalid == ["a-object.json $.subject", "c-array.json $.formats", "d-nul.json $.subject.name"])
        #expect(report.filedCount == 1)
        #expect(try queue.list().map { $0.request.origin } == ["b-valid.json"])
        let text = RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam))
        #expect(text.contains("invalid: $.subject: a comma before '}' (trailing commas are not JSON)"), "\(text)")
        #expect(text.contains("invalid: $.formats: a comma before ']' (trailing commas are not JSON)"), "\(text)")
        #expect(text.contains("invalid: $.subject.name: an unescaped control character (U+0000)"), "\(text)")
        #expect(!text.contains("UTF-8"), "\(text)")
    }
}

/// A person id that names nobody, and a request that nobody matches.
extension RequestFileTests {
    @Test("Ingest refuses a personId that names nobody, as `request file --person` does, even with an e-mail address that matches")
    func ingestUnknownPersonID() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try InzageDatabase.inMemory()
        let ledger = Ledger(store: database)
        let anna = try ledger.annaJansen()
        let bram = try ledger.addPerson(PersonDetails(firstName: "Bram", lastName: "Visser", email: "bram@example.nl"), attribution: officer)
        let files = [
            "a-unknown.json": #"{"type":"access","subject":{"personId":99998},"receivedAt":"2026-11-01"}"#,
            "b-unknown-with-email.json": #"{"type":"access","subject":{"personId":99997,"email":"anna.jansen@example.nl"},"receivedAt":"2026-11-01"}"#,
            "c-known.json": #"{"type":"access","subject":{"personId":\#(anna.id)},"receivedAt":"2026-11-01"}"#,
            // Two persons' identifiers: both candidates, as on the command line.
            "d-disagree.json": #"{"type":"access","subject":{"personId":\#(anna.id),"email":"bram@example.nl"},"receivedAt":"2026-11-01"}"#,
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let queue = RequestQueue(store: database, clock: { clock })

        let report = try queue.ingest(directory: folder, by: "intake")
        let invalid = report.entries.compactMap { entry -> RequestFileError? in
            if case .invalid(let error) = entry.outcome { return error } else { return nil }
        }
        #expect(invalid.map(\.file) == ["a-unknown.json", "b-unknown-with-email.json"])
        #expect(invalid.allSatisfy { $0.path == "$.subject.personId" })
        #expect(invalid.map(\.reason) == [RequestError.unknownPerson(99998).description, RequestError.unknownPerson(99997).description])
        #expect(invalid.first?.reason.hasPrefix("No person has id 99998.") == true)
        let filed = try queue.list().map(\.request).sorted { $0.reference < $1.reference }
        #expect(filed.map(\.origin) == ["c-known.json", "d-disagree.json"])
        #expect(filed.first?.personID == anna.id)
        #expect(filed.last?.personID == nil && filed.last?.candidateIDs == [anna.id, bram.id] && filed.last?.state == .awaitingDecision)
    }

    @Test("Ingest notes each filed request for a change that nobody matches, with the words `request file` prints")
    func ingestUnmatchedNote() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "a-access.json": #"{"type":"access","subject":{"email":"nobody@example.nl"},"receivedAt":"2026-11-01"}"#,
            "b-rectification.json": #"{"type":"rectification","subject":{"email":"nobody@example.nl"},"rectification":[{"field":"city","value":"X"}],"receivedAt":"2026-11-01"}"#,
            "c-objection.json": #"{"type":"objection","subject":{"email":"nobody@example.nl"},"objection":{"purposes":["e-marketing"]},"receivedAt":"2026-11-01"}"#,
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let database = try InzageDatabase.inMemory()
        let anna = try Ledger(store: database).annaJansen()
        let queue = RequestQueue(store: database, clock: { clock })

        let report = try queue.ingest(directory: folder, by: "intake")
        #expect(report.filedCount == 3)
        let requests = try queue.list().map(\.request).sorted { $0.reference < $1.reference }
        #expect(requests.map(\.unmatchedNote).map { $0 != nil } == [false, true, true])
        let rectification = requests[1]
        #expect(rectification.unmatchedNote == "No person matches: nothing can be changed. Assign a person with `inzage request assign`, "
                + "or refuse with `inzage request reject \(rectification.reference) --reason no-personal-data`.")
        let text = RequestIngestDocument(report).text(style: TextStyle(timeZone: amsterdam))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("No person matches") } == [
            "b-rectification.json: " + (rectification.unmatchedNote ?? ""), "c-objection.json: " + (requests[2].unmatchedNote ?? ""),
        ], "\(text)")
        #expect(text.hasSuffix("3 files: 3 filed, 0 already filed, 0 invalid."))
        // Filed again: nothing new, and no note.
        let again = RequestIngestDocument(try queue.ingest(directory: folder, by: "intake")).text(style: TextStyle(timeZone: amsterdam))
        #expect(!again.contains("No person matches"))
        // Once a person is assigned, the request needs no note.
        #expect(try queue.assign(rectification.reference, personID: anna.id, by: "officer").unmatchedNote == nil)
    }
}

/// What the schema accepts and ingest refuses, the schema's description says.
extension RequestFileTests {
    @Test("Files the schema accepts but ingest refuses are each named in the schema's description")
    func schemaDescribesWhatIngestRefuses() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let padding = String(repeating: " ", count: RequestFile.maximumSize)
        // File, text, the path ingest refuses it at, and the words of the schema's description that say so.
        let cases: [(name: String, json: String, path: String, described: String)] = [
            ("name-control", #"{"type":"access","subject":{"email":"a@b.nl","name":"A\u0001"}}"#, "$.subject.name",
             "a control character or line break (also U+2028 and U+2029) in subject.name or subject.externalId"),
            ("name-line-break", #"{"type":"access","subject":{"email":"a@b.nl","name":"Anna\nJansen"}}"#, "$.subject.name",
             "in subject.name or subject.externalId"),
            ("external-id-tab", #"{"type":"access","subject":{"externalId":"SO\t1"}}"#, "$.subject.externalId", "in subject.name or subject.externalId"),
            ("grounds-nul", #"{"type":"objection","subject":{"email":"a@b.nl"},"objection":{"purposes":["e-marketing"],"grounds":"x\u0000"}}"#,
             "$.objection.grounds", "a control character other than a line feed or tab (such as NUL, escaped as \\u0000, or a carriage return) in objection.grounds or a rectification statement"),
            ("statement-carriage-return", #"{"type":"rectification","subject":{"email":"a@b.nl"},"rectification":[{"field":"city","value":"X","statement":"a\r\nb"}]}"#,
             "$.rectification[0].statement", "in objection.grounds or a rectification statement"),
            ("field-twice", #"{"type":"rectification","subject":{"email":"a@b.nl"},"rectification":[{"field":"city","value":"X"},{"field":"city","value":"Y"}]}"#,
             "$.rectification[1].field", "the same field twice in rectification"),
            ("key-twice", #"{"type":"access","subject":{"email":"a@b.nl","email":"c@d.nl"}}"#, "$.subject", "a key that appears twice in one object"),
            ("over-1-mib", #"{"type":"access","subject":{"email":"a@b.nl"}}"# + padding, "$", "at most 1 MiB"),
            ("unknown-person", #"{"type":"access","subject":{"personId":99998}}"#, "$.subject.personId", "that the personId names a person"),
        ]
        var urls: [URL] = []
        for file in cases {
            let url = folder.appendingPathComponent(file.name + ".json")
            try Data(file.json.utf8).write(to: url)
            urls.append(url)
        }
        let verdicts = try validateWithJSONSchema(urls)
        let description = try #require(try schema()["description"] as? String)
        let clock = try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
        let report = try RequestQueue(store: try InzageDatabase.inMemory(), clock: { clock }).ingest(directory: folder, by: "intake")
        for file in cases {
            let name = file.name + ".json"
            #expect(verdicts[name] == .some(nil), "the schema refuses \(name) at \(String(describing: verdicts[name]))")
            let outcome = try #require(report.entries.first { $0.file == name }).outcome
            guard case .invalid(let error) = outcome else { Issue.record("ingest files \(name)"); continue }
            #expect(error.path == file.path, "\(error)")
            #expect(description.contains(file.described), "the schema's description does not say: \(file.described)")
        }
        #expect(report.filedCount == 0)
    }
}
