import ArgumentParser
import Foundation
import Inzage
import Logging

/// `inzage demo`: Inzage's main job end to end on a deterministic demo CRM.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a demo CRM, file the sample requests, answer them and write every extract.",
        discussion: """
            Creates a fresh database (default demo.sqlite, replacing an earlier demo) holding a deterministic demo CRM: \
            persons from several sources, consents given, renewed, withdrawn and objected to, later corrections. Then it \
            files every request file in the requests folder, processes the queue as `inzage work --once` would, copies \
            the extracts into the extracts folder, and prints a table of what happened and one person's legal-basis view.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The demo database to create (replaced if it exists).", valueName: "path"))
    var database = "demo.sqlite"

    @Option(name: .long, help: ArgumentHelp("The folder of request files to file.", valueName: "dir"))
    var requests = "requests"

    @Option(name: .long, help: ArgumentHelp("The folder to copy the extracts into (created if missing).", valueName: "dir"))
    var extracts = "extracts"

    @Option(name: .long, help: "How many persons the demo CRM holds (at least 1,000 for a realistic demo).")
    var persons = 1_200

    @OptionGroup var templates: TemplateOptions

    func validate() throws {
        guard (10...1_000_000).contains(persons) else { throw ValidationError("--persons must be from 10 to 1,000,000, not \(persons).") }
    }

    func run() async throws {
        let requestFolder = URL(fileURLWithPath: requests, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: requestFolder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIUsageError(description: "The request folder \(requests) does not exist; run the demo from the repository, or pass --requests DIR.")
        }
        let renderer = try TemplateOptions.generator(templates)

        for leftover in [database, database + "-wal", database + "-shm", database + ".extracts"] {
            try? FileManager.default.removeItem(atPath: leftover)
        }
        let store = try InzageDatabase(path: database)
        let summary = try DemoCRM(personCount: persons).populate(store)
        print("Demo CRM: \(summary.personIDs.count) persons, \(summary.consents) consents, \(summary.corrections) corrections in \(database)")

        let report = try RequestQueue(store: store).ingest(directory: requestFolder, by: "demo")
        print("Filed \(report.filedCount) request(s) from \(requests)/" + (report.invalidCount > 0 ? ", \(report.invalidCount) invalid" : ""))

        let archive = try ExtractArchive.beside(databasePath: database)
        var quiet = Logger(label: "inzage.demo")
        quiet.logLevel = .warning
        let worker = RequestWorker(store: store, archive: archive, renderer: renderer, owner: RequestWorker.ownerName(worker: 0),
                                   retryDelay: 0, logger: quiet)
        var outcomes: [WorkOutcome] = []
        while let outcome = try await worker.processNext() { outcomes.append(outcome) }

        let output = URL(fileURLWithPath: extracts, isDirectory: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let queue = RequestQueue(store: store)
        var rows: [[String]] = []
        for request in try queue.list() {
            var files: [String] = []
            for extract in request.extracts {
                let name = URL(fileURLWithPath: extract.path).lastPathComponent
                let target = output.appendingPathComponent(name)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: archive.url(of: extract.path), to: target)
                files.append("\(extracts)/\(name)")
            }
            let subject = request.request.subject.email ?? request.request.subject.externalID ?? request.request.subject.personID.map { "person \($0)" } ?? "—"
            rows.append([request.request.reference, request.request.type.rawValue, subject, request.request.state.rawValue,
                         request.request.effectiveDueOn.description, files.isEmpty ? "—" : files.joined(separator: ", ")])
        }
        print("")
        print(TextLayout.table(header: ["Reference", "Type", "Subject", "State", "Due", "Files"], rows: rows).joined(separator: "\n"))

        if let shown = try queue.list().compactMap(\.request.personID).first ?? summary.personIDs.first {
            let ledger = Ledger(store: store)
            print("")
            print("Legal-basis view of person \(shown) (`inzage person show \(shown) --database \(database)`):")
            print(LegalBasisDocument(try ledger.legalBasisView(personID: shown)).text(style: TextStyle(profile: try ledger.organisationProfile())))
        }
    }
}
