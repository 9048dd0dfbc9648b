import Foundation

/// Gathers the dossier of one person in a fixed number of queries (none per history row).
public struct Resolver: Sendable {
    /// Where the ledger and the requests are stored.
    public let store: any InzageStore
    /// The clock that stamps the dossier.
    public let clock: @Sendable () -> Date

    /// Creates a resolver on `store`.
    public init(store: any InzageStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// Gathers the dossier of `personID` (nil: nobody matched, the extract says no data is held) and passes it to
    /// `body` inside one read transaction, so that the streamed lists are consistent with the rest.
    ///
    /// - Parameters:
    ///   - request: the request answered, if any; its language wins over the person's.
    ///   - language: the language to use when neither the request nor the person has one; nil takes the organisation's.
    public func withDossier<T>(personID: Int64?, request: DataSubjectRequest? = nil, language: Language? = nil,
                               _ body: (Dossier) throws -> T) throws -> T {
        let now = clock()
        return try store.snapshot { ledger, requests in
            let organisation = OrganisationProfile(settings: try ledger.settings())
            let lists = try ReferenceSnapshot(ledger)
            var person: Person?
            if let personID {
                guard let found = try ledger.person(id: personID) else { throw LedgerError.unknownPerson(personID) }
                person = found
            }
            let chosenLanguage = request?.language ?? language ?? person?.language(fallback: organisation.defaultLanguage) ?? organisation.defaultLanguage
            let consents = try person.map { try ledger.consents(personID: $0.id) } ?? []
            let suppressions = try person.map { try ledger.suppressions(personID: $0.id) } ?? []
            let counts = try person.map { try ledger.historySummary(personID: $0.id) } ?? HistorySummary()

            var purposes: [PurposeInDossier] = []
            let withRecord = Set(consents.map(\.purposeKey))
            let ordered = lists.purposes.filter { withRecord.contains($0.key) } + lists.purposes.filter { $0.active && !withRecord.contains($0.key) }
            let recipientsByPurpose = try ordered.isEmpty ? [:] : ledger.recipientKeysByPurpose()
            for purpose in ordered {
                let consent = consents.first { $0.purposeKey == purpose.key }
                let recipientKeys = recipientsByPurpose[purpose.key] ?? []
                purposes.append(PurposeInDossier(
                    purpose: purpose, basis: lists.basis(consent?.basisKey ?? purpose.defaultBasisKey), consent: consent,
                    suppression: suppressions.first { $0.purposeKey == purpose.key },
                    recipients: recipientKeys.compactMap(lists.recipient)))
            }

            var sourceKeys = Set(consents.map(\.sourceKey)).union(counts.eventSourceKeys)
            if let key = person?.details.sourceKey { sourceKeys.insert(key) }
            let sources = lists.sources.filter { sourceKeys.contains($0.key) }

            var earlier = try person.map { try requests.requests(personID: $0.id) } ?? []
            if let request, !earlier.contains(where: { $0.id == request.id }) {
                earlier.append(request)
            }
            // The state changes and decisions of all those requests in one query each, not one per request.
            let requestIDs = earlier.map(\.id)
            let transitions = try requests.transitions(requestIDs: requestIDs)
            let decisions = try requests.decisions(requestIDs: requestIDs)
            let notified = try requests.notifiedRecipientKeys(requestIDs: requestIDs)
            // The person is shown the changes of state; an entry without one (an officer settling who the request
            // is about) is the organisation's own bookkeeping and would read "received → received".
            let history = earlier.map { (request: $0, transitions: (transitions[$0.id] ?? []).filter { $0.from != $0.to }) }
            let statements = try person.map { try ledger.statements(personID: $0.id) } ?? []

            let calendarZone = TimeZone(identifier: organisation.timeZone) ?? .gmt
            return try body(Dossier(
                generatedAt: now, language: chosenLanguage, organisation: organisation, timeZone: calendarZone,
                request: request, person: person, lists: lists, purposes: purposes, sources: sources,
                notifiedRecipients: lists.recipients.filter { notified.contains($0.key) },
                requests: history, decisions: decisions, statements: statements,
                editCount: counts.editCount, consentEventCount: counts.consentEventCount, reader: ledger))
        }
    }
}
