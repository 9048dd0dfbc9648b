import ArgumentParser
import Foundation
import Inzage
import Logging
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `inzage deliver`: sends the outbox's messages into a maildir or through a sendmail command.
struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Send the messages in the outbox: into a maildir folder, or through a sendmail command.",
        discussion: """
            By default each message is written as one .eml file into a maildir folder next to the database: the \
            database path without .sqlite, plus .maildir (./inzage.sqlite → ./inzage.maildir); --maildir DIR names \
            another folder. A message is written to the maildir exactly once, even when the process dies between \
            writing it and marking it sent. --sendmail PATH pipes each message to a sendmail-compatible command \
            (`PATH -f SENDER -t -i`) instead; a message accepted by the command just before the process dies is sent \
            again (at least once, with the same Message-ID). The command is stopped after 60 seconds, or sooner with a \
            short lease (half the lease minus 6 seconds); with --sendmail the lease is at least 20 seconds.

            A failed attempt is retried after --retry-delay seconds, each next retry waiting twice as long (at most an \
            hour); after --attempts attempts the message is `failed` with its error kept (`inzage outbox show ID`), \
            until `inzage outbox requeue ID` puts it back. Prints one line per attempt (Message-ID, outcome), then \
            "sent N, will retry N, failed N".

            With --once: sends what is due now and exits; exit code 1 when a message failed for the last time. \
            Without it: keeps running and looks for new messages every --poll seconds; SIGTERM or Ctrl-C lets it \
            finish the message in hand, then it exits with 0. Several `inzage deliver` processes can share one \
            database: each message is leased to one of them.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(
        "The maildir folder to write messages into (created when missing). Default: beside the database, its path without .sqlite plus .maildir.",
        valueName: "dir"))
    var maildir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Pipe each message to this sendmail-compatible command (such as /usr/sbin/sendmail) instead of writing a maildir.",
        valueName: "path"))
    var sendmail: String?

    @Flag(name: .long, help: "Send what is due now, then exit (instead of waiting for new messages).")
    var once = false

    @Option(name: .long, help: ArgumentHelp("How many attempts before a message is marked failed (1–20).", valueName: "n"))
    var attempts = 8

    @Option(name: .long, help: ArgumentHelp("Seconds before the first retry; each next retry waits twice as long, at most an hour.", valueName: "seconds"))
    var retryDelay: Double = 60

    @Option(name: .long, help: ArgumentHelp("Seconds a message being sent stays leased to this process (1–3600); after it, another takes it.", valueName: "seconds"))
    var lease: Double = 300

    @Option(name: .long, help: ArgumentHelp("Seconds to wait before looking for new messages when none is due (0.1–3600).", valueName: "seconds"))
    var poll: Double = 5

    /// Refuses both transports at once and values out of range, naming the option and what is valid.
    func validate() throws {
        if maildir != nil, sendmail != nil {
            throw ValidationError("--maildir and --sendmail cannot be used together: give --maildir DIR to write .eml files, or --sendmail PATH to pipe to a sendmail command.")
        }
        if let maildir, maildir.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--maildir cannot be empty; give a folder.") }
        if let sendmail, sendmail.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--sendmail cannot be empty; give the command's path.") }
        guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be from 1 to 20, not \(attempts).") }
        guard retryDelay >= 0, retryDelay.isFinite else { throw ValidationError("--retry-delay must be a number of seconds from 0 up, not \(retryDelay).") }
        guard (1...3600).contains(lease) else { throw ValidationError("--lease must be from 1 to 3600 seconds, not \(lease).") }
        if sendmail != nil, lease < 20 {
            throw ValidationError("--lease must be at least 20 seconds with --sendmail, so that the command is done or stopped before another process may take the message; got \(lease).")
        }
        guard (0.1...3600).contains(poll) else { throw ValidationError("--poll must be from 0.1 to 3600 seconds, not \(poll).") }
    }

    /// Delivers until done (`--once`) or stopped, then prints the summary.
    func run() async throws {
        let database = try global.openDatabase(connections: .pool)
        let transport = FaultInjection.wrap(try makeTransport())
        let logger = Logger(label: "inzage.deliver")
        // Answers carry their extracts from the archive beside the database; without one, such a message fails and says why.
        let archive = try? ExtractArchive.beside(databasePath: global.databasePath)
        let delivery = MessageDelivery(store: database, transport: transport, owner: RequestWorker.ownerName(worker: 0),
                                       leaseDuration: lease, maximumAttempts: attempts, retryDelay: retryDelay, archive: archive,
                                       logger: logger)
        let tally = DeliveryTally()
        let service = DeliveryService(delivery: delivery, once: once, pollInterval: .milliseconds(Int64((poll * 1000).rounded())),
                                      logger: logger, onOutcome: { outcome in
            tally.record(outcome)
            print(Self.line(for: outcome))
        })
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        print(tally.summary)
        if once, tally.failed > 0 { throw ExitCode(CLIErrors.failure) }
    }

    /// The transport the options name: the sendmail command, the maildir given, or the maildir beside the database.
    func makeTransport() throws -> any MessageTransport {
        if let sendmail {
            do {
                // The command must be done, stopped (1 s) and killed (up to 5 s more) well within the lease, or a second
                // delivery step could take the message while the command still runs.
                return try SendmailTransport(command: sendmail, timeout: Self.sendmailTimeout(lease: lease))
            } catch let error as DeliveryError {
                throw CLIUsageError(description: "Invalid --sendmail: \(error.description)")
            }
        }
        let directory = URL(fileURLWithPath: maildir ?? Self.defaultMaildir(databasePath: global.databasePath), isDirectory: true)
        try Self.prepareMaildir(directory)
        return MaildirTransport(directory: directory)
    }

    /// How long a sendmail command may run with `lease` seconds of lease: at most 60 s, and short enough that
    /// stopping it (up to 6 s more) ends within half the lease.
    static func sendmailTimeout(lease: Double) -> Double {
        max(1, min(60, lease / 2 - 6))
    }

    /// The default maildir: the database path without `.sqlite`, plus `.maildir`.
    static func defaultMaildir(databasePath: String) -> String {
        let suffix = ".sqlite"
        let base = databasePath.hasSuffix(suffix) ? String(databasePath.dropLast(suffix.count)) : databasePath
        return base + ".maildir"
    }

    /// Creates the maildir and its `tmp/`, `new/` and `cur/` (mode 0700) before anything is claimed, so that a folder
    /// that cannot be written is reported at once instead of costing every message its attempts.
    static func prepareMaildir(_ directory: URL) throws {
        do {
            for folder in ["tmp", "new", "cur"] {
                let url = directory.appendingPathComponent(folder, isDirectory: true)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                    guard isDirectory.boolValue else {
                        throw DeliveryError.maildirUnavailable(path: directory.path, reason: "\(folder) is a file, not a folder")
                    }
                    guard folder == "cur" || FileManager.default.isWritableFile(atPath: url.path) else {
                        throw DeliveryError.maildirUnavailable(path: directory.path, reason: "\(folder)/ is not writable for this user")
                    }
                    continue
                }
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), !isFolder.boolValue {
                    throw DeliveryError.maildirUnavailable(path: directory.path, reason: "it is a file, not a folder")
                }
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError.maildirUnavailable(path: directory.path, reason: ErrorText.reason(of: error))
        }
    }

    /// One line of output per delivery attempt: the Message-ID, the outcome, and what follows.
    static func line(for outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .sent(let messageID, let attempt): "\(messageID)\tsent\tattempt \(attempt)"
        case .willRetry(let messageID, let attempt, let retryAt):
            "\(messageID)\tretry\tattempt \(attempt) failed; next try after \(retryAt.formatted(.iso8601)); see `inzage outbox show \(messageID)`"
        case .failed(let messageID, let attempts): "\(messageID)\tfailed\tafter \(attempts) attempts; see `inzage outbox show \(messageID)`"
        case .leaseLost(let messageID): "\(messageID)\tlease-lost\tanother delivery step took it over"
        }
    }
}

/// What one run of `inzage deliver` did: the last outcome of each message it tried.
final class DeliveryTally: Sendable {
    /// Messages whose last outcome may still change (a retry, a takeover), and counts of those that ended.
    private struct State {
        var open: [String: DeliveryOutcome] = [:]
        var sent = 0
        var failed = 0
    }

    private let state = Mutex(State())

    /// Records `outcome` as the latest of its message. A message that ended (sent, or failed for the last time) is
    /// only counted, so that a long-running `deliver` does not keep every Message-ID it ever sent.
    func record(_ outcome: DeliveryOutcome) {
        state.withLock { state in
            let messageID = Self.messageID(of: outcome)
            switch outcome {
            case .sent:
                state.open[messageID] = nil
                state.sent += 1
            case .failed:
                state.open[messageID] = nil
                state.failed += 1
            case .willRetry, .leaseLost:
                state.open[messageID] = outcome
            }
        }
    }

    /// How many messages were sent.
    var sent: Int { state.withLock(\.sent) }
    /// How many messages failed and will be tried again.
    var willRetry: Int { countOpen { if case .willRetry = $0 { true } else { false } } }
    /// How many messages failed for the last time.
    var failed: Int { state.withLock(\.failed) }
    /// How many messages another delivery step took over.
    var leaseLost: Int { countOpen { if case .leaseLost = $0 { true } else { false } } }

    /// "sent N, will retry N, failed N", and the messages taken over by another delivery step when there were any.
    var summary: String {
        "sent \(sent), will retry \(willRetry), failed \(failed)" + (leaseLost > 0 ? ", taken over \(leaseLost)" : "")
    }

    private func countOpen(_ predicate: (DeliveryOutcome) -> Bool) -> Int {
        state.withLock { $0.open.values.filter(predicate).count }
    }

    private static func messageID(of outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .sent(let messageID, _), .willRetry(let messageID, _, _), .failed(let messageID, _), .leaseLost(let messageID): messageID
        }
    }
}

/// Fault injection for the crash tests, read from the environment; not a feature.
///
/// Test hook: with `INZAGE_FAULT=kill-after-transport`, `inzage deliver` sends itself SIGKILL right after the
/// transport has delivered a message and before the message is marked sent — the crash window that the
/// maildir's exactly-once delivery must survive. `DeliverCommandTests` sets it to prove that with a real process.
/// Any other value, or none, changes nothing.
enum FaultInjection {
    /// The environment variable that names the fault.
    static let variable = "INZAGE_FAULT"
    /// The value that kills the process between the transport and marking the message sent.
    static let killAfterTransport = "kill-after-transport"

    /// `transport`, wrapped so that it kills the process after each delivery when the environment asks for it.
    static func wrap(_ transport: any MessageTransport, environment: [String: String] = ProcessInfo.processInfo.environment) -> any MessageTransport {
        environment[variable] == killAfterTransport ? KillAfterTransport(transport: transport) : transport
    }

    /// Delivers with the wrapped transport, then dies by SIGKILL (which cannot be caught or ignored).
    private struct KillAfterTransport: MessageTransport {
        let transport: any MessageTransport

        /// Delivers `message`, then kills the process before ``MessageDelivery`` can mark it sent.
        func deliver(_ message: StoredMessage, files: [AttachedFile]) throws {
            try transport.deliver(message, files: files)
            _ = kill(getpid(), SIGKILL)
            // Nothing after the transport may run before the signal lands.
            while true { _ = pause() }
        }
    }
}
