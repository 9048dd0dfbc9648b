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
    /// primary or secondary). The first identifier given decides; the name alone never matches.
    public static func match(_ subject: SubjectIdentifiers, in reader: any LedgerReader) throws -> SubjectMatch {
        var ids: [Int64] = []
        if let personID = subject.personID {
            ids = try reader.person(id: personID).map { [$0.id] } ?? []
        } else if let externalID = subject.externalID?.trimmingCharacters(in: .whitespacesAndNewlines), !externalID.isEmpty {
            ids = try reader.persons(externalID: externalID).map(\.id)
            if ids.isEmpty, let email = subject.email {
                ids = try persons(email: email, reader)
            }
        } else if let email = subject.email {
            ids = try persons(email: email, reader)
        }
        switch ids.count {
        case 0: return .none
        case 1: return .one(ids[0])
        default: return .several(ids)
        }
    }

    private static func persons(email: String, _ reader: any LedgerReader) throws -> [Int64] {
        try reader.persons(email: email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()).map(\.id)
    }
}
