import ArgumentParser
import Inzage

/// `inzage basis`: the legal bases of GDPR Art. 6(1).
struct BasisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basis",
        abstract: "List, add, change, deactivate and remove legal bases (GDPR Art. 6(1)).",
        subcommands: ReferenceListCommands.subcommands(for: LegalBasis.self)
    )
}

extension LegalBasis: EditableEntry {
    typealias AddOptions = BasisAddOptions
    typealias Shortcuts = LocalizedNameShortcuts
}

/// What `inzage basis add` needs besides the key.
struct BasisAddOptions: EntryAddOptions {
    @OptionGroup var name: LocalizedNameOptions
    @OptionGroup var description: LocalizedDescriptionOptions
    @Option(help: "The GDPR article, such as 6(1)(a).") var article: String
    @Option(help: "The Data Privacy Vocabulary IRI, such as https://w3id.org/dpv/legal/eu/gdpr#A6-1-a.") var dpvIri: String

    /// Builds the legal basis and adds it.
    func add(key: String, rank: Int, to ledger: Ledger, by actor: String) throws {
        try ledger.addLegalBasis(LegalBasis(
            key: key, name: try name.name(), description: try description.description(),
            article: try CLIText.required(article, option: "--article"), dpvIRI: try CLIText.required(dpvIri, option: "--dpv-iri"),
            rank: rank), by: actor)
    }
}
