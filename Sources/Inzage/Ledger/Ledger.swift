import Foundation

/// The consent ledger: persons, their consents and the full history of both, and the reference lists.
///
/// All rules live here; storage is behind ``LedgerStore``. Every change goes through a ``LedgerTransaction``.
public struct Ledger: Sendable {
    /// Where the ledger is stored.
    public let store: any LedgerStore
    /// The clock that stamps changes (fixed in tests and in the demo).
    public let clock: @Sendable () -> Date

    /// Creates a ledger on `store`.
    public init(store: any LedgerStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// Runs `body` in one transaction: all its changes and their history commit together, or none do.
    public func write<T>(_ body: (LedgerTransaction) throws -> T) throws -> T {
        let now = clock()
        return try store.write { writer in try body(LedgerTransaction(store: writer, now: now)) }
    }

    /// Runs `body` with a consistent view of the ledger.
    public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
        try store.read(body)
    }

    // MARK: Single changes

    /// Registers a person; see ``LedgerTransaction/addPerson(_:attribution:)``.
    public func addPerson(_ details: PersonDetails, attribution: Attribution) throws -> Person {
        try write { try $0.addPerson(details, attribution: attribution) }
    }

    /// Changes a person's fields; see ``LedgerTransaction/updatePerson(id:changes:attribution:)``.
    @discardableResult
    public func updatePerson(id: Int64, changes: [PersonField: String?], attribution: Attribution) throws -> (Person, [PersonEdit]) {
        try write { try $0.updatePerson(id: id, changes: changes, attribution: attribution) }
    }

    /// Records consent; see ``LedgerTransaction/giveConsent(_:attribution:)``.
    @discardableResult
    public func giveConsent(_ grant: ConsentGrant, attribution: Attribution) throws -> Consent {
        try write { try $0.giveConsent(grant, attribution: attribution) }
    }

    /// Records a withdrawal; see ``LedgerTransaction/withdrawConsent(personID:purposeKey:attribution:evidence:comment:)``.
    @discardableResult
    public func withdrawConsent(personID: Int64, purposeKey: String, attribution: Attribution, evidence: String? = nil, comment: String? = nil) throws -> Consent {
        try write { try $0.withdrawConsent(personID: personID, purposeKey: purposeKey, attribution: attribution, evidence: evidence, comment: comment) }
    }

    /// Records an objection; see ``LedgerTransaction/recordObjection(personID:purposeKey:attribution:evidence:comment:)``.
    @discardableResult
    public func recordObjection(personID: Int64, purposeKey: String, attribution: Attribution, evidence: String? = nil, comment: String? = nil) throws -> Consent {
        try write { try $0.recordObjection(personID: personID, purposeKey: purposeKey, attribution: attribution, evidence: evidence, comment: comment) }
    }

    // MARK: Reads

    /// The person with `id`, or ``LedgerError/unknownPerson(_:)``.
    public func person(id: Int64) throws -> Person {
        guard let person = try store.read({ try $0.person(id: id) }) else { throw LedgerError.unknownPerson(id) }
        return person
    }

    /// The "legal basis" view of a person: the card, then per purpose its basis, status, source and stamps.
    public func legalBasisView(personID: Int64) throws -> LegalBasisView {
        try store.read { reader in
            guard let person = try reader.person(id: personID) else { throw LedgerError.unknownPerson(personID) }
            let lists = try ReferenceSnapshot(reader)
            let consents = try reader.consents(personID: personID)
            let suppressions = try reader.suppressions(personID: personID)
            return LegalBasisView(person: person, consents: consents, suppressions: suppressions,
                                  statements: try reader.statements(personID: personID), lists: lists)
        }
    }

    /// The person's edit records and consent events, newest first.
    public func history(personID: Int64) throws -> [HistoryEntry] {
        try store.read { reader in
            guard try reader.person(id: personID) != nil else { throw LedgerError.unknownPerson(personID) }
            var entries: [HistoryEntry] = []
            try reader.forEachEdit(personID: personID) { entries.append(.edit($0)) }
            try reader.forEachConsentEvent(personID: personID) { entries.append(.consent($0)) }
            // Stable: within one instant, later rows (higher ids) come first.
            return entries.enumerated().sorted { lhs, rhs in
                lhs.element.at != rhs.element.at ? lhs.element.at > rhs.element.at : lhs.offset > rhs.offset
            }.map(\.element)
        }
    }

    /// Persons whose e-mail address (primary or secondary) is `email`, matched trimmed and case-insensitively.
    public func findPersons(email: String) throws -> [Person] {
        let normalised = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !normalised.isEmpty else { throw LedgerError.missingValue(field: "email", reason: "give the e-mail address to search for") }
        return try store.read { try $0.persons(email: normalised) }
    }

    /// Persons whose name contains `text`, case-insensitively.
    public func findPersons(name text: String, limit: Int = 100) throws -> [Person] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw LedgerError.missingValue(field: "name", reason: "give part of a name to search for") }
        return try store.read { try $0.persons(nameContaining: trimmed, limit: limit) }
    }

    /// The reference lists as they stand.
    public func referenceLists() throws -> ReferenceSnapshot {
        try store.read { try ReferenceSnapshot($0) }
    }

    /// The organisation profile.
    public func organisationProfile() throws -> OrganisationProfile {
        try store.read { OrganisationProfile(settings: try $0.settings()) }
    }
}

/// A person's card with, per purpose, the legal basis, consent status, source, and who did what when.
public struct LegalBasisView: Sendable {
    /// The person.
    public let person: Person
    /// The person's consents, in purpose rank order.
    public let consents: [Consent]
    /// The person's objections to direct marketing.
    public let suppressions: [Suppression]
    /// The person's supplementary statements (Art. 16), oldest first.
    public let statements: [PersonStatement]
    /// The reference lists, to name keys.
    public let lists: ReferenceSnapshot
}
