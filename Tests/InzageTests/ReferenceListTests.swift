import Foundation
import Testing
@testable import Inzage

@Suite("Reference lists and settings")
struct ReferenceListTests {
    @Test("a new database holds the default lists of design.md §2")
    func defaults() throws {
        let (ledger, _) = try makeLedger()
        let lists = try ledger.referenceLists()
        #expect(lists.legalBases.map(\.key) == ["consent", "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interest"])
        #expect(lists.legalBases.first?.dpvIRI == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a")
        #expect(lists.purposes.map(\.key) == ["sales-and-service", "e-marketing"])
        #expect(lists.purpose("sales-and-service")?.name.nl == "Verkoop en dienstverlening")
        #expect(lists.purpose("e-marketing")?.isDirectMarketing == true)
        #expect(lists.sources.count == 12 && lists.sources.allSatisfy(\.active))
    }

    @Test("entries are added, renamed, translated, reordered and deactivated, each change recorded")
    func editing() throws {
        let (ledger, _) = try makeLedger()
        try ledger.addSource(Source(key: "trade-fair", name: LocalizedText(nl: "Beurs", en: "Trade fair"),
                                    description: LocalizedText("A stand at a fair"), sourceType: .dataSubject, rank: 130), by: "officer")
        try ledger.updateEntry(.source, key: "trade-fair", changes: [("name-en", "Trade show"), ("rank", "5")], by: "officer")
        try ledger.deactivate(.source, key: "trade-fair", by: "officer")
        let source = try #require(try ledger.referenceLists().source("trade-fair"))
        #expect(source.name.en == "Trade show" && source.rank == 5 && !source.active)
        let changes = try ledger.read { try $0.referenceChanges(limit: 10) }
        #expect(changes.map(\.field) == ["active", "rank", "name-en", "created"])
        #expect(changes[2].oldValue == "Trade fair" && changes[2].newValue == "Trade show" && changes[2].by == "officer")
        #expect(throws: LedgerError.unknownField("colour", valid: Ledger.editableFields(of: .source).joined(separator: ", "))) {
            try ledger.updateEntry(.source, key: "trade-fair", changes: [("colour", "red")], by: "officer")
        }
        #expect(throws: LedgerError.duplicateKey(.source, "trade-fair")) {
            try ledger.addSource(source, by: "officer")
        }
        #expect(throws: LedgerError.self) {
            try ledger.addSource(Source(key: "Bad Key!", name: LocalizedText("x"), description: LocalizedText("x"), sourceType: .dataSubject, rank: 1), by: "officer")
        }
        #expect(throws: LedgerError.invalidValue(field: "name-nl", value: "Beurs<U+000A>stand", reason: "it contains the control character U+000A; write it on one line without tabs")) {
            try ledger.addSource(Source(key: "fair", name: LocalizedText(nl: "Beurs\nstand", en: "Fair"), description: LocalizedText("A stand\nat a fair"),
                                        sourceType: .dataSubject, rank: 1), by: "officer")
        }
        #expect(throws: LedgerError.self) { try ledger.setSetting("name", value: "Tulpen\nB.V.", by: "officer") }
        try ledger.setSetting("address", value: "Keizersgracht 1\n1015 AA Amsterdam", by: "officer")
    }

    @Test("an entry in use is never removed; an unused one is, with a record")
    func removal() throws {
        let (ledger, _) = try makeLedger()
        _ = try ledger.annaJansen()
        #expect(throws: LedgerError.entryInUse(.source, "business-card", usedBy: "1 person and 1 edit record")) {
            try ledger.removeEntry(.source, key: "business-card", by: "officer")
        }
        #expect(throws: LedgerError.entryInUse(.basis, "consent", usedBy: "1 purpose (e-marketing)")) {
            try ledger.removeEntry(.basis, key: "consent", by: "officer")
        }
        try ledger.removeEntry(.source, key: "chat", by: "officer")
        #expect(try ledger.referenceLists().source("chat") == nil)
        #expect(try ledger.read { try $0.referenceChanges(limit: 1) }.first?.field == "removed")
    }

    @Test("a source's confirmation template is a name (letters, digits, hyphens), never a path, when added and when changed")
    func confirmationTemplate() throws {
        let (ledger, database) = try makeLedger()
        let fair = { (template: String?) in
            Source(key: "fair", name: LocalizedText("Fair"), description: LocalizedText("A stand"), sourceType: .dataSubject,
                   confirmationTemplate: template, rank: 130)
        }
        let before = try database.counts()
        for bad in ["../../etc/passwd", "/etc/passwd", "a/b", "a\\b", "..", "fair.mustache", "fair welcome", "-fair", "fair--welcome", ""] {
            let error = try #require(throws: LedgerError.self) { try ledger.addSource(fair(bad), by: "officer") }
            #expect(error.isUsageError && error.description.contains("letters, digits and single hyphens"), "\(bad)")
        }
        #expect(try database.counts() == before)
        try ledger.addSource(fair("fair-welcome"), by: "officer")
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.source, key: "fair", changes: [("confirmation-template", "../../etc/passwd")], by: "officer")
        }
        try ledger.updateEntry(.source, key: "fair", changes: [("confirmation-template", "Confirmation2")], by: "officer")
        #expect(try ledger.referenceLists().source("fair")?.confirmationTemplate == "Confirmation2")
        try ledger.updateEntry(.source, key: "fair", changes: [("confirmation-template", "")], by: "officer")
        #expect(try ledger.referenceLists().source("fair")?.confirmationTemplate == nil)
        #expect(try ledger.referenceLists().source("web-form")?.confirmationTemplate == "confirmation", "the default sources' name passes")
    }

    @Test("a legal basis in use is renamed and deactivated like any entry (its row is updated, never replaced)")
    func basisInUse() throws {
        let (ledger, _) = try makeLedger()
        _ = try ledger.annaJansen()
        // `consent` is e-marketing's default basis (a foreign key): replacing its row would break the purpose.
        try ledger.updateEntry(.basis, key: "consent", changes: [("name-nl", "Toestemming (art. 6 lid 1 a)")], by: "officer")
        try ledger.deactivate(.basis, key: "legitimate-interest", by: "officer")
        try ledger.deactivate(.basis, key: "consent", by: "officer")
        let lists = try ledger.referenceLists()
        #expect(lists.basis("consent")?.name.nl == "Toestemming (art. 6 lid 1 a)" && lists.basis("consent")?.active == false)
        #expect(lists.basis("legitimate-interest")?.active == false)
        #expect(try ledger.read { try $0.referenceChanges(limit: 3) }.map(\.field) == ["active", "active", "name-nl"])
    }

    @Test("a purpose's recipients and default basis are validated")
    func purposes() throws {
        let (ledger, _) = try makeLedger()
        try ledger.addRecipient(Recipient(key: "mailer", name: "Mailer B.V.", role: .processor, country: "NL", rank: 1), by: "officer")
        let purpose = Purpose(key: "research", name: LocalizedText(nl: "Onderzoek", en: "Research"), description: LocalizedText("x"),
                              defaultBasisKey: "public-task", dataCategories: LocalizedText("x"), retention: LocalizedText("x"),
                              consentText: LocalizedText("x"), rank: 30)
        try ledger.addPurpose(purpose, recipientKeys: ["mailer"], by: "officer")
        #expect(try ledger.read { try $0.recipientKeys(purposeKey: "research") } == ["mailer"])
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.purpose, key: "research", changes: [("default-basis", "hunch")], by: "officer")
        }
        // An optional text comes in both languages, never one copied into the other.
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.purpose, key: "research", changes: [("transfers-outside-eu-en", "To the US under SCCs")], by: "officer")
        }
        try ledger.updateEntry(.purpose, key: "research", changes: [("transfers-outside-eu-en", "To the US under SCCs"),
                                                                      ("transfers-outside-eu-nl", "Naar de VS onder SCC's")], by: "officer")
        #expect(try ledger.referenceLists().purpose("research")?.transfersOutsideEU == LocalizedText(nl: "Naar de VS onder SCC's", en: "To the US under SCCs"))
    }

    @Test("a recipient is checked alike when added and when changed; links name active recipients once")
    func recipients() throws {
        let (ledger, _) = try makeLedger()
        try ledger.addRecipient(Recipient(key: "mailer", name: "Mailer B.V.", role: .processor, country: "nl", rank: 1), by: "officer")
        #expect(try ledger.referenceLists().recipient("mailer")?.country == "NL")
        #expect(throws: LedgerError.self) {
            try ledger.addRecipient(Recipient(key: "far", name: "Far Ltd", role: .processor, country: "ZZZ", rank: 2), by: "officer")
        }
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.recipient, key: "mailer", changes: [("contact-email", "bad")], by: "officer")
        }
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.recipient, key: "mailer", changes: [("country", "X1")], by: "officer")
        }
        // Two letters that no country has (user-assigned, reserved, a grouping) are not a country code.
        for code in ["QQ", "XX", "ZZ", "EU", "XK", "AC"] {
            let error = try #require(throws: LedgerError.self) {
                try ledger.addRecipient(Recipient(key: "far", name: "Far Ltd", role: .processor, country: code, rank: 2), by: "officer")
            }
            #expect(error.isUsageError && error.description.contains("assigned ISO 3166-1 alpha-2 country code"), "\(code)")
            #expect(throws: LedgerError.self) { try ledger.updateEntry(.recipient, key: "mailer", changes: [("country", code)], by: "officer") }
        }
        #expect(throws: LedgerError.invalidValue(field: "name", value: "B", reason: "the field is given twice; give each field once")) {
            try ledger.updateEntry(.recipient, key: "mailer", changes: [("name", "A"), ("name", "B")], by: "officer")
        }
        #expect(throws: LedgerError.invalidValue(field: "recipient", value: "mailer", reason: "it is named twice; name each recipient once")) {
            try ledger.setRecipients(["mailer", "mailer"], forPurpose: "e-marketing", by: "officer")
        }
        try ledger.setRecipients(["mailer"], forPurpose: "e-marketing", by: "officer")
        try ledger.addRecipient(Recipient(key: "old", name: "Old B.V.", role: .processor, country: "NL", rank: 3), by: "officer")
        try ledger.deactivate(.recipient, key: "old", by: "officer")
        #expect(throws: LedgerError.inactiveEntry(.recipient, "old", valid: "mailer")) {
            try ledger.setRecipients(["mailer", "old"], forPurpose: "e-marketing", by: "officer")
        }
        // The country is normalised before the change is recorded, so the history says what is stored.
        #expect(throws: LedgerError.nothingChanged) { try ledger.updateEntry(.recipient, key: "mailer", changes: [("country", "nl")], by: "officer") }
        let moved = try ledger.updateEntry(.recipient, key: "mailer", changes: [("country", "be")], by: "officer")
        #expect(moved.map(\.newValue) == ["BE"])
        #expect(try ledger.referenceLists().recipient("mailer")?.country == "BE")
        // Names are one line; the acting user too.
        #expect(throws: LedgerError.self) { try ledger.updateEntry(.recipient, key: "mailer", changes: [("name", "Mailer\nB.V.")], by: "officer") }
        #expect(throws: LedgerError.self) { try ledger.setRecipients(["mailer"], forPurpose: "sales-and-service", by: "officer\u{1}") }
        // Nothing of the refused changes was written.
        #expect(try ledger.referenceLists().recipient("mailer")?.contactEmail == nil)
        #expect(try ledger.read { try $0.recipientKeys(purposeKey: "e-marketing") } == ["mailer"])
    }

    @Test("web addresses are checked: privacy statements, the supervisory authority, DPV terms")
    func webAddresses() throws {
        let (ledger, database) = try makeLedger()
        let before = try database.counts()
        #expect(throws: LedgerError.self) { try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("privacy-statement-url", "not a url")], by: "officer") }
        #expect(throws: LedgerError.self) { try ledger.updateEntry(.basis, key: "consent", changes: [("dpv-iri", "not-an-iri")], by: "officer") }
        #expect(throws: LedgerError.self) { try ledger.setSetting("supervisory-authority-url", value: "notaurl", by: "officer") }
        #expect(throws: LedgerError.self) {
            try ledger.addLegalBasis(LegalBasis(key: "national-law", name: LocalizedText("Law"), description: LocalizedText("A law"),
                                                article: "6(1)(c)", dpvIRI: "ftp://example.nl/x", rank: 70), by: "officer")
        }
        // Plain http alike for a purpose's privacy statement, the organisation's, the supervisory authority and a DPV term.
        for (field, address) in [("privacy-statement-url", "http://example.nl/privacy"), ("supervisory-authority-url", "http://ap.example.nl")] {
            let error = try #require(throws: LedgerError.self) { try ledger.setSetting(field, value: address, by: "officer") }
            #expect(error.isUsageError && error.description.contains("starting with https://"))
        }
        #expect(throws: LedgerError.self) {
            try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("privacy-statement-url", "http://example.nl/privacy")], by: "officer")
        }
        #expect(throws: LedgerError.self) { try ledger.updateEntry(.basis, key: "consent", changes: [("dpv-iri", "http://w3id.org/dpv")], by: "officer") }
        #expect(try database.counts() == before)
        try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("privacy-statement-url", "https://example.nl/privacy#marketing")], by: "officer")
        try ledger.setSetting("supervisory-authority-url", value: "https://autoriteitpersoonsgegevens.nl/en", by: "officer")
        #expect(try ledger.referenceLists().purpose("e-marketing")?.privacyStatementURL == "https://example.nl/privacy#marketing")
    }

    @Test("an unknown key on an empty list says how to add one instead of listing nothing")
    func emptyList() throws {
        let (ledger, _) = try makeLedger()
        let error = try #require(throws: LedgerError.self) { try ledger.setRecipients(["acme"], forPurpose: "e-marketing", by: "officer") }
        #expect(error.description == "Unknown recipient 'acme': there are no recipients yet; add one with `inzage recipient add`.")
    }

    @Test("settings are validated and their changes recorded")
    func settings() throws {
        let (ledger, database) = try makeLedger()
        #expect(try ledger.organisationProfile().supervisoryAuthorityName == "Autoriteit Persoonsgegevens")
        try ledger.setSetting("name", value: "Tulpen B.V.", by: "officer")
        #expect(try ledger.organisationProfile().name == "Tulpen B.V.")
        #expect(throws: LedgerError.self) { try ledger.setSetting("time-zone", value: "Mars/Olympus", by: "officer") }
        // Decreed days move request deadlines, so only the request queue changes them (in one transaction with the moves).
        let viaLedger = try #require(throws: LedgerError.self) { try ledger.setSetting("decreed-days", value: "2027-05-14", by: "officer") }
        #expect(viaLedger.description.contains("RequestQueue.updateSettings"))
        let queue = RequestQueue(store: database)
        #expect(throws: LedgerError.self) { try queue.updateSettings([(field: "decreed-days", value: "2027-05-14, 2027-05-14")], by: "officer") }
        #expect(throws: LedgerError.unknownSetting("colour", valid: SettingKey.validKeys)) { try ledger.setSetting("colour", value: "x", by: "officer") }
        let change = try #require(try ledger.read { try $0.referenceChanges(limit: 1) }.first)
        #expect(change.list == .settings && change.oldValue == "Voorbeeld B.V." && change.newValue == "Tulpen B.V.")
    }

    @Test("the EEA: the member states, Iceland, Liechtenstein and Norway, and the parts of the EU with codes of their own")
    func europeanEconomicArea() {
        #expect(EuropeanEconomicArea.countryCodes.count == 37)
        for code in ["NL", "BE", "GR", "IS", "LI", "NO", "RE", "GF", "AX"] { #expect(EuropeanEconomicArea.contains(code), "\(code)") }
        for code in ["US", "CH", "GB", "EL", "FO", "GL", "PF", "AW"] { #expect(!EuropeanEconomicArea.contains(code), "\(code)") }
        #expect(EuropeanEconomicArea.countryCodes.allSatisfy(FieldValidation.isCountryCode), "every code is an assigned ISO 3166-1 code")
        #expect(Recipient(key: "x", name: "X", role: .processor, country: "US", rank: 1).isOutsideEEA)
    }
}
