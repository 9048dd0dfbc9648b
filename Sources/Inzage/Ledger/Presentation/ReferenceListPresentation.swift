import Foundation

/// An entry of a reference list (legal basis, purpose, source, recipient) as the list commands show and edit it.
public protocol ReferenceEntry: Encodable, Sendable {
    /// The list the entry belongs to.
    static var list: ReferenceList { get }
    /// The list's entries in `lists`, in rank order.
    static func entries(in lists: ReferenceSnapshot) -> [Self]
    /// The headers of the text columns particular to this list (after key and name).
    static var detailHeaders: [String] { get }

    /// The stable key.
    var key: String { get }
    /// The sort order.
    var rank: Int { get }
    /// Whether the entry is offered for new data.
    var active: Bool { get }
    /// The entry's name in `language`.
    func name(in language: Language) -> String
    /// The cells of the columns named by ``detailHeaders``.
    func detailCells(style: TextStyle, lists: ReferenceSnapshot) -> [String]
}

extension ReferenceEntry {
    /// The rank a new entry gets when none is given: ten after the last one.
    public static func nextRank(in lists: ReferenceSnapshot) -> Int {
        (entries(in: lists).map(\.rank).max() ?? 0) + 10
    }
}

extension LegalBasis: ReferenceEntry {
    /// The legal bases list.
    public static var list: ReferenceList { .basis }
    /// The legal bases in `lists`.
    public static func entries(in lists: ReferenceSnapshot) -> [LegalBasis] { lists.legalBases }
    /// Article and DPV IRI.
    public static var detailHeaders: [String] { ["Article", "DPV IRI"] }
    /// The basis's name in `language`.
    public func name(in language: Language) -> String { name[language] }
    /// The article and the DPV IRI.
    public func detailCells(style: TextStyle, lists: ReferenceSnapshot) -> [String] { [article, dpvIRI] }
}

extension Purpose: ReferenceEntry {
    /// The purposes list.
    public static var list: ReferenceList { .purpose }
    /// The purposes in `lists`.
    public static func entries(in lists: ReferenceSnapshot) -> [Purpose] { lists.purposes }
    /// Default legal basis and whether it is direct marketing.
    public static var detailHeaders: [String] { ["Default basis", "Direct marketing"] }
    /// The purpose's name in `language`.
    public func name(in language: Language) -> String { name[language] }
    /// The default basis, named, and yes/no for direct marketing.
    public func detailCells(style: TextStyle, lists: ReferenceSnapshot) -> [String] {
        [lists.basisName(defaultBasisKey).text(style), isDirectMarketing ? "yes" : "no"]
    }
}

extension Source: ReferenceEntry {
    /// The sources list.
    public static var list: ReferenceList { .source }
    /// The sources in `lists`.
    public static func entries(in lists: ReferenceSnapshot) -> [Source] { lists.sources }
    /// Who supplied the data, and the confirmation template.
    public static var detailHeaders: [String] { ["Type", "Confirmation template"] }
    /// The source's name in `language`.
    public func name(in language: Language) -> String { name[language] }
    /// The source type and the confirmation template.
    public func detailCells(style: TextStyle, lists: ReferenceSnapshot) -> [String] {
        [sourceType.rawValue, TextStyle.value(confirmationTemplate)]
    }
}

extension Recipient: ReferenceEntry {
    /// The recipients list.
    public static var list: ReferenceList { .recipient }
    /// The recipients in `lists`.
    public static func entries(in lists: ReferenceSnapshot) -> [Recipient] { lists.recipients }
    /// Role, country, contact and the fields received.
    public static var detailHeaders: [String] { ["Role", "Country", "Contact e-mail", "Receives"] }
    /// The recipient's name, which needs no translation.
    public func name(in language: Language) -> String { name }
    /// The role, the country, the contact e-mail address and the person's fields it receives.
    public func detailCells(style: TextStyle, lists: ReferenceSnapshot) -> [String] {
        [role.rawValue, country, TextStyle.value(contactEmail), fields.map { $0.map(\.rawValue).joined(separator: ", ") } ?? "all fields"]
    }
}

extension ReferenceList {
    /// The plural name used in help and messages.
    public var pluralLabel: String {
        switch self {
        case .basis: "legal bases"
        case .purpose: "purposes"
        case .source: "sources"
        case .recipient: "recipients"
        case .settings: "settings"
        }
    }
}

/// The entries of one reference list.
///
/// JSON: an array of the entries as the library's model encodes them (``LegalBasis``, ``Purpose``, ``Source``,
/// ``Recipient``: `key`, `name`, …, `rank`, `active`; optional fields without a value are left out); a purpose
/// also carries `recipients`, the keys of the recipients linked to it.
public struct ReferenceListing<Entry: ReferenceEntry>: Presentable, Sendable {
    public let entries: [Entry]
    /// Per purpose key, the keys of its recipients (empty for other lists).
    public let recipientKeys: [String: [String]]
    /// Whether inactive entries are listed (the text then shows an "Active" column).
    public let includesInactive: Bool
    private let lists: ReferenceSnapshot

    /// The listing of the list's entries in `lists` (only the active ones unless `includeInactive`).
    init(lists: ReferenceSnapshot, recipientKeys: [String: [String]], includeInactive: Bool) {
        entries = Entry.entries(in: lists).filter { includeInactive || $0.active }
        self.recipientKeys = recipientKeys
        includesInactive = includeInactive
        self.lists = lists
    }

