import Foundation
import Testing
@testable import Inzage

@Suite("Consents and their event log")
struct ConsentLedgerTests {
    @Test("giving consent registers it with the purpose's consent text and a 'given' event")
    func give() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let consent = try ledger.giveConsent(
            ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", comment: "beurs", evidence: "form-1"),
            attribution: officer)
        #expect(consent.status == .given && consent.basisKey == "consent" && consent.updateCount == 0)
        #expect(consent.consentText == DefaultReferenceLists.purposes[1].consentText.nl)
        #expect(consent.givenAt == consent.registeredAt)
        let events = try ledger.events(person.id)
        #expect(events.count == 1)
        #expect(events[0].type == .given && events[0].fromStatus == nil && events[0].toStatus == .given && events[0].evidence == "form-1")
    }

    @Test("a purpose on legitimate interest is registered as not-applicable; a later basis change is its own event")
    func otherBasis() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let registered = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "phone"), attribution: officer)
        #expect(registered.status == .notApplicable && registered.basisKey == "legitimate-interest" && registered.givenAt == nil)
        let changed = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "contract", sourceKey: "phone"), attribution: officer)
        #expect(changed.basisKey == "contract" && changed.updateCount == 1)
        let sourceChanged = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "contract", sourceKey: "email"), attribution: officer)
        #expect(sourceChanged.sourceKey == "email")
        #expect(try ledger.events(person.id).map(\.type) == [.registered, .basisChanged, .sourceChanged])
        #expect(throws: LedgerError.nothingChanged) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "contract", sourceKey: "email"), attribution: officer)
        }
        #expect(throws: LedgerError.notBasedOnConsent(purpose: "sales-and-service", basis: "contract")) {
            try ledger.withdrawConsent(personID: person.id, purposeKey: "sales-and-service", attribution: officer)
        }
    }

    @Test("give, renew, withdraw and give again each leave an event with from → to and the update count")
    func lifecycle() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let grant = ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form")
        try ledger.giveConsent(grant, attribution: officer)
        let renewed = try ledger.giveConsent(grant, attribution: officer)
        let withdrawn = try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing",
                                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        #expect(withdrawn.status == .withdrawn && withdrawn.withdrawnAt != nil && withdrawn.updateCount == 2)
        #expect(throws: LedgerError.consentNotGiven(purpose: "e-marketing", status: .withdrawn)) {
            try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        }
        let again = try ledger.giveConsent(grant, attribution: officer)
        #expect(again.status == .given && again.withdrawnAt == nil && again.updateCount == 3)
        #expect(again.registeredAt == renewed.registeredAt)
        let events = try ledger.events(person.id)
        #expect(events.map(\.type) == [.given, .renewed, .withdrawn, .given])
        #expect(events[2].fromStatus == .given && events[2].toStatus == .withdrawn)
        #expect(events[2].attribution.via == .preferencePage && events[2].attribution.by == Attribution.dataSubject)
    }

    @Test("an objection to direct marketing suppresses the person: imports and officers cannot give consent again")
    func objectionSuppresses() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
        let objection = Attribution(by: "officer", via: .request, requestReference: "DSR-2026-000007")
        let objected = try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing", attribution: objection)
        #expect(objected.status == .objected)
        let suppression = try #require(try ledger.read { try $0.suppression(personID: person.id, purposeKey: "e-marketing") })
        #expect(suppression.attribution.requestReference == "DSR-2026-000007")
        #expect(try ledger.events(person.id).last?.attribution.requestReference == "DSR-2026-000007")

        let before = try database.counts()
        for attribution in [Attribution(by: "importer", via: .import), officer] {
            #expect(throws: LedgerError.suppressed(personID: person.id, purpose: "e-marketing", since: suppression.at)) {
                try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "import"), attribution: attribution)
            }
        }
        // Not even on another legal basis, and not by an import claiming to come from the person.
        #expect(throws: LedgerError.self) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", basisKey: "legitimate-interest", sourceKey: "phone", fromPerson: true), attribution: officer)
        }
        #expect(throws: LedgerError.self) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "import", evidence: "x", fromPerson: true),
                                   attribution: Attribution(by: "importer", via: .import))
        }
        #expect(throws: LedgerError.missingValue(field: "evidence", reason: "lifting an objection to direct marketing needs a reference to the person's new consent")) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "phone", fromPerson: true), attribution: officer)
        }
        #expect(try database.counts() == before)
        #expect(throws: LedgerError.alreadyObjected(purpose: "e-marketing", since: try #require(objected.withdrawnAt))) {
            try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        }

        // The person's own new consent lifts it.
        let renewed = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "customer-portal"),
                                             attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        #expect(renewed.status == .given)
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.isEmpty)
    }

    @Test("a consent is never dated before its own history: not before a withdrawal, an objection or the consent it renews; nothing is written, the suppression stays")
    func notBackdatedBeforeHistory() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        let day = { (text: String) in try #require(ISO8601DateFormatter().date(from: text + "T00:00:00Z")) }
        let given = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form",
                                                        givenAt: try day("2025-03-01")), attribution: officer)
        // A renewal dated before the consent it renews.
        var error = try #require(throws: LedgerError.self) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form",
                                                givenAt: try day("2025-02-01")), attribution: officer)
        }
        #expect(error.isUsageError)
        #expect(error.description.contains("Invalid given-at '2025-02-01T00:00:00Z'"))
        #expect(error.description.contains("given on 2025-03-01T00:00:00Z"))
        // After the renewal date is fine (the person renewed it in April; recorded only now).
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form",
                                            givenAt: try day("2025-04-01")), attribution: officer)

        // A new consent dated before the withdrawal it is to follow.
        let withdrawn = try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        let withdrawnAt = try #require(withdrawn.withdrawnAt)
        var before = try database.counts()
        error = try #require(throws: LedgerError.self) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form",
                                                givenAt: try day("2025-01-01")), attribution: officer)
        }
        #expect(error.isUsageError)
        #expect(error.description.contains("withdrawn on \(withdrawnAt.formatted(.iso8601))"))
        #expect(try database.counts() == before)
        let april = try day("2025-04-01")
        #expect(try ledger.read { try $0.consent(personID: person.id, purposeKey: "e-marketing") }?.givenAt == april)

        // The person's own consent that lifts an objection, dated before the objection: refused, the suppression stays.
        try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        before = try database.counts()
        error = try #require(throws: LedgerError.self) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "mail-3",
                                                givenAt: withdrawnAt, fromPerson: true), attribution: officer)
        }
        #expect(error.description.contains("objected on"))
        #expect(try database.counts() == before)
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.count == 1)
        // Dated now (no date), it is given and lifts the objection.
        let again = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "mail-3",
                                                        fromPerson: true), attribution: officer)
        #expect(again.status == .given && again.givenAt == again.updatedAt && given.id == again.id)
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.isEmpty)
    }

    @Test("blank evidence (spaces, invisible characters) does not lift an objection to direct marketing; blank comments and grounds count as none")
    func blankTexts() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing", attribution: officer, comment: " \u{200B} ")
        #expect(try ledger.events(person.id).last?.comment == nil)
        let before = try database.counts()
        for blank in ["", "  ", "\t\n", "\u{200B}", "\u{202E}", " \u{2060}\u{FEFF} "] {
            #expect(throws: LedgerError.missingValue(field: "evidence", reason: "lifting an objection to direct marketing needs a reference to the person's new consent")) {
                try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: blank,
                                                    fromPerson: true), attribution: officer)
            }
        }
        #expect(try database.counts() == before, "nothing written: the suppression stays")
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.count == 1)
        #expect(throws: LedgerError.missingValue(field: "reason", reason: "write down the compelling legitimate grounds that override the objection")) {
            try ledger.write { try $0.recordObjectionOverride(personID: person.id, purposeKey: "sales-and-service", grounds: "\u{202E}", attribution: officer) }
        }
        #expect(throws: LedgerError.missingValue(field: "statement", reason: "give the text of the supplementary statement")) {
            try ledger.write { try $0.addStatement(personID: person.id, field: .city, statement: " \u{200D} ", attribution: officer) }
        }
        // Real evidence lifts it; a blank comment with it is no comment.
        let given = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", comment: "  ",
                                                        evidence: "letter-1", fromPerson: true), attribution: officer)
        #expect(given.status == .given && given.comment == nil)
        #expect(try ledger.events(person.id).last?.evidence == "letter-1")
    }

    @Test("an objection to a purpose never registered is recorded, and a non-marketing objection does not suppress")
    func objectionWithoutConsent() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let consent = try ledger.recordObjection(personID: person.id, purposeKey: "sales-and-service", attribution: officer)
        #expect(consent.status == .objected && consent.basisKey == "legitimate-interest" && consent.sourceKey == "business-card")
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.isEmpty)
        let marketing = try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        #expect(marketing.status == .objected)
        #expect(try ledger.read { try $0.suppressions(personID: person.id) }.map(\.purposeKey) == ["e-marketing"])
    }

    @Test("processing the person stopped is not taken up by an officer's grant: not after an objection, not on another basis after a withdrawal")
    func stoppedProcessingStaysStopped() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        // An objection to sales and service (legitimate interest) that stopped its processing (an upheld objection).
        let objected = try ledger.recordObjection(personID: person.id, purposeKey: "sales-and-service", attribution: officer)
        let since = try #require(objected.withdrawnAt)
        let before = try database.counts()
        let stands = LedgerError.objectionStands(personID: person.id, purpose: "sales-and-service", since: since)
        for (grant, attribution) in [
            (ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "phone"), officer),
            (ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent", sourceKey: "phone"), officer),
            (ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent", sourceKey: "import", evidence: "x", fromPerson: true),
             Attribution(by: "importer", via: .import)),
            // "From the person" but not their consent: the purpose's own basis would resume processing all the same.
            (ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "phone", evidence: "call", fromPerson: true), officer),
        ] {
            #expect(throws: stands) { try ledger.giveConsent(grant, attribution: attribution) }
        }
        #expect(throws: LedgerError.missingValue(field: "evidence", reason: "taking up a purpose the person objected to needs a reference to the person's new consent")) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent", sourceKey: "phone", fromPerson: true),
                                   attribution: officer)
        }
        #expect(try database.counts() == before, "nothing was written")
        #expect(stands.description.contains("request decide REF --override"))
        // The person's own new consent, with evidence, is theirs to give.
        let given = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent", sourceKey: "phone",
                                                        evidence: "signed form 12", fromPerson: true), attribution: officer)
        #expect(given.status == .given)

        // Consent to e-marketing withdrawn: not replaced by legitimate interest; the person's new consent is fine.
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
        let withdrawn = try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        #expect(throws: LedgerError.consentNotReplaceable(personID: person.id, purpose: "e-marketing", status: .withdrawn,
                                                         since: try #require(withdrawn.withdrawnAt))) {
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", basisKey: "legitimate-interest", sourceKey: "phone"),
                                   attribution: officer)
        }
        #expect(try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "phone"), attribution: officer).status == .given)
    }

    @Test("unknown and inactive purposes, sources and bases are refused with the valid keys")
    func referenceChecks() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        try ledger.deactivate(.source, key: "chat", by: "officer")
        let before = try database.counts()
        let cases: [(ConsentGrant, String)] = [
            (ConsentGrant(personID: person.id, purposeKey: "telepathy", sourceKey: "web-form"), "Valid purpose keys: sales-and-service, e-marketing"),
            (ConsentGrant(personID: person.id, purposeKey: "e-marketing", basisKey: "whim", sourceKey: "web-form"), "Valid legal basis keys: consent, contract"),
            (ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "chat"), "is deactivated"),
            (ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "smoke-signal"), "Valid source keys: created-by-user"),
        ]
        for (grant, message) in cases {
            do {
                try ledger.giveConsent(grant, attribution: officer)
                Issue.record("accepted \(grant)")
            } catch let error as LedgerError {
                #expect(error.isUsageError)
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
        #expect(try database.counts() == before)
    }
}
