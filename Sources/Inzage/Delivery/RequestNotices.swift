import Foundation

/// Writes the messages a request owes: to the person (acknowledgement, extension, answer, outcome, refusal) and to
/// the recipients of corrected data (Art. 19). Each is rendered from the templates and stored in the outbox of the
/// transaction that makes the change it reports, so that the message exists if and only if the change committed.
public struct RequestNotices: Sendable {
    /// Renders the messages.
    public let renderer: MessageRenderer

    /// Notices rendered by `renderer` (the shipped templates, overridden by the organisation's folder).
    public init(renderer: MessageRenderer = MessageRenderer()) {
        self.renderer = renderer
    }

    /// Where the person is written to, with their name when known; nil when no address is known (the answer then
    /// goes by post).
    ///
    /// For a matched person only an address on file is used: the one the request came from when it is the person's
    /// primary or secondary address, else the primary one. An address typed into a request that the ledger does not
    /// link to the person never receives the person's data (Art. 5(1)(f), 12(6)). When nobody matched, the answer
    /// ("we hold no data about you") goes to the address the request gave.
    public static func personAddress(for request: DataSubjectRequest, in ledger: any LedgerReader) throws -> MailAddress? {
        guard let personID = request.personID else {
            return request.subject.email.map { MailAddress(address: $0, name: request.subject.name) }
        }
        guard let person = try ledger.person(id: personID) else { return nil }
        let name = person.details.displayName.isEmpty ? request.subject.name : person.details.displayName
        let onFile = [person.details.email, person.details.secondaryEmail].compactMap { $0 }
        let given = request.subject.email.flatMap { email in onFile.first { $0.caseInsensitiveCompare(email) == .orderedSame } }
        guard let address = given ?? person.details.email else { return nil }
        return MailAddress(address: address, name: name)
    }

    /// Renders `content` about `request` for the person in their language and stores it in `outbox`.
    ///
    /// - Returns: the stored message, or nil when no e-mail address is known (the caller records that the answer
    ///   goes by post).
    @discardableResult
    public func notifyPerson(_ content: MessageContent, about request: DataSubjectRequest, ledger: any LedgerReader,
                             outbox: any OutboxWriter, at now: Date) throws -> StoredMessage? {
        guard let address = try Self.personAddress(for: request, in: ledger) else { return nil }
        let organisation = OrganisationProfile(settings: try ledger.settings())
        let language = MessageRenderer.language(for: request, organisation: organisation)
        let message = try renderer.render(content, about: request, to: address, in: language, organisation: organisation)
        return try Outbox.enqueue(message, at: now, in: outbox)
    }

    /// The "extract ready" content for an access request answered at `answeredAt` whose files expire at `expiresAt`:
    /// with `attachments` when the files go with the message (see ``attachments(for:organisation:)``), else with
    /// `words.collectionInstructions` of the label files, which say how the organisation hands them over.
    public func extractReady(formats: [ExtractFormat], attachments: [MessageAttachment]? = nil, dataHeld: Bool, answeredAt: Date,
                             expiresAt: Date, language: Language, calendar: DeadlineCalendar) throws -> MessageContent {
        let access: ExtractAccess
        if let attachments, !attachments.isEmpty {
            access = .attached(attachments)
        } else {
            access = .collection(instructions: try renderer.labels(language).word(.collectionInstructions))
        }
        return .extractReady(ExtractReadyDetails(
            formats: formats, access: access, availableUntil: calendar.localDate(for: expiresAt), dataHeld: dataHeld,
            answeredOn: calendar.localDate(for: answeredAt)))
    }

    /// The files of an answer to attach to its message, named after the request (`DSR-2026-000123.xlsx`); nil when
    /// they are handed over as the collection instructions say: the organisation chose `extract-delivery` =
    /// `instructions`, or in the e-mail (base64, a third larger) they would be larger than its `attachment-limit-mb`.
    public static func attachments(for written: [(ExtractFormat, ExtractArchive.WrittenFile)], reference: String,
                                   organisation: OrganisationProfile) -> [MessageAttachment]? {
        guard organisation.extractDelivery == .attachment, !written.isEmpty,
              written.reduce(Int64(0), { $0 + encodedSize(of: $1.1.size) }) <= organisation.attachmentLimit
        else { return nil }
        return written.map { format, file in
            MessageAttachment(fileName: "\(reference).\(format.fileExtension)", contentType: format.mediaType,
                              archivePath: file.relativePath, sha256: file.sha256, size: file.size)
        }
    }

    /// The size of `size` bytes in an e-mail: base64 (four characters for every three bytes) in lines of 76 characters
    /// with a CR LF after each.
    static func encodedSize(of size: Int64) -> Int64 {
        let characters = (size + 2) / 3 * 4
        return characters + (characters + 75) / 76 * 2
    }

    /// The recipients of the person's data: those of every purpose in ``disclosingPurposes(of:in:)``, in rank order.
    public static func recipients(of person: Person, in ledger: any LedgerReader) throws -> [Recipient] {
        var keys: [String] = []
        let byPurpose = try ledger.recipientKeysByPurpose()
        for purposeKey in try disclosingPurposes(of: person, in: ledger) {
            for key in byPurpose[purposeKey] ?? [] where !keys.contains(key) { keys.append(key) }
        }
        return try ledger.recipients().filter { keys.contains($0.key) }
    }