    /// Encodes the entries as an array, each with its recipients when it has links.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for entry in entries {
            try container.encode(ListedEntry(entry: entry, recipients: recipientKeys[entry.key]))
        }
    }

    /// A table of key, name, the list's own columns, rank (and active with `--all`).
    public func text(style: TextStyle) -> String {
        guard !entries.isEmpty else { return "No \(Entry.list.pluralLabel)." }
        let header = ["Key", "Name"] + Entry.detailHeaders + (Entry.list == .purpose ? ["Recipients"] : []) + ["Rank"]
            + (includesInactive ? ["Active"] : [])
        let rows = entries.map { entry in
            [entry.key, entry.name(in: style.language)] + entry.detailCells(style: style, lists: lists)
                + (Entry.list == .purpose ? [TextStyle.value(recipientKeys[entry.key]?.joined(separator: ", "))] : [])
                + [String(entry.rank)] + (includesInactive ? [entry.active ? "yes" : "no"] : [])
        }
        return TextLayout.table(header: header, rows: rows).joined(separator: "\n")
    }
}

/// An entry encoded as its model, with its recipients' keys added when it has links.
private struct ListedEntry<Entry: Encodable>: Encodable {
    let entry: Entry
    let recipients: [String]?

    private enum Key: String, CodingKey { case recipients }

    /// Encodes the entry's own keys, then `recipients` into the same object.
    func encode(to encoder: any Encoder) throws {
        try entry.encode(to: encoder)
        if let recipients {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(recipients, forKey: .recipients)
        }
    }
}

/// Recorded changes to reference lists or settings, newest first.
///
/// JSON: an array of ``ReferenceChange`` (`id`, `list`, `key`, `field`, `oldValue`, `newValue`, `at`, `by`;
/// `oldValue` is left out when the entry was created, `newValue` when it was removed).
public struct ReferenceChangeListing: ListPresentable, Sendable {
    public let changes: [ReferenceChange]

    /// The listing of `changes`.
    public init(_ changes: [ReferenceChange]) {
        self.changes = changes
    }

    /// The elements of the JSON array.
    public var elements: [ReferenceChange] { changes }

    /// A table of time, list, key, field, old → new and who.
    public func text(style: TextStyle) -> String {
        guard !changes.isEmpty else { return "No changes recorded." }
        let rows = changes.map { [style.date($0.at), $0.list.rawValue, $0.key, $0.field, TextStyle.changeText(of: $0), $0.by] }
        return (TextLayout.table(header: ["At", "List", "Key", "Field", "Change", "By"], rows: rows) + ["", style.timeZoneNote])
            .joined(separator: "\n")
    }
}

extension TextStyle {
    /// "old → new" for a field change; "created" or "removed" for a whole entry.
    static func changeText(of change: ReferenceChange) -> String {
        switch change.field {
        case "created": "created"
        case "removed": "removed"
        default: TextStyle.change(change.oldValue, change.newValue)
        }
    }

    /// The changes of an update as aligned "field  old → new" lines (the setting's key for a setting).
    public static func changes(_ changes: [ReferenceChange]) -> String {
        TextLayout.labelled(changes.map { (label: $0.field == "value" ? $0.key : $0.field, value: changeText(of: $0)) })
            .joined(separator: "\n")
    }
}

/// The organisation profile as its settings: every key that `inzage settings set` takes, with the value in force
/// (the stored one, else the default).
///
/// JSON: an object from setting key (as `inzage settings set` takes it, such as `time-zone`) to its value as text.
public struct SettingsDocument: Presentable, Sendable {
    /// The settings in declaration order, each with the value in force.
    public let values: [(key: SettingKey, value: String)]

    /// The document of the stored `settings`, filling in the default of every key not stored.
    public init(stored settings: [SettingKey: String]) {
        values = SettingKey.allCases.map { (key: $0, value: settings[$0] ?? $0.defaultValue) }
    }

    /// Encodes the settings as one object keyed by setting key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(values.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Aligned "key  value" lines.
    public func text(style: TextStyle) -> String {
        TextLayout.labelled(values.map { (label: $0.key.rawValue, value: TextStyle.value($0.value)) }).joined(separator: "\n")
    }
}

extension Ledger {
    /// The entries of `type`'s list (only the active ones unless `includeInactive`), with each purpose's recipients.
    public func referenceListing<Entry: ReferenceEntry>(_ type: Entry.Type, includeInactive: Bool) throws -> ReferenceListing<Entry> {
        try read { reader in
            let lists = try ReferenceSnapshot(reader)
            var recipientKeys: [String: [String]] = [:]
            if Entry.list == .purpose {
                let byPurpose = try reader.recipientKeysByPurpose()
                for purpose in lists.purposes { recipientKeys[purpose.key] = byPurpose[purpose.key] ?? [] }
            }
            return ReferenceListing(lists: lists, recipientKeys: recipientKeys, includeInactive: includeInactive)
        }
    }

    /// Changes to `list` (to the entry `key` only, if given), newest first, at most `limit`.
    public func referenceChanges(in list: ReferenceList, key: String? = nil, limit: Int) throws -> [ReferenceChange] {
        let all = try read { try $0.referenceChanges(limit: Int.max) }
        return Array(all.lazy.filter { $0.list == list && (key == nil || $0.key == key) }.prefix(max(limit, 0)))
    }

    /// The organisation's settings, each with the value in force.
    public func settingsDocument() throws -> SettingsDocument {
        SettingsDocument(stored: try read { try $0.settings() })
    }

    /// A person's history (newest first) with the purposes named.
    public func historyDocument(personID: Int64) throws -> PersonHistoryDocument {
        PersonHistoryDocument(try history(personID: personID), lists: try referenceLists())
    }
}
