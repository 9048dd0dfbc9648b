import ArgumentParser
import Foundation
import Inzage

/// A list whose recorded changes `history` shows: a reference list, or the settings.
protocol RecordedList {
    /// The list.
    static var list: ReferenceList { get }
}

/// The settings, as a list whose changes are recorded.
enum SettingsList: RecordedList {
    /// The settings list.
    static var list: ReferenceList { .settings }
}

/// A reference list entry that the shared `list`, `add`, `update`, `deactivate`, `remove` and `history`
/// commands edit; it names the options its `add` takes and the shortcuts its `update` offers besides `--set`.
protocol EditableEntry: ReferenceEntry, RecordedList {
    /// The options `add` takes to build an entry.
    associatedtype AddOptions: EntryAddOptions
    /// The options `update` offers for common changes.
    associatedtype Shortcuts: UpdateShortcuts
}

/// The options of `add` particular to one list: they build the entry and add it through the ledger.
protocol EntryAddOptions: ParsableArguments {
    /// Adds the entry with `key` and `rank` through `ledger`, recorded as changed by `actor`.
    func add(key: String, rank: Int, to ledger: Ledger, by actor: String) throws
}

/// Options of `update` that stand for common `--set FIELD=VALUE` changes.
protocol UpdateShortcuts: ParsableArguments {
    /// The changes asked for, as field name and value.
    var changes: [(field: String, value: String)] { get }
}

/// The subcommands every reference list command has.
enum ReferenceListCommands {
    /// `list`, `add`, `update`, `deactivate`, `remove` and `history` for `Entry`'s list.
    static func subcommands<Entry: EditableEntry>(for _: Entry.Type) -> [any ParsableCommand.Type] {
        [ListEntries<Entry>.self, AddEntry<Entry>.self, UpdateEntry<Entry>.self, DeactivateEntry<Entry>.self,
         RemoveEntry<Entry>.self, EntryHistory<Entry>.self]
    }
}

/// `inzage <list> list`: the entries of a reference list.
struct ListEntries<Entry: EditableEntry>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "list",
            abstract: "List the \(Entry.list.pluralLabel) with their keys and names (active ones unless --all).",
            discussion: """
                With --json: an array of the entries with every field (key, name {nl, en}, …, rank, active); \
                fields without a value are left out\(Entry.list == .purpose ? "; each purpose has recipients, the keys of its recipients" : "")\
                \(Entry.list == .recipient ? "; a recipient without fields receives all of the person's fields" : "").
                """)
    }

    @Flag(help: "Include deactivated entries.") var all = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the entries.
    func run() throws {
        try output.emit(from: global) { try $0.referenceListing(Entry.self, includeInactive: all) }
    }
}

/// `inzage <list> add`: adds an entry to a reference list.
struct AddEntry<Entry: EditableEntry>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: "Add a \(Entry.list.label).", discussion: "Prints the key as the first line.")
    }

    @Argument(help: ArgumentHelp("The new key: lower-case letters and digits in words joined by hyphens, such as trade-fair.", valueName: "key"))
    var key: String
    @OptionGroup var options: Entry.AddOptions
    @Option(help: "Sort order in lists, a whole number (a negative one as --rank=-5). Default: after the last entry.") var rank: Int?
    @OptionGroup var global: GlobalOptions

    /// Adds the entry and prints its key.
    func run() throws {
        let ledger = try global.openLedger()
        try options.add(key: key, rank: try rank ?? Entry.nextRank(in: ledger.referenceLists()), to: ledger, by: global.actor)
        print(key)
        print("Added the \(Entry.list.label) '\(key)'.")
    }
}

