import Foundation
import GRDB
import Testing
@testable import Inzage

// Issue #5: objections applied at intake or decided by an officer, rectification reviews with their Art. 19
// notifications, refusals (Art. 12(4)), and a message in the outbox for every request event, in both languages.

/// An instant from an ISO 8601 text with offset.
private func moment(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "not an ISO 8601 date-time: \(text)")
}

/// The tables a decision writes to (and the ones it must leave alone), to prove that a refused decision wrote nothing.
private let decisionTables = [
    "person", "person_edit", "person_statement", "consent", "consent_event", "suppression",
    "request", "request_transition", "request_decision", "outbox_message", "recipient_notification",
]

/// Row counts of ``decisionTables``.
private func rowCounts(_ database: InzageDatabase) throws -> [String: Int] {
    try database.dbWriter.read { db in
        var counts: [String: Int] = [:]
        for table in decisionTables {
            counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
        }
        return counts
    }
}

/// `after` minus `before`, per table, leaving out the tables that did not change.
private func growth(from before: [String: Int], to after: [String: Int]) -> [String: Int] {
    var result: [String: Int] = [:]
    for (table, count) in after where count != before[table] { result[table] = count - (before[table] ?? 0) }
    return result
}

/// A ledger and a request queue on one database, both with a clock that stands still.
private struct Desk {
    let database: InzageDatabase
    let ledger: Ledger
    let queue: RequestQueue

    init(now: String = "2026-11-29T10:00:00Z", database: InzageDatabase? = nil) throws {
        let database = try database ?? InzageDatabase.inMemory()
        let clock = try moment(now)
        self.database = database
        ledger = Ledger(store: database, clock: { clock })
        queue = RequestQueue(store: database, clock: { clock })
    }

    /// The queue on the same database with its clock at `now`.
    func queueAt(_ now: String) throws -> RequestQueue {
        let clock = try moment(now)
        return RequestQueue(store: database, clock: { clock })
    }

    @discardableResult
    func person(_ first: String, _ last: String, email: String?, language: String = "nl", city: String? = nil,
                jobTitle: String? = nil, externalID: String? = nil) throws -> Person {
        try ledger.addPerson(PersonDetails(firstName: first, lastName: last, email: email, city: city, jobTitle: jobTitle,
                                           language: language, externalID: externalID, sourceKey: "business-card"),
                             attribution: officer)
    }

    /// Adds a recipient in the Netherlands, ranked after those there are, that receives `fields` (nil: all) of the
    /// person's data for each of `purposes`, besides the recipients those purposes have.
    func addRecipient(_ key: String, _ name: String, role: RecipientRole = .processor, contact: String?, fields: [PersonField]? = nil,
                      for purposes: [String]) throws {
        let rank = (try ledger.referenceLists().recipients.count + 1) * 10
        try ledger.addRecipient(Recipient(key: key, name: name, role: role, country: "NL", contactEmail: contact, fields: fields, rank: rank),
                                by: "privacy-officer")
        for purpose in purposes {
            let keys = try ledger.read { try $0.recipientKeys(purposeKey: purpose) }
            try ledger.setRecipients(keys + [key], forPurpose: purpose, by: "privacy-officer")
        }
    }

    /// Gives consent for e-marketing (basis consent) and registers sales-and-service (basis legitimate interest).
    func registerPurposes(_ person: Person) throws {
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-1"),
                               attribution: officer)
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "business-card"),
                               attribution: officer)
    }

    func consent(_ person: Person, _ purpose: String) throws -> Consent? {
        try ledger.read { try $0.consent(personID: person.id, purposeKey: purpose) }
    }

    func suppressions(_ person: Person) throws -> [Suppression] {
        try ledger.read { try $0.suppressions(personID: person.id) }
    }

    func statements(_ person: Person) throws -> [PersonStatement] {
        try ledger.read { try $0.statements(personID: person.id) }
    }

    /// Messages in the outbox, oldest first: all of them, or those about one request.
    func messages(_ requestID: Int64? = nil) throws -> [StoredMessage] {
        try database.readOutbox { outbox in
            if let requestID { return try outbox.messages(requestID: requestID) }
            return try outbox.messages(states: nil).sorted { $0.id < $1.id }
        }
    }

    func counts() throws -> [String: Int] { try rowCounts(database) }
}

private func objection(_ purposes: [String], email: String? = nil, externalID: String? = nil, grounds: String? = nil) -> RequestSubmission {
    RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: email, externalID: externalID),
                      objection: ObjectionContent(purposeKeys: purposes, grounds: grounds))
}

private func rectification(_ items: [RectificationItem], email: String, language: Language? = nil) -> RequestSubmission {
    RequestSubmission(type: .rectification, subject: SubjectIdentifiers(email: email), language: language, rectification: items)
}

private func access(email: String? = nil, externalID: String? = nil) -> RequestSubmission {
    RequestSubmission(type: .access, subject: SubjectIdentifiers(email: email, externalID: externalID))
}

// MARK: - Objections

@Suite("Request decisions: objections (Art. 21)")
struct ObjectionDecisionTests {
    @Test("An objection to direct marketing is applied at intake with no officer: completed, objected with the request reference, suppressed, confirmed, not acknowledged")
    func directMarketingAppliedAtIntake() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        let before = try desk.counts()

        let filed = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl", grounds: "Too many mails"), by: "intake")
        let request = filed.request
        #expect(!filed.alreadyFiled)
        #expect(request.personID == anna.id)
        #expect(request.state == .completed)

        let details = try desk.queue.details(request.reference)
        #expect(details.request.state == .completed)
        #expect(details.transitions.map(\.to) == [.received, .inProgress, .completed])
        #expect(details.transitions.map(\.from) == [nil, .received, .inProgress])
        #expect(details.transitions.last?.by == "system")
        #expect(details.transitions.last?.note?.contains("applied at once (Art. 21(3))") == true)
        #expect(details.transitions.last?.note?.contains("objection-confirmation") == true)

        let consent = try #require(try desk.consent(anna, "e-marketing"))
        #expect(consent.status == .objected)
        #expect(try desk.consent(anna, "sales-and-service")?.status == .notApplicable, "only the purpose objected to changes")

        let event = try #require(try desk.ledger.events(anna.id).last)
        #expect(event.type == .objected)
        #expect(event.purposeKey == "e-marketing")
        #expect(event.fromStatus == .given && event.toStatus == .objected)
        #expect(event.attribution.via == .request)
        #expect(event.attribution.requestReference == request.reference)
        #expect(event.attribution.by == "intake")
        #expect(event.comment == "Too many mails")

        let suppressions = try desk.suppressions(anna)
        #expect(suppressions.map(\.purposeKey) == ["e-marketing"])
        #expect(suppressions.first?.attribution.requestReference == request.reference)

        #expect(details.decisions.map(\.item) == ["e-marketing"])
        #expect(details.decisions.map(\.outcome) == [.applied])
        #expect(details.decisions.first?.reason == nil)

        let messages = try desk.messages(request.id)
        #expect(messages.map(\.message.kind) == [.objectionConfirmation], "a confirmation, and no acknowledgement for a request completed at once")
        let confirmation = try #require(messages.first)
        #expect(confirmation.message.recipient.address == "anna@example.nl")
        #expect(confirmation.message.recipient.name == "Anna Jansen")
        #expect(confirmation.message.language == .nl)
        #expect(confirmation.message.requestReference == request.reference)
        #expect(confirmation.message.body.contains("Wij gebruiken uw gegevens niet meer voor:\n- E-marketing"))
        #expect(confirmation.state == .pending)

