import Foundation
import Testing

/// The repository's root, for the shipped sample requests and schemas.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("inzage demo, work and extract", .serialized)
struct DemoAndExtractCommandTests {
    /// Runs python3 with `script`, failing the test with the script's error output when it fails.
    private func python(_ script: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed (install openpyxl and jsonschema: scripts/setup --test): \(errorText)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the demo answers the sample requests, and every extract opens and validates; export checks checksums")
    func demo() throws {
        let sandbox = try CLISandbox(initialise: false)
        let database = sandbox.directory.appendingPathComponent("demo.sqlite").path
        let extracts = sandbox.directory.appendingPathComponent("extracts")
        let result = try sandbox.run(["demo", "--database", database, "--requests", repositoryRoot.appendingPathComponent("requests").path,
                                      "--extracts", extracts.path, "--persons", "1000"], global: false)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Demo CRM: 1000 persons"))
        let requestLines = result.lines.filter { $0.hasPrefix("DSR-") }
        let accessLines = requestLines.filter { $0.contains(" access ") }
        #expect(accessLines.count == 4)
        #expect(accessLines.filter { $0.contains(" completed ") }.count == 3)
        #expect(accessLines.filter { $0.contains(" rejected ") }.count == 1, "the caller who could not be identified is refused")
        #expect(requestLines.filter { $0.contains(" rectification ") }.allSatisfy { $0.contains(" partially-completed ") })
        #expect(requestLines.filter { $0.contains(" objection ") }.count == 2)
        #expect(requestLines.filter { $0.contains(" objection ") }.allSatisfy { $0.contains(" completed ") })
        #expect(result.stdout.contains("Legal-basis view of person"))

        // Every kind of message the requests owe is in the outbox and delivered as a readable .eml file.
        let messageLines = result.lines.filter { $0.range(of: #"^\d+ +DSR-"#, options: .regularExpression) != nil }
        for kind in ["acknowledgement", "extract-ready", "rectification-outcome", "recipient-notification", "objection-confirmation",
                     "objection-decision", "refusal"] {
            #expect(messageLines.contains { $0.contains(" \(kind) ") }, "no \(kind) message in the demo's outbox")
        }
        #expect(messageLines.allSatisfy { $0.contains(" sent ") })
        let maildir = sandbox.directory.appendingPathComponent("demo.maildir/new")
        let emails = try FileManager.default.contentsOfDirectory(atPath: maildir.path).filter { $0.hasSuffix(".eml") }
        #expect(emails.count == messageLines.count)
        let parsed = try python("""
            import sys, email, email.policy
            for path in sys.argv[1:]:
                message = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",)).get_content()
                assert message["Subject"] and message["To"] and message["Message-ID"], path
                assert "{{" not in body and len(body) > 200, path
                print(message["X-Inzage-Request"] or "-")
            """, emails.map { maildir.appendingPathComponent($0).path })
        #expect(parsed.split(separator: "\n").count == emails.count)

        let files = try FileManager.default.contentsOfDirectory(atPath: extracts.path).sorted()
        let workbooks = files.filter { $0.hasSuffix(".xlsx") }.map { extracts.appendingPathComponent($0).path }
        let documents = files.filter { $0.hasSuffix(".json") }.map { extracts.appendingPathComponent($0).path }
        #expect(!workbooks.isEmpty && documents.count == 3)
        let sheets = try python("""
            import sys, openpyxl
            for path in sys.argv[1:]:
                print(len(openpyxl.load_workbook(path, read_only=True).sheetnames))
            """, workbooks)
        #expect(sheets.split(separator: "\n").allSatisfy { Int($0) ?? 0 >= 3 }, "\(sheets)")
        let schema = repositoryRoot.appendingPathComponent("schemas/inzage-extract-1.schema.json").path
        let validated = try python("""
            import sys, json, jsonschema
            schema = json.load(open(sys.argv[1]))
            for path in sys.argv[2:]:
                jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(path)))
                print("ok")
            """, [schema] + documents)
        #expect(validated.split(separator: "\n").count == documents.count)

        // Export copies the stored files after checking them; a damaged file is refused.
        let out = sandbox.directory.appendingPathComponent("answer")
        let export = try sandbox.run(["extract", "export", "DSR-2026-000001", "--out", out.path, "--database", database], global: false)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.lines.filter { $0.contains("sha256") }.count == 2)
        // A folder where a file is to go is refused and kept, with everything in it.
        let blocked = sandbox.directory.appendingPathComponent("blocked")
        let inTheWay = blocked.appendingPathComponent("DSR-2026-000001.xlsx/keep.txt")
        try FileManager.default.createDirectory(at: inTheWay.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: inTheWay)
        let refused = try sandbox.run(["extract", "export", "DSR-2026-000001", "--out", blocked.path, "--database", database], global: false)
        #expect(refused.status == 2 && refused.stderr.contains("DSR-2026-000001.xlsx is not a file"), "\(refused.stderr)")
        #expect(try String(contentsOf: inTheWay, encoding: .utf8) == "mine")
        // A folder that cannot be made (a file in the way) is the --out at fault too: exit 2, as for consent receipt.
        let underAFile = try sandbox.run(["extract", "export", "DSR-2026-000001", "--out", inTheWay.appendingPathComponent("answers").path,
                                          "--database", database], global: false)
        #expect(underAFile.status == 2 && underAFile.stderr.contains("Cannot create the extract folder"), "\(underAFile.stderr)")
        let noFolder = try sandbox.run(["extract", "export", "DSR-2026-000001", "--out", "", "--database", database], global: false)
        #expect(noFolder.status == 2 && noFolder.stderr.contains("--out is empty"), "\(noFolder.stderr)")

        let shown = try sandbox.run(["request", "show", "DSR-2026-000001", "--json", "--database", database], global: false)
        let recorded = try JSON.objects(try JSON.object(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)))["extracts"])
        let path = try #require(recorded.compactMap { $0["path"] as? String }.first { $0.hasSuffix(".json") })
        let stored = URL(fileURLWithPath: database + ".extracts/" + path)
        let exported = try Data(contentsOf: out.appendingPathComponent("DSR-2026-000001.json"))
        try Data("{}".utf8).write(to: stored)
        let damaged = try sandbox.run(["extract", "export", "DSR-2026-000001", "--out", out.path, "--database", database], global: false)
        #expect(damaged.status == 1 && damaged.stderr.contains("does not match its SHA-256"))
        // The earlier copy is left as it was, and no partial file is left beside it.
        #expect(try Data(contentsOf: out.appendingPathComponent("DSR-2026-000001.json")) == exported)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["DSR-2026-000001.json", "DSR-2026-000001.xlsx"])

        // An objection is not answered with extracts; the officer is told so, and where to look (exit 1, not a usage error).
        let objection = try sandbox.run(["extract", "export", "DSR-2026-000005", "--out", out.path, "--database", database], global: false)
        #expect(objection.status == 1 && objection.stderr.contains("only an access request is answered with extracts"), "\(objection.stderr)")
        // Nothing has passed its retention yet (the demo's answers are kept 30 days).
        let purge = try sandbox.run(["extract", "purge", "--database", database], global: false)
        #expect(purge.status == 0 && purge.stdout.contains("No extract has passed its retention."), "\(purge.stdout)\(purge.stderr)")

        // An officer's direct extract of one person.
        let direct = sandbox.directory.appendingPathComponent("person-3.json")
        let made = try sandbox.run(["extract", "person", "3", "--format", "json", "--language", "en", "--out", direct.path, "--database", database], global: false)
        #expect(made.status == 0, "\(made.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: direct)) as? [String: Any])
        #expect(document["schemaVersion"] as? String == "inzage-extract/1")
        let unknown = try sandbox.run(["extract", "person", "999999", "--format", "xlsx", "--out", sandbox.directory.appendingPathComponent("p.xlsx").path,
                                       "--database", database], global: false)
        #expect(unknown.status == 1 && unknown.stderr.contains("No person has id 999999"))
        // A failed command leaves no folder it made for --out behind.
        let deep = sandbox.directory.appendingPathComponent("new/deeper")
        let failed = try sandbox.run(["extract", "person", "999999", "--format", "json", "--out", deep.appendingPathComponent("p.json").path,
                                      "--database", database], global: false)
        #expect(failed.status == 1 && !FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("new").path))
        let mismatch = try sandbox.run(["extract", "person", "3", "--format", "xlsx", "--out", direct.path, "--database", database], global: false)
        #expect(mismatch.status == 2 && mismatch.stderr.contains("ends in .json but --format is xlsx"), "\(mismatch.stderr)")
        #expect(!made.stderr.contains("Note:"), "nothing to say about the shipped labels")

        // With the organisation's own label file, a misspelt key is named rather than silently ignored.
        let own = sandbox.directory.appendingPathComponent("own-templates/extract")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        try Data(#"{"sheets": {"detail": {"name": "About you"}}}"#.utf8).write(to: own.appendingPathComponent("labels.en.json"))
        let noted = try sandbox.run(["extract", "person", "3", "--format", "json", "--language", "en", "--out", direct.path, "--database", database,
                                     "--templates", own.deletingLastPathComponent().path], global: false)
        #expect(noted.status == 0, "\(noted.stderr)")
        #expect(noted.stderr.contains("Note: extract/labels.en.json") && noted.stderr.contains("1 key (sheets.detail.name) that Inzage does not use"),
                "\(noted.stderr)")
    }

