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
            files every request file in the requests folder and plays the privacy officer: it reviews the rectification \
            requests, decides the objections that need a decision, and refuses the request whose caller could not be \
            identified (the sample access-identity-not-verified.json). It processes the queue as `inzage work --once` \
            would, copies the extracts into the extracts folder, delivers every message in the outbox as an .eml file \
            into a maildir next to the database (demo.maildir), and prints a table of the requests, a table of the \
            messages, and one person's legal-basis view.
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

        let maildir = URL(fileURLWithPath: DeliverCommand.defaultMaildir(databasePath: database), isDirectory: true)
        for leftover in [database, database + "-wal", database + "-shm", database + ".extracts", maildir.path] {
            try? FileManager.default.removeItem(atPath: leftover)
        }
        let store = try InzageDatabase(path: database)
        let summary = try DemoCRM(personCount: persons).populate(store)
        print("Demo CRM: \(summary.personIDs.count) persons, \(summary.consents) consents, \(summary.corrections) corrections in \(database)")

        let notices = try TemplateOptions.requestNotices(templates)
        let queue = RequestQueue(store: store, notices: notices)
        let report = try queue.ingest(directory: requestFolder, by: "demo")
        print("Filed \(report.filedCount) request(s) from \(requests)/" + (report.invalidCount > 0 ? ", \(report.invalidCount) invalid" : ""))
        try DemoOfficer(queue: queue).decide()

        let archive = try ExtractArchive.beside(databasePath: database)
        var quiet = Logger(label: "inzage.demo")
        quiet.logLevel = .warning
        let worker = RequestWorker(store: store, archive: archive, renderer: renderer, owner: RequestWorker.ownerName(worker: 0),
                                   retryDelay: 0, notices: notices, logger: quiet)
        var outcomes: [WorkOutcome] = []
        while let outcome = try await worker.processNext() { outcomes.append(outcome) }

        let delivery = MessageDelivery(store: store, transport: MaildirTransport(directory: maildir),
                                       owner: RequestWorker.ownerName(worker: 0), archive: archive, logger: quiet)
        let delivered = try delivery.deliverDue()

        let output = URL(fileURLWithPath: extracts, isDirectory: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var rows: [[String]] = []
        for request in try queue.list() {
            var files: [String] = []
            for extract in request.extracts {
                let name = URL(fileURLWithPath: extract.path).lastPathComponent
                let target = output.appendingPathComponent(name)
                try archive.export(extract, to: target)
                files.append("\(extracts)/\(name)")
            }
            let subject = request.request.subject.email ?? request.request.subject.externalID ?? request.request.subject.personID.map { "person \($0)" } ?? "—"
            rows.append([request.request.reference, request.request.type.rawValue, subject, request.request.state.rawValue,
                         request.request.effectiveDueOn.description, files.isEmpty ? "—" : files.joined(separator: ", ")])
        }
        print("")
        print(TextLayout.table(header: ["Reference", "Type", "Subject", "State", "Due", "Files"], rows: rows).joined(separator: "\n"))

        let messages = try store.readOutbox { try $0.messages(states: nil) }
        let sent = delivered.filter { if case .sent = $0 { true } else { false } }.count
        print("")
        print("Messages: \(sent) of \(messages.count) delivered into \(maildir.path)/new (read one with `inzage outbox show ID --database \(database)`):")
        print(TextLayout.table(
            header: ["Id", "Reference", "Kind", "Language", "To", "State", "Subject"],
            rows: messages.map { stored in
                [String(stored.id), stored.message.requestReference ?? "—", stored.message.kind.rawValue, stored.message.language.rawValue,
                 stored.message.recipient.address, stored.state.rawValue, stored.message.subject]
            }).joined(separator: "\n"))

        if let shown = try queue.list().compactMap(\.request.personID).first ?? summary.personIDs.first {
            let ledger = Ledger(store: store)
            print("")
            print("Legal-basis view of person \(shown) (`inzage person show \(shown) --database \(database)`):")
            print(LegalBasisDocument(try ledger.legalBasisView(personID: shown)).text(style: TextStyle(profile: try ledger.organisationProfile())))
        }
    }
}

/// The privacy officer of the demo: decides what the sample requests leave to an officer, as a person would.
struct DemoOfficer {
    let queue: RequestQueue
    let officer = "privacy-officer"

    /// Reviews every rectification, decides every objection waiting, and refuses the unidentified caller's request.
    func decide() throws {
        for details in try queue.list() where !details.request.state.isTerminal {
            let request = details.request
            switch request.type {
            case .rectification where request.state == .awaitingDecision:
                try review(request)
            case .objection where request.state == .awaitingDecision:
                // Weighing the person's situation against the organisation's interest takes time: the officer
                // extends first (possible only before the original due date), then upholds, since the sample's
                // grounds (no contract any more) outweigh the interest in sales visits.
                do {
                    try queue.extend(request.reference, reason: "Wij wegen uw situatie zorgvuldig af tegen ons belang; dat vraagt overleg met de afdeling verkoop.", by: officer)
                } catch RequestError.extensionRefused {
                    // The sample is past its original due date: an extension is no longer allowed (Art. 12(3)).
                }
                try queue.decide(request.reference, verdict: .uphold,
                                 reason: "U hebt geen overeenkomst meer met ons; wij stoppen met verkoopgesprekken en -bezoeken.", by: officer)
            case .access where request.origin == "access-identity-not-verified.json":
                // The caller could not answer the identity questions on the phone: the officer asks for a confirmation
                // in writing, and refuses when none comes.
                try queue.askForIdentity(request.reference,
                                         question: "Stuur ons een e-mail vanaf het e-mailadres dat bij ons bekend is, en noem daarin het kenmerk van uw verzoek.",
                                         by: officer)
                try queue.reject(request.reference, reason: .identityNotVerified,
                                 note: "U belde ons op 20 november, maar kon de controlevragen niet beantwoorden. Stuurt u uw verzoek gerust opnieuw per e-mail vanaf het adres dat bij ons bekend is.",
                                 by: officer)
            default:
                continue
            }
        }
    }

    /// Accepts every item (with the person's own statements; one already as asked is recorded as already correct),
    /// and rejects a removal of the organisation (the officer finds it still current), so that the demo shows
    /// corrections, a statement and a rejection.
    private func review(_ request: DataSubjectRequest) throws {
        let review = try queue.review(request.reference)
        let actions: [ReviewAction] = review.items.map { item in
            if item.item.field == .organisation && item.item.requestedValue == nil {
                return .reject(item: item.number, reason: "Uw organisatie is nog onze klant en u bent daar volgens onze gegevens nog de contactpersoon; wij houden de organisatie daarom bij uw gegevens.")
            }
            return .accept(item: item.number)
        }
        try queue.review(request.reference, actions: actions, by: officer)
    }
}
