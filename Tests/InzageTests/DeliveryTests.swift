import Foundation
import Synchronization
import Testing
@testable import Inzage

/// A transport that fails on purpose, then delegates.
private final class FlakyTransport: MessageTransport {
    let next: any MessageTransport
    let failures: Mutex<Int>

    init(next: any MessageTransport, failFirst: Int) {
        self.next = next
        failures = Mutex(failFirst)
    }

    struct Failure: Error, CustomStringConvertible { var description: String { "transport failed on purpose" } }

    func deliver(_ message: StoredMessage, files: [AttachedFile]) throws {
        let fail = failures.withLock { count in
            defer { count = max(0, count - 1) }
            return count > 0
        }
        if fail { throw Failure() }
        try next.deliver(message, files: files)
    }
}

@Suite("Delivery: maildir and sendmail, retries, crashes", .serialized)
struct DeliveryTests {
    private let start = Date(timeIntervalSince1970: 1_745_830_800)  // Monday 28 April 2025, 09:00 UTC

    /// A database with one pending message (non-ASCII name and subject, a long body line) and a clock.
    private func setUp(subject: String = "Uw verzoek — één keer, zoals beloofd (DSR-2025-000042)") throws -> (InzageDatabase, StoredMessage, DemoClock, URL) {
        let database = try makeOutboxDatabase()
        var message = try renderedAcknowledgement()
        message.requestID = nil
        message.subject = subject
        message.body += "Een heel lange regel met é, ü en ø die langer is dan zesenzeventig tekens, zodat quoted-printable hem moet afbreken = zo.\n"
        let clock = DemoClock(start: start)
        let stored = try database.writeOutbox { try Outbox.enqueue(message, at: clock.now(), in: $0) }
        return (database, stored, clock, try makeTemporaryDirectory())
    }

    private func delivery(_ database: InzageDatabase, _ transport: any MessageTransport, clock: DemoClock, owner: String = "test/1/0",
                          attempts: Int = 3) -> MessageDelivery {
        MessageDelivery(store: database, transport: transport, owner: owner, leaseDuration: 300, maximumAttempts: attempts,
                        retryDelay: 60, maximumRetryDelay: 3600, clock: { clock.now() })
    }

    private func state(_ database: InzageDatabase, _ message: StoredMessage) throws -> StoredMessage {
        try #require(try database.readOutbox { try $0.message(id: message.id) })
    }

