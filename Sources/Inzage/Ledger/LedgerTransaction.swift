import Foundation

/// What to record when a person gives consent, or when processing for a purpose is registered on another basis.
public struct ConsentGrant: Sendable, Hashable {
    /// The person.
    public var personID: Int64
    /// The purpose's key.
    public var purposeKey: String
    /// The legal basis's key; nil takes the purpose's default basis.
    public var basisKey: String?
    /// The source's key.
    public var sourceKey: String
    /// A comment by the registering user.
    public var comment: String?
    /// The consent text shown to the person; nil takes the purpose's text in the person's language.
    public var consentText: String?
    /// A reference to the evidence (a form submission, a recorded call, a signed document).
    public var evidence: String?
    /// When the person gave consent, if earlier than now (imports carry the original date).
    public var givenAt: Date?
    /// The person themself gave this new consent, which lifts an earlier objection to direct marketing.
    public var fromPerson: Bool

    /// Creates a grant.
    public init(personID: Int64, purposeKey: String, basisKey: String? = nil, sourceKey: String, comment: String? = nil,
                consentText: String? = nil, evidence: String? = nil, givenAt: Date? = nil, fromPerson: Bool = false) {
        self.personID = personID
        self.purposeKey = purposeKey
        self.basisKey = basisKey
        self.sourceKey = sourceKey
        self.comment = comment
        self.consentText = consentText
        self.evidence = evidence
        self.givenAt = givenAt
        self.fromPerson = fromPerson
    }
}

/// The one path by which personal data and consents change: every method writes its history record
/// in the same transaction as the change, or throws and writes nothing.
///
/// Obtain one from ``Ledger/write(_:)``; several changes in one transaction (an import batch) commit together.
public struct LedgerTransaction {
    let store: any LedgerWriter
    /// The reference lists as they stand in this transaction.
    public let lists: ReferenceSnapshot
    /// The time every change in this transaction is stamped with.
    public let now: Date
    private let defaultLanguage: Language

    init(store: any LedgerWriter, now: Date) throws {
        self.store = store
        self.lists = try ReferenceSnapshot(store)
        self.now = now
        self.defaultLanguage = OrganisationProfile(settings: try store.settings()).defaultLanguage
    }

    /// Read access within the transaction.
    public var reader: any LedgerReader { store }

    /// Runs `body` so that its changes and their history stay together: when it throws, every change it made
    /// is undone and the transaction goes on. An import runs each row this way, so a refused row leaves nothing.
    public func atomically(_ body: () throws -> Void) throws {
        try store.inSavepoint(body)
    }

    // MARK: Persons

    /// Registers a person and writes one edit record per filled field.
    public func addPerson(_ details: PersonDetails, attribution: Attribution) throws -> Person {
        try FreeText.check(attribution)
        let normalised = try normalise(details)
        guard normalised.lastName != nil || normalised.firstName != nil || normalised.email != nil else {
            throw LedgerError.missingValue(field: "last-name", reason: "a person needs at least a first name, a last name or an e-mail address")
        }
        try checkEmailsAreFree(normalised, personID: nil)
        let person = try store.insertPerson(details: normalised, at: now, by: attribution.by)
        let empty = PersonDetails()
        try store.appendEdits(empty.changedFields(to: normalised).map { field in
            PersonEdit(personID: person.id, field: field, oldValue: nil, newValue: normalised[field], at: now, attribution: attribution)
        })
        return person
    }

    /// Changes fields of a person (a nil value removes the field) and writes one edit record per changed field.
    /// Returns the person as it is now and the edit records written.
    @discardableResult
    public func updatePerson(id: Int64, changes: [PersonField: String?], attribution: Attribution) throws -> (Person, [PersonEdit]) {
        try FreeText.check(attribution)
        var person = try existingPerson(id)
        var updated = person.details
        for (field, value) in changes {
            updated[field] = try FieldValidation.normalise(value, for: field, sources: lists)
        }
        let changed = person.details.changedFields(to: updated)
        guard !changed.isEmpty else { throw LedgerError.nothingChanged }
        if changed.contains(.email) || changed.contains(.secondaryEmail) {
            try checkEmailsAreFree(updated, personID: id)
        }
        guard updated.lastName != nil || updated.firstName != nil || updated.email != nil else {
            throw LedgerError.missingValue(field: "last-name", reason: "a person keeps at least a first name, a last name or an e-mail address")
        }
        let edits = changed.map { field in
            PersonEdit(personID: id, field: field, oldValue: person.details[field], newValue: updated[field], at: now, attribution: attribution)
        }
        try store.appendEdits(edits)
        person.details = updated
        person.updatedAt = now
        person.updatedBy = attribution.by
        try store.updatePerson(person)
        return (person, edits)
    }

