import ArgumentParser
import Inzage

/// `inzage purpose`: the purposes for which personal data is processed.
struct PurposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purpose",
        abstract: "List, add, change, deactivate and remove purposes of processing; link their recipients.",
        subcommands: ReferenceListCommands.subcommands(for: Purpose.self) + [PurposeRecipients.self]
    )
}

extension Purpose: EditableEntry {
    typealias AddOptions = PurposeAddOptions
    typealias Shortcuts = LocalizedNameShortcuts
}

/// What `inzage purpose add` needs besides the key.
struct PurposeAddOptions: EntryAddOptions {
    @OptionGroup var name: LocalizedNameOptions
    @OptionGroup var description: LocalizedDescriptionOptions
    @Option(help: "Key of the legal basis used when none is given (see `inzage basis list`).") var defaultBasis: String
    @Option(help: "The categories of personal data used, in Dutch.") var dataCategoriesNl: String
    @Option(help: "The categories of personal data used, in English.") var dataCategoriesEn: String
    @Option(help: "How long the data is kept, or the criteria that decide it, in Dutch.") var retentionNl: String
    @Option(help: "How long the data is kept, or the criteria that decide it, in English.") var retentionEn: String
    @Option(help: "The consent text shown to the person, in Dutch.") var consentTextNl: String
    @Option(help: "The consent text shown to the person, in English.") var consentTextEn: String
    @Option(help: "Where the privacy statement for this purpose is published.") var privacyStatementUrl: String?
    @Flag(help: "The purpose is direct marketing: an objection is then absolute (GDPR Art. 21(3)).") var directMarketing = false
    @Option(help: ArgumentHelp("Key of a recipient that receives data for the purpose (repeatable; see `inzage recipient list`).", valueName: "key"))
    var recipient: [String] = []

    /// Builds the purpose and adds it with its recipients.
    func add(key: String, rank: Int, to ledger: Ledger, by actor: String) throws {
        let purpose = Purpose(
            key: key, name: try name.name(), description: try description.description(),
            defaultBasisKey: defaultBasis.trimmingCharacters(in: .whitespaces),
            dataCategories: try CLIText.localized(nl: dataCategoriesNl, en: dataCategoriesEn, option: "--data-categories"),
            retention: try CLIText.localized(nl: retentionNl, en: retentionEn, option: "--retention"),
            consentText: try CLIText.localized(nl: consentTextNl, en: consentTextEn, option: "--consent-text"),
            privacyStatementURL: CLIText.optional(privacyStatementUrl), isDirectMarketing: directMarketing, rank: rank)
        try ledger.addPurpose(purpose, recipientKeys: recipient, by: actor)
        try TransferNotice.print(purposeKey: key, recipientKeys: recipient, ledger: ledger)
    }
}

/// The note after linking recipients: a recipient outside the European Economic Area, for a purpose that does not
/// describe the transfer, is named in every extract with the remark that the person may ask for the safeguards.
enum TransferNotice {
    /// Prints the note to standard error when a linked recipient is outside the EEA and the purpose has no statement.
    static func print(purposeKey: String, recipientKeys: [String], ledger: Ledger) throws {
        try print(purposeKey: purposeKey, recipientKeys: recipientKeys, lists: try ledger.referenceLists())
    }

    /// Prints the note for every purpose that a changed entry concerns: after a recipient's country or a purpose's
    /// transfer statement changed, each purpose linked to a recipient outside the EEA without a statement.
    static func printAfterUpdate(of list: ReferenceList, key: String, records: [ReferenceChange], ledger: Ledger) throws {
        let relevant = switch list {
        case .recipient: records.contains { $0.field == "country" }
        case .purpose: records.contains { $0.field.hasPrefix("transfers-outside-eu") }
        default: false
        }
        guard relevant else { return }
        let lists = try ledger.referenceLists()
        let links = try ledger.read { try $0.recipientKeysByPurpose() }
        for purpose in lists.purposes {
            let keys = links[purpose.key] ?? []
            guard list == .purpose ? purpose.key == key : keys.contains(key) else { continue }
            try print(purposeKey: purpose.key, recipientKeys: keys, lists: lists)
        }
    }

    private static func print(purposeKey: String, recipientKeys: [String], lists: ReferenceSnapshot) throws {
        guard let purpose = lists.purpose(purposeKey), purpose.transfersOutsideEU == nil else { return }
        let outside = recipientKeys.compactMap(lists.recipient).filter(\.isOutsideEEA)
        guard !outside.isEmpty else { return }
        let names = outside.map { "\($0.key) (\($0.country))" }.joined(separator: ", ")
        CLIErrors.printError("Note: \(names) \(outside.count == 1 ? "processes" : "process") the data outside the European Economic Area, and the purpose '\(purposeKey)' "
            + "does not describe that transfer or its safeguards (GDPR Art. 15(2)). Extracts name \(outside.count == 1 ? "the recipient" : "them") and tell the person "
            + "to ask for the safeguards; describe them with `inzage purpose update \(purposeKey) --set transfers-outside-eu-nl=TEXT "
            + "--set transfers-outside-eu-en=TEXT`.")
    }
}

/// `inzage purpose recipients`: links the recipients that receive data for a purpose.
struct PurposeRecipients: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "Set the recipients that receive data for a purpose, replacing the earlier ones.",
        discussion: "Give every recipient with --recipient, or --none to unlink them all. The change is recorded in `inzage purpose history`."
    )

    @Argument(help: "The purpose's key.") var key: String
    @Option(help: ArgumentHelp("Key of a recipient (repeatable; see `inzage recipient list`).", valueName: "key")) var recipient: [String] = []
    @Flag(help: "Unlink every recipient.") var none = false
    @OptionGroup var global: GlobalOptions

    /// Requires recipients, or --none, but not both.
    func validate() throws {
        guard recipient.isEmpty == none else {
            throw ValidationError(none ? "Give either --recipient or --none, not both." : "Give the recipients with --recipient KEY, or --none to unlink them all.")
        }
    }

    /// Replaces the links.
    func run() throws {
        let ledger = try global.openLedger()
        try ledger.setRecipients(recipient, forPurpose: key, by: global.actor)
        print(recipient.isEmpty ? "The purpose '\(key)' has no recipients now." : "The purpose '\(key)' now has the recipients: \(recipient.joined(separator: ", ")).")
        try TransferNotice.print(purposeKey: key, recipientKeys: recipient, ledger: ledger)
    }
}