    @Test("delivery to a maildir writes one parseable .eml with proper headers and the body intact")
    func maildir() throws {
        let (database, stored, clock, directory) = try setUp()
        let maildir = directory.appendingPathComponent("Maildir")
        let outcomes = try delivery(database, MaildirTransport(directory: maildir), clock: clock).deliverDue()
        #expect(outcomes == [.sent(messageID: stored.messageID, attempt: 1)])
        #expect(try maildirFiles(maildir, "tmp").isEmpty && maildirFiles(maildir, "cur").isEmpty)
        let files = try maildirFiles(maildir, "new")
        #expect(files == [MaildirTransport.fileName(for: stored)])

        let url = maildir.appendingPathComponent("new").appendingPathComponent(files[0])
        let raw = try Data(contentsOf: url)
        #expect(raw.allSatisfy { $0 < 0x80 }, "headers and quoted-printable body are 7-bit")
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 998 && !$0.contains("\n") })

        let parsed = try ParsedEmail.read(url)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.headers["Subject"] == stored.message.subject)
        #expect(parsed.toName == "José Müller-Ørsted" && parsed.toAddress == "jose@example.nl")
        #expect(parsed.fromName == "Bakkerij De Korenaar B.V." && parsed.fromAddress == "privacy@korenaar.nl")
        #expect(parsed.headers["Message-ID"] == "<\(stored.messageID)>")
        #expect(parsed.headers["Date"] == "Mon, 28 Apr 2025 09:00:00 +0000")
        #expect(parsed.headers["MIME-Version"] == "1.0")
        #expect(parsed.headers["Content-Type"] == "text/plain; charset=\"utf-8\"" || parsed.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(parsed.headers["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(parsed.headers["Auto-Submitted"] == "auto-generated")
        #expect(parsed.headers["X-Inzage-Request"] == "DSR-2025-000042")
        #expect(parsed.body == stored.message.body)

        let sent = try state(database, stored)
        #expect(sent.state == .sent && sent.attempts == 1 && sent.sentAt == start && sent.leaseOwner == nil)
        #expect(try delivery(database, MaildirTransport(directory: maildir), clock: clock).deliverNext() == nil)
    }

    @Test("a crash between writing the file and marking the message sent delivers exactly one file")
    func crashAfterWriting() throws {
        let (database, stored, clock, directory) = try setUp()
        let maildir = directory.appendingPathComponent("Maildir")
        let transport = MaildirTransport(directory: maildir)
        // The first delivery step claims the message and writes the file, then dies before marking it sent.
        let crashed = delivery(database, transport, clock: clock, owner: "host/1/0")
        let claimed = try #require(try crashed.claim())
        try transport.deliver(claimed, files: [])
        #expect(try state(database, stored).state == .sending)

        // While the lease lasts, no one else takes the message.
        let recovering = delivery(database, transport, clock: clock, owner: "host/2/0")
        #expect(try recovering.deliverNext() == nil)
        // Once it lapses, the next step sends it again: the same file name, so still one file.
        clock.advance(minutes: 6)
        #expect(try recovering.deliverDue() == [.sent(messageID: stored.messageID, attempt: 2)])
        #expect(try maildirFiles(maildir, "new") == [MaildirTransport.fileName(for: stored)])
        #expect(try maildirFiles(maildir, "tmp").isEmpty)
        #expect(try state(database, stored).state == .sent)
    }

    @Test("a message a mail program already moved to cur/ is not written again")
    func alreadyRead() throws {
        let (database, stored, clock, directory) = try setUp()
        let maildir = directory.appendingPathComponent("Maildir")
        let transport = MaildirTransport(directory: maildir)
        let crashed = delivery(database, transport, clock: clock, owner: "host/1/0")
        try transport.deliver(try #require(try crashed.claim()), files: [])
        let name = MaildirTransport.fileName(for: stored)
        try FileManager.default.moveItem(at: maildir.appendingPathComponent("new/\(name)"), to: maildir.appendingPathComponent("cur/\(name):2,S"))
        clock.advance(minutes: 6)
        #expect(try delivery(database, transport, clock: clock).deliverDue().count == 1)
        #expect(try maildirFiles(maildir, "new").isEmpty && maildirFiles(maildir, "cur") == ["\(name):2,S"])
    }

    @Test("copies a killed delivery left in tmp/ are removed: ours once their process is gone, any other after 36 hours")
    func staleTemporaries() throws {
        let (database, stored, clock, directory) = try setUp()
        let maildir = directory.appendingPathComponent("Maildir")
        let tmp = maildir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let name = MaildirTransport.fileName(for: stored)
        let ours = tmp.appendingPathComponent("\(name).\(gone.processIdentifier).\(UUID().uuidString.lowercased())")
        let running = tmp.appendingPathComponent("\(name).\(getppid()).\(UUID().uuidString.lowercased())")
        let foreign = tmp.appendingPathComponent("1733500000.M1P2.mailhost")
        let oldForeign = tmp.appendingPathComponent("1733000000.M1P3.mailhost")
        for url in [ours, running, foreign, oldForeign] { try Data("Dear Anna".utf8).write(to: url) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-37 * 3600)], ofItemAtPath: oldForeign.path)
        #expect(try delivery(database, MaildirTransport(directory: maildir), clock: clock).deliverDue().count == 1)
        #expect(try maildirFiles(maildir, "tmp").sorted() == [foreign.lastPathComponent, running.lastPathComponent].sorted())
        #expect(try maildirFiles(maildir, "new") == [name])
    }

    @Test("a failed attempt is retried after a growing delay, then the message is failed with its error, until requeued")
    func retryThenFail() throws {
        let (database, stored, clock, directory) = try setUp()
        let maildir = directory.appendingPathComponent("Maildir")
        let step = delivery(database, FlakyTransport(next: MaildirTransport(directory: maildir), failFirst: 2), clock: clock, attempts: 2)
        #expect(step.delay(afterAttempt: 1) == 60 && step.delay(afterAttempt: 2) == 120 && step.delay(afterAttempt: 20) == 3600)

        #expect(try step.deliverDue() == [.willRetry(messageID: stored.messageID, attempt: 1, retryAt: start.addingTimeInterval(60))])
        var current = try state(database, stored)
        #expect(current.state == .pending && current.attempts == 1 && current.lastError == "transport failed on purpose")
        #expect(try step.deliverNext() == nil, "not before its retry time")

        clock.advance(minutes: 1)
        #expect(try step.deliverDue() == [.failed(messageID: stored.messageID, attempts: 2)])
        current = try state(database, stored)
        #expect(current.state == .failed && current.lastError == "transport failed on purpose" && current.leaseOwner == nil)
        #expect(try step.deliverNext() == nil)

        #expect(try database.writeOutbox { try Outbox.requeue(messageID: stored.messageID, at: clock.now(), in: $0) })
        #expect(try step.deliverDue() == [.sent(messageID: stored.messageID, attempt: 1)])
        #expect(try maildirFiles(maildir, "new").count == 1)
        #expect(try !database.writeOutbox { try Outbox.requeue(messageID: stored.messageID, at: clock.now(), in: $0) }, "a sent message stays sent")
    }

    // MARK: sendmail

    @Test("sendmail receives the message on standard input with -f SENDER -t -i, and success marks it sent")
    func sendmail() throws {
        let (database, stored, clock, directory) = try setUp()
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let script = try writeScript("""
            echo "$@" > '\(out.path)/arguments'
            cat > '\(out.path)/message.eml'
            """, in: directory, name: "fake-sendmail")
        let outcomes = try delivery(database, SendmailTransport(command: script), clock: clock).deliverDue()
        #expect(outcomes == [.sent(messageID: stored.messageID, attempt: 1)])
        #expect(try String(contentsOf: out.appendingPathComponent("arguments"), encoding: .utf8) == "-f \(stored.message.sender.address) -t -i\n")
        let raw = try Data(contentsOf: out.appendingPathComponent("message.eml"))
        #expect(!raw.contains(0x0D), "LF line endings on standard input")
        let parsed = try ParsedEmail.read(out.appendingPathComponent("message.eml"))
        #expect(parsed.defects.isEmpty && parsed.body == stored.message.body && parsed.headers["Subject"] == stored.message.subject)
        #expect(parsed.headers["Message-ID"] == "<\(stored.messageID)>")
        #expect(try state(database, stored).state == .sent)
    }

    @Test("a sendmail that leaves a background process behind is done when it exits, and it gets SIGTERM unblocked")
    func sendmailWithBackgroundChild() throws {
        let (database, stored, clock, directory) = try setUp()
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // A queueing sendmail: reads the message, records its blocked-signal mask, forks a slow delivery and exits 0.
        // The shell execs Python at once, so the mask read is the one the command was started with.
        let script = try writeScript("""
            exec python3 -c '
            import subprocess, sys
            sys.stdin.read()
            mask = [line for line in open("/proc/self/status") if line.startswith("SigBlk")][0]
            open(sys.argv[1], "w").write(mask)
            subprocess.Popen(["sleep", "5"])
            ' '\(out.path)/mask'
            """, in: directory, name: "queueing-sendmail")
        let started = Date()
        let outcomes = try delivery(database, SendmailTransport(command: script, timeout: 3), clock: clock).deliverDue()
        #expect(outcomes == [.sent(messageID: stored.messageID, attempt: 1)])
        #expect(Date().timeIntervalSince(started) < 2.5, "delivery waited for the background process")
        let mask = try String(contentsOf: out.appendingPathComponent("mask"), encoding: .utf8)
        #expect(mask.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("0000000000000000"), "signals blocked in the child: \(mask)")
    }

    @Test("a sendmail that exits 1 is retried with backoff and ends failed with its status and output kept")
    func sendmailFails() throws {
        let (database, stored, clock, directory) = try setUp()
        let script = try writeScript("echo 'mail system down' >&2\nexit 1", in: directory, name: "broken-sendmail")
        let step = delivery(database, try SendmailTransport(command: script), clock: clock, attempts: 2)
        #expect(try step.deliverDue() == [.willRetry(messageID: stored.messageID, attempt: 1, retryAt: start.addingTimeInterval(60))])
        clock.advance(minutes: 1)
        #expect(try step.deliverDue() == [.failed(messageID: stored.messageID, attempts: 2)])
        let failed = try state(database, stored)
        #expect(failed.state == .failed && failed.attempts == 2)
        #expect(failed.lastError == DeliveryError.sendmailFailed(path: script, status: 1, output: "mail system down").description)
    }

    @Test("a sendmail that hangs is stopped after its timeout; a missing one is refused up front")
    func sendmailTimeoutAndMissing() throws {
        let (database, stored, clock, directory) = try setUp()
        let script = try writeScript("exec sleep 30", in: directory, name: "slow-sendmail")
        let outcome = try delivery(database, try SendmailTransport(command: script, timeout: 0.5), clock: clock).deliverNext()
        #expect(outcome == .willRetry(messageID: stored.messageID, attempt: 1, retryAt: start.addingTimeInterval(60)))
        #expect(try state(database, stored).lastError == DeliveryError.sendmailTimedOut(path: script, seconds: 1).description)
        #expect(throws: DeliveryError.sendmailNotExecutable(path: directory.path)) { _ = try SendmailTransport(command: directory.path) }

        // What a hanging script started is stopped with it (its process group), not left running.
        let marker = String(Int.random(in: 100_000...999_999))
        let parent = try writeScript("sleep 3\(marker) & sleep 4\(marker); wait", in: directory, name: "parent-sendmail")
        clock.advance(minutes: 1)
        _ = try delivery(database, try SendmailTransport(command: parent, timeout: 0.5), clock: clock).deliverNext()
        /// The processes whose command line holds the marker (a killed one may take a moment to go).
        func running() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }.filter { pid in
                let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
                return String(decoding: commandLine, as: UTF8.self).contains(marker)
            }
        }
        let deadline = Date().addingTimeInterval(5)
        while try !running().isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try running().isEmpty, "a child of the timed-out sendmail is still running")
        #expect(throws: DeliveryError.self) { _ = try SendmailTransport(command: directory.appendingPathComponent("none").path) }
    }

    // MARK: Encoding

    @Test("headers fold and encode; quoted-printable keeps long lines, trailing spaces and = intact")
    func encoding() throws {
        #expect(EmailComposer.phrase("Anna de Vries") == "Anna de Vries")
        #expect(EmailComposer.phrase("Vries, Anna \"AJ\"") == "\"Vries, Anna \\\"AJ\\\"\"")
        let words = EmailComposer.encodedWords(String(repeating: "é", count: 40))
        #expect(words.count == 2 && words.allSatisfy { $0.count <= 75 })
        // Split after a space where there is one, never inside a word, and every word within 75 characters.
        let subject = "Wij gebruiken uw gegevens niet meer voor reclame — Ünal Çelik, Zoë Łódź en Omstrekenbergstraße"
        let split = EmailComposer.encodedWords(subject)
        #expect(split.count > 1 && split.allSatisfy { $0.count <= 75 })
        let decoded = split.map { word -> String in
            let base64 = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }
        #expect(decoded.joined() == subject)
        #expect(decoded.dropLast().allSatisfy { $0.hasSuffix(" ") }, "\(decoded)")
        var random = SplitMix64(seed: 7)
        let alphabet = Array("aé 𝔘👩🏽‍💻x ")
        for _ in 0..<500 {
            let text = String((0..<Int(random.next() % 120)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let parts = EmailComposer.encodedWords(text)
            #expect(parts.allSatisfy { $0.count <= 75 }, "\(text.debugDescription)")
            #expect(parts.map { String(decoding: Data(base64Encoded: String($0.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self) }.joined() == text)
        }
        let lines = EmailComposer.quotedPrintable("a = b \n" + String(repeating: "ø", count: 40) + "\n\nend\t")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines[0] == "a =3D b=20")
        #expect(lines.last == "end=09")
        #expect(EmailComposer.fold("Subject: " + String(repeating: "word ", count: 30)).allSatisfy { $0.count <= 78 })
    }
}