    /// The person with `id`, or ``LedgerError/unknownPerson(_:)``.
    public func existingPerson(_ id: Int64) throws -> Person {
        guard let person = try store.person(id: id) else { throw LedgerError.unknownPerson(id) }
        return person
    }

    private func normalise(_ details: PersonDetails) throws -> PersonDetails {
        var normalised = PersonDetails()
        for field in PersonField.allCases {
            normalised[field] = try FieldValidation.normalise(details[field], for: field, sources: lists)
        }
        return normalised
    }

    private func checkEmailsAreFree(_ details: PersonDetails, personID: Int64?) throws {
        if let primary = details.email, primary == details.secondaryEmail {
            throw LedgerError.invalidValue(field: "secondary-email", value: primary, reason: "it is the same as the e-mail address")
        }
        for field in [PersonField.email, .secondaryEmail] {
            guard let email = details[field] else { continue }
            if let other = try store.persons(email: email).first(where: { $0.id != personID }) {
                throw LedgerError.duplicateEmail(field: field.rawValue, personID: other.id)
            }
        }
    }

    // MARK: Consents

    /// Records consent given (or processing registered on another legal basis) for a purpose.
    ///
    /// A first registration inserts the consent; a later one renews it or changes its status, basis or source.
    /// Each writes one consent event with from → to. A suppression (an earlier objection to direct marketing)
    /// refuses the grant unless the person themself gives it (`fromPerson`, with evidence) — never through an import.
    @discardableResult
    public func giveConsent(_ grant: ConsentGrant, attribution: Attribution) throws -> Consent {
        try giveConsent(grant, to: try existingPerson(grant.personID), attribution: attribution)
    }

    /// ``giveConsent(_:attribution:)`` for a person read or written earlier in this transaction (an import has just
    /// added or updated it), which saves reading the person again for every consent.
    ///
    /// `isNewPerson` says that ``addPerson(_:attribution:)`` registered the person in this transaction and that no
    /// consent for this purpose was given to it since: there can be no suppression nor consent to look for then.
    /// (Were there a consent after all, the schema's unique person-purpose key would refuse the insert.)
    @discardableResult
    func giveConsent(_ grant: ConsentGrant, to person: Person, isNewPerson: Bool = false, attribution: Attribution) throws -> Consent {
        // Evidence, a comment or a consent text that shows nothing (blanks, invisible characters) is not given: blank
        // evidence must not lift an objection, nor be kept as proof.
        var grant = grant
        grant.evidence = FreeText.nonBlank(grant.evidence)
        grant.comment = FreeText.nonBlank(grant.comment)
        grant.consentText = FreeText.nonBlank(grant.consentText)
        try FreeText.check(attribution)
        try FreeText.check(grant.evidence, field: "evidence")
        try FreeText.check(grant.comment, field: "comment")
        try FreeText.check(grant.consentText, field: "consent-text")
        guard person.id == grant.personID else { throw LedgerError.unknownPerson(grant.personID) }
        let purpose = try lists.activePurpose(grant.purposeKey)
        let basis = try lists.activeBasis(grant.basisKey ?? purpose.defaultBasisKey)
        let source = try lists.activeSource(grant.sourceKey)
        let status: ConsentStatus = basis.key == LegalBasis.consentKey ? .given : .notApplicable

        let suppression = isNewPerson ? nil : try store.suppression(personID: person.id, purposeKey: purpose.key)
        if let suppression {
            let personActs = attribution.via == .preferencePage || grant.fromPerson
            guard personActs, attribution.via != .import, status == .given else {
                throw LedgerError.suppressed(personID: person.id, purpose: purpose.key, since: suppression.at)
            }
            if attribution.via != .preferencePage, grant.evidence == nil {
                throw LedgerError.missingValue(field: "evidence", reason: "lifting an objection to direct marketing needs a reference to the person's new consent")
            }
        }
        let existing = isNewPerson ? nil : try store.consent(personID: person.id, purposeKey: purpose.key)
        if let existing {
            try checkProcessingMayResume(existing, status: status, grant: grant, attribution: attribution)
        }
        let givenAt = status == .given ? min(grant.givenAt ?? now, now) : nil
        if let existing, let givenAt, grant.givenAt != nil {
            try checkNotBeforeHistory(givenAt, of: existing)
        }
        // Lifted only now that every check has passed, so that a refused grant leaves the suppression in place.
        if suppression != nil {
            try store.deleteSuppression(personID: person.id, purposeKey: purpose.key)
        }

        let text = status == .given ? (grant.consentText ?? purpose.consentText[person.language(fallback: defaultLanguage)]) : grant.consentText
        guard let existing else {
            let consent = try store.insertConsent(Consent(
                id: 0, personID: person.id, purposeKey: purpose.key, basisKey: basis.key, status: status, sourceKey: source.key,
                comment: grant.comment, consentText: text, givenAt: givenAt, withdrawnAt: nil,
                registeredAt: now, registeredBy: attribution.by, registeredVia: attribution.via, updatedAt: now,
                updatedBy: attribution.by, updatedVia: attribution.via, updateCount: 0))
            let type: ConsentEventType = attribution.via == .import ? .imported : (status == .given ? .given : .registered)
            try store.appendConsentEvent(event(for: consent, type: type, from: nil, attribution: attribution, evidence: grant.evidence, comment: grant.comment))
            return consent
        }

        let type: ConsentEventType
        if attribution.via == .import {
            type = .imported
        } else if status == .given {
            type = existing.status == .given ? .renewed : .given
        } else if existing.basisKey != basis.key {
            type = .basisChanged
        } else if existing.sourceKey != source.key {
            type = .sourceChanged
        } else if existing.status != status {
            type = .registered
        } else {
            throw LedgerError.nothingChanged
        }
        var consent = existing
        consent.basisKey = basis.key
        consent.status = status
        consent.sourceKey = source.key
        consent.comment = grant.comment ?? existing.comment
        consent.consentText = text ?? existing.consentText
        consent.givenAt = givenAt ?? (status == .notApplicable ? nil : existing.givenAt)
        consent.withdrawnAt = nil
        return try save(consent, from: existing, type: type, attribution: attribution, evidence: grant.evidence, comment: grant.comment)
    }

