import ArgumentParser
import Inzage

/// `inzage source`: the sources personal data comes from.
struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "List, add, change, deactivate and remove the sources personal data comes from (GDPR Art. 14(2)(f)).",
        subcommands: ReferenceListCommands.subcommands(for: Source.self)
    )
}

extension Source: EditableEntry {
    typealias AddOptions = SourceAddOptions
    typealias Shortcuts = LocalizedNameShortcuts
}

/// What `inzage source add` needs besides the key.
struct SourceAddOptions: EntryAddOptions {
    @OptionGroup var name: LocalizedNameOptions
    @OptionGroup var description: LocalizedDescriptionOptions
    @Option(help: ArgumentHelp("Who supplied the data: \(SourceType.validKeys).", valueName: "type")) var type: SourceType
    @Option(help: ArgumentHelp("""
        The name of the template of the confirmation message for persons registered from this source (Art. 13/14): \
        letters, digits and hyphens, such as confirmation. Stored for that message; Inzage does not send it yet.
        """, valueName: "name"))
    var confirmationTemplate: String?

    /// Builds the source and adds it.
    func add(key: String, rank: Int, to ledger: Ledger, by actor: String) throws {
        try ledger.addSource(Source(
            key: key, name: try name.name(), description: try description.description(), sourceType: type,
            confirmationTemplate: CLIText.optional(confirmationTemplate), rank: rank), by: actor)
    }
}
