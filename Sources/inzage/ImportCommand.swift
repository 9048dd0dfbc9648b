import ArgumentParser
import Foundation
import Inzage

/// `inzage import FILE --source KEY`: registers persons and their consents from a CRM export.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import persons and their consents from a CSV, JSON or JSON Lines file.",
        discussion: """
            Columns (CSV header) or keys (JSON): first_name, name_prefix, last_name, email, secondary_email, phone, \
            street, postal_code, city, country, organisation, job_title, language, external_id, source (snake_case, \
            kebab-case or camelCase), and consents ("e-marketing:consent;sales-and-service": purpose[:basis] separated \
            by semicolons; in JSON also an array of texts or of {purpose, basis, givenAt, evidence, comment}), \
            consent_given_at (ISO 8601 date or date-time from 1900 on; without an offset it is in the organisation's time zone), \
            consent_evidence and consent_comment. An unknown column stops the import before anything is written.

            A row whose person exists (by external id, else e-mail address) updates that person: edit records only \
            for changed fields; empty cells change nothing. A detail last set at the person's request (a rectification) \
            or by the person themself is kept and reported ("details kept"), the rest of the row applied: an import does \
            not undo a correction. Consents the person withdrew or objected to are refused \
            and reported, never applied: an objection to direct marketing is only lifted by a new consent from the person.

            Rows commit in batches; a refused row is reported with its line, field and reason (in JSON also the \
            object's number, \"record\", so that the objects of an array on one line are told apart) and leaves \
            nothing behind, and the other rows import. With --all-or-nothing nothing is written unless every row imports.

            Exit codes: 0 every row imported, 1 some rows, consents or details were refused or kept (with --all-or-nothing: nothing \
            was written), 2 the command was called wrongly or the file is not an import file (unknown source, purpose or \
            column, unreadable file type, a CSV file without a header row, malformed JSON); nothing was written then.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file to import: .csv, .json (one array of objects) or .jsonl.", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The source the data came from, such as import or web-form (a row's source column takes precedence).", valueName: "key"))
    var source: String

    @Flag(name: .long, help: "Write nothing unless every row imports.")
    var allOrNothing = false

    @Option(name: .long, help: ArgumentHelp("Rows per transaction.", valueName: "n"))
    var batchSize = ImportOptions.defaultBatchSize

    @Option(name: .long, help: ArgumentHelp("A consent given to every row, as KEY or KEY:BASIS (repeatable; a row's own entry for the purpose takes precedence).", valueName: "key[:basis]"))
    var purpose: [String] = []

    @OptionGroup var output: OutputOptions

    /// Runs the import and prints the summary; exit code 1 when anything was refused.
    func run() throws {
        let ledger = try global.openLedger()
        let options = ImportOptions(sourceKey: source, purposes: purpose, allOrNothing: allOrNothing,
                                    batchSize: batchSize, actor: global.actor)
        let summary: ImportSummary
        do {
            summary = try ledger.importFile(at: file, options: options)
        } catch let error as ImportError {
            if error.isUsageError { throw CLIUsageError(description: error.description) }
            CLIErrors.printError(error.description)
            throw ExitCode(CLIErrors.failure)
        }
        if output.json {
            print(try Self.json(ImportReport(file: file, summary: summary)))
        } else {
            print(Self.text(summary, file: file))
        }
        if !summary.isComplete { throw ExitCode(CLIErrors.failure) }
    }

    /// The summary as text: counts, then every refusal with its line, field and reason.
    static func text(_ summary: ImportSummary, file: String) -> String {
        var lines: [String] = []
        if summary.written {
            lines.append("Imported \(file): \(count(summary.rowsRead, "row")) read in \(count(summary.batchesCommitted, "transaction")).")
        } else {
            lines.append("Nothing was imported from \(file) (--all-or-nothing): \(summary.rowsRefused) of \(summary.rowsRead) rows and \(count(summary.consentsRefused, "consent")) were refused"
                         + (summary.fieldsKept > 0 ? ", and \(count(summary.fieldsKept, "detail")) would have been kept as the person set or asked for them." : "."))
        }
        let counts: [(String, Int)] = [
            ("persons created", summary.personsCreated), ("persons updated", summary.personsUpdated),
            ("persons unchanged", summary.personsUnchanged), ("consents recorded", summary.consentsRecorded),
            ("consents unchanged", summary.consentsUnchanged), ("consents refused", summary.consentsRefused),
            ("details kept", summary.fieldsKept), ("rows refused", summary.rowsRefused),
        ]
        let width = counts.map { String($0.1).count }.max() ?? 1
        for (label, count) in counts {
            let number = String(count)
            lines.append("  " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + String(repeating: " ", count: width - number.count) + number)
        }
        if !summary.refused.isEmpty {
            lines.append("Refused:")
            for refusal in summary.refused {
                let scope = switch refusal.scope {
                case .consent: summary.written ? " (consent refused; the rest of the row was imported)" : " (consent refused)"
                case .field: summary.written ? " (kept as it was; the rest of the row was imported)" : " (kept as it was)"
                case .row: ""
                }
                let record = refusal.record > 0 ? " (record \(refusal.record))" : ""
                lines.append("  line \(refusal.line)\(record), \(refusal.field)\(scope): \(refusal.reason)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "1 consent", "2 consents".
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// The report as pretty-printed JSON with sorted keys.
    static func json(_ report: ImportReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}

/// The `--json` output of `inzage import`.
struct ImportReport: Encodable {
    /// The file imported.
    let file: String
    /// Counts and refusals.
    let summary: ImportSummary

    /// Encodes the file next to the summary's fields.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(file, forKey: .file)
    }

    /// The key added to the summary's.
    private enum Key: String, CodingKey {
        case file
    }
}
