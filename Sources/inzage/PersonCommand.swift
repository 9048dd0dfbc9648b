import ArgumentParser
import Foundation
import Inzage

/// `inzage person`: registers, changes, shows and finds persons, and shows their history.
struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "Register, change, show and find persons; show a person's history.",
        subcommands: [PersonAdd.self, PersonUpdate.self, PersonShow.self, PersonFind.self, PersonHistory.self]
    )
}

/// The person fields that `add` and `update` both take as options, besides the names and e-mail address.
struct PersonFieldOptions: ParsableArguments {
    @Option(help: "Name prefix, such as 'van der'.") var namePrefix: String?
    @Option(help: "A second e-mail address.") var secondaryEmail: String?
    @Option(help: "Phone number: 6 to 20 digits, with spaces, +, -, (, ), . or / between them.") var phone: String?
    @Option(help: "Street and house number.") var street: String?
    @Option(help: "Postal code.") var postalCode: String?
    @Option(help: "City.") var city: String?
    @Option(help: "Country: an assigned ISO 3166-1 alpha-2 code such as NL, or the country's name.") var country: String?
    @Option(help: "Organisation the person works for.") var organisation: String?
    @Option(help: "Job title.") var jobTitle: String?
    @Option(help: "The language to write to the person in: nl or en.") var language: String?
    @Option(name: .customLong("external-id"), help: "The person's id in the CRM the data came from.") var externalID: String?
    @Option(help: "Key of the source the data came from (see `inzage source list`).") var source: String?

    /// The fields given, with their values.
    var values: [PersonField: String] {
        Dictionary(given.compactMap { field, value in value.map { (field, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    /// Refuses a field option given with nothing in it (`--email ""`, or only blanks and invisible characters such as
    /// U+200B or U+202E: ``FreeText/isBlank(_:)``, as the ledger judges it), which would otherwise count as not given
    /// (on `add`) or quietly clear the field (on `update`); `clearing` names the way to clear a field, when there is one.
    static func refuseEmpty(_ given: [(PersonField, String?)], clearing: String?) throws {
        for case let (field, value?) in given where FreeText.isBlank(value) {
            let hint = clearing.map { " To clear the field, use \($0) \(field.rawValue)." } ?? ""
            throw ValidationError("--\(field.rawValue) is empty; give a value.\(hint)")
        }
    }

    /// Every field option with what was given for it (nil when the option was left out).
    var given: [(PersonField, String?)] {
        [(.namePrefix, namePrefix), (.secondaryEmail, secondaryEmail), (.phone, phone), (.street, street),
         (.postalCode, postalCode), (.city, city), (.country, country), (.organisation, organisation),
         (.jobTitle, jobTitle), (.language, language), (.externalID, externalID), (.source, source)]
    }
}

/// `inzage person add`: registers a person.
struct PersonAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a person.",
        discussion: "Prints the new person's id as the first line. Every field filled is recorded in the person's history."
    )

    @Option(help: "First name.") var firstName: String
    @Option(help: "Last name.") var lastName: String
    @Option(help: "E-mail address; one e-mail address belongs to one person.") var email: String
    @OptionGroup var fields: PersonFieldOptions
    @OptionGroup var global: GlobalOptions

    /// Refuses an empty value: `add` needs a first name, a last name and an e-mail address.
    func validate() throws {
        try PersonFieldOptions.refuseEmpty([(.firstName, firstName), (.lastName, lastName), (.email, email)] + fields.given, clearing: nil)
    }

    /// Registers the person and prints the id.
    func run() throws {
        var details = PersonDetails(firstName: firstName, lastName: lastName, email: email)
        for (field, value) in fields.values { details[field] = value }
        let person = try global.openLedger().addPerson(details, attribution: global.attribution())
        print(person.id)
        print("Registered person \(person.id). Show the card with `inzage person show \(person.id)`.")
    }
}

/// `inzage person update`: changes fields of a person.
struct PersonUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change fields of a person.",
        discussion: """
            Give each field to change as an option, and each field to clear with --remove. Every change is recorded \
            in the person's history with the acting user and the reason. Prints the changes as old → new. \
            Fields: \(PersonField.validKeys).
            """
    )

    @Argument(help: "The person's id.") var id: Int64
    @Option(help: "First name.") var firstName: String?
    @Option(help: "Last name.") var lastName: String?
    @Option(help: "E-mail address; one e-mail address belongs to one person.") var email: String?
    @OptionGroup var fields: PersonFieldOptions
    @Option(help: ArgumentHelp("Clear a field (repeatable). Fields: \(PersonField.validKeys).", valueName: "field"))
    var remove: [String] = []
    @Option(help: "Why the data changes; recorded in the history.") var reason: String?
    @OptionGroup var global: GlobalOptions

    /// Refuses an empty value, which would clear the field without saying so (a field also given to --remove is
    /// refused by `run` as set and removed at once).
    func validate() throws {
        let given = [(PersonField.firstName, firstName), (.lastName, lastName), (.email, email)] + fields.given
        try PersonFieldOptions.refuseEmpty(given.filter { !remove.contains($0.0.rawValue) }, clearing: "--remove")
    }

    /// Applies the changes in one transaction and prints them.
    func run() throws {
        var changes: [PersonField: String?] = [:]
        for (field, value) in fields.values { changes[field] = value }
        for (field, value) in [(PersonField.firstName, firstName), (.lastName, lastName), (.email, email)] {
            if let value { changes[field] = value }
        }
        for key in remove {
            let field = try PersonField(key: key)
            if let value = changes[field], value != nil {
                throw CLIUsageError(description: "The field \(field.rawValue) is both set and removed; give one of --\(field.rawValue) and --remove \(field.rawValue).")
            }
            changes[field] = .some(nil)
        }
        guard !changes.isEmpty else {
            throw CLIUsageError(description: "Nothing to change: give a field option such as --email, or --remove FIELD. Fields: \(PersonField.validKeys).")
        }
        let (person, edits) = try global.openLedger().updatePerson(id: id, changes: changes, attribution: global.attribution(reason: reason))
        print("Changed \(edits.count) field\(edits.count == 1 ? "" : "s") of person \(person.id):")
        print(TextStyle.changes(edits))
    }
}

/// `inzage person show`: the "legal basis" view of a person.
struct PersonShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a person's card and, per purpose, the legal basis, consent status and source.",
        discussion: """
            The "legal basis" view: every field of the person, the source, when and by whom the person was created \
            and last changed; then every active purpose (and deactivated ones with something registered) with its \
            legal basis and article, consent status, source, given/withdrawn/registered/updated at and by whom, the \
            number of updates, comment, consent text shown and any objection to direct marketing. \
            With --json: {"person": {...}, "purposes": [...]}, keys in camelCase, empty fields null.
            """
    )

    @Argument(help: "The person's id.") var id: Int64
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the view.
    func run() throws {
        try output.emit(from: global) { LegalBasisDocument(try $0.legalBasisView(personID: id)) }
    }
}