        #expect(growth(from: before, to: try desk.counts()) == [
            "request": 1, "request_transition": 3, "request_decision": 1, "consent_event": 1, "suppression": 1, "outbox_message": 1,
        ])
    }

    @Test("A second objection to a purpose already objected to still completes, confirmed again, with no new consent event")
    func secondObjectionCompletes() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        let first = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl"), by: "intake").request
        let eventsBefore = try desk.ledger.events(anna.id)
        let before = try desk.counts()

        let second = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl"), by: "intake").request
        #expect(second.reference != first.reference)
        #expect(second.state == .completed)
        let details = try desk.queue.details(second.reference)
        #expect(details.transitions.map(\.to) == [.received, .inProgress, .completed])
        #expect(details.decisions.map(\.outcome) == [.applied])
        #expect(details.decisions.first?.reason?.hasPrefix("Already objected since") == true)
        #expect(try desk.consent(anna, "e-marketing")?.status == .objected)
        #expect(try desk.ledger.events(anna.id) == eventsBefore, "the objection stands; no second event")
        #expect(try desk.suppressions(anna).count == 1)
        #expect(try desk.suppressions(anna).first?.attribution.requestReference == first.reference, "the first objection keeps the suppression")
        #expect(try desk.messages(second.id).map(\.message.kind) == [.objectionConfirmation])
        #expect(growth(from: before, to: try desk.counts()) == [
            "request": 1, "request_transition": 3, "request_decision": 1, "outbox_message": 1,
        ])
    }

    @Test("After a direct-marketing objection an officer cannot give the consent again; an import is refused for that row only; only the person's own consent with evidence lifts it")
    func suppressionRefusesConsent() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        let reference = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl"), by: "intake").request.reference

        // An officer.
        var before = try desk.counts()
        let byOfficer = try #require(throws: LedgerError.self) {
            try desk.ledger.giveConsent(ConsentGrant(personID: anna.id, purposeKey: "e-marketing", sourceKey: "phone", evidence: "call-7"),
                                        attribution: officer)
        }
        guard case .suppressed(let personID, let purpose, _) = byOfficer else {
            Issue.record("expected suppressed, got \(byOfficer)")
            return
        }
        #expect(personID == anna.id && purpose == "e-marketing")
        #expect(try desk.counts() == before)

        // An import that claims the consent (even one that says it comes from the person).
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("crm-export.csv")
        try Data("""
            last_name,first_name,email,consents
            Jansen,Anna,anna@example.nl,e-marketing:consent
            Visser,Bram,bram@example.nl,e-marketing:consent
            de Vries,Carla,carla@example.nl,e-marketing:consent;sales-and-service

            """.utf8).write(to: file)
        before = try desk.counts()
        let summary = try desk.ledger.importFile(at: file.path, options: ImportOptions(sourceKey: "import", actor: "importer"))
        #expect(summary.rowsRead == 3)
        #expect(summary.consentsRefused == 1)
        #expect(summary.rowsRefused == 0)
        #expect(summary.personsCreated == 2)
        #expect(summary.consentsRecorded == 3)
        #expect(!summary.isComplete)
        let refusal = try #require(summary.refused.first)
        #expect(summary.refused.count == 1)
        #expect(refusal.line == 2 && refusal.field == "consents" && refusal.scope == .consent)
        #expect(refusal.reason.contains("objected"))
        #expect(try desk.consent(anna, "e-marketing")?.status == .objected)
        #expect(try desk.suppressions(anna).map(\.purposeKey) == ["e-marketing"])
        #expect(try desk.suppressions(anna).first?.attribution.requestReference == reference)
        let bram = try #require(try desk.ledger.findPersons(email: "bram@example.nl").first)
        #expect(try desk.consent(bram, "e-marketing")?.status == .given)
        let carla = try #require(try desk.ledger.findPersons(email: "carla@example.nl").first)
        #expect(try desk.consent(carla, "e-marketing")?.status == .given)
        #expect(try desk.consent(carla, "sales-and-service")?.status == .notApplicable)
        #expect(growth(from: before, to: try desk.counts())["consent_event"] == 3)

        let imported = Attribution(by: "importer", via: .import)
        #expect(throws: LedgerError.self) {
            try desk.ledger.giveConsent(ConsentGrant(personID: anna.id, purposeKey: "e-marketing", sourceKey: "import", evidence: "row 2",
                                                     fromPerson: true), attribution: imported)
        }

        // The person's own consent lifts the suppression, but only with evidence.
        before = try desk.counts()
        let noEvidence = try #require(throws: LedgerError.self) {
            try desk.ledger.giveConsent(ConsentGrant(personID: anna.id, purposeKey: "e-marketing", sourceKey: "web-form", fromPerson: true),
                                        attribution: officer)
        }
        guard case .missingValue(let field, _) = noEvidence else {
            Issue.record("expected missingValue, got \(noEvidence)")
            return
        }
        #expect(field == "evidence")
        #expect(try desk.counts() == before)

        let lifted = try desk.ledger.giveConsent(
            ConsentGrant(personID: anna.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-2027-001", fromPerson: true),
            attribution: officer)
        #expect(lifted.status == .given)
        #expect(try desk.suppressions(anna).isEmpty)
        let event = try #require(try desk.ledger.events(anna.id).last)
        #expect(event.fromStatus == .objected && event.toStatus == .given)
        #expect(event.evidence == "form-2027-001")
    }

    @Test("An objection on sales-and-service waits for an officer; upheld: consent objected, no suppression, completed, a decision message")
    func upheld() throws {
        let desk = try Desk()
        let bram = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        try desk.registerPurposes(bram)

        let filed = try desk.queue.file(objection(["sales-and-service"], email: "bram@example.nl", grounds: "I moved abroad"), by: "intake").request
        #expect(filed.state == .awaitingDecision)
        let waiting = try desk.queue.details(filed.reference)
        #expect(waiting.transitions.map(\.to) == [.received, .inProgress, .awaitingDecision])
        #expect(waiting.transitions.last?.note?.contains("Art. 21(1)") == true)
        #expect(waiting.decisions.isEmpty)
        #expect(try desk.queue.pendingObjectionPurposes(filed.reference) == ["sales-and-service"])
        #expect(try desk.consent(bram, "sales-and-service")?.status == .notApplicable, "nothing changes before the decision")
        #expect(try desk.messages(filed.id).map(\.message.kind) == [.acknowledgement])

        let before = try desk.counts()
        let result = try desk.queue.decide(filed.reference, verdict: .uphold, reason: "No compelling grounds", by: "dpo")
        #expect(result.request.state == .completed)
        #expect(result.pendingPurposes.isEmpty)
        #expect(result.decided.map(\.outcome) == [.upheld])
        #expect(result.decided.map(\.item) == ["sales-and-service"])

        let consent = try #require(try desk.consent(bram, "sales-and-service"))
        #expect(consent.status == .objected)
        let event = try #require(try desk.ledger.events(bram.id).last)
        #expect(event.type == .objected && event.purposeKey == "sales-and-service")
        #expect(event.fromStatus == .notApplicable && event.toStatus == .objected)
        #expect(event.attribution.requestReference == filed.reference && event.attribution.by == "dpo" && event.attribution.via == .request)
        #expect(try desk.suppressions(bram).isEmpty, "only direct marketing is suppressed")
        #expect(try desk.consent(bram, "e-marketing")?.status == .given)

        let message = try #require(result.message)
        #expect(message.message.kind == .objectionDecision)
        #expect(message.message.recipient.address == "bram@example.nl")
        #expect(message.message.language == .en)
        #expect(message.message.body.contains("We agree with you. We stop using your data for:\n- Sales and service\n  Why: No compelling grounds"),
                "the officer's reason, which the extract shows too")
        #expect(!message.message.body.contains("We will continue to use your data"))

        let details = try desk.queue.details(filed.reference)
        #expect(details.request.state == .completed)
        #expect(details.transitions.last?.from == .awaitingDecision && details.transitions.last?.by == "dpo")
        #expect(details.transitions.last?.note?.contains("sales-and-service: upheld") == true)
        #expect(details.messages.map(\.message.kind) == [.acknowledgement, .objectionDecision])
        #expect(growth(from: before, to: try desk.counts()) == [
            "consent_event": 1, "request_transition": 1, "request_decision": 1, "outbox_message": 1,
        ])

        // Deciding again is refused and writes nothing.
        let counts = try desk.counts()
        let again = try #require(throws: RequestError.self) {
            try desk.queue.decide(filed.reference, verdict: .override, reason: "Second thoughts", by: "dpo")
        }
        #expect(again == .requestClosed(reference: filed.reference, state: .completed))
        #expect(try desk.counts() == counts)
    }

    @Test("Overriding an objection the officer already recorded with `consent object` takes processing up again, with the grounds")
    func overriddenAfterRecordedObjection() throws {
        let desk = try Desk()
        let bram = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        try desk.registerPurposes(bram)
        let filed = try desk.queue.file(objection(["sales-and-service"], email: "bram@example.nl"), by: "intake").request
        _ = try desk.ledger.recordObjection(personID: bram.id, purposeKey: "sales-and-service", attribution: Attribution(by: "officer", via: .cli))
        #expect(try desk.consent(bram, "sales-and-service")?.status == .objected)
        let grounds = "We must keep your invoices for seven years (tax law)."
        let result = try desk.queue.decide(filed.reference, verdict: .override, reason: grounds, by: "dpo")
        #expect(result.request.state == .rejected && result.decided.map(\.outcome) == [.overridden])
        let consent = try #require(try desk.consent(bram, "sales-and-service"))
        #expect(consent.status == .notApplicable && consent.withdrawnAt == nil, "processing goes on")
        let event = try #require(try desk.ledger.events(bram.id).last)
        #expect(event.type == .objectionOverridden && event.fromStatus == .objected && event.toStatus == .notApplicable && event.comment == grounds)
    }

    @Test("Overridden: the grounds are a consent event objection-overridden, the status stays, the request is rejected, the person reads the grounds and where to complain")
    func overridden() throws {
        let desk = try Desk()
        let bram = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        try desk.registerPurposes(bram)
        let filed = try desk.queue.file(objection(["sales-and-service"], email: "bram@example.nl"), by: "intake").request
        let grounds = "We must keep your invoices for seven years (tax law), and your open order is still being delivered."

        // An empty reason is refused, and nothing is written.
        let before = try desk.counts()
        for reason in ["", "   \n"] {
            let error = try #require(throws: RequestError.self) {
                try desk.queue.decide(filed.reference, verdict: .override, reason: reason, by: "dpo")
            }
            guard case .invalidDecision(let field, _) = error else {
                Issue.record("expected invalidDecision, got \(error)")
                continue
            }
            #expect(field == "--reason")
            #expect(error.isUsageError)
        }
        #expect(try desk.counts() == before)
        #expect(try desk.queue.request(filed.reference).state == .awaitingDecision)

        let result = try desk.queue.decide(filed.reference, verdict: .override, reason: grounds, by: "dpo")
        #expect(result.request.state == .rejected)
        #expect(result.decided.map(\.outcome) == [.overridden])
        #expect(result.decided.first?.reason == grounds)

        let consent = try #require(try desk.consent(bram, "sales-and-service"))
        #expect(consent.status == .notApplicable, "processing goes on")
        let event = try #require(try desk.ledger.events(bram.id).last)
        #expect(event.type == .objectionOverridden)
        #expect(event.purposeKey == "sales-and-service")
        #expect(event.comment == grounds)
        #expect(event.fromStatus == .notApplicable && event.toStatus == .notApplicable)
        #expect(event.attribution.requestReference == filed.reference)
        #expect(try desk.suppressions(bram).isEmpty)

        let message = try #require(result.message)
        #expect(message.message.kind == .objectionDecision)
        let body = message.message.body
        #expect(body.contains("We will continue to use your data for these purposes:\n- Sales and service\n  Why: \(grounds)"))
        #expect(body.contains("Autoriteit Persoonsgegevens"))
        #expect(body.contains("supervisory authority (Art. 77 GDPR)"))
        #expect(body.contains("go to court (Art. 79 GDPR)"))
        #expect(!body.contains("We agree with you"))
        #expect(growth(from: before, to: try desk.counts()) == [
            "consent_event": 1, "request_transition": 1, "request_decision": 1, "outbox_message": 1,
        ])
        #expect(try desk.queue.details(filed.reference).transitions.last?.to == .rejected)
    }

    @Test("A mixed objection: e-marketing applied at intake, sales-and-service overridden later: partially completed")
    func mixed() throws {
        let desk = try Desk()
        let bram = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        try desk.registerPurposes(bram)
        let filed = try desk.queue.file(objection(["e-marketing", "sales-and-service"], email: "bram@example.nl"), by: "intake").request
        #expect(filed.state == .awaitingDecision)
        #expect(try desk.consent(bram, "e-marketing")?.status == .objected)
        #expect(try desk.suppressions(bram).map(\.purposeKey) == ["e-marketing"])
        #expect(try desk.consent(bram, "sales-and-service")?.status == .notApplicable)
        #expect(try desk.queue.pendingObjectionPurposes(filed.reference) == ["sales-and-service"])
        let waiting = try desk.queue.details(filed.reference)
        #expect(waiting.decisions.map(\.item) == ["e-marketing"] && waiting.decisions.map(\.outcome) == [.applied])
        #expect(waiting.transitions.last?.note?.contains("applied at once") == true)
        #expect(waiting.transitions.last?.note?.contains("waits for an officer's decision") == true)
        #expect(Set(waiting.messages.map(\.message.kind)) == [.objectionConfirmation, .acknowledgement])
        #expect(waiting.messages.count == 2)

        // e-marketing is not waiting for anyone: it cannot be decided, let alone overridden.
        let notWaiting = try #require(throws: RequestError.self) {
            try desk.queue.decide(filed.reference, verdict: .override, reason: "We want to", purposes: ["e-marketing"], by: "dpo")
        }
        guard case .invalidDecision(let field, _) = notWaiting else {
            Issue.record("expected invalidDecision, got \(notWaiting)")
            return
        }
        #expect(field == "--purpose")

        let result = try desk.queue.decide(filed.reference, verdict: .override, reason: "Your contract runs until June", by: "dpo")
        #expect(result.request.state == .partiallyCompleted)
        let details = try desk.queue.details(filed.reference)
        #expect(details.decisions.map(\.outcome) == [.applied, .overridden])
        #expect(details.transitions.map(\.to) == [.received, .inProgress, .awaitingDecision, .partiallyCompleted])
        #expect(try desk.consent(bram, "e-marketing")?.status == .objected, "the absolute objection stands")
        let message = try #require(result.message)
        #expect(message.message.body.contains("Why: Your contract runs until June"))
        #expect(!message.message.body.contains("- E-marketing"), "the decision letter is about the purposes decided by the officer")
        #expect(details.messages.map(\.message.kind).last == .objectionDecision)
    }

    @Test("An objection to direct marketing cannot be overridden through the ledger: objectionIsAbsolute, nothing written")
    func directMarketingOverrideIsRefused() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        _ = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl"), by: "intake")
        let before = try desk.counts()
        let error = try #require(throws: LedgerError.self) {
            try desk.ledger.write { transaction in
                try transaction.recordObjectionOverride(personID: anna.id, purposeKey: "e-marketing", grounds: "We need the revenue",
                                                        attribution: Attribution(by: "dpo", via: .cli))
            }
        }
        #expect(error == .objectionIsAbsolute(purpose: "e-marketing"))
        #expect(error.description.contains("Art. 21(3)"))
        #expect(try desk.counts() == before)
        #expect(try desk.consent(anna, "e-marketing")?.status == .objected)
    }
}

// MARK: - Rectification

