import Foundation

/// One entry of a person's history: a field edit or a consent event, with every field of either.
///
/// JSON: `kind` (`edit` or `consent`), `id` (the edit's or the event's row id), `at`, `by`, `via`, `reason`,
/// `requestReference`, `evidence`, `comment`; for an edit `field`, `oldValue`, `newValue`; for a consent event
/// `purpose` (`{key, name}`), `consentID`, `eventType`, `fromStatus`, `toStatus`, `fromBasis`, `toBasis`,
/// `fromSource`, `toSource`, `givenAt` (when the person gave the consent, for an event that gives it; earlier than
/// `at` when recorded later). Fields that do not apply to the kind are null.
public struct HistoryEntryDocument: Encodable, Sendable {
    /// Whether the entry is a field edit or a consent event.
    public enum Kind: String, Encodable, Sendable {
        case edit
        case consent
    }

    public let kind: Kind
    @ExplicitNull public var id: Int64?
    public let at: Date
    public let by: String
    public let via: ChangeChannel
    @ExplicitNull public var reason: String?
    @ExplicitNull public var requestReference: String?
    @ExplicitNull public var evidence: String?
    @ExplicitNull public var comment: String?
    @ExplicitNull public var field: PersonField?
    @ExplicitNull public var oldValue: String?
    @ExplicitNull public var newValue: String?
    @ExplicitNull public var purpose: EntryName?
    @ExplicitNull public var consentID: Int64?
    @ExplicitNull public var eventType: ConsentEventType?
    @ExplicitNull public var fromStatus: ConsentStatus?
    @ExplicitNull public var toStatus: ConsentStatus?
    @ExplicitNull public var fromBasis: String?
    @ExplicitNull public var toBasis: String?
    @ExplicitNull public var fromSource: String?
    @ExplicitNull public var toSource: String?
    @ExplicitNull public var givenAt: Date?

    /// The document of `entry`, naming purposes from `lists`.
    public init(_ entry: HistoryEntry, lists: ReferenceSnapshot) {
        let attribution: Attribution
        switch entry {
        case .edit(let edit):
            kind = .edit
            id = edit.id
            at = edit.at
            attribution = edit.attribution
            field = edit.field
            oldValue = edit.oldValue
            newValue = edit.newValue
        case .consent(let event):
            kind = .consent
            id = event.id
            at = event.at
            attribution = event.attribution
            evidence = event.evidence
            comment = event.comment
            purpose = lists.purposeName(event.purposeKey)
            consentID = event.consentID
            eventType = event.type
            fromStatus = event.fromStatus
            toStatus = event.toStatus
            fromBasis = event.fromBasis
            toBasis = event.toBasis
            fromSource = event.fromSource
            toSource = event.toSource
            givenAt = event.givenAt
        }
        by = attribution.by
        via = attribution.via
        reason = attribution.reason
        requestReference = attribution.requestReference
    }

    /// What the entry is about: the field edited, or the purpose of the consent event.
    func subject(_ style: TextStyle) -> String {
        field?.rawValue ?? purpose?.text(style) ?? TextStyle.empty
    }

    /// What changed: "old → new" for an edit; the event type with status, basis and source changes for a consent event.
    func changeText() -> String {
        guard kind == .consent else { return TextStyle.change(oldValue, newValue) }
        /// "name to" on registration, "name from → to" on a change; nil when unchanged unless `always`.
        func part(_ name: String, _ from: String?, _ to: String?, always: Bool = false) -> String? {
            guard let to else { return nil }
            guard let from else { return "\(name) \(to)" }
            return from == to && !always ? nil : "\(name) \(from) → \(to)"
        }
        let parts = [
            part("status", fromStatus?.rawValue, toStatus?.rawValue, always: true),
            part("basis", fromBasis, toBasis), part("source", fromSource, toSource),
        ].compactMap { $0 }
        return "\(eventType?.rawValue ?? TextStyle.empty): " + parts.joined(separator: ", ")
    }

    /// Who, through which channel, and the reason, request, evidence and comment that are set.
    func detailText() -> String {
        let extras: [(String, String?)] = [("reason", reason), ("request", requestReference), ("evidence", evidence), ("comment", comment)]
        return (["by \(by) via \(via.rawValue)"] + extras.compactMap { name, value in
            value.flatMap { $0.isEmpty ? nil : "\(name): \($0)" }
        }).joined(separator: " · ")
    }
}

/// A person's history, newest first: edit records and consent events.
///
/// JSON: an array of ``HistoryEntryDocument``, newest first.
public struct PersonHistoryDocument: ListPresentable, Sendable {
    public let entries: [HistoryEntryDocument]

    /// The document of `entries` (newest first, as ``Ledger/history(personID:)`` returns them).
    public init(_ entries: [HistoryEntry], lists: ReferenceSnapshot) {
        self.entries = entries.map { HistoryEntryDocument($0, lists: lists) }
    }

    /// The elements of the JSON array.
    public var elements: [HistoryEntryDocument] { entries }

    /// A table of time, kind, field or purpose and change, each entry followed by who, via and any reason,
    /// request, evidence and comment.
    public func text(style: TextStyle) -> String {
        guard !entries.isEmpty else { return "No history." }
        let rows = entries.map { [style.date($0.at), $0.kind.rawValue, $0.subject(style), $0.changeText()] }
        let table = TextLayout.table(header: ["At", "Kind", "Field / purpose", "Change"], rows: rows)
        let indent = String(repeating: " ", count: style.date(Date()).count + 2)
        var lines = [table[0]]
        for (line, entry) in zip(table.dropFirst(), entries) {
            lines.append(line)
            lines.append(indent + entry.detailText())
        }
        return (lines + ["", style.timeZoneNote]).joined(separator: "\n")
    }
}