    @Test("extract person and consent receipt refuse an --out that is a link, a folder or a special file, or empty: exit 2, nothing written")
    func outThatIsNotAFile() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--language", "en"))
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--evidence", "form-1")
        try sandbox.succeed("settings", "set", "phone", "+31 20 123 4567")
        try sandbox.succeed("settings", "set", "privacy-statement-url", "https://example.nl/privacy")
        let directory = sandbox.directory
        // A link to a file of the officer's: it must stay a link, and the file unchanged (as root, `--out /dev/stdout`
        // replaced the system's link).
        let kept = directory.appendingPathComponent("kept.json")
        try Data("mine".utf8).write(to: kept)
        let link = directory.appendingPathComponent("l.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: kept)
        let folder = directory.appendingPathComponent("folder.json")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fifo = directory.appendingPathComponent("fifo.json")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let file = directory.appendingPathComponent("file.txt")
        try Data("x".utf8).write(to: file)

        let commands: [[String]] = [["extract", "person", person, "--format", "json"], ["consent", "receipt", person]]
        for command in commands {
            try sandbox.refuse(command + ["--out", link.path], status: 2, mentioning: ["\(link.path) is not a file", "Nothing was written"])
            try sandbox.refuse(command + ["--out", fifo.path], status: 2, mentioning: ["\(fifo.path) is not a file"])
            try sandbox.refuse(command + ["--out", folder.path], status: 2, mentioning: [folder.path])
            try sandbox.refuse(command + ["--out", ""], status: 2, mentioning: ["--out is empty"])
            // A place that cannot be written (a file where a folder should be).
            try sandbox.refuse(command + ["--out", file.appendingPathComponent("x.json").path], status: 2, mentioning: [file.path])
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == kept.path)
        #expect(try Data(contentsOf: kept) == Data("mine".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(try Data(contentsOf: file) == Data("x".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".partial-") }.isEmpty)
        // A regular file is still replaced.
        try sandbox.succeed("extract", "person", person, "--format", "json", "--out", kept.path)
        #expect(try Data(contentsOf: kept).count > 100)
    }

