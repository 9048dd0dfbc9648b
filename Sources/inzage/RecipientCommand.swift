import ArgumentParser
import Inzage

/// `inzage recipient`: the named recipients of personal data.
struct RecipientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipient",
        abstract: "List, add, change, deactivate and remove recipients of personal data.",
        discussion: """
            Link recipients to the purposes they receive data for with `inzage purpose recipients`. Name the person's \
            fields each receives with --fields (or `update KEY --set fields=email,first-name`; `all` by default): a \
            correction is passed on only to recipients that received the field, about that field only (Art. 19).
            """,
        subcommands: ReferenceListCommands.subcommands(for: Recipient.self)
    )
}

extension Recipient: EditableEntry {
    typealias AddOptions = RecipientAddOptions
    typealias Shortcuts = RecipientShortcuts
}

/// What `inzage recipient add` needs besides the key.
struct RecipientAddOptions: EntryAddOptions {
    @Option(help: "The recipient's name.") var name: String
    @Option(help: ArgumentHelp("Its role: \(RecipientRole.validKeys).", valueName: "role")) var role: RecipientRole
    @Option(help: "The assigned ISO 3166-1 alpha-2 code of the country where it processes the data, such as NL.") var country: String
    @Option(help: "Where notifications of rectifications go (GDPR Art. 19).") var contactEmail: String?
    @Option(help: ArgumentHelp("""
        The person's fields it receives, separated by commas, such as email,first-name,last-name; a correction is passed \
        on only to recipients that received the field (Art. 19). Fields: \(PersonField.validKeys). Default: all.
        """, valueName: "fields"))
    var fields: String?

    /// Builds the recipient and adds it.
    func add(key: String, rank: Int, to ledger: Ledger, by actor: String) throws {
        try ledger.addRecipient(Recipient(
            key: key, name: try CLIText.required(name, option: "--name"), role: role,
            country: try CLIText.required(country, option: "--country"), contactEmail: CLIText.optional(contactEmail),
            fields: try fields.flatMap { try PersonField.list(from: $0, option: "--fields") }, rank: rank), by: actor)
    }
}

/// The `update` shortcut for a recipient's name.
struct RecipientShortcuts: UpdateShortcuts {
    @Option(help: "New name.") var name: String?

    /// `name` when given.
    var changes: [(field: String, value: String)] { name.map { [(field: "name", value: $0)] } ?? [] }
}