    /// What `recipient` is told: the person's name and identifiers (e-mail addresses, phone, external id, organisation) as far as
    /// it received them, so that it finds its record and learns nothing new about the person, and the results given.
    static func notificationDetails(_ results: [RectificationResult], person: Person, for recipient: Recipient) -> RecipientNotificationDetails {
        var known = PersonDetails()
        for field in PersonField.allCases where recipient.receives(field) { known[field] = person.details[field] }
        var identifiers: [FieldValue] = []
        for field in [PersonField.email, .secondaryEmail, .phone, .externalID, .organisation] {
            if let value = known[field] { identifiers.append(FieldValue(field, value)) }
        }
        return RecipientNotificationDetails(subjectName: known.displayName.isEmpty ? "—" : known.displayName, identifiers: identifiers,
                                            results: results)
    }

    /// The purposes for which the person's data is or was processed, so went to the purpose's recipients: the rule
    /// the extract uses for "Who received your data" — a purpose with a record, or one whose legal basis is not
    /// consent — except a record that never allowed processing: consent refused, or an objection recorded before
    /// any consent was given.
    static func disclosingPurposes(of person: Person, in ledger: any LedgerReader) throws -> [String] {
        let consents = Dictionary(try ledger.consents(personID: person.id).map { ($0.purposeKey, $0) }) { first, _ in first }
        return try ledger.purposes().compactMap { purpose in
            guard let consent = consents[purpose.key] else {
                return purpose.defaultBasisKey != LegalBasis.consentKey ? purpose.key : nil
            }
            let neverProcessed = consent.status == .refused
                || (consent.basisKey == LegalBasis.consentKey && consent.givenAt == nil && !consent.status.allowsProcessing)
            return neverProcessed ? nil : purpose.key
        }
    }

    /// Tells every recipient of the person's data about the corrections and supplements of a rectification request
    /// (Art. 19) and records each notification: planned (in the outbox), or exempt with the reason when the
    /// recipient has no contact address for notifications (informing it is then impossible).
    ///
    /// The recipients are those of every purpose for which the person's data is or was processed
    /// (``disclosingPurposes(of:in:)``) that received a corrected field (``Recipient/fields``); each is told only about
    /// the fields it received, and the person is named to it only by fields it holds. Returns the names of the
    /// recipients that were notified.
    ///
    /// `exemptions` names recipients an officer exempts (by key), with the reason — informing them would be impossible
    /// or involve disproportionate effort (Art. 19); a key that is not among the recipients, or one that received none
    /// of the corrected fields, is refused.
    public func notifyRecipients(of results: [RectificationResult], about request: DataSubjectRequest, person: Person,
                                 exemptions: [String: String] = [:], ledger: any LedgerReader, requests: any RequestWriter,
                                 outbox: any OutboxWriter, at now: Date) throws -> [String] {
        let recipients = try Self.recipients(of: person, in: ledger)
        for key in exemptions.keys.sorted() where !recipients.contains(where: { $0.key == key }) {
            throw RequestError.invalidDecision(field: "--exempt-recipient \(key)", reason: recipients.isEmpty
                ? "this person's data went to no recipient, so there is none to exempt; leave --exempt-recipient out"
                : "it is not a recipient of this person's data; recipients: \(recipients.map(\.key).joined(separator: ", "))")
        }
        let changes = results.filter(\.changedData)
        guard !changes.isEmpty else { return [] }
        // Each recipient learns only about the fields it received.
        let concerned = recipients.map { recipient in (recipient: recipient, results: changes.filter { recipient.receives($0.field) }) }
        for key in exemptions.keys.sorted() {
            guard let entry = concerned.first(where: { $0.recipient.key == key }), entry.results.isEmpty else { continue }
            throw RequestError.invalidDecision(field: "--exempt-recipient \(key)",
                                               reason: "it received none of the corrected fields (it receives: \(PersonField.text(of: entry.recipient.fields))), so it is not told anything; leave it out")
        }
        let organisation = OrganisationProfile(settings: try ledger.settings())
        var notified: [String] = []
        for (recipient, results) in concerned where !results.isEmpty {
            let details = Self.notificationDetails(results, person: person, for: recipient)
            if let reason = exemptions[recipient.key] {
                try requests.insertRecipientNotification(RecipientNotification(
                    requestID: request.id, recipientKey: recipient.key, recipientName: recipient.name, outboxMessageID: nil,
                    exemptReason: reason, at: now, status: .exempt))
                continue
            }
            guard let contact = recipient.contactEmail, FieldValidation.isValidEmail(contact) else {
                try requests.insertRecipientNotification(RecipientNotification(
                    requestID: request.id, recipientKey: recipient.key, recipientName: recipient.name, outboxMessageID: nil,
                    exemptReason: "Not sent: no contact address for notifications is registered for this recipient. Art. 19 still asks that it be told unless that is impossible or takes disproportionate effort, so tell it by other means; add an address with `inzage recipient update \(recipient.key) --contact-email E` for next time.",
                    at: now, status: .exempt))
                continue
            }
            let message = try renderer.render(.recipientNotification(details), about: request,
                                              to: MailAddress(address: contact, name: recipient.name),
                                              in: MessageRenderer.recipientLanguage, organisation: organisation)
            let stored = try Outbox.enqueue(message, at: now, in: outbox)
            try requests.insertRecipientNotification(RecipientNotification(
                requestID: request.id, recipientKey: recipient.key, recipientName: recipient.name, outboxMessageID: stored.id,
                exemptReason: nil, at: now, status: .planned))
            notified.append(recipient.name)
        }
        return notified
    }
}