@Suite("Request decisions: rectification review (Art. 16, 19)")
struct RectificationDecisionTests {
    /// Anna (nl) with a city and a job title, Bram whose e-mail address Anna asks for, and a four-item request.
    private func fourItems(_ desk: Desk) throws -> (Person, Person, DataSubjectRequest) {
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam", jobTitle: "Hoofd inkoop")
        let bram = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        let request = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Utrecht"),
            RectificationItem(field: .lastName, requestedValue: "Jansen-Smit"),
            RectificationItem(field: .jobTitle, requestedValue: nil, statement: "Ik ben sinds 2025 geen hoofd inkoop meer."),
            RectificationItem(field: .email, requestedValue: "bram@example.nl"),
        ], email: "anna@example.nl"), by: "intake").request
        return (anna, bram, request)
    }

    @Test("A rectification for a known person waits for review, acknowledged; the review lists items with current values")
    func waitsForReview() throws {
        let desk = try Desk()
        let (anna, _, request) = try fourItems(desk)
        #expect(request.personID == anna.id)
        #expect(request.state == .awaitingDecision)
        let details = try desk.queue.details(request.reference)
        #expect(details.transitions.map(\.to) == [.received, .awaitingDecision])
        #expect(details.transitions.last?.note?.contains("4 items to review") == true)
        #expect(details.messages.map(\.message.kind) == [.acknowledgement])
        let review = try desk.queue.review(request.reference)
        #expect(review.items.map(\.number) == [1, 2, 3, 4])
        #expect(review.items.map(\.currentValue) == ["Amsterdam", "Jansen", "Hoofd inkoop", "anna@example.nl"])
        #expect(review.items.allSatisfy { $0.decision == nil })
        #expect(review.recipientNotifications.isEmpty)
    }

    @Test("A review that leaves an item undecided, decides one twice, names an unknown item or rejects without a reason is refused, and nothing is written")
    func incompleteReviewWritesNothing() throws {
        let desk = try Desk()
        let (anna, _, request) = try fourItems(desk)
        let before = try desk.counts()
        let invalid: [[ReviewAction]] = [
            [.accept(item: 1), .reject(item: 2, reason: "No"), .accept(item: 3)],
            [.accept(item: 1), .reject(item: 2, reason: "No"), .accept(item: 3), .reject(item: 4, reason: "No"), .accept(item: 1)],
            [.accept(item: 1), .reject(item: 2, reason: "No"), .accept(item: 3), .reject(item: 4, reason: "No"), .accept(item: 5)],
            [.accept(item: 1), .reject(item: 2, reason: "  "), .accept(item: 3), .reject(item: 4, reason: "No")],
            [],
        ]
        for actions in invalid {
            let error = try #require(throws: RequestError.self) { try desk.queue.review(request.reference, actions: actions, by: "officer") }
            guard case .invalidDecision = error else {
                Issue.record("expected invalidDecision for \(actions), got \(error)")
                continue
            }
            #expect(error.isUsageError)
        }
        let missing = try #require(throws: RequestError.self) {
            try desk.queue.review(request.reference, actions: [.accept(item: 1), .reject(item: 2, reason: "No"), .accept(item: 3)], by: "officer")
        }
        #expect(missing.description.contains("item 4 has no decision"))
        #expect(try desk.counts() == before)
        #expect(try desk.ledger.person(id: anna.id).details.city == "Amsterdam")
        #expect(try desk.queue.request(request.reference).state == .awaitingDecision)
    }

    @Test("Accepting another person's e-mail address is refused by the ledger, and nothing of the review is written")
    func duplicateEmailWritesNothing() throws {
        let desk = try Desk()
        let (anna, bram, request) = try fourItems(desk)
        let before = try desk.counts()
        let error = try #require(throws: LedgerError.self) {
            try desk.queue.review(request.reference, actions: [.accept(item: 1), .reject(item: 2, reason: "No"), .accept(item: 3), .accept(item: 4)],
                                  by: "officer")
        }
        #expect(error == .duplicateEmail(field: "email", personID: bram.id))
        #expect(try desk.counts() == before)
        let unchanged = try desk.ledger.person(id: anna.id).details
        #expect(unchanged.city == "Amsterdam" && unchanged.email == "anna@example.nl")
        #expect(try desk.statements(anna).isEmpty)
        #expect(try desk.queue.request(request.reference).state == .awaitingDecision)
        #expect(try desk.queue.review(request.reference).items.allSatisfy { $0.decision == nil })
    }

    @Test("A full review corrects, rejects and adds a statement in one go: edits with the request reference, decisions with before and after, partially completed, an outcome with the Art. 12(4) notice")
    func fullReview() throws {
        let desk = try Desk()
        let (anna, _, request) = try fourItems(desk)
        let before = try desk.counts()
        let review = try desk.queue.review(request.reference, actions: [
            .accept(item: 1),
            .reject(item: 2, reason: "Uw achternaam staat zo in uw contract; stuur ons een kopie van uw paspoort."),
            .accept(item: 3),
            .reject(item: 4, reason: "Dit e-mailadres hoort bij een andere klant."),
        ], by: "officer-eva")

        #expect(review.request.state == .partiallyCompleted)
        let person = try desk.ledger.person(id: anna.id).details
        #expect(person.city == "Utrecht")
        #expect(person.lastName == "Jansen")
        #expect(person.jobTitle == nil, "accepting an item that asks for removal with a statement removes the value and keeps the statement")
        #expect(person.email == "anna@example.nl")

        let edit = try #require(try desk.ledger.edits(anna.id).last { $0.field == .city })
        #expect(edit.oldValue == "Amsterdam" && edit.newValue == "Utrecht")
        let removal = try #require(try desk.ledger.edits(anna.id).last { $0.field == .jobTitle })
        #expect(removal.oldValue == "Hoofd inkoop" && removal.newValue == nil && removal.attribution.requestReference == request.reference)
        #expect(edit.attribution.reason == "rectification")
        #expect(edit.attribution.requestReference == request.reference)
        #expect(edit.attribution.via == .request && edit.attribution.by == "officer-eva")

        let statements = try desk.statements(anna)
        #expect(statements.count == 1)
        let statement = try #require(statements.first)
        #expect(statement.field == .jobTitle && statement.statement == "Ik ben sinds 2025 geen hoofd inkoop meer.")
        #expect(statement.attribution.requestReference == request.reference && statement.attribution.reason == "rectification")

        let decisions = try desk.queue.details(request.reference).decisions
        #expect(decisions.map(\.item) == ["1", "2", "3", "4"])
        #expect(decisions.map(\.outcome) == [.accepted, .rejected, .accepted, .rejected])
        #expect(decisions[0].field == .city && decisions[0].before == "Amsterdam" && decisions[0].after == "Utrecht")
        #expect(decisions[0].requestedValue == "Utrecht")
        #expect(decisions[1].reason?.hasPrefix("Uw achternaam staat zo in uw contract") == true)
        #expect(decisions[1].before == nil && decisions[1].after == nil)
        #expect(decisions[2].statement == "Ik ben sinds 2025 geen hoofd inkoop meer.")
        #expect(decisions[2].before == "Hoofd inkoop" && decisions[2].after == nil)
        #expect(decisions.allSatisfy { $0.by == "officer-eva" })
        #expect(review.items.map { $0.decision?.outcome } == [.accepted, .rejected, .accepted, .rejected])

        #expect(growth(from: before, to: try desk.counts()) == [
            "person_edit": 2, "person_statement": 1, "request_decision": 4, "outbox_message": 1, "request_transition": 1,
        ])

        let message = try #require(review.message)
        #expect(message.message.kind == .rectificationOutcome)
        #expect(message.message.recipient.address == "anna@example.nl")
        #expect(message.message.language == .nl)
        let body = message.message.body
        #expect(body.contains("Dit hebben wij verbeterd:"))
        #expect(body.contains("  Was: Amsterdam\n  Is nu: Utrecht"))
        #expect(body.contains("Ik ben sinds 2025 geen hoofd inkoop meer."))
        #expect(body.contains("  U vroeg: Jansen-Smit\n  Waarom wij dit niet veranderen: Uw achternaam staat zo in uw contract"))
        #expect(body.contains("Dit e-mailadres hoort bij een andere klant."))
        #expect(body.contains("Autoriteit Persoonsgegevens"))
        #expect(body.contains("toezichthouder (art. 77 AVG)"))
        #expect(body.contains("naar de rechter gaan (art. 79 AVG)"))
        #expect(!body.contains("doorgegeven aan de organisaties"), "no recipient was told")

        let details = try desk.queue.details(request.reference)
        #expect(details.transitions.map(\.to) == [.received, .awaitingDecision, .partiallyCompleted])
        #expect(details.transitions.last?.by == "officer-eva")
        #expect(details.transitions.last?.note?.contains("2 corrected, 2 rejected") == true)

        // Reviewing again is refused and writes nothing.
        let counts = try desk.counts()
        let again = try #require(throws: RequestError.self) {
            try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2), .accept(item: 3), .reject(item: 4, reason: "No")],
                                  by: "officer")
        }
        #expect(again == .requestClosed(reference: request.reference, state: .partiallyCompleted))
        #expect(try desk.counts() == counts)
        #expect(try desk.ledger.person(id: anna.id).details.lastName == "Jansen")
    }

    @Test("A review whose outcome message cannot be rendered is not applied at all: no edit, statement, decision, notification or message")
    func reviewIsAtomic() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let messages = directory.appendingPathComponent("messages")
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        try Data("Beste {{recipientName}},\n{{noSuchVariable}}\n".utf8)
            .write(to: messages.appendingPathComponent("rectification-outcome.nl.body.mustache"))

        let desk = try Desk()
        try desk.addRecipient("mailing-service", "Nieuwsbrief Diensten B.V.", contact: "dpo@nieuwsbrief.example", for: ["e-marketing"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam", jobTitle: "Hoofd inkoop")
        try desk.registerPurposes(anna)
        let clock = try moment("2026-11-29T10:00:00Z")
        let queue = RequestQueue(store: desk.database, notices: RequestNotices(renderer: MessageRenderer(overrideDirectory: directory)),
                                 clock: { clock })
        let request = try queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Utrecht"),
            RectificationItem(field: .jobTitle, requestedValue: nil, statement: "Ik ben geen hoofd inkoop meer."),
        ], email: "anna@example.nl"), by: "intake").request
        #expect(request.state == .awaitingDecision)

        let before = try desk.counts()
        #expect(throws: MessageError.self) {
            try queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)], by: "officer")
        }
        #expect(try desk.counts() == before)
        #expect(try desk.ledger.person(id: anna.id).details.city == "Amsterdam")
        #expect(try desk.statements(anna).isEmpty)
        #expect(try desk.queue.request(request.reference).state == .awaitingDecision)

        // With the shipped templates the same review goes through.
        let done = try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)], by: "officer")
        #expect(done.request.state == .completed)
        #expect(growth(from: before, to: try desk.counts()) == [
            "person_edit": 2, "person_statement": 1, "request_decision": 2, "recipient_notification": 1, "outbox_message": 2,
            "request_transition": 1,
        ])
    }

    @Test("Every item carried out (a correction and an officer's statement) completes the request; every item rejected rejects it")
    func endStates() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam", jobTitle: "Hoofd inkoop")
        let all = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Utrecht"),
            RectificationItem(field: .jobTitle, requestedValue: "Inkoper"),
        ], email: "anna@example.nl"), by: "intake").request
        let accepted = try desk.queue.review(all.reference, actions: [
            .accept(item: 1), .statement(item: 2, text: "De klant noemt zich inkoper; het contract zegt hoofd inkoop."),
        ], by: "officer")
        #expect(accepted.request.state == .completed)
        #expect(try desk.queue.details(all.reference).decisions.map(\.outcome) == [.accepted, .supplemented])
        #expect(try desk.ledger.person(id: anna.id).details.jobTitle == "Hoofd inkoop")
        #expect(try desk.statements(anna).map(\.statement) == ["De klant noemt zich inkoper; het contract zegt hoofd inkoop."])
        #expect(try #require(accepted.message).message.body.contains("Deze aanvulling van u hebben wij bij uw gegevens gezet:"))
        #expect(try #require(accepted.message).message.body.contains("Autoriteit Persoonsgegevens") == false,
                "no complaint notice when every item was carried out")

        let none = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Leiden"),
            RectificationItem(field: .lastName, requestedValue: "Jansma"),
        ], email: "anna@example.nl"), by: "intake").request
        let before = try desk.counts()
        let rejected = try desk.queue.review(none.reference, actions: [
            .reject(item: 1, reason: "U woont in Utrecht volgens uw eigen opgave."), .reject(item: 2, reason: "Geen bewijs."),
        ], by: "officer")
        #expect(rejected.request.state == .rejected)
        #expect(try desk.ledger.person(id: anna.id).details.city == "Utrecht")
        #expect(growth(from: before, to: try desk.counts()) == ["request_decision": 2, "outbox_message": 1, "request_transition": 1])
        let body = try #require(rejected.message).message.body
        #expect(!body.contains("Dit hebben wij verbeterd:"))
        #expect(body.contains("Dit hebben wij niet veranderd:") && body.contains("Autoriteit Persoonsgegevens"))
    }

    @Test("An item already as the person asked is decided already-correct: nothing is edited, no recipient is told, the request completes and the person reads that it was already so")
    func alreadyCorrect() throws {
        let desk = try Desk()
        try desk.addRecipient("mailing-service", "Nieuwsbrief Diensten B.V.", contact: "dpo@nieuwsbrief.example", for: ["e-marketing"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        try desk.registerPurposes(anna)
        let request = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Amsterdam"),
            RectificationItem(field: .jobTitle, requestedValue: nil),
        ], email: "anna@example.nl"), by: "intake").request
        let style = TextStyle(timeZone: try #require(TimeZone(identifier: "Europe/Amsterdam")))
        #expect(RectificationReviewDocument(try desk.queue.review(request.reference)).text(style: style).contains("— (already as asked)"),
                "the officer sees it before deciding")
        let before = try desk.counts()
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)], by: "officer")

        #expect(review.request.state == .completed, "the person has everything they asked for")
        #expect(growth(from: before, to: try desk.counts()) == ["request_decision": 2, "outbox_message": 1, "request_transition": 1],
                "no edit, statement or recipient notification; one message, to the person")
        let decisions = try desk.queue.details(request.reference).decisions
        #expect(decisions.map(\.outcome) == [.alreadyCorrect, .alreadyCorrect])
        #expect(decisions.map(\.before) == ["Amsterdam", nil] && decisions.map(\.after) == ["Amsterdam", nil])
        #expect(decisions.map(\.requestedValue) == ["Amsterdam", nil])
        #expect(review.items.map(\.currentValue) == ["Amsterdam", nil])
        #expect(try desk.queue.details(request.reference).transitions.last?.note?.hasPrefix("Reviewed 2 items: 2 already correct; 0 recipients notified") == true)
        let body = try #require(review.message).message.body
        #expect(body.contains("Deze gegevens stonden al zoals u vroeg. Wij hoefden ze daarom niet te veranderen:\n- Plaats: Amsterdam\n- Functie: (leeg)\n"))
        #expect(!body.contains("Dit hebben wij verbeterd:") && !body.contains("Dit hebben wij niet veranderd:"))
        #expect(!body.contains("Autoriteit Persoonsgegevens"), "nothing was refused, so no complaint notice")
        #expect(!body.contains("doorgegeven"), "no recipient was told")
        let text = RectificationReviewDocument(review).text(style: TextStyle(timeZone: try #require(TimeZone(identifier: "Europe/Amsterdam"))))
        #expect(text.contains("already correct: Amsterdam, nothing changed"))
    }

    @Test("An item already as asked that carries the person's statement: already correct, and the statement added and passed on")
    func alreadyCorrectWithStatement() throws {
        let desk = try Desk()
        try desk.addRecipient("archive", "Archief Opslag B.V.", contact: "archief@opslag.example", for: ["sales-and-service"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", jobTitle: "Gepensioneerd")
        try desk.registerPurposes(anna)
        let statement = "Ik werk niet meer; ik ben sinds 2025 met pensioen."
        let request = try desk.queue.file(rectification([RectificationItem(field: .jobTitle, requestedValue: "Gepensioneerd", statement: statement)],
                                                        email: "anna@example.nl"), by: "intake").request
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1)], by: "officer")
        #expect(review.request.state == .completed)
        let decision = try #require(try desk.queue.details(request.reference).decisions.first)
        #expect(decision.outcome == .alreadyCorrect && decision.statement == statement && decision.after == "Gepensioneerd")
        #expect(try desk.statements(anna).map(\.statement) == [statement])
        let body = try #require(review.message).message.body
        #expect(body.contains("Wij hoefden ze daarom niet te veranderen:\n- Functie: Gepensioneerd\n"))
        #expect(body.contains("Deze aanvulling van u hebben wij bij uw gegevens gezet:\n- Functie: \(statement)"))
        #expect(review.recipientNotifications.map(\.recipientKey) == ["archive"], "the statement is new data for the recipient")
        let notice = try #require(try desk.messages(request.id).first { $0.message.kind == .recipientNotification })
        #expect(notice.message.body.contains(statement) && !notice.message.body.contains("Was:"), "a statement, no change of value")
    }

    @Test("Art. 19 with the fields each recipient received: only those that received a corrected field are told, only about those fields, and the person is named by what they hold")
    func recipientsLearnOnlyTheirFields() throws {
        let desk = try Desk()
        try desk.addRecipient("mailing-service", "Nieuwsbrief Diensten B.V.", contact: "dpo@nieuwsbrief.example",
                              fields: [.firstName, .lastName, .email], for: ["e-marketing"])
        try desk.addRecipient("accountant", "Cijfer & Co Accountants", role: .controller, contact: "info@cijferco.example", for: ["sales-and-service"])
        try desk.addRecipient("archive", "Archief Opslag B.V.", contact: "archief@opslag.example", fields: [.lastName, .city], for: ["sales-and-service"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam", jobTitle: "Hoofd inkoop")
        try desk.registerPurposes(anna)
        let request = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Utrecht"),
            RectificationItem(field: .jobTitle, requestedValue: "Inkoper", statement: "Ik werk sinds september als zzp'er."),
        ], email: "anna@example.nl"), by: "intake").request

        let exempted = try #require(throws: RequestError.self) {
            try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)],
                                  exemptRecipients: ["mailing-service": "Geen contact."], by: "officer")
        }
        #expect(exempted.description.contains("received none of the corrected fields (it receives: first-name,last-name,email)"))

        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)], by: "officer")
        #expect(Set(review.recipientNotifications.map(\.recipientKey)) == ["accountant", "archive"],
                "the mailing service received neither the city nor the job title")
        let notices = Dictionary(uniqueKeysWithValues: try desk.messages(request.id)
            .filter { $0.message.kind == .recipientNotification }.map { ($0.message.recipient.address, $0.message.body) })
        let archive = try #require(notices["archief@opslag.example"])
        #expect(archive.contains("Naam: Jansen\n"), "named only by the last name it holds")
        #expect(archive.contains("  Was: Amsterdam\n  Is nu: Utrecht"))
        for unknown in ["Anna", "anna@example.nl", "Inkoper", "Hoofd inkoop", "zzp'er"] {
            #expect(!archive.contains(unknown), "the archive never received \(unknown)")
        }
        let accountant = try #require(notices["info@cijferco.example"])
        #expect(accountant.contains("Naam: Anna Jansen") && accountant.contains("anna@example.nl"))
        #expect(accountant.contains("Utrecht") && accountant.contains("Inkoper") && accountant.contains("Ik werk sinds september als zzp'er."))
        let outcome = try #require(review.message).message.body
        #expect(outcome.contains("- Cijfer & Co Accountants") && outcome.contains("- Archief Opslag B.V.") && !outcome.contains("Nieuwsbrief"))
    }

    @Test("A recipient is told who the correction is about by the values it holds: those from before the correction")
    func recipientsFindThePersonByOldValues() throws {
        let desk = try Desk()
        try desk.addRecipient("archive", "Archief Opslag B.V.", contact: "archief@opslag.example", fields: [.lastName, .phone], for: ["sales-and-service"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        _ = try desk.ledger.updatePerson(id: anna.id, changes: [.phone: "+31 6 11111111"], attribution: officer)
        try desk.registerPurposes(anna)
        let request = try desk.queue.file(rectification([
            RectificationItem(field: .lastName, requestedValue: "Jansen-Smit"), RectificationItem(field: .phone, requestedValue: "+31 6 22222222"),
        ], email: "anna@example.nl"), by: "intake").request
        try desk.queue.review(request.reference, actions: [.accept(item: 1), .accept(item: 2)], by: "officer")
        let notice = try #require(try desk.messages(request.id).first { $0.message.kind == .recipientNotification }).message.body
        #expect(notice.contains("Naam: Jansen\nTelefoonnummer: +31 6 11111111\n"), "\(notice)")
        #expect(notice.contains("  Was: Jansen\n  Is nu: Jansen-Smit") && notice.contains("  Was: +31 6 11111111\n  Is nu: +31 6 22222222"))
    }

    @Test("A recipient's fields are set as a comma-separated list or all, checked, kept in the list's history and shown")
    func recipientFields() throws {
        let desk = try Desk()
        try desk.ledger.addRecipient(Recipient(key: "archive", name: "Archief Opslag B.V.", role: .processor, country: "NL", rank: 30),
                                     by: "privacy-officer")
        try desk.ledger.updateEntry(.recipient, key: "archive", changes: [("fields", " City, last-name ,city")], by: "privacy-officer")
        #expect(try desk.ledger.referenceLists().recipient("archive")?.fields == [.lastName, .city], "in the fields' own order, once each")
        let changes = try desk.ledger.updateEntry(.recipient, key: "archive", changes: [("fields", "all")], by: "privacy-officer")
        #expect(changes.map(\.oldValue) == ["last-name,city"] && changes.map(\.newValue) == ["all"])
        #expect(try desk.ledger.referenceLists().recipient("archive")?.fields == nil)
        for bad in ["", "city,,email", "shoe-size"] {
            let error = try #require(throws: LedgerError.self) {
                try desk.ledger.updateEntry(.recipient, key: "archive", changes: [("fields", bad)], by: "privacy-officer")
            }
            #expect(error.description.contains("first-name, name-prefix, last-name"), "names the valid fields: \(error)")
        }
        // Through the library as well: an empty list is refused (it would mean nothing and read back as nothing).
        let empty = try #require(throws: LedgerError.self) {
            try desk.ledger.addRecipient(Recipient(key: "nobody", name: "Niemand B.V.", role: .processor, country: "NL", fields: [], rank: 40),
                                         by: "privacy-officer")
        }
        #expect(empty.description.contains("name at least one of the person's fields"))
        try desk.ledger.addRecipient(Recipient(key: "mail", name: "Mail B.V.", role: .processor, country: "NL", fields: [.email, .firstName, .email],
                                               rank: 50), by: "privacy-officer")
        #expect(try desk.ledger.referenceLists().recipient("mail")?.fields == [.firstName, .email], "stored in the fields' order, once each")
    }

    @Test("A database made before already-correct existed keeps its decisions, their ids and the append-only triggers, and takes the new outcome once opened")
    func migrationToAlreadyCorrect() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        let reference: String
        let decided: [ItemDecision]
        do {
            let desk = try Desk(database: try InzageDatabase(path: path))
            try desk.ledger.addRecipient(Recipient(key: "archive", name: "Archief Opslag B.V.", role: .processor, country: "NL", rank: 10),
                                         by: "privacy-officer")
            try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
            reference = try desk.queue.file(rectification([
                RectificationItem(field: .city, requestedValue: "Utrecht"), RectificationItem(field: .lastName, requestedValue: "Jansma"),
            ], email: "anna@example.nl"), by: "intake").request.reference
            try desk.queue.review(reference, actions: [.accept(item: 1), .reject(item: 2, reason: "Geen bewijs.")], by: "officer")
            decided = try desk.queue.details(reference).decisions
        }
        // Take the file back to v4: the decision table with v4's outcomes, no recipient fields, and neither v5 nor v6 in
        // the migration log.
        do {
            let old = try DatabaseQueue(path: path)
            try old.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.inTransaction {
                    try Schema.createDecisionTable(named: "request_decision_v4", outcomes: Schema.v4Outcomes, in: db)
                    try db.execute(sql: """
                        INSERT INTO request_decision_v4 SELECT * FROM request_decision;
                        DROP TABLE request_decision;
                        ALTER TABLE request_decision_v4 RENAME TO request_decision;
                        DELETE FROM grdb_migrations WHERE identifier IN ('v5-already-correct', 'v6-recipient-fields');
                        ALTER TABLE recipient DROP COLUMN fields;
                        """)
                    try Schema.makeAppendOnly("request_decision", in: db)
                    return .commit
                }
            }
            let refused = try #require(throws: DatabaseError.self) {
                try old.write { db in
                    try db.execute(sql: "INSERT INTO request_decision (request_id, item, outcome, at, by) VALUES (1, '9', 'already-correct', '2026-11-29', 'test')")
                }
            }
            #expect(refused.resultCode == .SQLITE_CONSTRAINT, "the file is as v4 made it")
        }

        let desk = try Desk(database: try InzageDatabase(path: path))
        #expect(try desk.queue.details(reference).decisions == decided, "every decision kept, with its id")
        #expect(try desk.ledger.referenceLists().recipients.map(\.fields) == [nil], "a recipient from before v6 receives every field")
        let again = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                        by: "intake").request
        let review = try desk.queue.review(again.reference, actions: [.accept(item: 1)], by: "officer")
        #expect(review.request.state == .completed)
        #expect(try desk.queue.details(again.reference).decisions.map(\.outcome) == [.alreadyCorrect])
        #expect(try desk.queue.details(again.reference).decisions.first.map { $0.id ?? 0 > decided.compactMap(\.id).max() ?? 0 } == true)
        let update = try #require(throws: DatabaseError.self) {
            try desk.database.dbWriter.write { db in try db.execute(sql: "UPDATE request_decision SET reason = 'changed'") }
        }
        #expect(update.message?.contains("append-only") == true)
        let twice = try #require(throws: DatabaseError.self) {
            try desk.database.dbWriter.write { db in
                try db.execute(sql: "INSERT INTO request_decision (request_id, item, outcome, at, by) SELECT request_id, item, outcome, at, by FROM request_decision LIMIT 1")
            }
        }
        #expect(twice.resultCode == .SQLITE_CONSTRAINT, "one decision per item, as before")
        let orphan = try #require(throws: DatabaseError.self) {
            try desk.database.dbWriter.write { db in
                try db.execute(sql: "INSERT INTO request_decision (request_id, item, outcome, at, by) VALUES (999, '1', 'accepted', '2026-11-29', 'test')")
            }
        }
        #expect(orphan.resultCode == .SQLITE_CONSTRAINT, "the request must exist, as before")
    }

    @Test("Art. 19: an accepted correction notifies the recipient with a contact address (planned, then sent once delivered) and records the one without as exempt; a review that only rejects notifies no one")
    func recipientNotifications() throws {
        let desk = try Desk()
        try desk.ledger.addRecipient(Recipient(key: "mailing-service", name: "Nieuwsbrief Diensten B.V.", role: .processor, country: "NL",
                                               contactEmail: "dpo@nieuwsbrief.example", rank: 10), by: "privacy-officer")
        try desk.ledger.addRecipient(Recipient(key: "accountant", name: "Cijfer & Co Accountants", role: .controller, country: "NL",
                                               contactEmail: nil, rank: 20), by: "privacy-officer")
        try desk.ledger.addRecipient(Recipient(key: "archive", name: "Archief Opslag B.V.", role: .processor, country: "NL",
                                               contactEmail: "archief@opslag.example", rank: 30), by: "privacy-officer")
        try desk.ledger.setRecipients(["mailing-service"], forPurpose: "e-marketing", by: "privacy-officer")
        try desk.ledger.setRecipients(["accountant"], forPurpose: "sales-and-service", by: "privacy-officer")
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        try desk.registerPurposes(anna)

        let request = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                          by: "intake").request
        let before = try desk.counts()
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1)], by: "officer")
        #expect(review.request.state == .completed)
        #expect(growth(from: before, to: try desk.counts())["recipient_notification"] == 2)
        #expect(growth(from: before, to: try desk.counts())["outbox_message"] == 2, "one to the recipient, one to the person")

        let notifications = review.recipientNotifications
        #expect(Set(notifications.map(\.recipientKey)) == ["mailing-service", "accountant"], "only the recipients of the purposes the person has a record for")
        let mailing = try #require(notifications.first { $0.recipientKey == "mailing-service" })
        #expect(mailing.status == .planned)
        #expect(mailing.recipientName == "Nieuwsbrief Diensten B.V.")
        #expect(mailing.exemptReason == nil)
        let accountant = try #require(notifications.first { $0.recipientKey == "accountant" })
        #expect(accountant.status == .exempt)
        #expect(accountant.outboxMessageID == nil)
        #expect(accountant.exemptReason?.contains("Art. 19") == true)
        #expect(accountant.exemptReason?.contains("contact address") == true)

        let messages = try desk.messages(request.id)
        let toRecipients = messages.filter { $0.message.kind == .recipientNotification }
        #expect(toRecipients.count == 1)
        let notice = try #require(toRecipients.first)
        #expect(notice.id == mailing.outboxMessageID)
        #expect(notice.message.recipient.address == "dpo@nieuwsbrief.example")
        #expect(notice.message.recipient.name == "Nieuwsbrief Diensten B.V.")
        #expect(notice.message.language == .nl)
        #expect(notice.message.body.contains("Naam: Anna Jansen"))
        #expect(notice.message.body.contains("  Was: Amsterdam\n  Is nu: Utrecht"))
        let outcome = try #require(review.message)
        #expect(outcome.message.body.contains("doorgegeven aan de organisaties die deze gegevens van ons hebben gekregen:\n- Nieuwsbrief Diensten B.V."))
        #expect(!outcome.message.body.contains("Cijfer & Co"))
        #expect(try desk.queue.details(request.reference).transitions.last?.note?.contains("1 recipient notified, 1 exempt") == true)

        // Deliver the outbox into a maildir: the notification reads as sent.
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let maildir = directory.appendingPathComponent("Maildir")
        let clock = try moment("2026-11-29T10:05:00Z")
        let delivery = MessageDelivery(store: desk.database, transport: MaildirTransport(directory: maildir), owner: "test/1/0",
                                       clock: { clock })
        let outcomes = try delivery.deliverDue()
        let everything = try desk.messages()
        #expect(outcomes.count == everything.count)
        #expect(outcomes.allSatisfy { if case .sent = $0 { true } else { false } })
        let files = try maildirFiles(maildir, "new")
        #expect(files.count == everything.count)
        #expect(files.contains(MaildirTransport.fileName(for: notice)))
        let raw = try String(contentsOf: maildir.appendingPathComponent("new").appendingPathComponent(MaildirTransport.fileName(for: notice)),
                             encoding: .utf8)
        #expect(raw.contains("dpo@nieuwsbrief.example"))
        #expect(raw.contains("X-Inzage-Request: \(request.reference)"))

        let delivered = try desk.queue.details(request.reference).recipientNotifications
        #expect(delivered.first { $0.recipientKey == "mailing-service" }?.status == .sent)
        #expect(delivered.first { $0.recipientKey == "accountant" }?.status == .exempt)
        #expect(try desk.queue.review(request.reference).recipientNotifications.first { $0.recipientKey == "mailing-service" }?.status == .sent)

        // A review that only rejects changes nothing, so no recipient is told.
        let refused = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Leiden")], email: "anna@example.nl"),
                                          by: "intake").request
        let beforeRejecting = try desk.counts()
        let rejected = try desk.queue.review(refused.reference, actions: [.reject(item: 1, reason: "U woont in Utrecht.")], by: "officer")
        #expect(rejected.request.state == .rejected)
        #expect(rejected.recipientNotifications.isEmpty)
        #expect(growth(from: beforeRejecting, to: try desk.counts())["recipient_notification"] == nil)
        #expect(try desk.messages(refused.id).map(\.message.kind) == [.acknowledgement, .rectificationOutcome])
    }
}