    @Test("inzage work --once answers what is queued and prints one line per request")
    func workOnce() throws {
        let sandbox = try CLISandbox()
        _ = try sandbox.addPerson()
        let filed = try sandbox.run(["request", "file", "access", "--email", "anna.jansen@example.nl"])
        let reference = try #require(filed.lines.first)
        let worked = try sandbox.run(["work", "--once"])
        #expect(worked.status == 0, "\(worked.stderr)")
        #expect(worked.lines.first == "\(reference)\tcompleted\t2 extract(s)")
        #expect(!worked.stderr.contains("anna"), "logs must not carry personal data")
        let bad = try sandbox.run(["work", "--once", "--concurrency", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--concurrency"))
        let missing = try sandbox.run(["work", "--once", "--templates", "/nonexistent/templates"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/templates"))

        // A request that fails for the last time makes a scheduled `work --once` exit with 1.
        let broken = sandbox.directory.appendingPathComponent("broken-templates/messages")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        for language in ["nl", "en"] {
            try Data("Hallo {{unknownVariable}}".utf8).write(to: broken.appendingPathComponent("extract-ready.\(language).body.mustache"))
        }
        let second = try #require(try sandbox.run(["request", "file", "access", "--email", "anna.jansen@example.nl"]).lines.first)
        let failing = try sandbox.run(["work", "--once", "--attempts", "1", "--templates", broken.deletingLastPathComponent().path])
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(failing.lines.first?.hasPrefix("\(second)\tfailed\t") == true)
        #expect(failing.stderr.contains("1 request(s) failed for the last time"))
    }
}