    /// Refuses a grant that would take up processing the person stopped:
    /// - after an objection (`objected`, Art. 21(1)): only the person's own new consent (on the preference page, or
    ///   `fromPerson` with evidence; never an import) — an officer overrides an objection with grounds on a request
    ///   (``recordObjectionOverride(personID:purposeKey:grounds:attribution:)``), not by registering another basis;
    /// - after consent was withdrawn or refused: not on another legal basis (Art. 7(3); the EDPB's Guidelines 05/2020
    ///   on consent, §§ 121–123, forbid swapping to another basis once consent is withdrawn); new consent is fine.
    private func checkProcessingMayResume(_ existing: Consent, status: ConsentStatus, grant: ConsentGrant, attribution: Attribution) throws {
        let since = existing.withdrawnAt ?? existing.updatedAt
        switch existing.status {
        case .objected:
            let personActs = attribution.via == .preferencePage || grant.fromPerson
            guard personActs, attribution.via != .import, status == .given else {
                throw LedgerError.objectionStands(personID: existing.personID, purpose: existing.purposeKey, since: since)
            }
            if attribution.via != .preferencePage, grant.evidence == nil {
                throw LedgerError.missingValue(field: "evidence", reason: "taking up a purpose the person objected to needs a reference to the person's new consent")
            }
        case .withdrawn, .refused:
            if status != .given {
                throw LedgerError.consentNotReplaceable(personID: existing.personID, purpose: existing.purposeKey, status: existing.status, since: since)
            }
        case .given, .expired, .notApplicable:
            return
        }
    }

    /// Refuses a date of consent before the consent's last recorded event: the history would no longer read in order
    /// (consent given before the withdrawal or objection it is meant to follow). For a consent that stands, that
    /// event is the grant itself, dated when it was given: a renewal cannot be dated before what it renews.
    private func checkNotBeforeHistory(_ givenAt: Date, of consent: Consent) throws {
        guard let last = try store.lastConsentEvent(consentID: consent.id) else { return }
        let since = consent.status == .given ? (consent.givenAt ?? last.at) : last.at
        guard givenAt < since else { return }
        throw LedgerError.invalidValue(
            field: "given-at", value: givenAt.formatted(.iso8601),
            reason: "it lies before the last recorded event of the consent for purpose '\(consent.purposeKey)': \(last.type.rawValue) on \(since.formatted(.iso8601)); a consent cannot be dated before its own history. Give a date from then on, or none (now)")
    }

