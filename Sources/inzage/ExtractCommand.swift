import ArgumentParser
import Foundation
import Inzage

/// `inzage extract`: the extracts answering access requests.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Write out the extracts of a request, or make one directly for a person.",
        subcommands: [Export.self, Person.self, Purge.self]
    )

    /// `inzage extract purge`.
    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Delete the stored extract files whose retention has passed, as the person was told.",
            discussion: """
                The "extract ready" message tells the person until which day (inclusive) the files are kept: the \
                answer's day plus the setting extract-retention-days. From the next day on, this deletes them from the \
                archive beside the database; their records stay, with checksum and the day deleted (`inzage request \
                show REF`). `inzage work` does the same when it starts, and every hour while it runs. Prints one line \
                per deleted file: reference, format, path; a file that cannot be deleted is named on standard error \
                (exit 1), and the others are still deleted. It also removes the unrecorded files that a worker killed \
                mid-request left for a request that was closed since.
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let database = try global.openDatabase()
            let archive = try ExtractArchive.beside(databasePath: global.databasePath)
            let retention = ExtractRetention(store: database, archive: archive)
            let run = try retention.deleteExpired()
            for file in run.deleted {
                print("\(file.reference ?? "-")\t\(file.extract.format.rawValue)\t\(archive.url(of: file.extract.path).path)")
            }
            print(run.deleted.isEmpty && run.notDeleted.isEmpty
                  ? "No extract has passed its retention." : "Deleted \(run.deleted.count) extract file(s) after their retention.")
            let abandoned = try retention.removeAbandonedAttempts()
            if abandoned > 0 { print("Removed \(abandoned) unrecorded attempt(s) of closed requests (left by a worker that was stopped).") }
            guard run.notDeleted.isEmpty else {
                throw CLIFailure(description: run.notDeleted.joined(separator: "\n"))
            }
        }
    }

    /// `inzage extract export REF --out DIR`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Copy a request's stored extracts into a folder, after checking each file against its SHA-256.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The request's reference, such as DSR-2026-000123.")
        var reference: String

        @Option(name: .long, help: ArgumentHelp("The folder to write the files to (created if missing).", valueName: "dir"))
        var out: String

        func validate() throws {
            if out.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--out is empty; give the folder to write the files to, such as --out answers/.")
            }
        }

        func run() throws {
            let database = try global.openDatabase()
            let details = try RequestQueue(store: database).details(reference)
            guard details.request.type == .access else {
                throw CLIFailure(description: "Request \(details.request.reference) is \(details.request.type == .objection ? "an" : "a") \(details.request.type.rawValue) request; only an access request is answered with extracts. `inzage request show \(details.request.reference)` shows what was decided.")
            }
            guard !details.extracts.isEmpty else {
                throw CLIFailure(description: "Request \(details.request.reference) has no extracts yet (state: \(details.request.state.rawValue)); `inzage work --once` processes the queue.")
            }
            let archive = try ExtractArchive.beside(databasePath: global.databasePath)
            try ExtractOut.writing(creating: URL(fileURLWithPath: out, isDirectory: true)) {
                // Creating the folder also checks it: a file in the way or a read-only parent is refused here.
                let folder = try ExtractArchive(root: URL(fileURLWithPath: out, isDirectory: true)).root
                // All of the request's files or none: a damaged one leaves the folder as it was.
                let copies = details.extracts.map { extract in
                    (extract: extract, target: folder.appendingPathComponent(URL(fileURLWithPath: extract.path).lastPathComponent))
                }
                try archive.export(copies)
                for (extract, target) in copies {
                    print("\(target.path)\t\(extract.format.rawValue)\t\(extract.size) bytes\tsha256 \(extract.sha256)")
                }
            }
        }
    }

    /// `inzage extract person ID --format xlsx|json --out FILE`.
    struct Person: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "person",
            abstract: "Make an extract of one person directly, without a request (for an officer).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var templates: TemplateOptions

        @Argument(help: "The person's id.")
        var id: Int64

        @Option(name: .long, help: "The format: xlsx or json.")
        var format: ExtractFormat

        @Option(name: .long, help: "The language: nl or en. Default: the person's, else the organisation's.")
        var language: Language?

        @Option(name: .long, help: ArgumentHelp("The file to write; an existing file is replaced (a link, folder or device is refused).", valueName: "file"))
        var out: String

        func validate() throws {
            if out.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--out is empty; give the file to write, such as --out person-\(id).\(format.rawValue).")
            }
            // A workbook in a file called .json (or the other way round) opens in nothing.
            let suffix = URL(fileURLWithPath: out).pathExtension.lowercased()
            if let named = ExtractFormat(rawValue: suffix), named != format {
                throw ValidationError("--out \(out) ends in .\(suffix) but --format is \(format.rawValue); name the file .\(format.rawValue) or choose --format \(named.rawValue).")
            }
        }

        func run() throws {
            let database = try global.openDatabase()
            // One extract: a template mistake shows when it is rendered, so skip checking every template first.
            let extractTemplates = ExtractTemplates(overrideDirectory: try templates.directory)
            let renderer = ExtractGenerator(templates: extractTemplates)
            let target = URL(fileURLWithPath: out)
            let (written, usedLanguage) = try ExtractOut.writing(creating: target.deletingLastPathComponent()) {
                // Renaming the finished file over a link would replace the link, not write where it points.
                try ExtractArchive.checkReplaceable(target)
                let archive = try ExtractArchive(root: target.deletingLastPathComponent())
                guard access(archive.root.path, W_OK) == 0 else {
                    throw ExtractArchiveError.cannotWrite(target.path, reason: String(cString: strerror(errno)))
                }
                return try Resolver(store: database).withDossier(personID: id, language: language) { dossier in
                    (try archive.write(folder: ".", name: target.lastPathComponent) { url in
                        try renderer.render(dossier, as: format, to: url)
                    }, dossier.language)
                }
            }
            print("\(target.path)\t\(format.rawValue)\t\(written.size) bytes\tsha256 \(written.sha256)")
            // The labels of that language are loaded already; a misspelt or missing key of the organisation's file is named.
            for notice in try extractTemplates.notices(usedLanguage) { CLIErrors.printError("Note: \(notice)") }
        }
    }
}

/// The `--out` of the extract commands, which names where to write.
enum ExtractOut {
    /// Runs `body`; an ``ExtractArchiveError`` about the place written to (nothing there but a file may be replaced,
    /// or it cannot be created or written) becomes a usage error (exit 2), as `consent receipt` treats its --out. A
    /// stored extract that is damaged stays a failure (exit 1).
    ///
    /// The folders of `folder` that did not exist yet and that `body` creates are removed again when it fails (when they
    /// are still empty): a failed command leaves nothing behind.
    static func writing<T>(creating folder: URL, _ body: () throws -> T) throws -> T {
        var missing: [URL] = []
        var ancestor = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: ancestor.path), ancestor.pathComponents.count > 1 {
            missing.append(ancestor)
            ancestor.deleteLastPathComponent()
        }
        do {
            return try body()
        } catch {
            // Deepest first; rmdir leaves any folder that is not empty (something else put files there meanwhile).
            for created in missing { rmdir(created.path) }
            if let archiveError = error as? ExtractArchiveError {
                switch archiveError {
                case .damaged, .deletedAfterRetention: throw archiveError
                default: throw CLIUsageError(description: archiveError.description)
                }
            }
            throw error
        }
    }
}

extension ExtractFormat: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}
