import Foundation
import Testing

/// The repository's `requests/` folder with the sample request files.
private let samplesFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("requests", isDirectory: true)

/// The sample request files, sorted by name.
private func sampleNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: samplesFolder.path)
        .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
}

fileprivate extension CLISandbox {
    /// Files a request and returns the reference printed on the first line.
    func file(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try mustRun(["request", "file"] + arguments, sourceLocation: sourceLocation)
        let reference = result.lines[0]
        #expect(reference.range(of: #"^DSR-[0-9]{4}-[0-9]{6}$"#, options: .regularExpression) != nil,
                "the first line is the reference: \(result.stdout)", sourceLocation: sourceLocation)
        return reference
    }

    /// `inzage` with `arguments`; a failure fails the test with its standard error.
    @discardableResult
    func mustRun(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let result = try run(arguments)
        try #require(result.status == 0, "inzage \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)",
                     sourceLocation: sourceLocation)
        return result
    }

    /// `request show REF --json`.
    func showRequest(_ reference: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try JSON.object(try json("request", "show", reference, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
    }

    /// `request list --json` with `filters`.
    func listRequests(_ filters: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try run(["request", "list"] + filters + ["--json"])
        try #require(result.status == 0, "request list failed: \(result.stderr)", sourceLocation: sourceLocation)
        return try JSON.objects(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), sourceLocation: sourceLocation)
    }

    /// A new folder in the sandbox holding `files` (name → text).
    func folder(_ name: String, _ files: [String: String]) throws -> URL {
        let url = directory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (file, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(file)) }
        return url
    }
}

@Suite("inzage request")
struct RequestCommandTests {
    static let summaryKeys: Set<String> = [
        "reference", "type", "state", "subject", "personID", "candidateIDs", "receivedAt", "receivedOn", "dueOn", "extendedDueOn",
        "effectiveDueOn", "daysLeft", "overdue", "extractCount",
    ]
    static let detailKeys = summaryKeys.union([
        "channel", "language", "formats", "extensionReason", "origin", "createdAt", "createdBy", "updatedAt", "matchedPerson",
        "candidates", "rectification", "objection", "history", "extracts", "decisions", "recipientNotifications", "messages", "attempts",
        "lastError",
    ])

    @Test("file prints the reference first, then the due date; show --json carries every field")
    func fileAndShow() throws {
        let sandbox = try CLISandbox()
        let person = try sandbox.addPerson(first: "Anna", last: "Jansen", email: "anna.jansen@example.nl", "--language", "en")
        let result = try sandbox.mustRun(["request", "file", "access", "--email", " Anna.Jansen@Example.NL ", "--name", "Anna",
                                          "--received", "2026-11-02", "--channel", "letter", "--formats", "json"])
        let reference = result.lines[0]
        #expect(reference.hasSuffix("-000001"))
        #expect(result.lines[1] == "Due on 2026-12-02 (received on 2026-11-02).")
        #expect(result.lines[2].hasPrefix("Already overdue by ") && result.lines[2].contains("can no longer be extended"),
                "received a month before 2 December 2026, it is past due on any day these tests run")
        #expect(result.stdout.contains("Matched to person \(person)"))
        let recent = try sandbox.mustRun(["request", "file", "access", "--email", "anna.jansen@example.nl"])
        #expect(!recent.stdout.contains("overdue"), "received today, due in a month")

