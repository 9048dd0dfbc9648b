import ArgumentParser
import Foundation
import Inzage

/// `inzage consent`: records consents given, withdrawn and objected to, and lists them.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record that a person gave or withdrew consent or objected, list a person's consents, and write consent receipts.",
        discussion: "Every change is a consent event in the person's history: the proof of consent (GDPR Art. 7(1)).",
        subcommands: [ConsentGive.self, ConsentWithdraw.self, ConsentObject.self, ConsentList.self, ConsentReceiptCommand.self]
    )
}

/// The person and purpose every consent change names, with the evidence and comment it may carry.
struct ConsentTargetOptions: ParsableArguments {
    @Argument(help: "The person's id.") var id: Int64
    @Option(help: "Key of the purpose (see `inzage purpose list`).") var purpose: String
    @Option(help: "A reference to the evidence: a form submission id, a recorded call, a signed document.") var evidence: String?
    @Option(help: "A comment, recorded with the consent and its event.") var comment: String?
}

/// A command that changes one person's consent for one purpose and prints the consent's id, then where it stands.
protocol ConsentChangeCommand: ParsableCommand {
    /// The person and purpose.
    var target: ConsentTargetOptions { get }
    /// The database and the acting user.
    var global: GlobalOptions { get }
    /// Makes the change through `ledger` in one transaction and returns the consent as it is now.
    func change(_ ledger: Ledger, attribution: Attribution) throws -> Consent
}

extension ConsentChangeCommand {
    /// Makes the change, then prints the consent's id and a one-line summary.
    func run() throws {
        let ledger = try global.openLedger()
        let consent = try change(ledger, attribution: global.attribution())
        print(consent.id)
        print(TextStyle(profile: try ledger.organisationProfile()).summary(of: consent, lists: try ledger.referenceLists()))
    }
}

/// `inzage consent give`: records consent given, or processing registered on another legal basis.
struct ConsentGive: ConsentChangeCommand {
    static let configuration = CommandConfiguration(
        commandName: "give",
        abstract: "Record that a person gave consent for a purpose, or register the purpose on another legal basis.",
        discussion: """
            Without --basis the purpose's default legal basis applies. On the basis 'consent' the status becomes \
            given; on any other basis not-applicable. Giving consent again renews it. A person who objected to a \
            direct-marketing purpose can only be given it again with --from-person and --evidence. \
            Prints the consent's id, then a one-line summary.
            """
    )

    @OptionGroup var target: ConsentTargetOptions
    @Option(help: "Key of the legal basis (see `inzage basis list`). Default: the purpose's default basis.") var basis: String?
    @Option(help: "Key of the source the consent came from (see `inzage source list`).") var source: String
    @Option(name: .customLong("text"), help: ArgumentHelp("The consent text shown to the person. Default: the purpose's text in the person's language.", valueName: "shown"))
    var text: String?
    @Option(help: ArgumentHelp("When the person gave consent, if earlier: 2025-03-01 or 2025-03-01T14:00:00+01:00. Default: now.", valueName: "iso-8601"))
    var givenAt: String?
    @Flag(help: "The person gave this consent themself; lifts an earlier objection to direct marketing (needs --evidence).")
    var fromPerson = false
    @OptionGroup var global: GlobalOptions

    /// Records the consent.
    func change(_ ledger: Ledger, attribution: Attribution) throws -> Consent {
        let given = try givenAt.map { text in
            let date = try CLIDate.parse(text, option: "--given-at", timeZone: TextStyle(profile: try ledger.organisationProfile()).timeZone)
            guard date <= Date() else { throw CLIUsageError(description: "Invalid --given-at '\(text)': it lies in the future.") }
            return date
        }
        return try ledger.giveConsent(ConsentGrant(
            personID: target.id, purposeKey: target.purpose, basisKey: basis, sourceKey: source, comment: target.comment,
            consentText: text, evidence: target.evidence, givenAt: given, fromPerson: fromPerson), attribution: attribution)
    }
}

/// `inzage consent withdraw`: records that a person withdrew consent.
struct ConsentWithdraw: ConsentChangeCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Record that a person withdrew consent for a purpose (GDPR Art. 7(3)).",
        discussion: "Only a consent that stands can be withdrawn. Prints the consent's id, then a one-line summary."
    )

    @OptionGroup var target: ConsentTargetOptions
    @OptionGroup var global: GlobalOptions

    /// Records the withdrawal.
    func change(_ ledger: Ledger, attribution: Attribution) throws -> Consent {
        try ledger.withdrawConsent(personID: target.id, purposeKey: target.purpose, attribution: attribution,
                                   evidence: target.evidence, comment: target.comment)
    }
}

/// `inzage consent object`: records that a person objected to processing for a purpose.
struct ConsentObject: ConsentChangeCommand {
    static let configuration = CommandConfiguration(
        commandName: "object",
        abstract: "Record that a person objected to processing for a purpose (GDPR Art. 21).",
        discussion: """
            Processing for the purpose stops (status objected). For a direct-marketing purpose the objection is \
            absolute: the person is suppressed, so that no import gives consent for it again. \
            Prints the consent's id, then a one-line summary.
            """
    )

