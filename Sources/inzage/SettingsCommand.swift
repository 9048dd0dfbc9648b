import ArgumentParser
import Inzage

/// `inzage settings`: the organisation profile shown in every extract and message.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show and change the organisation profile: who the controller is and where a person can complain.",
        subcommands: [SettingsShow.self, SettingsSet.self, EntryHistory<SettingsList>.self]
    )
}

/// `inzage settings show`: every setting with the value in force.
struct SettingsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show every setting with the value in force.",
        discussion: "With --json: an object from setting key to value, as `inzage settings set` takes them."
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the settings.
    func run() throws {
        try output.emit(from: global) { try $0.settingsDocument() }
    }
}

/// `inzage settings set`: changes settings.
struct SettingsSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change one setting (KEY VALUE) or several (--set KEY=VALUE …) in one go.",
        discussion: """
            Keys: \(SettingKey.validKeys). time-zone is an IANA time zone such as Europe/Amsterdam; \
            default-language is nl or en; show-staff-names is true or false; decreed-days lists days decreed off \
            (YYYY-MM-DD, separated by commas), and changing them moves the due dates of open requests, listed after the \
            change; e-mail settings take an e-mail address; \
            phone takes a telephone number of at least six digits and privacy-statement-url a web address, both empty \
            for none (a consent receipt needs them). \
            extract-delivery says how a person receives the files of an access request's answer: attachment (attached \
            to the answer's e-mail when together they are at most attachment-limit-mb megabytes in the e-mail, 1 to 25, default \
            10; larger ones \
            as the text collectionInstructions in templates/extract/labels.<language>.json says) or instructions (never \
            attached; the organisation hands them over as that text says). \
            Every change is recorded with the acting user (see `inzage settings history`). Prints the changes as old → new.
            """
    )

    @Argument(help: "The setting's key.") var key: String?
    @Argument(help: "Its new value.") var value: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Change a setting (repeatable).", valueName: "key=value"))
    var assignments: [String] = []
    @OptionGroup var global: GlobalOptions

    /// Requires a key with a value, or --set, or both.
    func validate() throws {
        if let key, value == nil, let dashed = Self.dashedValue(after: key) {
            // ArgumentParser reads a value that starts with a dash and a digit (-5) as an option, which leaves the key
            // without a value: say what is wrong with the value, or how to give it.
            do {
                try Ledger.checkSetting(key, value: dashed)
            } catch let error as LedgerError {
                throw ValidationError(error.description)
            }
            throw ValidationError("'\(dashed)' starts with a dash, so it was read as an option rather than as the value; put -- before it: inzage settings set \(key) -- \(dashed)")
        }
        guard (key == nil) == (value == nil) else {
            throw ValidationError("Give the new value after the key: inzage settings set KEY VALUE; put -- before a value that starts with a dash: inzage settings set KEY -- VALUE.")
        }
        guard key != nil || !assignments.isEmpty else { throw ValidationError("Give KEY VALUE or --set KEY=VALUE. Keys: \(SettingKey.validKeys).") }
    }

    /// The argument after `key` on the command line when it starts with a dash and a digit, such as `-5`: a negative
    /// number meant as the value.
    private static func dashedValue(after key: String) -> String? {
        let arguments = CommandLine.arguments.dropFirst()
        guard let index = arguments.firstIndex(of: key), index + 1 < arguments.endIndex else { return nil }
        let next = arguments[index + 1]
        return next.hasPrefix("-") && next.dropFirst().first?.isNumber == true ? next : nil
    }

    /// Applies the changes in one transaction and prints them; new decreed days move the due dates of open requests
    /// in the same transaction, and each moved request is listed.
    func run() throws {
        let positional = zip(key.map { [$0] } ?? [], value.map { [$0] } ?? []).map { (field: $0, value: $1) }
        let changes = positional + (try Assignments.parse(assignments, option: "--set", example: "name='Tulpen B.V.'"))
        let (records, moved) = try RequestQueue(store: try global.openDatabase()).updateSettings(changes, by: global.actor)
        print(records.isEmpty ? "Nothing changed: every value given is the one in force." : TextStyle.changes(records))
        for move in moved {
            var dates: [String] = []
            if move.newDueOn != move.oldDueOn { dates.append("due \(move.newDueOn) (was \(move.oldDueOn))") }
            if let extended = move.newExtendedDueOn, extended != move.oldExtendedDueOn {
                dates.append("extended due \(extended) (was \(move.oldExtendedDueOn?.description ?? "—"))")
            }
            print("\(move.reference): \(dates.joined(separator: ", "))")
        }
        if !moved.isEmpty { print("\(moved.count) open request\(moved.count == 1 ? "" : "s") moved with the decreed days.") }
    }
}