    /// Records that the person withdrew consent for a purpose (Art. 7(3)).
    @discardableResult
    public func withdrawConsent(personID: Int64, purposeKey: String, attribution: Attribution, evidence: String? = nil, comment: String? = nil) throws -> Consent {
        let evidence = FreeText.nonBlank(evidence), comment = FreeText.nonBlank(comment)
        try FreeText.check(attribution)
        try FreeText.check(evidence, field: "evidence")
        try FreeText.check(comment, field: "comment")
        _ = try existingPerson(personID)
        let purpose = try lists.existingPurpose(purposeKey)
        let existing = try store.consent(personID: personID, purposeKey: purpose.key)
        guard let existing, existing.status == .given else {
            if let existing, existing.basisKey != LegalBasis.consentKey {
                throw LedgerError.notBasedOnConsent(purpose: purpose.key, basis: existing.basisKey)
            }
            throw LedgerError.consentNotGiven(purpose: purpose.key, status: existing?.status)
        }
        var consent = existing
        consent.status = .withdrawn
        consent.withdrawnAt = now
        return try save(consent, from: existing, type: .withdrawn, attribution: attribution, evidence: evidence, comment: comment)
    }

    /// Records that the person objected to processing for a purpose (Art. 21) and that processing stops.
    ///
    /// For a direct-marketing purpose the objection is absolute (Art. 21(3)) and the person is suppressed,
    /// so that no import gives consent for it again. A purpose never registered for the person is registered
    /// with status `objected`, so that the objection is on record before any data arrives.
    @discardableResult
    public func recordObjection(personID: Int64, purposeKey: String, attribution: Attribution, evidence: String? = nil, comment: String? = nil) throws -> Consent {
        let evidence = FreeText.nonBlank(evidence), comment = FreeText.nonBlank(comment)
        try FreeText.check(attribution)
        try FreeText.check(evidence, field: "evidence")
        try FreeText.check(comment, field: "comment")
        let person = try existingPerson(personID)
        let purpose = try lists.existingPurpose(purposeKey)
        if purpose.isDirectMarketing {
            try store.insertSuppression(Suppression(personID: personID, purposeKey: purpose.key, at: now, attribution: attribution))
        }
        guard let existing = try store.consent(personID: personID, purposeKey: purpose.key) else {
            let sourceKey = person.details.sourceKey ?? "unknown"
            let consent = try store.insertConsent(Consent(
                id: 0, personID: personID, purposeKey: purpose.key, basisKey: purpose.defaultBasisKey, status: .objected,
                sourceKey: sourceKey, comment: comment, consentText: nil, givenAt: nil, withdrawnAt: now,
                registeredAt: now, registeredBy: attribution.by, registeredVia: attribution.via, updatedAt: now,
                updatedBy: attribution.by, updatedVia: attribution.via, updateCount: 0))
            try store.appendConsentEvent(event(for: consent, type: .objected, from: nil, attribution: attribution, evidence: evidence, comment: comment))
            return consent
        }
        if existing.status == .objected {
            throw LedgerError.alreadyObjected(purpose: purpose.key, since: existing.withdrawnAt ?? existing.updatedAt)
        }
        var consent = existing
        consent.status = .objected
        consent.withdrawnAt = now
        return try save(consent, from: existing, type: .objected, attribution: attribution, evidence: evidence, comment: comment)
    }