    @OptionGroup var target: ConsentTargetOptions
    @OptionGroup var global: GlobalOptions

    /// Records the objection.
    func change(_ ledger: Ledger, attribution: Attribution) throws -> Consent {
        try ledger.recordObjection(personID: target.id, purposeKey: target.purpose, attribution: attribution,
                                   evidence: target.evidence, comment: target.comment)
    }
}

/// `inzage consent list`: the purposes registered for a person.
struct ConsentList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the purposes registered for a person with basis, status and source.",
        discussion: "With --json: an array of the registered purposes in the shape of `inzage person show --json`."
    )

    @Argument(help: "The person's id.") var id: Int64
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the consents.
    func run() throws {
        try output.emit(from: global) { ConsentListDocument(try $0.legalBasisView(personID: id)) }
    }
}

/// `inzage consent receipt`: a person's consents as Kantara consent receipts, for the person to keep.
struct ConsentReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt",
        abstract: "Write a person's consent as a Kantara Consent Receipt (v1.1: JSON, or in words), the person's own proof of consent.",
        discussion: """
            With --purpose, the receipt of that consent (one JSON object); without, the receipts of every consent the \
            person gave that stands (a JSON array, empty when there is none). --format text writes the same receipts in \
            words for the person to read (from templates/receipts/, which an organisation may word differently), \
            separated by a line of dashes. Only consent given on the legal basis \
            'consent' and not withdrawn gets a receipt. The texts are in the person's language unless --language says \
            otherwise. The same consent gives the same receipt ID until it is given again.

            A receipt names the organisation's telephone number and a privacy statement: set them with \
            `inzage settings set phone …` and `inzage settings set privacy-statement-url …` (or a purpose's own \
            privacy-statement-url). Exit codes: 0 written, 2 the person has no such consent, a setting is missing or \
            --out cannot be written (nothing written), 1 no such person (as for every command given an unknown person \
            id) or failed.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var templates: TemplateOptions

    @Argument(help: "The person's id.") var id: Int64
    @Option(help: "Key of the purpose (see `inzage purpose list`). Default: every consent given.") var purpose: String?
    @Option(name: .long, help: "The language of the texts: nl or en. Default: the person's, else the organisation's.")
    var language: Language?
    @Option(name: .long, help: ArgumentHelp("The file to write (a file there is replaced; a link, folder or device is refused). Default: standard output.", valueName: "file"))
    var out: String?
    @Option(name: .long, help: "json (the Kantara Consent Receipt 1.1 JSON, the default) or text (the same in words, for the person).")
    var format: ReceiptFormat = .json

    /// The forms a receipt is written in.
    enum ReceiptFormat: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    func validate() throws {
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--out is empty; give the file to write, such as --out receipt.json, or leave --out out to print the receipt.")
        }
    }

    func run() throws {
        let receipts = ConsentReceipts(ledger: try global.openLedger(), templates: ExtractTemplates(overrideDirectory: try templates.directory))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json: Data
        do {
            switch (format, purpose?.lowercased()) {
            case (.json, let purpose?):
                json = try encoder.encode(try receipts.receipt(personID: id, purposeKey: purpose, language: language))
                json.append(0x0A)
            case (.json, nil):
                json = try encoder.encode(try receipts.receipts(personID: id, language: language))
                json.append(0x0A)
            case (.text, let purpose?):
                json = Data(try receipts.text(personID: id, purposeKey: purpose, language: language).utf8)
            case (.text, nil):
                let texts = try receipts.texts(personID: id, language: language)
                if texts.isEmpty { CLIErrors.printError("No consent of person \(id) stands, so there is no receipt to write.") }
                json = Data(texts.joined(separator: "\n" + String(repeating: "-", count: 60) + "\n\n").utf8)
            }
        } catch let error as ConsentReceiptError {
            throw CLIUsageError(description: error.description)
        }
        guard let out else {
            FileHandle.standardOutput.write(json)
            return
        }
        do {
            // Writing atomically renames over what is there: a link (such as /dev/stdout) would be replaced, not written through.
            try ExtractArchive.checkReplaceable(URL(fileURLWithPath: out))
        } catch let error as ExtractArchiveError {
            guard (try? FileManager.default.attributesOfItem(atPath: out))?[.type] as? FileAttributeType == .typeDirectory else {
                throw CLIUsageError(description: error.description)
            }
            throw CLIUsageError(description: "--out \(out) is a folder; give the name of the file to write, such as \(out)/receipt.json. Nothing was written.")
        }
        do {
            try json.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIUsageError(description: "Cannot write \(out): \(ErrorText.reason(of: error)). Check the folder and its permissions; nothing was written.")
        }
        print(out)
    }
}