/// `inzage person find`: finds persons by e-mail address or name.
struct PersonFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find persons by e-mail address or by name.",
        discussion: """
            --email matches the primary and secondary address, ignoring case and surrounding spaces; --name matches \
            part of the full name. Prints id, name, e-mail address and organisation. No match prints an empty list \
            (with a note on standard error) and exits 0. With --json: an array of {id, displayName, firstName, \
            namePrefix, lastName, email, organisation}.
            """
    )

    @Option(help: "The e-mail address to look for.") var email: String?
    @Option(help: "Part of the name to look for.") var name: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Requires exactly one of --email and --name.
    func validate() throws {
        guard (email == nil) != (name == nil) else {
            throw ValidationError("Give exactly one of --email and --name.")
        }
    }

    /// Prints the matches.
    func run() throws {
        try output.emit(from: global) { ledger in
            let persons = if let email { try ledger.findPersons(email: email) } else { try ledger.findPersons(name: name ?? "") }
            if persons.isEmpty { CLIErrors.printError("No person matches.") }
            return PersonMatches(persons)
        }
    }
}

/// `inzage person history`: a person's edit records and consent events.
struct PersonHistory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a person's edit records and consent events, newest first.",
        discussion: """
            Every entry shows when, what (the field, or the purpose and consent event), old → new, by whom, through \
            which channel, and the reason, request reference, evidence and comment that were recorded. \
            With --json: an array of entries with kind (edit or consent), id, at, by, via, reason, requestReference, \
            evidence, comment, field, oldValue, newValue, purpose, consentID, eventType, fromStatus, toStatus, \
            fromBasis, toBasis, fromSource, toSource; fields that do not apply are null.
            """
    )

    @Argument(help: "The person's id.") var id: Int64
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the history.
    func run() throws {
        try output.emit(from: global) { try $0.historyDocument(personID: id) }
    }
}
