import Foundation

/// Reads of the ledger aggregate: persons with their edit history, consents with their events, suppressions,
/// and the reference lists and settings they point to.
///
/// The ledger's rules live in ``Ledger``; a backend (SQLite now, PostgreSQL later) only stores and fetches.
public protocol LedgerReader {
    /// The person with `id`, or nil.
    func person(id: Int64) throws -> Person?
    /// Persons whose primary or secondary e-mail address is `email` (already normalised to lower case).
    func persons(email: String) throws -> [Person]
    /// Persons with the CRM id `externalID`.
    func persons(externalID: String) throws -> [Person]
    /// Persons whose name contains `text`, case-insensitively, at most `limit`.
    func persons(nameContaining text: String, limit: Int) throws -> [Person]
    /// How many persons the ledger holds.
    func personCount() throws -> Int
    /// The person's consents, in purpose rank order.
    func consents(personID: Int64) throws -> [Consent]
    /// The person's consent for one purpose, or nil.
    func consent(personID: Int64, purposeKey: String) throws -> Consent?
    /// Calls `body` for each of the person's edit records, oldest first, without loading them all.
    func forEachEdit(personID: Int64, _ body: (PersonEdit) throws -> Void) throws
    /// The person's last edit record of each field their history names (one per field, in no particular order).
    func lastEdits(personID: Int64) throws -> [PersonEdit]
    /// Calls `body` for each of the person's consent events, oldest first, without loading them all.
    func forEachConsentEvent(personID: Int64, _ body: (ConsentEvent) throws -> Void) throws
    /// How much history the person has, and which sources its consent events name.
    func historySummary(personID: Int64) throws -> HistorySummary
    /// When the consent's last event was recorded, and its type; nil for a consent without events.
    func lastConsentEvent(consentID: Int64) throws -> (at: Date, type: ConsentEventType)?
    /// The suppression of `purposeKey` for the person, or nil.
    func suppression(personID: Int64, purposeKey: String) throws -> Suppression?
    /// All of the person's suppressions.
    func suppressions(personID: Int64) throws -> [Suppression]
    /// The person's supplementary statements (Art. 16), oldest first.
    func statements(personID: Int64) throws -> [PersonStatement]

    /// All legal bases, in rank order.
    func legalBases() throws -> [LegalBasis]
    /// All purposes, in rank order.
    func purposes() throws -> [Purpose]
    /// All sources, in rank order.
    func sources() throws -> [Source]
    /// All recipients, in rank order.
    func recipients() throws -> [Recipient]
    /// The keys of the recipients that receive data for `purposeKey`, in recipient rank order.
    func recipientKeys(purposeKey: String) throws -> [String]
    /// The keys of the recipients of every purpose that has any, by purpose key, each in recipient rank order
    /// (as ``recipientKeys(purposeKey:)`` gives them), read at once.
    func recipientKeysByPurpose() throws -> [String: [String]]
    /// The stored settings (missing keys take their defaults).
    func settings() throws -> [SettingKey: String]
    /// Changes to the reference lists and settings, newest first, at most `limit`.
    func referenceChanges(limit: Int) throws -> [ReferenceChange]
    /// What refers to the entry: persons, consents, their history, links, requests and what was decided or sent for
    /// them; empty when nothing does.
    func uses(list: ReferenceList, key: String) throws -> [ReferenceUse]
}

/// Writes of the ledger aggregate, always inside one transaction opened by ``LedgerStore/write(_:)``.
///
/// These are storage primitives; only ``Ledger`` calls them, and it writes the history with every change.
public protocol LedgerWriter: LedgerReader {
    /// Inserts a person and returns it with its new id.
    func insertPerson(details: PersonDetails, at: Date, by: String) throws -> Person
    /// Stores the person's new details and update stamp.
    func updatePerson(_ person: Person) throws
    /// Appends edit records.
    func appendEdits(_ edits: [PersonEdit]) throws
    /// Inserts a consent and returns it with its new id.
    func insertConsent(_ consent: Consent) throws -> Consent
    /// Stores a consent's new state.
    func updateConsent(_ consent: Consent) throws
    /// Appends a consent event.
    func appendConsentEvent(_ event: ConsentEvent) throws
    /// Records a suppression.
    func insertSuppression(_ suppression: Suppression) throws
    /// Lifts a suppression.
    func deleteSuppression(personID: Int64, purposeKey: String) throws
    /// Appends a supplementary statement.
    func appendStatement(_ statement: PersonStatement) throws
    /// Runs `body` in a savepoint inside the open transaction: its writes are undone when it throws,
    /// and the transaction goes on (an import uses one per row, so that a refused row leaves nothing behind).
    func inSavepoint(_ body: () throws -> Void) throws

    /// Inserts or replaces a legal basis.
    func saveLegalBasis(_ basis: LegalBasis) throws
    /// Inserts or replaces a purpose.
    func savePurpose(_ purpose: Purpose) throws
    /// Inserts or replaces a source.
    func saveSource(_ source: Source) throws
    /// Inserts or replaces a recipient.
    func saveRecipient(_ recipient: Recipient) throws
    /// Replaces the recipients of a purpose.
    func setRecipientKeys(_ keys: [String], purposeKey: String) throws
    /// Removes an entry that nothing refers to.
    func deleteReference(list: ReferenceList, key: String) throws
    /// Stores a setting.
    func setSetting(_ key: SettingKey, value: String) throws
    /// Appends a change record for the reference lists or settings.
    func appendReferenceChange(_ change: ReferenceChange) throws
}

/// The ledger's storage: one transaction per call, all or nothing.
public protocol LedgerStore: Sendable {
    /// Runs `body` with a consistent view of the ledger.
    func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T
    /// Runs `body` in one write transaction: it commits when `body` returns and rolls back when it throws.
    func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T
}

/// The size of a person's history, counted without loading it.
public struct HistorySummary: Sendable, Hashable {
    /// How many edit records.
    public var editCount = 0
    /// How many consent events.
    public var consentEventCount = 0
    /// The sources named by the consent events (before and after).
    public var eventSourceKeys: Set<String> = []

    /// An empty summary.
    public init() {}
}