// MARK: - Refusal

@Suite("Request decisions: refusal (Art. 12(4))")
struct RefusalDecisionTests {
    @Test("A reason that does not fit the request is refused before anything is written or sent")
    func unfittingReasons() throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let matched = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let stranger = try desk.queue.file(access(email: "nobody@example.nl"), by: "intake").request
        let objection = try desk.queue.file(RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                              objection: ObjectionContent(purposeKeys: ["sales-and-service"])), by: "intake").request
        let before = try desk.counts()
        func refused(_ reference: String, _ reason: RefusalReason, note: String? = nil, field: String, mentioning text: String) {
            #expect {
                try desk.queue.reject(reference, reason: reason, note: note, by: "officer")
            } throws: { error in
                guard case RequestError.invalidSubmission(let named, let why) = error else { return false }
                return named == field && why.contains(text)
            }
        }
        refused(matched.reference, .noPersonalData, field: "reason", mentioning: "matched to person")
        refused(objection.reference, .rightsOfOthers, note: "Colleagues' data.", field: "reason", mentioning: "Art. 15(4)")
        refused(matched.reference, .identityNotVerified, field: "reason", mentioning: "ask-identity")
        refused(matched.reference, .excessive, field: "note", mentioning: "Art. 12(5)")
        refused(matched.reference, .manifestlyUnfounded, field: "note", mentioning: "Art. 12(5)")
        #expect(try desk.counts() == before, "nothing written, nothing sent")
        // Asked and confirmed since: the identity is no longer in doubt.
        let confirmed = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        try desk.queue.askForIdentity(confirmed.reference, question: "Bel ons.", by: "officer")
        _ = try desk.queue.confirmIdentity(confirmed.reference, note: nil, by: "officer")
        refused(confirmed.reference, .identityNotVerified, field: "reason", mentioning: "confirmed since it was asked")
        // Each fits where it is true.
        #expect(try desk.queue.reject(stranger.reference, reason: .noPersonalData, note: nil, by: "officer").request.state == .rejected)
        #expect(try desk.queue.reject(matched.reference, reason: .identityNotVerified, note: "We asked by phone on 3 November for your customer number.",
                                      by: "officer").request.state == .rejected)
    }

    @Test("The refusal's reason and note are kept with the request; a request refused before v7 gets its reason from the refusal's note")
    func refusalKept() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inzage.sqlite").path
        let reference: String
        do {
            let desk = try Desk(database: try InzageDatabase(path: path))
            _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
            reference = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request.reference
            try desk.queue.reject(reference, reason: .rightsOfOthers, note: " Het gaat om gegevens van uw collega. ", by: "officer")
            #expect(try desk.queue.request(reference).refusal == RequestRefusal(reason: .rightsOfOthers, note: "Het gaat om gegevens van uw collega."))
            let open = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
            #expect(open.refusal == nil)
        }
        // Take the file back to v6: no refusal columns, v7 not in the migration log.
        do {
            let old = try DatabaseQueue(path: path)
            try old.write { db in
                try db.execute(sql: """
                    ALTER TABLE request DROP COLUMN refusal_reason;
                    ALTER TABLE request DROP COLUMN refusal_note;
                    DELETE FROM grdb_migrations WHERE identifier = 'v7-request-refusal';
                    """)
            }
        }
        let desk = try Desk(database: try InzageDatabase(path: path))
        #expect(try desk.queue.request(reference).refusal == RequestRefusal(reason: .rightsOfOthers, note: nil),
                "the reason from the refusal's note; the officer's words stay in that note")
        let refused = try #require(throws: DatabaseError.self) {
            try desk.database.dbWriter.write { db in try db.execute(sql: "UPDATE request SET refusal_reason = 'bored'") }
        }
        #expect(refused.resultCode == .SQLITE_CONSTRAINT, "only known reasons")
    }

    @Test("A refusal rejects the request and sends the reason, the officer's note and the right to complain; it is late only after the due date")
    func refusal() throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let onTime = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let late = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        #expect(onTime.dueOn == (try CivilDate(parsing: "2026-12-02")))

        // On the due date itself (late evening in Amsterdam is still 2 December) the refusal is in time.
        let note = "Wij vroegen op 5 november om een kopie van uw identiteitsbewijs."
        let before = try desk.counts()
        let result = try desk.queueAt("2026-12-02T21:30:00Z").reject(onTime.reference, reason: .identityNotVerified, note: "  \(note)\n", by: "officer")
        #expect(result.request.state == .rejected)
        #expect(!result.isLate)
        let message = try #require(result.message)
        #expect(message.message.kind == .refusal)
        #expect(message.message.recipient.address == "anna@example.nl")
        let body = message.message.body
        #expect(body.contains(try shippedLabels(.nl).code(RefusalReason.identityNotVerified).explanation))
        #expect(body.contains(note))
        #expect(body.contains("Autoriteit Persoonsgegevens"))
        #expect(body.contains("toezichthouder (art. 77 AVG)"))
        #expect(body.contains("naar de rechter gaan (art. 79 AVG)"))
        #expect(growth(from: before, to: try desk.counts()) == ["request_transition": 1, "outbox_message": 1])
        let last = try #require(try desk.queue.details(onTime.reference).transitions.last)
        #expect(last.from == .received && last.to == .rejected && last.by == "officer")
        #expect(last.note?.contains("identity-not-verified (Art. 12(6))") == true)
        #expect(last.note?.contains(note) == true)
        #expect(last.note?.contains("later than") == false)

        let lateResult = try desk.queueAt("2026-12-02T23:30:00Z").reject(late.reference, reason: .excessive, note: "Your third request this month.", by: "officer")
        #expect(lateResult.isLate, "3 December in Amsterdam is past the due date")
        #expect(lateResult.request.state == .rejected)
        #expect(try desk.queue.details(late.reference).transitions.last?.note?.contains("later than Art. 12(4) allows") == true)
        #expect(try #require(lateResult.message).message.body.contains(try shippedLabels(.nl).code(RefusalReason.excessive).explanation))
    }

    @Test("A closed request cannot be refused, nor one a worker is processing; nothing is written")
    func closedOrLeased() throws {
        let desk = try Desk()
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let completed = try desk.queue.file(objection(["e-marketing"], email: "anna@example.nl"), by: "intake").request
        #expect(completed.state == .completed)
        var before = try desk.counts()
        let closed = try #require(throws: RequestError.self) {
            try desk.queue.reject(completed.reference, reason: .manifestlyUnfounded, note: nil, by: "officer")
        }
        #expect(closed == .requestClosed(reference: completed.reference, state: .completed))
        #expect(try desk.counts() == before)

        let leased = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let now = try moment("2026-11-29T10:00:00Z")
        let claimed = try desk.database.writeRequests {
            try $0.claimNext(types: [.access], states: RequestQueue.workableStates, owner: "w1", now: now, until: now.addingTimeInterval(300))
        }
        #expect(claimed?.reference == leased.reference)
        before = try desk.counts()
        let busy = try #require(throws: RequestError.self) {
            try desk.queue.reject(leased.reference, reason: .excessive, note: nil, by: "officer")
        }
        guard case .nothingToDecide = busy else {
            Issue.record("expected nothingToDecide, got \(busy)")
            return
        }
        #expect(try desk.counts() == before)
    }
}

