import Foundation

/// One purpose as it applies to the person: the purpose, the legal basis in force, the consent record if any,
/// and the named recipients that receive data for it.
public struct PurposeInDossier: Sendable {
    /// The purpose.
    public let purpose: Purpose
    /// The legal basis in force: the consent's basis, else the purpose's default.
    public let basis: LegalBasis?
    /// The person's consent record for the purpose, if one exists.
    public let consent: Consent?
    /// Whether the person objected to this direct-marketing purpose (suppressed).
    public let suppression: Suppression?
    /// Who receives the data for this purpose.
    public let recipients: [Recipient]
}

/// Everything Inzage holds about one person, gathered for an extract (design.md §5).
///
/// The short lists are loaded; the long ones (edit records and consent events) are streamed from the
/// database by ``forEachEdit(_:)`` and ``forEachConsentEvent(_:)`` while the dossier's read transaction is open,
/// so that a person with a million history rows needs no more memory than one with ten.
public struct Dossier {
    /// When the dossier was gathered.
    public let generatedAt: Date
    /// The language of the extract.
    public let language: Language
    /// The controller, shown in every extract.
    public let organisation: OrganisationProfile
    /// The time zone dates are shown in.
    public let timeZone: TimeZone
    /// The request being answered, if the extract answers one.
    public let request: DataSubjectRequest?
    /// The person; nil when no data is held about the subject of the request.
    public let person: Person?
    /// The reference lists, to explain every key.
    public let lists: ReferenceSnapshot
    /// Per purpose: the purposes the person has a record for first (in rank order), then the other active ones.
    public let purposes: [PurposeInDossier]
    /// The sources the person's data came from (the person's own and those of consents and events), in rank order.
    public let sources: [Source]
    /// The recipients that were told of a correction of the person's data, or recorded as exempt (Art. 19), in rank
    /// order: they received the data, so they are named (Art. 15(1)(c)) even when no purpose links them any more.
    public let notifiedRecipients: [Recipient]
    /// Every request matched to the person (including the one answered), oldest first, with their state changes.
    public let requests: [(request: DataSubjectRequest, transitions: [RequestTransition])]
    /// The officers' decisions on the items of those requests (rectification items, objections), by request id.
    public let decisions: [Int64: [ItemDecision]]
    /// The person's supplementary statements (Art. 16), oldest first.
    public let statements: [PersonStatement]
    /// How many edit records and consent events the person has.
    public let editCount: Int
    public let consentEventCount: Int

    let reader: any LedgerReader

    /// Calls `body` for each edit record of the person, oldest first, streamed from the database.
    public func forEachEdit(_ body: (PersonEdit) throws -> Void) throws {
        guard let person else { return }
        try reader.forEachEdit(personID: person.id, body)
    }

    /// Calls `body` for each consent event of the person, oldest first, streamed from the database.
    public func forEachConsentEvent(_ body: (ConsentEvent) throws -> Void) throws {
        guard let person else { return }
        try reader.forEachConsentEvent(personID: person.id, body)
    }
}
