import Foundation
import Inzage
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a run of the binary produced, and how the process ended.
private struct DeliverRun {
    let result: CLIResult
    let reason: Process.TerminationReason
}

fileprivate extension CLISandbox {
    /// The maildir `inzage deliver` uses by default: the database path without `.sqlite`, plus `.maildir`.
    var defaultMaildir: URL { directory.appendingPathComponent("inzage.maildir", isDirectory: true) }

    /// The database, opened with the library (the same file the binary uses).
    func openDatabase() throws -> InzageDatabase {
        try InzageDatabase(path: database)
    }

    /// Stores `count` pending messages, one per recipient, and returns them in the order stored.
    @discardableResult
    func enqueue(_ count: Int = 1, requestID: Int64? = nil, reference: String? = nil) throws -> [StoredMessage] {
        let database = try openDatabase()
        return try (0..<count).map { index in
            try database.writeOutbox { try Outbox.enqueue(makeMessage(index, requestID: requestID, reference: reference), at: Date(), in: $0) }
        }
    }

    /// A message to `recipient(index)`; ASCII subject, a body with Dutch characters.
    func makeMessage(_ index: Int, requestID: Int64? = nil, reference: String? = nil) -> OutgoingMessage {
        OutgoingMessage(
            kind: .acknowledgement, language: .nl,
            sender: MailAddress(address: "privacy@korenaar.nl", name: "Bakkerij De Korenaar B.V."),
            recipient: MailAddress(address: "anna.jansen\(index)@example.nl", name: "Anna Jansen"),
            subject: "Uw verzoek is ontvangen (\(index))",
            body: "Beste Anna Jansen,\n\nWij hebben uw verzoek ontvangen. Één keer, zoals beloofd.\n\nMet vriendelijke groet,\nBakkerij De Korenaar\n",
            requestID: requestID, requestReference: reference)
    }

    /// The message with row id `id` as the database holds it now.
    func stored(_ id: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws -> StoredMessage {
        try #require(try openDatabase().readOutbox { try $0.message(id: id) }, sourceLocation: sourceLocation)
    }

    /// Runs `inzage` with `arguments` and `--database`, with `environment` added to this process's environment.
    func run(_ arguments: [String], environment extra: [String: String]) throws -> DeliverRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(InzageBinary.path))
        process.arguments = arguments + ["--database", database]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "INZAGE_DATABASE")
        environment.removeValue(forKey: "INZAGE_FAULT")
        process.environment = environment.merging(extra) { _, new in new }
        let result = try launch(process)
        return DeliverRun(result: result, reason: process.terminationReason)
    }

    /// `outbox list --json` with `filters`, by Message-ID.
    func outbox(_ filters: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: [String: Any]] {
        let list = try JSON.objects(try json(["outbox", "list"] + filters, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
        return Dictionary(list.compactMap { entry in (entry["messageID"] as? String).map { ($0, entry) } }) { first, _ in first }
    }

    /// `inzage` with `arguments` and `--json`, parsed.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let result = try run(arguments + ["--json"])
        try #require(result.status == 0, "inzage \(arguments.joined(separator: " ")) --json failed (\(result.status)): \(result.stderr)",
                     sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Writes an executable shell script into the sandbox and returns its path.
    func script(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(("#!/bin/sh\n" + text + "\n").utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }
}

/// The files of a maildir subfolder, sorted; none when it does not exist.
private func files(_ maildir: URL, _ folder: String) throws -> [String] {
    let url = maildir.appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}

/// Runs `inzage deliver` and `inzage outbox` as real processes: delivery into a maildir and through a sendmail
/// command, exactly once across a process killed between the transport and marking the message sent, and the
/// officer's view of the outbox.
@Suite("Deliver and outbox commands", .serialized)
struct DeliverCommandTests {
    @Test("deliver --once writes one .eml per message into the maildir beside the database and marks them sent; again, nothing new")
    func deliverOnce() throws {
        let sandbox = try CLISandbox()
        let messages = try sandbox.enqueue(2)
        let first = try sandbox.succeed("deliver", "--once")
        #expect(first.lines.contains("sent 2, will retry 0, failed 0"), "\(first.stdout)")
        for message in messages {
            #expect(first.stdout.contains("\(message.messageID)\tsent\tattempt 1"))
        }
        #expect(!first.stderr.contains("example.nl") && !first.stderr.contains("Anna"), "logs carry ids only: \(first.stderr)")

        let maildir = sandbox.defaultMaildir
        let expected = messages.map(MaildirTransport.fileName(for:)).sorted()
        #expect(try files(maildir, "new") == expected)
        #expect(try files(maildir, "tmp").isEmpty && files(maildir, "cur").isEmpty)
        let eml = try String(decoding: Data(contentsOf: maildir.appendingPathComponent("new").appendingPathComponent(MaildirTransport.fileName(for: messages[0]))),
                             as: UTF8.self)
        #expect(eml.contains("Message-ID: <\(messages[0].messageID)>\r\n"))
        #expect(eml.contains("To: Anna Jansen <anna.jansen0@example.nl>\r\n"))
        #expect(eml.contains("Subject: Uw verzoek is ontvangen (0)\r\n"))
        let before = try messages.map { try sandbox.stored($0.id) }
        for message in before {
            #expect(message.state == .sent && message.attempts == 1 && message.sentAt != nil && message.lastError == nil)
        }
        let attributes = try expected.map {
            try FileManager.default.attributesOfItem(atPath: maildir.appendingPathComponent("new").appendingPathComponent($0).path)[.modificationDate] as? Date
        }

        let again = try sandbox.succeed("deliver", "--once")
        #expect(again.lines.contains("sent 0, will retry 0, failed 0"), "\(again.stdout)")
        #expect(try files(maildir, "new") == expected)
        #expect(try expected.map {
            try FileManager.default.attributesOfItem(atPath: maildir.appendingPathComponent("new").appendingPathComponent($0).path)[.modificationDate] as? Date
        } == attributes, "the files were not written again")
        #expect(try messages.map { try sandbox.stored($0.id) } == before)

        // --maildir names another folder.
        let other = sandbox.directory.appendingPathComponent("elsewhere/Maildir", isDirectory: true)
        let third = try sandbox.enqueue(1)[0]
        try sandbox.succeed("deliver", "--once", "--maildir", other.path)
        #expect(try files(other, "new") == [MaildirTransport.fileName(for: third)])
        #expect(try files(maildir, "new") == expected)
        #expect(try sandbox.stored(third.id).state == .sent)
    }

    @Test("a process killed after the maildir write and before marking sent: the next run sends it without a second file")
    func exactlyOnceAcrossKill() throws {
        let sandbox = try CLISandbox()
        let messages = try sandbox.enqueue(2)
        let maildir = sandbox.defaultMaildir

        let killed = try sandbox.run(["deliver", "--once", "--lease", "1"], environment: ["INZAGE_FAULT": "kill-after-transport"])
        #expect(killed.reason == .uncaughtSignal && killed.result.status == SIGKILL,
                "the first process must die by signal 9: \(killed.reason) \(killed.result.status), \(killed.result.stderr)")
        // The file is in the maildir, the message is not marked sent; the second message was not touched.
        #expect(try files(maildir, "new") == [MaildirTransport.fileName(for: messages[0])])
        let interrupted = try sandbox.stored(messages[0].id)
        #expect(interrupted.state == .sending && interrupted.attempts == 1 && interrupted.sentAt == nil)
        #expect(try sandbox.stored(messages[1].id).state == .pending)
        let written = try Data(contentsOf: maildir.appendingPathComponent("new").appendingPathComponent(MaildirTransport.fileName(for: messages[0])))

        Thread.sleep(forTimeInterval: 1.5)  // the lease lapses
        let again = try sandbox.run(["deliver", "--once", "--lease", "1"], environment: [:])
        #expect(again.reason == .exit && again.result.status == 0, "\(again.result.stderr)")
        #expect(again.result.lines.contains("sent 2, will retry 0, failed 0"), "\(again.result.stdout)")

        #expect(try files(maildir, "new") == messages.map(MaildirTransport.fileName(for:)).sorted(), "exactly one file per message")
        #expect(try files(maildir, "tmp").isEmpty && files(maildir, "cur").isEmpty)
        #expect(try Data(contentsOf: maildir.appendingPathComponent("new").appendingPathComponent(MaildirTransport.fileName(for: messages[0]))) == written)
        let after = try messages.map { try sandbox.stored($0.id) }
        #expect(after.allSatisfy { $0.state == .sent && $0.sentAt != nil && $0.leaseOwner == nil })
        #expect(after.map(\.attempts) == [2, 1], "the interrupted message was taken again once")
    }

    @Test("--sendmail pipes to the command; a failing command leaves the message pending with its error, then failed; requeue sends it")
    func sendmail() throws {
        let sandbox = try CLISandbox()
        let sent = sandbox.directory.appendingPathComponent("sendmail.out")
        let good = try sandbox.script("sendmail-good", """
            echo "ARGS: $*" >> '\(sent.path)'
            cat >> '\(sent.path)'
            echo "--END--" >> '\(sent.path)'
            """)
        let bad = try sandbox.script("sendmail-bad", """
            cat > /dev/null
            echo "mailer says no" >&2
            exit 75
            """)

        let first = try sandbox.enqueue(1)[0]
        let delivered = try sandbox.succeed("deliver", "--once", "--sendmail", good)
        #expect(delivered.lines.contains("sent 1, will retry 0, failed 0"), "\(delivered.stdout)")
        let piped = try String(contentsOf: sent, encoding: .utf8)
        #expect(piped.hasPrefix("ARGS: -f privacy@korenaar.nl -t -i\n"), "the organisation is the envelope sender")
        #expect(piped.contains("Message-ID: <\(first.messageID)>\n") && piped.contains("To: Anna Jansen <anna.jansen0@example.nl>\n"))
        #expect(!piped.contains("\r\n"), "sendmail gets LF line endings")
        #expect(piped.components(separatedBy: "--END--").count == 2, "one message piped")
        #expect(!FileManager.default.fileExists(atPath: sandbox.defaultMaildir.path), "no maildir with --sendmail")
        #expect(try sandbox.stored(first.id).state == .sent)

        // A command that exits with non-zero status: pending, with the error and the attempt counted.
        let second = try sandbox.enqueue(1)[0]
        let failing = try sandbox.run(["deliver", "--once", "--sendmail", bad, "--retry-delay", "2"])
        #expect(failing.status == 0, "not failed for the last time: \(failing.stderr)")
        #expect(failing.lines.contains("sent 0, will retry 1, failed 0"), "\(failing.stdout)")
        #expect(!failing.stderr.contains("example.nl") && !failing.stderr.contains("mailer says no"), "the error stays in the outbox: \(failing.stderr)")
        let pending = try sandbox.stored(second.id)
        #expect(pending.state == .pending && pending.attempts == 1 && pending.nextAttemptAt != nil)
        #expect(pending.lastError?.contains("exited with status 75") == true && pending.lastError?.contains("mailer says no") == true,
                "\(pending.lastError ?? "nil")")
        try sandbox.refuse(["outbox", "requeue", String(second.id)], status: 1, mentioning: ["is pending, not failed", "only a failed message"])

        // After the retry delay, with --attempts 1: the last attempt; failed, exit 1.
        Thread.sleep(forTimeInterval: 2.2)
        let last = try sandbox.run(["deliver", "--once", "--sendmail", bad, "--attempts", "1"])
        #expect(last.status == 1, "a message failed for the last time: \(last.stdout) \(last.stderr)")
        #expect(last.lines.contains("sent 0, will retry 0, failed 1"), "\(last.stdout)")
        let failed = try sandbox.stored(second.id)
        #expect(failed.state == .failed && failed.attempts == 2 && failed.lastError?.contains("status 75") == true)

        // The officer requeues it; the next round sends it.
        let requeued = try sandbox.succeed("outbox", "requeue", second.messageID)
        #expect(requeued.stdout.contains("pending again"))
        let back = try sandbox.stored(second.id)
        #expect(back.state == .pending && back.attempts == 0)
        let resent = try sandbox.succeed("deliver", "--once", "--sendmail", good)
        #expect(resent.lines.contains("sent 1, will retry 0, failed 0"), "\(resent.stdout)")
        #expect(try sandbox.stored(second.id).state == .sent)
        #expect(try String(contentsOf: sent, encoding: .utf8).contains("Message-ID: <\(second.messageID)>"))
    }

    @Test("outbox list and show carry the fields; requeue of a failed message works, of a sent one is refused")
    func outboxCommands() throws {
        let sandbox = try CLISandbox()
        let plain = try sandbox.enqueue(1)[0]
        let filed = try sandbox.succeed("request", "file", "access", "--external-id", "crm-404")
        let reference = filed.lines[0]
        let request = try RequestQueue(store: sandbox.openDatabase()).request(reference)
        let about = try sandbox.enqueue(1, requestID: request.id, reference: reference)[0]

        let all = try sandbox.outbox()
        let entry = try #require(all[about.messageID])
        #expect(entry["id"] as? Int == Int(about.id))
        #expect(entry["kind"] as? String == "acknowledgement" && entry["language"] as? String == "nl")
        #expect(entry["requestReference"] as? String == reference && entry["requestID"] as? Int == Int(request.id))
        #expect(JSON.isNull(entry["personID"]))
        let recipient = try JSON.object(entry["recipient"])
        #expect(recipient["address"] as? String == "anna.jansen0@example.nl" && recipient["name"] as? String == "Anna Jansen")
        #expect(entry["subject"] as? String == "Uw verzoek is ontvangen (0)")
        #expect(entry["state"] as? String == "pending" && entry["attempts"] as? Int == 0)
        #expect(JSON.isISO8601(entry["createdAt"]))
        #expect(JSON.isNull(entry["sentAt"]) && JSON.isNull(entry["lastError"]) && JSON.isNull(entry["nextAttemptAt"]))
        #expect(JSON.isNull(try #require(all[plain.messageID])["requestReference"]))

        let forRequest = try sandbox.outbox("--request", reference.lowercased())
        #expect(forRequest[about.messageID] != nil && forRequest[plain.messageID] == nil)
        #expect(forRequest.values.allSatisfy { $0["requestReference"] as? String == reference })
        #expect(try sandbox.outbox("--state", "sent").isEmpty)
        #expect(try sandbox.outbox("--state", "pending")[plain.messageID] != nil)

        let text = try sandbox.succeed("outbox", "list")
        #expect(text.stdout.contains(about.messageID) && text.stdout.contains("anna.jansen0@example.nl") && text.stdout.contains(reference))
        #expect(text.stdout.contains("Message-ID") && text.stdout.contains("Last error"))

        // show: the headers as sent and the whole body, by id or by Message-ID.
        let shown = try sandbox.succeed("outbox", "show", String(about.id))
        for line in ["Message-ID: <\(about.messageID)>", "From: \"Bakkerij De Korenaar B.V.\" <privacy@korenaar.nl>",
                     "To: Anna Jansen <anna.jansen0@example.nl>", "Subject: Uw verzoek is ontvangen (0)",
                     "X-Inzage-Request: \(reference)", "X-Inzage-Message-Kind: acknowledgement", "Content-Language: nl"] {
            #expect(shown.lines.contains(line), "show lacks '\(line)': \(shown.stdout)")
        }
        #expect(shown.stdout.contains("Wij hebben uw verzoek ontvangen. Één keer, zoals beloofd.\n\nMet vriendelijke groet,\nBakkerij De Korenaar"))
        let byMessageID = try sandbox.succeed("outbox", "show", "<\(about.messageID)>")
        #expect(byMessageID.stdout == shown.stdout)
        let detail = try JSON.object(try sandbox.json(["outbox", "show", about.messageID]))
        #expect(detail["body"] as? String == about.message.body)
        #expect(try JSON.object(detail["sender"])["address"] as? String == "privacy@korenaar.nl")
        let headers = try JSON.objects(detail["headers"])
        #expect(headers.contains { $0["name"] as? String == "Message-ID" && $0["value"] as? String == "<\(about.messageID)>" })
        #expect(headers.first?["name"] as? String == "Date")
        #expect(detail["state"] as? String == "pending" && detail["requestReference"] as? String == reference)
        #expect(JSON.isNull(detail["leaseOwner"]) && JSON.isNull(detail["leaseExpiresAt"]))
        try sandbox.refuse(["outbox", "show", "999"], status: 1, mentioning: ["No message has id or Message-ID '999'", "inzage outbox list"])
        try sandbox.refuse(["outbox", "show", "nobody@example.nl"], status: 1, mentioning: ["No message has id or Message-ID"])

        // Sent messages are not requeued; a failed one is.
        try sandbox.succeed("deliver", "--once")
        let unchanged = [["outbox", "list", "--json"]]
        try sandbox.refuse(["outbox", "requeue", String(plain.id)], status: 1, mentioning: ["is sent, not failed", "only a failed message can be requeued"],
                           unchanged: unchanged)
        let broken = try sandbox.enqueue(1)[0]
        let database = try sandbox.openDatabase()
        try database.writeOutbox { writer in
            let now = Date()
            let claimed = try #require(try writer.claimNextMessage(owner: "test", now: now, until: now.addingTimeInterval(60)))
            #expect(claimed.id == broken.id)
            #expect(try writer.recordFailure(id: claimed.id, owner: "test", error: "no route to the mail server", retryAt: nil))
        }
        let failedEntry = try #require(try sandbox.outbox("--state", "failed")[broken.messageID])
        #expect(failedEntry["lastError"] as? String == "no route to the mail server" && failedEntry["attempts"] as? Int == 1)
        let requeued = try sandbox.succeed("outbox", "requeue", String(broken.id))
        #expect(requeued.lines.first == "Message \(broken.id) (\(broken.messageID)) is pending again; `inzage deliver` will send it.")
        let back = try #require(try sandbox.outbox("--state", "pending")[broken.messageID])
        #expect(back["attempts"] as? Int == 0)
    }

    @Test("without --once it keeps delivering new messages until SIGTERM, then exits 0")
    func longRunning() throws {
        let sandbox = try CLISandbox()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(InzageBinary.path))
        process.arguments = ["deliver", "--poll", "0.2", "--database", sandbox.database]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        Thread.sleep(forTimeInterval: 0.5)
        let message = try sandbox.enqueue(1)[0]
        var deadline = Date().addingTimeInterval(30)
        while try sandbox.stored(message.id).state != .sent, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try sandbox.stored(message.id).state == .sent, "the running process sent the new message")
        #expect(try files(sandbox.defaultMaildir, "new") == [MaildirTransport.fileName(for: message)])

        kill(process.processIdentifier, SIGTERM)
        deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning, "SIGTERM stops it")
        if !process.isRunning {
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        }
    }

    @Test("bad input: both transports, an unknown state, a sendmail that is not executable, values out of range")
    func badInput() throws {
        let sandbox = try CLISandbox()
        try sandbox.enqueue(1)
        let unchanged = [["outbox", "list", "--json"]]
        try sandbox.refuse(["deliver", "--once", "--maildir", sandbox.directory.appendingPathComponent("m").path, "--sendmail", "/usr/sbin/sendmail"],
                           status: 2, mentioning: ["--maildir", "--sendmail", "cannot be used together"], unchanged: unchanged)
        try sandbox.refuse(["outbox", "list", "--state", "bounced"], status: 2,
                           mentioning: ["--state", "bounced", "pending, sending, sent, failed"])
        try sandbox.refuse(["deliver", "--once", "--sendmail", sandbox.directory.appendingPathComponent("no-such-sendmail").path], status: 2,
                           mentioning: ["--sendmail", "not an executable file"], unchanged: unchanged)
        try sandbox.refuse(["deliver", "--once", "--attempts", "0"], status: 2, mentioning: ["--attempts", "1 to 20"], unchanged: unchanged)
        try sandbox.refuse(["deliver", "--once", "--lease", "0"], status: 2, mentioning: ["--lease"], unchanged: unchanged)
        try sandbox.refuse(["outbox", "list", "--request", "DSR-2026-999999"], status: 1, mentioning: ["DSR-2026-999999"])
        try sandbox.refuse(["outbox", "requeue", "42"], status: 1, mentioning: ["No message has id or Message-ID '42'"], unchanged: unchanged)
        #expect(!FileManager.default.fileExists(atPath: sandbox.defaultMaildir.path), "a refused deliver writes nothing")
    }
}