// MARK: - Messages for every event, in both languages

@Suite("Request decisions: a message for every event, in the person's language")
struct RequestMessageTests {
    @Test("Filing an access request queues an acknowledgement in the person's language")
    func acknowledgement() throws {
        let desk = try Desk()
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl", language: "nl")
        _ = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        let dutch = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let english = try desk.queue.file(access(email: "bram@example.nl"), by: "intake").request

        let nl = try #require(try desk.messages(dutch.id).first)
        #expect(try desk.messages(dutch.id).count == 1)
        #expect(nl.message.kind == .acknowledgement && nl.message.language == .nl)
        #expect(nl.message.recipient == MailAddress(address: "anna@example.nl", name: "Anna Jansen"))
        #expect(nl.message.subject == "Wij hebben uw verzoek ontvangen (\(dutch.reference))")
        #expect(nl.message.body.contains("Wij antwoorden uiterlijk op 29 december 2026."))
        #expect(nl.message.body.contains("Kenmerk: \(dutch.reference)"))

        let en = try #require(try desk.messages(english.id).first)
        #expect(try desk.messages(english.id).count == 1)
        #expect(en.message.kind == .acknowledgement && en.message.language == .en)
        #expect(en.message.subject == "We have received your request (\(english.reference))")
        #expect(en.message.body.contains("We will answer by 29 December 2026 at the latest."))
        #expect(!en.message.body.contains("Wij antwoorden"))

        // The language asked for in the request goes before the person's.
        var asked = access(email: "anna@example.nl")
        asked.language = .en
        let askedInEnglish = try desk.queue.file(asked, by: "intake").request
        #expect(try desk.messages(askedInEnglish.id).first?.message.language == .en)
    }