    /// Records an officer's decision that processing for a purpose goes on despite the person's objection, for
    /// compelling legitimate grounds (Art. 21(1)): a consent event `objection-overridden` carrying the grounds.
    /// The status does not change, unless the objection was recorded already (`objected`, by `consent object` before
    /// the decision): processing then resumes (`not-applicable`). A purpose not yet registered for the person is
    /// registered on the purpose's default legal basis, since the decision confirms that it is processed.
    ///
    /// Refused for a direct-marketing purpose: there an objection is absolute (Art. 21(3)); and when processing stopped
    /// for another reason than an objection (``LedgerError/noObjectionToOverride(purpose:status:)``).
    @discardableResult
    public func recordObjectionOverride(personID: Int64, purposeKey: String, grounds: String, attribution: Attribution) throws -> Consent {
        try FreeText.check(attribution)
        try FreeText.check(grounds, field: "reason")
        let person = try existingPerson(personID)
        let purpose = try lists.existingPurpose(purposeKey)
        guard !purpose.isDirectMarketing else { throw LedgerError.objectionIsAbsolute(purpose: purpose.key) }
        let grounds = grounds.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !FreeText.isBlank(grounds) else {
            throw LedgerError.missingValue(field: "reason", reason: "write down the compelling legitimate grounds that override the objection")
        }
        guard let existing = try store.consent(personID: personID, purposeKey: purpose.key) else {
            let consent = try store.insertConsent(Consent(
                id: 0, personID: personID, purposeKey: purpose.key, basisKey: purpose.defaultBasisKey, status: .notApplicable,
                sourceKey: person.details.sourceKey ?? "unknown", comment: nil, consentText: nil, givenAt: nil, withdrawnAt: nil,
                registeredAt: now, registeredBy: attribution.by, registeredVia: attribution.via, updatedAt: now,
                updatedBy: attribution.by, updatedVia: attribution.via, updateCount: 0))
            try store.appendConsentEvent(event(for: consent, type: .objectionOverridden, from: nil, attribution: attribution, evidence: nil, comment: grounds))
            return consent
        }
        if existing.status == .objected {
            // The objection was recorded before the decision (`consent object`): processing stopped, and overriding
            // the objection takes it up again on the purpose's basis (not consent: that cannot be overridden).
            var consent = existing
            consent.status = .notApplicable
            consent.withdrawnAt = nil
            return try save(consent, from: existing, type: .objectionOverridden, attribution: attribution, evidence: nil, comment: grounds)
        }
        guard existing.status.allowsProcessing else {
            throw LedgerError.noObjectionToOverride(purpose: purpose.key, status: existing.status)
        }
        try store.appendConsentEvent(event(for: existing, type: .objectionOverridden, from: existing, attribution: attribution, evidence: nil, comment: grounds))
        return existing
    }

    // MARK: Statements

    /// Adds the person's supplementary statement to a field (Art. 16, second sentence): the statement is kept with the
    /// data and shown wherever the field is, without changing its value.
    @discardableResult
    public func addStatement(personID: Int64, field: PersonField, statement: String, attribution: Attribution) throws -> PersonStatement {
        try FreeText.check(attribution)
        try FreeText.check(statement, field: "statement")
        _ = try existingPerson(personID)
        let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !FreeText.isBlank(text) else { throw LedgerError.missingValue(field: "statement", reason: "give the text of the supplementary statement") }
        let record = PersonStatement(personID: personID, field: field, statement: text, at: now, attribution: attribution)
        try store.appendStatement(record)
        return record
    }

    /// Writes the event, then the changed consent (the schema refuses the reverse order).
    private func save(_ consent: Consent, from existing: Consent, type: ConsentEventType, attribution: Attribution, evidence: String?, comment: String?) throws -> Consent {
        var consent = consent
        consent.updatedAt = now
        consent.updatedBy = attribution.by
        consent.updatedVia = attribution.via
        consent.updateCount = existing.updateCount + 1
        try store.appendConsentEvent(event(for: consent, type: type, from: existing, attribution: attribution, evidence: evidence, comment: comment))
        try store.updateConsent(consent)
        return consent
    }

    private func event(for consent: Consent, type: ConsentEventType, from previous: Consent?, attribution: Attribution, evidence: String?, comment: String?) -> ConsentEvent {
        ConsentEvent(
            consentID: consent.id, personID: consent.personID, purposeKey: consent.purposeKey, at: now, type: type,
            fromStatus: previous?.status, toStatus: consent.status, fromBasis: previous?.basisKey, toBasis: consent.basisKey,
            fromSource: previous?.sourceKey, toSource: consent.sourceKey, attribution: attribution, evidence: evidence, comment: comment,
            givenAt: Self.givesConsent(type, consent) ? consent.givenAt : nil)
    }

    /// Whether an event of `type` that leaves `consent` as it is gives consent: the date of consent belongs to it.
    private static func givesConsent(_ type: ConsentEventType, _ consent: Consent) -> Bool {
        consent.status == .given && [.given, .renewed, .imported].contains(type)
    }
}