        let shown = try sandbox.showRequest(reference)
        #expect(Set(shown.keys) == Self.detailKeys)
        #expect(shown["reference"] as? String == reference)
        #expect(shown["type"] as? String == "access")
        #expect(shown["state"] as? String == "received")
        #expect(shown["channel"] as? String == "letter")
        #expect(shown["language"] as? String == "en", "the person's language")
        #expect(shown["formats"] as? [String] == ["json"])
        #expect(shown["receivedAt"] as? String == "2026-11-01T23:00:00Z", "a date is the start of that day in Europe/Amsterdam")
        #expect(shown["receivedOn"] as? String == "2026-11-02")
        #expect(shown["dueOn"] as? String == "2026-12-02")
        #expect(shown["effectiveDueOn"] as? String == "2026-12-02")
        #expect(JSON.isNull(shown["extendedDueOn"]))
        #expect(JSON.isNull(shown["extensionReason"]))
        #expect(shown["personID"] as? Int == person)
        let subject = try JSON.object(shown["subject"])
        #expect(Set(subject.keys) == ["email", "personID", "externalID", "name"])
        #expect(subject["email"] as? String == "anna.jansen@example.nl")
        #expect(subject["name"] as? String == "Anna")
        #expect(JSON.isNull(subject["externalID"]))
        let matched = try JSON.object(shown["matchedPerson"])
        #expect(matched["id"] as? Int == person)
        #expect(matched["displayName"] as? String == "Anna Jansen")
        #expect((shown["candidates"] as? [Any])?.isEmpty == true)
        #expect((shown["rectification"] as? [Any])?.isEmpty == true)
        #expect(JSON.isNull(shown["objection"]))
        #expect((shown["extracts"] as? [Any])?.isEmpty == true)
        #expect(shown["extractCount"] as? Int == 0)
        #expect(shown["attempts"] as? Int == 0)
        #expect(JSON.isNull(shown["lastError"]))
        #expect(shown["createdBy"] as? String == CLISandbox.actor)
        #expect(JSON.isISO8601(shown["createdAt"]) && JSON.isISO8601(shown["updatedAt"]) && JSON.isISO8601(shown["receivedAt"]))
        let history = try JSON.objects(shown["history"])
        #expect(history.count == 1)
        #expect(Set(history[0].keys) == ["at", "from", "to", "by", "note"])
        #expect(JSON.isNull(history[0]["from"]) && history[0]["to"] as? String == "received" && history[0]["by"] as? String == CLISandbox.actor)
        #expect(JSON.isISO8601(history[0]["at"]))