    @Test("Extending queues an extension notice with the reason and the new date")
    func extensionNotice() throws {
        let desk = try Desk()
        _ = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        let request = try desk.queue.file(access(email: "bram@example.nl"), by: "intake").request
        let extended = try desk.queue.extend(request.reference, reason: "Your data is spread over five systems.", by: "officer")
        #expect(extended.state == .extended)
        let messages = try desk.messages(request.id)
        #expect(messages.map(\.message.kind) == [.acknowledgement, .extensionNotice])
        let notice = try #require(messages.last)
        #expect(notice.message.language == .en)
        #expect(notice.message.recipient.address == "bram@example.nl")
        #expect(notice.message.body.contains("Why do we need more time?\nYour data is spread over five systems."))
        #expect(notice.message.body.contains("We were due to answer by 29 December 2026."))
        #expect(notice.message.body.contains("We will now answer by 1 March 2027 at the latest."))
        #expect(extended.extendedDueOn == (try CivilDate(parsing: "2027-03-01")))
        #expect(try desk.queue.details(request.reference).transitions.last?.note?.contains("Message \(notice.id) (extension-notice) queued.") == true)
    }

    @Test("The worker's completion of an access request queues extract-ready in the person's language")
    func extractReady() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let desk = try Desk(database: try InzageDatabase(path: directory.appendingPathComponent("inzage.sqlite").path))
        _ = try desk.person("Bram", "Visser", email: "bram@example.nl", language: "en")
        let request = try desk.queue.file(access(email: "bram@example.nl"), by: "intake").request
        /// A worker whose clock stands at `time`.
        func worker(at time: String, owner: String) throws -> RequestWorker {
            let clock = try moment(time)
            return RequestWorker(store: desk.database, archive: try ExtractArchive(root: directory.appendingPathComponent("extracts")),
                                 renderer: SummaryRenderer(), owner: owner, leaseDuration: 60, maximumAttempts: 3, retryDelay: 0,
                                 clock: { clock })
        }
        #expect(try await worker(at: "2026-11-29T10:01:00Z", owner: "w1").processNext() == .completed(reference: request.reference, extracts: 2))

        let details = try desk.queue.details(request.reference)
        #expect(details.request.state == .completed)
        #expect(details.messages.map(\.message.kind) == [.acknowledgement, .extractReady])
        let ready = try #require(details.messages.last)
        #expect(ready.message.language == .en)
        #expect(ready.message.recipient.address == "bram@example.nl")
        #expect(ready.message.body.contains("Our answer is ready."))
        #expect(ready.message.body.contains("We hold personal data about you."))
        #expect(details.transitions.last?.note?.contains("Message \(ready.id) (extract-ready) queued.") == true)
        #expect(!ready.message.body.contains("later than the law allows"), "answered within the month")

        // A worker that gets to a request only after its due date says sorry, with its own clock's day.
        let late = try desk.queue.file(access(email: "bram@example.nl"), by: "intake").request
        #expect(try await worker(at: "2027-01-15T09:00:00Z", owner: "w2").processNext() == .completed(reference: late.reference, extracts: 2))
        let lateReady = try #require(try desk.queue.details(late.reference).messages.last)
        #expect(lateReady.message.kind == .extractReady)
        #expect(lateReady.message.body.contains("We are sorry that our answer comes later than the law allows."), "due \(late.dueOn)")
    }

    @Test("A person without an e-mail address gets no message; every transition that owed one says to write by post")
    func noEmailAddress() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let desk = try Desk(database: try InzageDatabase(path: directory.appendingPathComponent("inzage.sqlite").path))
        let kees = try desk.person("Kees", "Bakker", email: nil, externalID: "SO-9")
        let post = "No e-mail address is known: tell the person by post."

        let request = try desk.queue.file(access(externalID: "SO-9"), by: "intake").request
        #expect(request.personID == kees.id && request.state == .received)
        #expect(try desk.messages().isEmpty)
        let filed = try #require(try desk.queue.details(request.reference).transitions.first)
        #expect(filed.note?.contains("by post") == true, "the acknowledgement is owed at filing: \(filed.note ?? "nil")")

        try desk.queue.extend(request.reference, reason: "Three systems.", by: "officer")
        #expect(try desk.messages().isEmpty)
        #expect(try desk.queue.details(request.reference).transitions.last?.note?.contains(post) == true)

        let clock = try moment("2026-11-29T10:01:00Z")
        let worker = RequestWorker(store: desk.database, archive: try ExtractArchive(root: directory.appendingPathComponent("extracts")),
                                   renderer: SummaryRenderer(), owner: "w1", leaseDuration: 60, maximumAttempts: 3, retryDelay: 0,
                                   clock: { clock })
        #expect(try await worker.processNext() == .completed(reference: request.reference, extracts: 2))
        #expect(try desk.messages().isEmpty)
        #expect(try desk.queue.details(request.reference).transitions.last?.note?.contains(post) == true)

        let objected = try desk.queue.file(objection(["e-marketing"], externalID: "SO-9"), by: "intake").request
        #expect(objected.state == .completed)
        #expect(try desk.consent(kees, "e-marketing")?.status == .objected)
        #expect(try desk.messages().isEmpty)
        #expect(try desk.queue.details(objected.reference).transitions.last?.note?.contains(post) == true)

        let refused = try desk.queue.file(access(externalID: "SO-9"), by: "intake").request
        let refusal = try desk.queue.reject(refused.reference, reason: .excessive, note: "The same request as last week.", by: "officer")
        #expect(refusal.message == nil)
        #expect(try desk.messages().isEmpty)
        #expect(try desk.queue.details(refused.reference).transitions.last?.note?.contains(post) == true)
    }

    /// The phrases of the rectification outcome in each language (rectification-outcome.{en,nl}.body.mustache).
    static let outcomeLanguages: [(String, [String], [String])] = [
        ("en", ["We corrected this:", "  Was: Amsterdam\n  Now: Utrecht", "We did not change this:", "  You asked for: Jansma",
                "Why we do not change it: No proof.", "supervisory authority (Art. 77 GDPR)", "Kind regards,"],
         ["Dit hebben wij verbeterd:", "Met vriendelijke groet,"]),
        ("nl", ["Dit hebben wij verbeterd:", "  Was: Amsterdam\n  Is nu: Utrecht", "Dit hebben wij niet veranderd:", "  U vroeg: Jansma",
                "Waarom wij dit niet veranderen: No proof.", "toezichthouder (art. 77 AVG)", "Met vriendelijke groet,"],
         ["We corrected this:", "Kind regards,"]),
    ]

    @Test("The rectification outcome is written in the person's language", arguments: outcomeLanguages)
    func outcomeLanguage(language: String, phrases: [String], otherLanguage: [String]) throws {
        let desk = try Desk()
        _ = try desk.person("Sam", "Jansen", email: "sam@example.nl", language: language, city: "Amsterdam")
        let request = try desk.queue.file(rectification([
            RectificationItem(field: .city, requestedValue: "Utrecht"),
            RectificationItem(field: .lastName, requestedValue: "Jansma"),
        ], email: "sam@example.nl"), by: "intake").request
        #expect(request.language?.rawValue == language)
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1), .reject(item: 2, reason: "No proof.")], by: "officer")
        #expect(review.request.state == .partiallyCompleted)
        let message = try #require(review.message)
        #expect(message.message.kind == .rectificationOutcome)
        #expect(message.message.language.rawValue == language)
        for phrase in phrases {
            #expect(message.message.body.contains(phrase), "missing '\(phrase)'")
        }
        for phrase in otherLanguage {
            #expect(!message.message.body.contains(phrase), "other language: '\(phrase)'")
        }
        let acknowledgement = try #require(try desk.messages(request.id).first)
        #expect(acknowledgement.message.kind == .acknowledgement && acknowledgement.message.language.rawValue == language)
    }
}

