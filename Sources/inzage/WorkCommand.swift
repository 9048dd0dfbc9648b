import ArgumentParser
import Foundation
import Inzage
import Logging
import ServiceLifecycle
import Synchronization

/// `inzage work`: answers queued access requests until stopped.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Process queued access requests: resolve each person's dossier and write the extracts.",
        discussion: """
            Workers claim requests with a lease, so several `inzage work` processes can share one database; a worker \
            that dies leaves its request to be taken again when the lease lapses (an officer may refuse it, or ask for \
            identity, at once when the dead worker ran on the same machine). Failures are retried with backoff, \
            then the request becomes `failed` with the error kept (`inzage request retry REF` starts it again). \
            SIGTERM or Ctrl-C lets each worker finish its current request, then exits. It first deletes the extract files \
            whose retention has passed (as `inzage extract purge` does), and every hour while it runs.

            With --once: processes what is ready now and exits; exit code 1 when a request failed for the last time \
            (so that a scheduled run is noticed), 0 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var templates: TemplateOptions

    @Flag(name: .long, help: "Process what is ready now, then exit (instead of waiting for new requests).")
    var once = false

    @Option(name: .long, help: "How many requests to process at the same time (1–16).")
    var concurrency = 1

    @Option(name: .long, help: "Seconds a claimed request stays leased to this worker without renewal (1–3600); renewed every third of it.")
    var lease: Double = 300

    @Option(name: .long, help: ArgumentHelp("How many attempts before a request is marked failed (1–20).", valueName: "n"))
    var attempts = 5

    @Option(name: .long, help: ArgumentHelp("Seconds before the first retry (0–3600); each next retry waits twice as long, at most an hour.", valueName: "seconds"))
    var retryDelay: Double = 30

    func validate() throws {
        guard (1...16).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 16, not \(concurrency).") }
        guard (1...3600).contains(lease) else { throw ValidationError("--lease must be from 1 to 3600 seconds, not \(lease).") }
        guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be from 1 to 20, not \(attempts).") }
        guard retryDelay.isFinite, (0...RequestWorker.maximumRetryDelay).contains(retryDelay) else {
            throw ValidationError("--retry-delay must be from 0 to \(Int(RequestWorker.maximumRetryDelay)) seconds, not \(retryDelay).")
        }
    }

    func run() async throws {
        let database = try global.openDatabase(connections: .pool)
        let archive = try ExtractArchive.beside(databasePath: global.databasePath)
        archive.removeLeftovers(olderThan: lease)
        // The files the person was told are deleted after their last day go first, in both modes.
        let retention = ExtractRetention(store: database, archive: archive, logger: Logger(label: "inzage.retention"))
        // Tidying the archive never keeps the queue from being processed: a file that cannot be deleted (its folder's
        // permissions) is reported, and tried again at the next start and every hour.
        do {
            let run = try retention.deleteExpired()
            if !run.deleted.isEmpty { print("Deleted \(run.deleted.count) extract file(s) after their retention.") }
            for reason in run.notDeleted { CLIErrors.printError("Note: \(reason)") }
            // What a killed worker left for a request that was closed since (refused, withdrawn) is never taken up again.
            try retention.removeAbandonedAttempts()
        } catch {
            CLIErrors.printError("Note: the extract archive could not be tidied (\(error)); the queue is processed all the same.")
        }
        let renderer = try TemplateOptions.generator(templates)
        let notices = try TemplateOptions.requestNotices(templates)
        let logger = Logger(label: "inzage.work")
        let failures = FailureCount()
        let service = WorkerService(concurrency: concurrency, once: once, logger: logger, onOutcome: { outcome in
            if case .failed = outcome { failures.add() }
            print(Self.line(for: outcome))
        }, makeWorker: { [lease, attempts, retryDelay] index in
            RequestWorker(store: database, archive: archive, renderer: renderer, owner: RequestWorker.ownerName(worker: index),
                          leaseDuration: lease, maximumAttempts: attempts, retryDelay: retryDelay, notices: notices, logger: logger)
        })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if !once {
            // While it runs, every hour; a failure is logged and tried again.
            services.append(.init(service: ExtractRetentionService(retention: retention), successTerminationBehavior: .ignore,
                                  failureTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        if once, failures.count > 0 {
            CLIErrors.printError("\(failures.count) request(s) failed for the last time; see `inzage request list --state failed`.")
            throw ExitCode(CLIErrors.failure)
        }
    }

    /// The requests that failed for the last time in this run, counted from the workers' tasks.
    private final class FailureCount: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }

    /// One line of output per processed request.
    static func line(for outcome: WorkOutcome) -> String {
        switch outcome {
        case .completed(let reference, let extracts): "\(reference)\tcompleted\t\(extracts) extract(s)"
        case .willRetry(let reference, let attempt, let retryAt): "\(reference)\tretry\tattempt \(attempt) failed; next try after \(retryAt.formatted(.iso8601))"
        case .failed(let reference, let attempts): "\(reference)\tfailed\tafter \(attempts) attempts; see `inzage request show \(reference)`"
        case .leaseLost(let reference): "\(reference)\tlease-lost\tanother worker took it over"
        case .closedMeanwhile(let reference, let state): "\(reference)\t\(state.rawValue)\tclosed while it was processed; nothing recorded"
        }
    }
}

/// The `--templates` option of commands that write extracts or messages.
struct TemplateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder with the organisation's own templates, overriding the shipped ones file by file (a label file key by key). Default: $INZAGE_TEMPLATES.",
        valueName: "dir"))
    var templates: String?

    /// The override folder in force, if any; a missing folder is a usage error.
    var directory: URL? {
        get throws {
            guard let path = templates ?? ProcessInfo.processInfo.environment["INZAGE_TEMPLATES"], !path.isEmpty else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIUsageError(description: "The templates folder \(path) does not exist; pass an existing folder with --templates or INZAGE_TEMPLATES.")
            }
            return URL(fileURLWithPath: path, isDirectory: true)
        }
    }
}

extension TemplateOptions {
    /// The extract generator with the templates in force, checked before any work starts so that a broken
    /// override file is reported at once rather than on the first request; a label file of the organisation that
    /// leaves keys out (the shipped texts are used for them) is named on standard error.
    static func generator(_ options: TemplateOptions) throws -> ExtractGenerator {
        let templates = ExtractTemplates(overrideDirectory: try options.directory)
        for notice in try templates.validate() { CLIErrors.printError("Note: \(notice)") }
        return ExtractGenerator(templates: templates)
    }

    /// The request notices with the message templates in force; an organisation's letter template that leaves out a
    /// list of decisions (such messages are refused) is named on standard error.
    static func requestNotices(_ options: TemplateOptions) throws -> RequestNotices {
        let renderer = MessageRenderer(overrideDirectory: try options.directory)
        for notice in renderer.notices() { CLIErrors.printError("Note: \(notice)") }
        return RequestNotices(renderer: renderer)
    }
}
