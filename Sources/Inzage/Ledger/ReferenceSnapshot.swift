import Foundation

/// The reference lists as they stand, loaded once per transaction to validate keys against.
public struct ReferenceSnapshot: Sendable {
    /// The legal bases, in rank order.
    public let legalBases: [LegalBasis]
    /// The purposes, in rank order.
    public let purposes: [Purpose]
    /// The sources, in rank order.
    public let sources: [Source]
    /// The recipients, in rank order.
    public let recipients: [Recipient]

    /// Loads the lists through `reader`.
    public init(_ reader: any LedgerReader) throws {
        legalBases = try reader.legalBases()
        purposes = try reader.purposes()
        sources = try reader.sources()
        recipients = try reader.recipients()
    }

    /// The legal basis with `key`, whether active or not.
    public func basis(_ key: String) -> LegalBasis? { legalBases.first { $0.key == key } }
    /// The purpose with `key`, whether active or not.
    public func purpose(_ key: String) -> Purpose? { purposes.first { $0.key == key } }
    /// The source with `key`, whether active or not.
    public func source(_ key: String) -> Source? { sources.first { $0.key == key } }
    /// The recipient with `key`, whether active or not.
    public func recipient(_ key: String) -> Recipient? { recipients.first { $0.key == key } }

    /// The active legal basis with `key`, or an error listing the valid ones.
    public func activeBasis(_ key: String) throws -> LegalBasis {
        try active(key, in: legalBases, list: .basis, key: \.key, isActive: \.active)
    }

    /// The active purpose with `key`, or an error listing the valid ones.
    public func activePurpose(_ key: String) throws -> Purpose {
        try active(key, in: purposes, list: .purpose, key: \.key, isActive: \.active)
    }

    /// The active source with `key`, or an error listing the valid ones.
    public func activeSource(_ key: String) throws -> Source {
        try active(key, in: sources, list: .source, key: \.key, isActive: \.active)
    }

    /// Checks the recipients to link to a purpose: each must exist and be named once, and a recipient that is not
    /// linked yet (not in `alreadyLinked`) must be active.
    public func checkRecipientKeys(_ keys: [String], alreadyLinked: [String] = []) throws {
        var seen = Set<String>()
        for key in keys {
            guard let recipient = recipient(key) else {
                throw LedgerError.unknownEntry(.recipient, key, valid: recipients.map(\.key).joined(separator: ", "))
            }
            guard seen.insert(key).inserted else {
                throw LedgerError.invalidValue(field: "recipient", value: key, reason: "it is named twice; name each recipient once")
            }
            if !recipient.active && !alreadyLinked.contains(key) {
                throw LedgerError.inactiveEntry(.recipient, key, valid: recipients.filter(\.active).map(\.key).joined(separator: ", "))
            }
        }
    }

    /// The purpose with `key` (active or not, since history may refer to it), or an error listing the valid ones.
    public func existingPurpose(_ key: String) throws -> Purpose {
        guard let purpose = purpose(key) else {
            throw LedgerError.unknownEntry(.purpose, key, valid: purposes.map(\.key).joined(separator: ", "))
        }
        return purpose
    }

    private func active<Entry>(
        _ key: String, in entries: [Entry], list: ReferenceList,
        key entryKey: KeyPath<Entry, String>, isActive: KeyPath<Entry, Bool>
    ) throws -> Entry {
        // The list of valid keys is only built for the error: lookups run once per imported row.
        func valid() -> String { entries.filter { $0[keyPath: isActive] }.map { $0[keyPath: entryKey] }.joined(separator: ", ") }
        guard let entry = entries.first(where: { $0[keyPath: entryKey] == key }) else {
            throw LedgerError.unknownEntry(list, key, valid: valid())
        }
        guard entry[keyPath: isActive] else { throw LedgerError.inactiveEntry(list, key, valid: valid()) }
        return entry
    }
}
