import Foundation

/// The persons a request's subject identifiers match.
public enum SubjectMatch: Sendable, Hashable {
    /// Nobody: the answer says that no data is held.
    case none
    /// Exactly one person.
    case one(Int64)
    /// Several persons: an officer decides; Inzage never merges silently.
    case several([Int64])
}

/// Matches the subject of a request to persons in the ledger (design.md §4).
public enum SubjectMatcher {
    /// Matches by person id, else by external id, else by e-mail address (trimmed, case-insensitive,
    /// primary or secondary): the first identifier given that finds someone decides; the name alone never matches.
    ///
    /// Identifiers that point to different persons are a doubt an officer settles, never a choice made here: when a
    /// later identifier finds persons none of whom the earlier ones found, all of them are candidates (an e-mail address
    /// or external id that finds nobody is no doubt: people write from new addresses). A person id that finds nobody
    /// never gets here: ``RequestQueue/file(_:by:)`` refuses it.
    public static func match(_ subject: SubjectIdentifiers, in reader: any LedgerReader) throws -> SubjectMatch {
        let externalID = subject.externalID.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        var lookups: [() throws -> [Int64]] = []
        if let personID = subject.personID { lookups.append { try reader.person(id: personID).map { [$0.id] } ?? [] } }
        if let externalID { lookups.append { try reader.persons(externalID: externalID).map(\.id) } }
        if let email = subject.email { lookups.append { try persons(email: email, reader) } }
        var ids: [Int64] = []
        for lookup in lookups {
            let found = try lookup()
            ids = ids.isEmpty ? found : widened(ids, by: found)
        }
        switch ids.count {
        case 0: return .none
        case 1: return .one(ids[0])
        default: return .several(ids)
        }
    }

    /// `found` with the persons `other` identifies added when they do not agree: an identifier that belongs to
    /// nobody, or to one of the persons found, adds nothing.
    private static func widened(_ found: [Int64], by other: [Int64]) -> [Int64] {
        guard !other.isEmpty, !other.contains(where: found.contains) else { return found }
        return found + other.filter { !found.contains($0) }
    }

    private static func persons(email: String, _ reader: any LedgerReader) throws -> [Int64] {
        try reader.persons(email: email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()).map(\.id)
    }
}