/// `inzage <list> update`: changes fields of an entry.
struct UpdateEntry<Entry: EditableEntry>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "update",
            abstract: "Change fields of a \(Entry.list.label).",
            discussion: """
                Fields for --set: \(Ledger.editableFields(of: Entry.list).joined(separator: ", ")). \
                An empty value clears an optional field\(Entry.list == .recipient ? " (a recipient's fields take keys separated by commas, or all)" : ""); \
                --set active=true reactivates an entry. \
                Every change is recorded with the acting user. Prints the changes as old → new.
                """)
    }

    @Argument(help: "The key of the entry to change.") var key: String
    @OptionGroup var shortcuts: Entry.Shortcuts
    @Option(help: "New sort order in lists, a whole number (a negative one as --rank=-5).") var rank: Int?
    @Option(name: .customLong("set"), help: ArgumentHelp("Change a field (repeatable); the fields are listed above.", valueName: "field=value"))
    var assignments: [String] = []
    @OptionGroup var global: GlobalOptions

    /// Applies the changes in one transaction and prints them.
    func run() throws {
        let changes = shortcuts.changes + (rank.map { [(field: "rank", value: String($0))] } ?? [])
            + (try Assignments.parse(assignments, option: "--set"))
        guard !changes.isEmpty else {
            throw CLIUsageError(description: "Nothing to change: give --set FIELD=VALUE. Fields: \(Ledger.editableFields(of: Entry.list).joined(separator: ", ")).")
        }
        let ledger = try global.openLedger()
        let records = try ledger.updateEntry(Entry.list, key: key, changes: changes, by: global.actor)
        print("Changed the \(Entry.list.label) '\(key)':")
        print(TextStyle.changes(records))
        try TransferNotice.printAfterUpdate(of: Entry.list, key: key, records: records, ledger: ledger)
    }
}

/// `inzage <list> deactivate`: takes an entry out of use without losing its history.
struct DeactivateEntry<Entry: EditableEntry>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "deactivate",
            abstract: "Deactivate a \(Entry.list.label): it stays for the history but is not offered for new data.",
            discussion: "Reactivate it with `inzage \(Entry.list.rawValue) update KEY --set active=true`.")
    }

    @Argument(help: "The key of the entry to deactivate.") var key: String
    @OptionGroup var global: GlobalOptions

    /// Deactivates the entry.
    func run() throws {
        try global.openLedger().deactivate(Entry.list, key: key, by: global.actor)
        print("Deactivated the \(Entry.list.label) '\(key)'.")
    }
}

/// `inzage <list> remove`: removes an entry nothing refers to.
struct RemoveEntry<Entry: EditableEntry>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a \(Entry.list.label) that nothing refers to.",
            discussion: "An entry used by a person, consent, history record or link is refused; deactivate it instead.")
    }

    @Argument(help: "The key of the entry to remove.") var key: String
    @OptionGroup var global: GlobalOptions

    /// Removes the entry.
    func run() throws {
        try global.openLedger().removeEntry(Entry.list, key: key, by: global.actor)
        print("Removed the \(Entry.list.label) '\(key)'.")
    }
}

/// `inzage <list> history`: the recorded changes to a reference list or to the settings.
struct EntryHistory<List: RecordedList>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "history",
            abstract: "Show the changes to the \(List.list.pluralLabel), newest first: when, which field, old → new, by whom.",
            discussion: "With --json: an array of {id, list, key, field, oldValue, newValue, at, by}.")
    }

    @Argument(help: ArgumentHelp("Only the changes to the \(List.list.label) with this key.", valueName: "key")) var key: String?
    @Option(help: "At most this many changes.") var limit = 100
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Requires a positive limit.
    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit takes a number of changes, 1 or more.") }
    }

    /// Prints the changes.
    func run() throws {
        try output.emit(from: global) { ReferenceChangeListing(try $0.referenceChanges(in: List.list, key: key, limit: limit)) }
    }
}

// MARK: - Options shared by several lists

/// The names in Dutch and English that a new legal basis, purpose or source needs.
struct LocalizedNameOptions: ParsableArguments {
    @Option(help: "The name in Dutch.") var nameNl: String
    @Option(help: "The name in English.") var nameEn: String

    /// The names, trimmed; an empty one is a usage error.
    func name() throws -> LocalizedText { try CLIText.localized(nl: nameNl, en: nameEn, option: "--name") }
}

/// The description in Dutch and English that a new legal basis, purpose or source needs.
struct LocalizedDescriptionOptions: ParsableArguments {
    @Option(help: "What it means, in plain Dutch.") var descriptionNl: String
    @Option(help: "What it means, in plain English.") var descriptionEn: String

    /// The descriptions, trimmed; an empty one is a usage error.
    func description() throws -> LocalizedText { try CLIText.localized(nl: descriptionNl, en: descriptionEn, option: "--description") }
}

/// The `update` shortcuts for the names in Dutch and English.
struct LocalizedNameShortcuts: UpdateShortcuts {
    @Option(help: "New name in Dutch.") var nameNl: String?
    @Option(help: "New name in English.") var nameEn: String?

    /// `name-nl` and `name-en` when given.
    var changes: [(field: String, value: String)] {
        [("name-nl", nameNl), ("name-en", nameEn)].compactMap { field, value in value.map { (field: field, value: $0) } }
    }
}