        let text = try sandbox.mustRun(["request", "show", reference]).stdout
        for phrase in ["Request \(reference)", "Received", "received on 2026-11-02", "Due", "2026-12-02", "History", "Extracts", "Anna Jansen",
                       "Times are in Europe/Amsterdam."] {
            #expect(text.contains(phrase), "show lacks '\(phrase)': \(text)")
        }
    }

    @Test("file: rectification items with --set and --statement; objection with --purpose and --grounds")
    func fileRectificationAndObjection() throws {
        let sandbox = try CLISandbox()
        let rectification = try sandbox.file("rectification", "--email", "bram@example.nl", "--set", "phone=+31 20 765 4321",
                                             "--set", "city=", "--statement", "city=I moved abroad", "--received", "2026-11-20T10:15:00+01:00")
        let items = try JSON.objects(try sandbox.showRequest(rectification)["rectification"])
        #expect(items.count == 2)
        #expect(items[0]["field"] as? String == "phone" && items[0]["value"] as? String == "+31 20 765 4321" && JSON.isNull(items[0]["statement"]))
        #expect(items[1]["field"] as? String == "city" && JSON.isNull(items[1]["value"]) && items[1]["statement"] as? String == "I moved abroad")

        let person = String(try sandbox.addPerson())
        let objection = try sandbox.file("objection", "--person", person, "--purpose", "e-marketing", "--purpose", "sales-and-service",
                                         "--grounds", "I sold my company")
        let content = try JSON.object(try sandbox.showRequest(objection)["objection"])
        let purposes = try JSON.objects(content["purposes"])
        #expect(purposes.map { $0["key"] as? String } == ["e-marketing", "sales-and-service"])
        #expect(purposes.map { $0["isDirectMarketing"] as? Bool } == [true, false])
        #expect(content["grounds"] as? String == "I sold my company")

        // A blank statement is none, as in a request file.
        let blank = try sandbox.file("rectification", "--email", "bram@example.nl", "--set", "city=Delft", "--statement", "city=  ")
        #expect(JSON.isNull(try JSON.objects(try sandbox.showRequest(blank)["rectification"]).first?["statement"]))
    }

    @Test("file refuses what it cannot take: exit 2 with what is valid, and nothing is filed")
    func fileRefusals() throws {
        let sandbox = try CLISandbox()
        let unchanged = [["request", "list", "--json"]]
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--received", "2999-01-01"], status: 2,
                           mentioning: ["lies in the future"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--received", "yesterday"], status: 2,
                           mentioning: ["--received", "2026-11-02", "2026-11-02T14:30:00+01:00"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--received", "2026-02-30"], status: 2,
                           mentioning: ["--received"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "erasure", "--email", "a@example.nl"], status: 2,
                           mentioning: ["access, rectification, objection"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access"], status: 2, mentioning: ["--email", "--person", "--external-id"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "not-an-address"], status: 2,
                           mentioning: ["subject.email"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--channel", "fax"], status: 2,
                           mentioning: ["--channel", "web-form", "in-person"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--language", "de"], status: 2,
                           mentioning: ["--language", "nl, en"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--formats", "xlsx,pdf"], status: 2,
                           mentioning: ["--formats 'xlsx,pdf'", "'pdf' is not one", "xlsx, json"], unchanged: unchanged)
        // What was typed is quoted, not the empty item after the comma.
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--formats", "xlsx,"], status: 2,
                           mentioning: ["Invalid --formats 'xlsx,'", "empty", "xlsx, json"], unchanged: unchanged)
        // Each format once, as in a request file.
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--formats", "json,json"], status: 2,
                           mentioning: ["--formats", "json is listed twice", "xlsx, json"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--set", "city=Delft"], status: 2,
                           mentioning: ["--set", "rectification"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--purpose", "e-marketing"], status: 2,
                           mentioning: ["--purpose", "objection"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "rectification", "--email", "a@example.nl"], status: 2,
                           mentioning: ["rectification", "FIELD=VALUE"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "rectification", "--email", "a@example.nl", "--set", "shoe-size=44"], status: 2,
                           mentioning: ["shoe-size", "first-name", "job-title"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "rectification", "--email", "a@example.nl", "--set", "phone=12"], status: 2,
                           mentioning: ["rectification[0].value", "phone"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "rectification", "--email", "a@example.nl", "--set", "city=Delft", "--statement", "phone=new"],
                           status: 2, mentioning: ["--statement", "phone"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "objection", "--email", "a@example.nl", "--purpose", "newsletter"], status: 2,
                           mentioning: ["newsletter", "e-marketing", "sales-and-service"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "objection", "--email", "a@example.nl", "--purpose", "e-marketing", "--purpose", "e-marketing"],
                           status: 2, mentioning: ["e-marketing", "named twice"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--person", "999"], status: 1, mentioning: ["No person has id 999"], unchanged: unchanged)
        try sandbox.refuse(["request", "file", "access", "--email", "a@example.nl", "--name", "Anna\u{1}"], status: 2,
                           mentioning: ["subject.name", "U+0001"], unchanged: unchanged)
        #expect(try sandbox.listRequests().isEmpty)
        #expect(try sandbox.file("access", "--email", "a@example.nl").hasSuffix("-000001"), "no reference number was used up")
    }

    @Test("ingest files the samples once; the same folder twice files nothing twice")
    func ingestIsIdempotent() throws {
        let sandbox = try CLISandbox()
        let names = try sampleNames()
        #expect(names.count >= 6)
        let first = try sandbox.mustRun(["request", "ingest", samplesFolder.path])
        for name in names {
            #expect(first.stdout.contains(name), "the report names \(name)")
        }
        #expect(!first.stdout.contains("request.schema.json"), "the schema is not a request")
        #expect(first.stdout.contains("\(names.count) files: \(names.count) filed, 0 already filed, 0 invalid."))
        let filed = try sandbox.listRequests()
        #expect(filed.count == names.count)

        let second = try sandbox.mustRun(["request", "ingest", samplesFolder.path])
        #expect(second.stdout.contains("already filed as DSR-"))
        #expect(second.stdout.contains("0 filed, \(names.count) already filed, 0 invalid."))
        #expect(try sandbox.listRequests().count == names.count)

        let report = try JSON.object(try sandbox.json("request", "ingest", samplesFolder.path))
        #expect(Set(report.keys) == ["directory", "files", "filed", "alreadyFiled", "invalid", "notFiled"])
        #expect(report["filed"] as? Int == 0 && report["alreadyFiled"] as? Int == names.count && report["invalid"] as? Int == 0)
        let files = try JSON.objects(report["files"])
        #expect(files.map { $0["file"] as? String } == names)
        #expect(files.allSatisfy { $0["outcome"] as? String == "already-filed" && $0["reference"] is String && JSON.isNull($0["path"]) })
    }

    @Test("ingest reports an invalid file by name, JSON path and reason, files nothing of it, and still files the valid ones")
    func ingestWithInvalidFile() throws {
        let sandbox = try CLISandbox()
        let folder = try sandbox.folder("inbox", [
            "1-access.json": #"{"type": "access", "subject": {"email": "a@example.nl"}, "receivedAt": "2026-11-02T10:00:00+01:00"}"#,
            "2-rectification.json": #"{"type": "rectification", "subject": {"email": "b@example.nl"}, "rectification": [{"field": "city", "value": "Delft"}, {"field": "shoe-size", "value": "44"}]}"#,
            "3-objection.json": #"{"type": "objection", "subject": {"externalId": "SO-40004"}, "objection": {"purposes": ["e-marketing"]}}"#,
            "4-broken.json": #"{"type": "access", "subject": "#,
        ])
        let first = try sandbox.run(["request", "ingest", folder.path])
        #expect(first.status == 1)
        #expect(first.stdout.contains("2-rectification.json") && first.stdout.contains("$.rectification[1].field")
                && first.stdout.contains("shoe-size"), "\(first.stdout)")
        #expect(first.stdout.contains("4-broken.json") && first.stdout.contains("invalid: $.subject: the text ends where a value was expected"),
                "\(first.stdout)")
        #expect(first.stdout.contains("4 files: 2 filed, 0 already filed, 2 invalid."), "\(first.stdout)")
        let filed = try sandbox.listRequests()
        #expect(filed.count == 2)
        #expect(Set(filed.compactMap { $0["type"] as? String }) == ["access", "objection"])

        let second = try sandbox.run(["request", "ingest", folder.path, "--json"])
        #expect(second.status == 1)
        let report = try JSON.object(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)))
        #expect(report["filed"] as? Int == 0 && report["alreadyFiled"] as? Int == 2 && report["invalid"] as? Int == 2)
        let invalid = try JSON.objects(report["files"]).filter { $0["outcome"] as? String == "invalid" }
        #expect(invalid.map { $0["file"] as? String } == ["2-rectification.json", "4-broken.json"])
        #expect(invalid.map { $0["path"] as? String } == ["$.rectification[1].field", "$.subject"])
        #expect(invalid.allSatisfy { ($0["reason"] as? String)?.isEmpty == false && JSON.isNull($0["reference"]) })
        #expect(try sandbox.listRequests().count == 2)

        try sandbox.refuse(["request", "ingest", folder.appendingPathComponent("missing").path], status: 2,
                           mentioning: ["No folder"], unchanged: [["request", "list", "--json"]])
    }

    @Test("ingest refuses a person id that names nobody with the words of `request file --person`, and text that is not JSON; it notes an unmatched change as `request file` does")
    func ingestRefusesAsFileDoes() throws {
        let sandbox = try CLISandbox()
        _ = try sandbox.addPerson()
        let folder = try sandbox.folder("inbox", [
            "1-unknown-person.json": #"{"type": "access", "subject": {"personId": 99998}, "receivedAt": "2026-11-02"}"#,
            "2-unknown-person-email.json": #"{"type": "access", "subject": {"personId": 99997, "email": "anna.jansen@example.nl"}, "receivedAt": "2026-11-02"}"#,
            "3-trailing-comma.json": #"{"type": "access", "subject": {"email": "a@example.nl",}, "receivedAt": "2026-11-02"}"#,
            "4-rectification.json": #"{"type": "rectification", "subject": {"email": "nobody@example.nl"}, "rectification": [{"field": "city", "value": "X"}], "receivedAt": "2026-11-02"}"#,
            "5-big-id.json": #"{"type": "access", "subject": {"personId": 9223372036854775808}}"#,
        ])
        let ingest = try sandbox.run(["request", "ingest", folder.path])
        #expect(ingest.status == 1)
        let refused = try sandbox.run(["request", "file", "access", "--person", "99998"])
        #expect(refused.status == 1)
        let message = refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(message.hasPrefix("No person has id 99998."))
        let line = try #require(ingest.lines.first { $0.hasPrefix("1-unknown-person.json ") }, "\(ingest.stdout)")
        #expect(line.hasSuffix(" invalid: $.subject.personId: \(message)"), "\(line)")
        #expect(ingest.stdout.contains("invalid: $.subject.personId: No person has id 99997."), "\(ingest.stdout)")
        #expect(ingest.stdout.contains("invalid: $.subject: a comma before '}' (trailing commas are not JSON)"), "\(ingest.stdout)")
        #expect(ingest.stdout.contains("invalid: $.subject.personId: 9223372036854775808 is out of range"), "\(ingest.stdout)")
        #expect(ingest.stdout.contains("5 files: 1 filed, 0 already filed, 4 invalid."), "\(ingest.stdout)")
        let filed = try sandbox.listRequests()
        #expect(filed.count == 1, "only the rectification is filed; the unknown id is not matched by the e-mail address")
        let reference = try #require(filed.first?["reference"] as? String)

        // The note `request file` prints for the same case, word for word (but the reference).
        let direct = try sandbox.mustRun(["request", "file", "rectification", "--email", "nobody@example.nl", "--set", "city=X"])
        let note = try #require(direct.lines.first { $0.hasPrefix("No person matches") }, "\(direct.stdout)")
        let ingestNote = try #require(ingest.lines.first { $0.hasPrefix("4-rectification.json: ") }, "\(ingest.stdout)")
        #expect(ingestNote == "4-rectification.json: " + note.replacingOccurrences(of: direct.lines[0], with: reference))
        #expect(ingestNote.contains("inzage request reject \(reference) --reason no-personal-data"))
        #expect(ingest.lines.filter { $0.contains("No person matches") }.count == 1)
        // `request show` does not promise a "no data held" answer for a request to change something.
        let shown = try sandbox.succeed("request", "show", direct.lines[0]).stdout
        #expect(shown.contains("nothing can be changed") && !shown.contains("no data is held"), "\(shown)")
    }

    @Test("ingest --help says what ingest refuses that the schema accepts")
    func ingestHelp() throws {
        let sandbox = try CLISandbox()
        let help = try sandbox.run(["request", "ingest", "--help"], global: false)
        #expect(help.status == 0)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["larger than 1 MiB or not UTF-8", "no trailing commas", "a key twice in one object", "nested more than 32 deep",
                       "a personId that names no person", "in subject.name or subject.externalId", "in objection.grounds or a rectification statement",
                       "the same field twice in rectification", "a note for each request filed that asks for a change and that nobody matches"] {
            #expect(text.contains(phrase), "--help lacks '\(phrase)': \(text)")
        }
    }

    @Test("list --json: every field, most urgent first, filtered by state, overdue and due-within")
    func list() throws {
        let sandbox = try CLISandbox()
        let old = try sandbox.file("access", "--email", "old@example.nl", "--received", "2026-09-01")
        let recent = try sandbox.file("access", "--email", "recent@example.nl")
        let middle = try sandbox.file("objection", "--email", "middle@example.nl", "--purpose", "e-marketing", "--received", "2026-10-20")
        let closed = try sandbox.file("access", "--email", "closed@example.nl", "--received", "2026-08-03")
        try sandbox.mustRun(["request", "withdraw", closed, "--note", "Called to withdraw"])

        let all = try sandbox.listRequests()
        #expect(all.map { $0["reference"] as? String } == [closed, old, middle, recent])
        for request in all { #expect(Set(request.keys) == Self.summaryKeys) }
        let dues = all.compactMap { $0["effectiveDueOn"] as? String }
        #expect(dues == dues.sorted())
        let first = all[1]
        #expect(first["type"] as? String == "access")
        #expect(first["state"] as? String == "received")
        #expect(first["receivedOn"] as? String == "2026-09-01")
        #expect(first["dueOn"] as? String == "2026-10-01")
        #expect(first["overdue"] as? Bool == true)
        #expect((first["daysLeft"] as? Int ?? 0) < 0)
        #expect(first["extractCount"] as? Int == 0)
        #expect(try JSON.object(first["subject"])["email"] as? String == "old@example.nl")
        #expect(all[0]["overdue"] as? Bool == false, "a withdrawn request is not overdue")
        #expect(all[0]["daysLeft"] is NSNull, "a closed request has no days left, as the text's — says")

        #expect(try sandbox.listRequests("--overdue").map { $0["reference"] as? String } == [old, middle])
        #expect(try sandbox.listRequests("--state", "withdrawn").map { $0["reference"] as? String } == [closed])
        #expect(try sandbox.listRequests("--state", "received").map { $0["reference"] as? String } == [old, middle, recent])
        let soon = try sandbox.listRequests("--due-within", "40").map { $0["reference"] as? String }
        #expect(soon.contains(old) && soon.contains(recent) && !soon.contains(closed))

        let text = try sandbox.mustRun(["request", "list"]).stdout
        #expect(text.contains("Reference") && text.contains("Days left") && text.contains("OVERDUE") && text.contains("old@example.nl"))

        let unchanged = [["request", "list", "--json"]]
        try sandbox.refuse(["request", "list", "--state", "open"], status: 2, mentioning: ["open", "in-progress", "awaiting-decision"], unchanged: unchanged)
        try sandbox.refuse(["request", "list", "--due-within", "-1"], status: 2, mentioning: ["--due-within"], unchanged: unchanged)
        try sandbox.refuse(["request", "show", "DSR-2026-999999"], status: 1, mentioning: ["DSR-2026-999999"], unchanged: unchanged)
        // Text that is no reference at all is an invalid value (exit 2), in every command that takes one.
        for arguments in [["request", "show", "garbage"], ["request", "extend", "garbage", "--reason", "x"], ["outbox", "list", "--request", "garbage"],
                          ["request", "withdraw", "garbage"], ["extract", "export", "garbage", "--out", sandbox.directory.path]] {
            try sandbox.refuse(arguments, status: 2, mentioning: ["'garbage' is not a request reference", "DSR-2026-000123"], unchanged: unchanged)
        }
    }

    @Test("Several matches await a decision with the candidates listed; assign settles it; extend, withdraw and retry")
    func ambiguousMatchAssignAndExtend() throws {
        let sandbox = try CLISandbox()
        let eva = try sandbox.addPerson(first: "Eva", last: "Smit", email: "eva@example.nl", "--external-id", "SO-7")
        let other = try sandbox.addPerson(first: "Eva", last: "Smit", email: "eva.smit@example.com", "--external-id", "SO-7")
        let result = try sandbox.mustRun(["request", "file", "access", "--external-id", "SO-7"])
        let reference = result.lines[0]
        #expect(result.stdout.contains("Awaits a decision") && result.stdout.contains("inzage request assign \(reference) --person ID"))
        var shown = try sandbox.showRequest(reference)
        #expect(shown["state"] as? String == "awaiting-decision")
        #expect(JSON.isNull(shown["personID"]) && JSON.isNull(shown["matchedPerson"]))
        #expect(Set(shown["candidateIDs"] as? [Int] ?? []) == [eva, other])
        #expect(Set(try JSON.objects(shown["candidates"]).compactMap { $0["email"] as? String }) == ["eva@example.nl", "eva.smit@example.com"])
        #expect(try sandbox.mustRun(["request", "show", reference]).stdout.contains("2 persons match"))

        let unchanged = [["request", "show", reference, "--json"]]
        try sandbox.refuse(["request", "assign", reference, "--person", "999"], status: 1, mentioning: ["No person has id 999"], unchanged: unchanged)
        try sandbox.refuse(["request", "retry", reference], status: 1, mentioning: ["not failed"], unchanged: unchanged)
        let assigned = try sandbox.mustRun(["request", "assign", reference, "--person", String(other)])
        #expect(assigned.stdout.contains("in-progress") && !assigned.stderr.contains("Note:"), "one of the candidates: nothing to note")
        shown = try sandbox.showRequest(reference)
        #expect(shown["state"] as? String == "in-progress" && shown["personID"] as? Int == other)
        #expect(try JSON.objects(shown["history"]).map { $0["to"] as? String } == ["received", "awaiting-decision", "in-progress"])
        try sandbox.refuse(["request", "assign", reference, "--person", String(eva)], status: 1, mentioning: ["has its person settled"],
                           unchanged: [["request", "show", reference, "--json"]])
        // Settling a request on someone the identifiers did not match is allowed, and said at once.
        let third = try sandbox.addPerson(first: "Anna", last: "Jansen", email: "anna@example.nl")
        let another = try sandbox.mustRun(["request", "file", "access", "--external-id", "SO-7"]).lines[0]
        let outside = try sandbox.mustRun(["request", "assign", another, "--person", String(third)])
        #expect(outside.stderr.contains("Note: person \(third) was not among the persons the request's identifiers matched"), "\(outside.stderr)")

        try sandbox.refuse(["request", "extend", reference, "--reason", " "], status: 2, mentioning: ["--reason"], unchanged: unchanged)
        let extended = try sandbox.mustRun(["request", "extend", reference, "--reason", "Data in five systems"])
        shown = try sandbox.showRequest(reference)
        #expect(shown["state"] as? String == "extended")
        let extendedDue = try #require(shown["extendedDueOn"] as? String)
        #expect(shown["effectiveDueOn"] as? String == extendedDue)
        #expect(extendedDue > (shown["dueOn"] as? String ?? ""))
        #expect(shown["extensionReason"] as? String == "Data in five systems")
        #expect(extended.stdout.contains(extendedDue))
        try sandbox.refuse(["request", "extend", reference, "--reason", "Again"], status: 1, mentioning: ["already extended"],
                           unchanged: [["request", "show", reference, "--json"]])

        try sandbox.mustRun(["request", "withdraw", reference, "--note", "Called us"])
        shown = try sandbox.showRequest(reference)
        #expect(shown["state"] as? String == "withdrawn")
        let last = try #require(try JSON.objects(shown["history"]).last)
        #expect(last["from"] as? String == "extended" && last["note"] as? String == "Called us" && last["by"] as? String == CLISandbox.actor)
        try sandbox.refuse(["request", "withdraw", reference], status: 1, mentioning: ["withdrawn", "final state"],
                           unchanged: [["request", "show", reference, "--json"]])
    }

    @Test("extend is refused once the request is past due (exit 1) and from a state that cannot be extended")
    func extendRefusals() throws {
        let sandbox = try CLISandbox()
        let late = try sandbox.file("access", "--email", "late@example.nl", "--received", "2026-09-01")
        try sandbox.refuse(["request", "extend", late, "--reason", "Volume"], status: 1, mentioning: ["no longer be extended", "2026-10-01"],
                           unchanged: [["request", "show", late, "--json"]])
        let fresh = try sandbox.file("access", "--email", "fresh@example.nl")
        _ = try sandbox.succeed("request", "extend", fresh, "--reason", "Volume: a campaign brought many requests")
        try sandbox.refuse(["request", "extend", fresh, "--reason", "Again"], status: 1, mentioning: ["already"],
                           unchanged: [["request", "show", fresh, "--json"]])
        let withdrawn = try sandbox.file("access", "--email", "gone@example.nl")
        _ = try sandbox.succeed("request", "withdraw", withdrawn)
        try sandbox.refuse(["request", "extend", withdrawn, "--reason", "Volume"], status: 1, mentioning: ["withdrawn", "extended"],
                           unchanged: [["request", "show", withdrawn, "--json"]])
        try sandbox.refuse(["request", "extend", "DSR-2026-999999", "--reason", "Volume"], status: 1, mentioning: ["DSR-2026-999999"],
                           unchanged: [["request", "list", "--json"]])
    }
}