// MARK: - Safeguards

@Suite("Request decisions: safeguards")
struct RequestSafeguardTests {
    @Test("An objection to processing on consent cannot be overridden: only public task or legitimate interest can be (Art. 21(1))")
    func overrideNeedsAnOverridableBasis() throws {
        let desk = try Desk()
        var research = try #require(DefaultReferenceLists.purposes.first { $0.key == "e-marketing" })
        research.key = "research"
        research.name = LocalizedText(nl: "Onderzoek", en: "Research")
        research.isDirectMarketing = false
        research.rank = 99
        try desk.ledger.addPurpose(research, by: "officer")
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.ledger.giveConsent(ConsentGrant(personID: anna.id, purposeKey: "research", sourceKey: "web-form", evidence: "form-2"),
                                    attribution: officer)
        let request = try desk.queue.file(objection(["research"], email: "anna@example.nl"), by: "intake").request
        #expect(request.state == .awaitingDecision)
        let before = try desk.counts()
        let refused = try #require(throws: RequestError.self) {
            try desk.queue.decide(request.reference, verdict: .override, reason: "We want to go on.", by: "officer")
        }
        guard case .invalidDecision(let field, let reason) = refused else { Issue.record("unexpected \(refused)"); return }
        #expect(field.contains("research") && reason.contains("legitimate-interest") && reason.contains("consent"))
        #expect(try desk.counts() == before)
        let upheld = try desk.queue.decide(request.reference, verdict: .uphold, reason: "Consent withdrawn by the objection.", by: "officer")
        #expect(upheld.request.state == .completed)
        #expect(try desk.consent(anna, "research")?.status == .objected)
    }

    @Test("A request of which part was carried out cannot be refused as a whole")
    func noRefusalAfterPartialApplication() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        let request = try desk.queue.file(objection(["e-marketing", "sales-and-service"], email: "anna@example.nl"), by: "intake").request
        #expect(request.state == .awaitingDecision)
        let before = try desk.counts()
        let refused = try #require(throws: RequestError.self) {
            try desk.queue.reject(request.reference, reason: .manifestlyUnfounded, note: nil, by: "officer")
        }
        #expect(refused == .partlyCarriedOut(reference: request.reference, carriedOut: ["e-marketing"], pending: ["sales-and-service"]))
        // It says what is true (it still awaits a decision) and what the officer can do, in whole sentences.
        #expect(!refused.description.contains("nothing to decide"), "\(refused)")
        #expect(refused.description.contains("It still waits for a decision on sales-and-service")
                && refused.description.contains("inzage request decide \(request.reference) --uphold|--override --reason TEXT"), "\(refused)")
        #expect(refused.description.hasSuffix("."))
        #expect(try desk.counts() == before)
    }

    @Test("Messages with a matched person's data go only to an address on file, never to one typed into the request")
    func addressOnFileOnly() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", externalID: "SO-1")
        let request = try desk.queue.file(RequestSubmission(
            type: .access, subject: SubjectIdentifiers(email: "stranger@example.org", externalID: "SO-1")), by: "intake").request
        #expect(request.personID == anna.id)
        let acknowledgement = try #require(try desk.messages(request.id).first)
        #expect(acknowledgement.message.recipient.address == "anna@example.nl")
        let unknown = try desk.queue.file(access(email: "nobody@example.org"), by: "intake").request
        #expect(try desk.messages(unknown.id).first?.message.recipient.address == "nobody@example.org",
                "when nobody matches, the answer goes to the address given")
    }

    @Test("An officer may exempt a recipient with the reason (Art. 19); an unknown recipient key is refused and nothing is written")
    func officerExemptsARecipient() throws {
        let desk = try Desk()
        try desk.ledger.addRecipient(Recipient(key: "crm-hosting", name: "CRM Hosting B.V.", role: .processor, country: "NL",
                                               contactEmail: "privacy@crm.example", rank: 10), by: "officer")
        try desk.ledger.addRecipient(Recipient(key: "archive", name: "Archief B.V.", role: .processor, country: "NL",
                                               contactEmail: "archief@example.nl", rank: 20), by: "officer")
        try desk.ledger.setRecipients(["crm-hosting", "archive"], forPurpose: "sales-and-service", by: "officer")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        let request = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                          by: "intake").request
        let before = try desk.counts()
        let refused = try #require(throws: RequestError.self) {
            try desk.queue.review(request.reference, actions: [.accept(item: 1)], exemptRecipients: ["printer": "gone"], by: "officer")
        }
        guard case .invalidDecision(let field, let reason) = refused else { Issue.record("unexpected \(refused)"); return }
        #expect(field.contains("printer") && reason.contains("crm-hosting") && reason.contains("archive"))
        #expect(try desk.counts() == before)

        let why = "The archive holds paper copies only, destroyed in 2026; informing it would take disproportionate effort."
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1)], exemptRecipients: ["archive": why], by: "officer")
        let byKey = Dictionary(uniqueKeysWithValues: review.recipientNotifications.map { ($0.recipientKey, $0) })
        #expect(byKey["crm-hosting"]?.status == .planned)
        #expect(byKey["archive"]?.status == .exempt && byKey["archive"]?.exemptReason == why && byKey["archive"]?.outboxMessageID == nil)
    }

    @Test("A worker whose completion fails (a broken message template) removes the files it wrote and retries")
    func failedCompletionLeavesNoFiles() async throws {
        let desk = try Desk()
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let request = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = directory.appendingPathComponent("templates/messages")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try Data("Beste {{recipientName}}, {{noSuchVariable}}\n".utf8).write(to: templates.appendingPathComponent("extract-ready.nl.body.mustache"))
        let archive = try ExtractArchive(root: directory.appendingPathComponent("extracts"))
        let clock = try moment("2026-11-29T10:01:00Z")
        let worker = RequestWorker(store: desk.database, archive: archive, renderer: SummaryRenderer(), owner: "w1", leaseDuration: 60,
                                   maximumAttempts: 3, retryDelay: 0,
                                   notices: RequestNotices(renderer: MessageRenderer(overrideDirectory: directory.appendingPathComponent("templates"))),
                                   clock: { clock })
        let outcome = try await worker.processNext()
        guard case .willRetry(let reference, _, _)? = outcome else { Issue.record("expected a retry, got \(String(describing: outcome))"); return }
        #expect(reference == request.reference)
        let folder = archive.url(of: request.reference)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(left.isEmpty, "no extract file without its row: \(left)")
        #expect(try desk.queue.details(request.reference).extracts.isEmpty)
        #expect(try desk.queue.request(request.reference).lastError?.contains("noSuchVariable") == true)
    }

    @Test("An objection waiting for a decision whose purpose became direct marketing is upheld as absolute, with suppression")
    func purposeBecameDirectMarketing() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        try desk.registerPurposes(anna)
        let request = try desk.queue.file(objection(["sales-and-service"], email: "anna@example.nl"), by: "intake").request
        #expect(request.state == .awaitingDecision)
        _ = try desk.ledger.updateEntry(.purpose, key: "sales-and-service", changes: [(field: "direct-marketing", value: "true")], by: "officer")
        #expect(try desk.queue.pendingObjectionPurposes(request.reference) == ["sales-and-service"])
        #expect(throws: RequestError.self) {
            try desk.queue.decide(request.reference, verdict: .override, reason: "We still want to call.", by: "officer")
        }
        let decided = try desk.queue.decide(request.reference, verdict: .uphold, reason: "Direct marketing now; absolute.", by: "officer")
        #expect(decided.request.state == .completed)
        #expect(try desk.consent(anna, "sales-and-service")?.status == .objected)
        #expect(try desk.suppressions(anna).map(\.purposeKey) == ["sales-and-service"])
    }

    @Test("Art. 19 reaches the recipients of a purpose on legitimate interest with no record, and not those of a refused consent")
    func recipientsFollowTheExtractRule() throws {
        let desk = try Desk()
        try desk.ledger.addRecipient(Recipient(key: "crm-hosting", name: "CRM Hosting B.V.", role: .processor, country: "NL",
                                               contactEmail: "privacy@crm.example", rank: 10), by: "officer")
        try desk.ledger.addRecipient(Recipient(key: "mailing-service", name: "Mailing B.V.", role: .processor, country: "NL",
                                               contactEmail: "dpo@mailing.example", rank: 20), by: "officer")
        try desk.ledger.setRecipients(["crm-hosting"], forPurpose: "sales-and-service", by: "officer")
        try desk.ledger.setRecipients(["mailing-service"], forPurpose: "e-marketing", by: "officer")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        let request = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                          by: "intake").request
        let review = try desk.queue.review(request.reference, actions: [.accept(item: 1)], by: "officer")
        #expect(review.recipientNotifications.map(\.recipientKey) == ["crm-hosting"],
                "sales and service rests on legitimate interest, so its recipient had the data; e-marketing was never consented to")
    }
}

// MARK: - What requests name

