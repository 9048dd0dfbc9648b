import ArgumentParser
import Foundation
import Inzage

extension OutputOptions {
    /// Prints `view` as JSON with `--json`, else as text in the organisation's time zone (nothing when the text is empty).
    func emit(_ view: some Presentable, ledger: Ledger) throws {
        if json {
            print(try JSONOutput.string(view))
        } else {
            let text = view.text(style: TextStyle(profile: try ledger.organisationProfile()))
            if !text.isEmpty { print(text) }
        }
    }

    /// Opens the ledger, builds the view with it, and prints the view.
    func emit(from global: GlobalOptions, _ view: (Ledger) throws -> some Presentable) throws {
        let ledger = try global.openLedger()
        try emit(try view(ledger), ledger: ledger)
    }
}

/// Parsing of the `FIELD=VALUE` arguments of `--set` (and of other options that pair a key with a value).
enum Assignments {
    /// Splits each `FIELD=VALUE` at its first `=`; an item without one is a usage error that names `option`, the `form`
    /// it takes (`KEY=REASON`, say) and shows `example`, an item as that option takes it.
    static func parse(_ items: [String], option: String, form: String = "FIELD=VALUE", example: String = "rank=10") throws
        -> [(field: String, value: String)] {
        try items.map { item in
            guard let equals = item.firstIndex(of: "=") else {
                throw CLIUsageError(description: "\(option) takes \(form), such as \(option) \(example); got '\(item)'.")
            }
            let field = item[..<equals].trimmingCharacters(in: .whitespaces)
            return (field: field, value: String(item[item.index(after: equals)...]))
        }
    }
}

/// Parsing of ISO 8601 dates given on the command line.
enum CLIDate {
    /// `text` as a date-time with offset (`2025-03-01T14:00:00+01:00`), or a date alone (`2025-03-01`, midnight in `timeZone`),
    /// read as strictly as a request file's received date: a day or time that does not exist (`2026-02-30`, `25:00`) is
    /// refused, never moved to the next valid one. Anything else is a usage error that names `option`.
    static func parse(_ text: String, option: String, timeZone: TimeZone) throws -> Date {
        guard let date = RequestFile.receivedDate(text.trimmingCharacters(in: .whitespaces), timeZone: timeZone) else {
            throw CLIUsageError(description: "Invalid \(option) '\(text)': give \(RequestFile.receivedDateForms).")
        }
        return date
    }
}

/// Checks of free text given on the command line.
enum CLIText {
    /// `value` trimmed; empty is a usage error that names `option`.
    static func required(_ value: String, option: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw CLIUsageError(description: "Invalid \(option): it cannot be empty.") }
        return trimmed
    }

    /// `value` trimmed, nil when absent or empty. (What the text may hold, the ledger checks.)
    static func optional(_ value: String?) -> String? {
        value.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The text in both languages from the options `<option>-nl` and `<option>-en`.
    static func localized(nl: String, en: String, option: String) throws -> LocalizedText {
        LocalizedText(nl: try required(nl, option: "\(option)-nl"), en: try required(en, option: "\(option)-en"))
    }
}

extension SourceType: ExpressibleByArgument {}
extension RecipientRole: ExpressibleByArgument {}