@Suite("Request decisions: what requests and their history name stays on the lists")
struct ReferencedByRequestTests {
    @Test("A purpose an open objection names, a source a rectification asks for and a recipient that was notified are not removed; the refusal names the request, and nothing is written")
    func removalRefused() throws {
        let desk = try Desk()
        try desk.ledger.addPurpose(Purpose(key: "temp-p", name: LocalizedText("Temp"), description: LocalizedText("x"),
                                           defaultBasisKey: "legitimate-interest", dataCategories: LocalizedText("x"),
                                           retention: LocalizedText("x"), consentText: LocalizedText("x"), rank: 30), by: "privacy-officer")
        try desk.ledger.addSource(Source(key: "fair", name: LocalizedText("Fair"), description: LocalizedText("A stand at a fair"),
                                         sourceType: .dataSubject, rank: 130), by: "privacy-officer")
        try desk.addRecipient("mailer", "Mailer B.V.", contact: "dpo@mailer.example", for: ["sales-and-service"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        try desk.registerPurposes(anna)

        // The objection waits for a decision; only the request names the purpose.
        let objected = try desk.queue.file(objection(["temp-p"], email: "anna@example.nl"), by: "intake").request
        #expect(objected.state == .awaitingDecision)
        let before = try desk.counts()
        #expect(throws: LedgerError.entryInUse(.purpose, "temp-p", usedBy: "1 request (\(objected.reference))")) {
            try desk.ledger.removeEntry(.purpose, key: "temp-p", by: "privacy-officer")
        }
        // A rectification that asks for a source names it.
        let toFair = try desk.queue.file(rectification([RectificationItem(field: .source, requestedValue: "fair")], email: "anna@example.nl"),
                                         by: "intake").request
        #expect(throws: LedgerError.entryInUse(.source, "fair", usedBy: "1 request (\(toFair.reference))")) {
            try desk.ledger.removeEntry(.source, key: "fair", by: "privacy-officer")
        }
        // A recipient that was told of a correction keeps that history when it no longer receives data for a purpose.
        let moved = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                        by: "intake").request
        #expect(try desk.queue.review(moved.reference, actions: [.accept(item: 1)], by: "officer").recipientNotifications.count == 1)
        try desk.ledger.setRecipients([], forPurpose: "sales-and-service", by: "privacy-officer")
        let afterReview = try desk.counts()
        #expect(throws: LedgerError.entryInUse(.recipient, "mailer", usedBy: "1 recipient notification (\(moved.reference))")) {
            try desk.ledger.removeEntry(.recipient, key: "mailer", by: "privacy-officer")
        }
        #expect(try desk.counts() == afterReview)
        #expect(try desk.ledger.referenceLists().recipient("mailer") != nil)
        #expect(before["request"] == 1)

        // Deactivated instead, the purpose still lets the officer decide the objection.
        try desk.ledger.deactivate(.purpose, key: "temp-p", by: "privacy-officer")
        #expect(try desk.queue.decide(objected.reference, verdict: .uphold, reason: "ok", by: "officer").request.state == .completed)
        #expect(try desk.consent(anna, "temp-p")?.status == .objected)
    }

    @Test("A recipient that was told of a correction is named in the person's extract (Art. 15(1)(c)) after its purpose no longer links it, without purposes; the JSON still validates")
    func notifiedRecipientInExtract() throws {
        let desk = try Desk()
        try desk.addRecipient("mailer", "Mailer B.V.", contact: "dpo@mailer.example", fields: [.lastName, .city], for: ["sales-and-service"])
        try desk.addRecipient("archive", "Archief B.V.", contact: "archief@opslag.example", for: ["sales-and-service"])
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        try desk.registerPurposes(anna)
        let moved = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                        by: "intake").request
        _ = try desk.queue.review(moved.reference, actions: [.accept(item: 1)], by: "officer")
        try desk.ledger.setRecipients(["archive"], forPurpose: "sales-and-service", by: "privacy-officer")

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try Resolver(store: desk.database).withDossier(personID: anna.id) { try writeExtracts($0, into: directory, name: "anna") }
        #expect(try validateAgainstSchema([json]) == [json.path: []])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let recipients = try #require(document["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["key"] as? String } == ["mailer", "archive"], "in rank order, the one no purpose links included")
        let mailer = try #require(recipients.first)
        #expect((mailer["purposes"] as? [Any])?.isEmpty == true)
        #expect((mailer["data"] as? [[String: Any]])?.map { $0["key"] as? String } == ["last-name", "city"])
        let archive = try #require(recipients.last)
        #expect((archive["purposes"] as? [[String: Any]])?.map { $0["key"] as? String } == ["sales-and-service"])

        let labels = try shippedLabels(.nl)
        let sheet = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.recipients))
        #expect(try sheet.texts(labels.column(.recipients, "recipient")) == ["Mailer B.V.", "Archief B.V."])
    }
}

@Suite("Request decisions: a reason that shows nothing is missing")
struct BlankReasonTests {
    @Test("A reason, grounds or statement of blanks and invisible characters (U+202E, U+200B) is refused like an empty one, and nothing is written")
    func invisibleReasons() throws {
        let desk = try Desk()
        let anna = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        try desk.registerPurposes(anna)
        let objected = try desk.queue.file(objection(["sales-and-service"], email: "anna@example.nl"), by: "intake").request
        let corrected = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                            by: "intake").request
        let before = try desk.counts()
        for blank in ["\u{202E}", " \u{200B} "] {
            #expect(throws: RequestError.self) { try desk.queue.decide(objected.reference, verdict: .override, reason: blank, by: "officer") }
            #expect(throws: RequestError.self) { try desk.queue.decide(objected.reference, verdict: .uphold, reason: blank, by: "officer") }
            #expect(throws: RequestError.self) { try desk.queue.review(corrected.reference, actions: [.reject(item: 1, reason: blank)], by: "officer") }
            #expect(throws: RequestError.self) { try desk.queue.review(corrected.reference, actions: [.statement(item: 1, text: blank)], by: "officer") }
            #expect(throws: RequestError.self) { try desk.queue.extend(corrected.reference, reason: blank, by: "officer") }
        }
        #expect(try desk.counts() == before)
    }
}

@Suite("Request decisions: confirming who asked (Art. 12(6))")
struct IdentityCheckTests {
    @Test("Asking for identity holds an access request from the worker and tells the person what to send; confirming lets the worker answer it")
    func accessWaitsForIdentity() async throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let filed = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let question = "Stuur ons een e-mail vanaf het adres dat bij ons bekend is."
        let before = try desk.counts()
        let asked = try desk.queue.askForIdentity(filed.reference, question: "  \(question) ", by: "officer")
        #expect(asked.request.state == .awaitingIdentity && asked.request.dueOn == filed.dueOn, "the period keeps running")
        #expect(growth(from: before, to: try desk.counts()) == ["request_transition": 1, "outbox_message": 1])
        let message = try #require(asked.message)
        #expect(message.message.kind == .identityRequest && message.message.recipient.address == "anna@example.nl")
        #expect(message.message.body.contains(question) && message.message.body.contains("art. 12(6) AVG"))
        #expect(message.message.subject.contains(filed.reference))

        let archive = try ExtractArchive(root: try makeTemporaryDirectory())
        let worker = RequestWorker(store: desk.database, archive: archive, renderer: SummaryRenderer(), owner: "w1", retryDelay: 0)
        #expect(try await worker.processNext() == nil, "no worker takes a request whose identity is in doubt")
        #expect(throws: RequestError.self) { try desk.queue.askForIdentity(filed.reference, question: question, by: "officer") }

        let confirmed = try desk.queue.confirmIdentity(filed.reference, note: "Reply came from the known address", by: "officer")
        #expect(confirmed.state == .inProgress)
        #expect(try await worker.processNext() == .completed(reference: filed.reference, extracts: 2))
        let history = try desk.queue.details(filed.reference).transitions
        #expect(history.map(\.to) == [.received, .awaitingIdentity, .inProgress, .inProgress, .completed] || history.map(\.to) == [.received, .awaitingIdentity, .inProgress, .completed])
        #expect(history[1].note?.contains("Identity asked (Art. 12(6)): \(question)") == true)
        #expect(history[2].note == "Identity confirmed — Reply came from the known address")
        #expect(throws: RequestError.self) { try desk.queue.confirmIdentity(filed.reference, note: nil, by: "officer") }
    }

    @Test("A rectification waits with its review until the person confirms, then goes back to the officer; one never confirmed is refused")
    func rectificationWaitsForIdentity() throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        let filed = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Utrecht")], email: "anna@example.nl"),
                                        by: "intake").request
        #expect(filed.state == .awaitingDecision)
        try desk.queue.askForIdentity(filed.reference, question: "Bel ons en noem uw klantnummer.", by: "officer")
        #expect(throws: RequestError.self) { try desk.queue.review(filed.reference, actions: [.accept(item: 1)], by: "officer") }
        #expect(try desk.queue.confirmIdentity(filed.reference, note: nil, by: "officer").state == .awaitingDecision)
        #expect(try desk.queue.review(filed.reference, actions: [.accept(item: 1)], by: "officer").request.state == .completed)

        let second = try desk.queue.file(rectification([RectificationItem(field: .city, requestedValue: "Delft")], email: "anna@example.nl"),
                                         by: "intake").request
        try desk.queue.askForIdentity(second.reference, question: "Bel ons en noem uw klantnummer.", by: "officer")
        let refused = try desk.queue.reject(second.reference, reason: .identityNotVerified, note: nil, by: "officer")
        #expect(refused.request.state == .rejected)
    }

    @Test("Waiting for identity holds: an extension keeps the request waiting, an objection is not decided, the letter gives the extended day")
    func waitingHolds() async throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl")
        let filed = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        try desk.queue.askForIdentity(filed.reference, question: "Stuur ons een e-mail vanaf het bekende adres.", by: "officer")
        let extended = try desk.queue.extend(filed.reference, reason: "Veel verzoeken tegelijk.", by: "officer")
        #expect(extended.state == .awaitingIdentity && extended.extendedDueOn != nil, "an extension does not hand it to a worker")
        let archive = try ExtractArchive(root: try makeTemporaryDirectory())
        let worker = RequestWorker(store: desk.database, archive: archive, renderer: SummaryRenderer(), owner: "w1", retryDelay: 0)
        #expect(try await worker.processNext() == nil)
        #expect(try desk.queue.confirmIdentity(filed.reference, note: nil, by: "officer").state == .extended)

        // Asked after an extension, the letter gives the extended day.
        let later = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let longer = try desk.queue.extend(later.reference, reason: "Veel verzoeken tegelijk.", by: "officer")
        let asked = try desk.queue.askForIdentity(later.reference, question: "Bel ons.", by: "officer")
        let day = try shippedLabels(.nl).longDate(try #require(longer.extendedDueOn))
        #expect(asked.message?.message.body.contains("uiterlijk op \(day) antwoorden") == true)

        // An objection on a purpose other than direct marketing waits for identity before any decision.
        let objection = try desk.queue.file(RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                              objection: ObjectionContent(purposeKeys: ["sales-and-service"])), by: "intake").request
        #expect(objection.state == .awaitingDecision)
        try desk.queue.askForIdentity(objection.reference, question: "Bel ons.", by: "officer")
        let before = try desk.counts()
        #expect(throws: RequestError.self) { try desk.queue.decide(objection.reference, verdict: .override, reason: "Wij hebben een contract.", by: "officer") }
        #expect(try desk.counts() == before, "nothing decided, nothing written")
        #expect(try desk.queue.confirmIdentity(objection.reference, note: nil, by: "officer").state == .awaitingDecision)
    }

    @Test("A blank question, an answered request and a request partly carried out are refused, and nothing is written")
    func refusals() throws {
        let desk = try Desk(now: "2026-11-02T09:00:00Z")
        _ = try desk.person("Anna", "Jansen", email: "anna@example.nl", city: "Amsterdam")
        let open = try desk.queue.file(access(email: "anna@example.nl"), by: "intake").request
        let before = try desk.counts()
        #expect(throws: RequestError.self) { try desk.queue.askForIdentity(open.reference, question: " \u{200B} ", by: "officer") }
        let objection = try desk.queue.file(RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                              objection: ObjectionContent(purposeKeys: ["e-marketing"])), by: "intake").request
        #expect(objection.state.isTerminal)
        let afterFiling = try desk.counts()
        #expect(throws: RequestError.self) { try desk.queue.askForIdentity(objection.reference, question: "Wie bent u?", by: "officer") }
        #expect(try desk.counts() == afterFiling)
        #expect(growth(from: before, to: afterFiling)["outbox_message"] ?? 0 > 0, "only the objection's own filing wrote")
    }
}
