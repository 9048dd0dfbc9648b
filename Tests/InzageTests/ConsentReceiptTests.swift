import Foundation
import Testing
@testable import Inzage

// design.md §5: "Consents can also be given as Kantara Consent Receipt v1.1 objects."

@Suite("Kantara consent receipts of a person's consents")
struct ConsentReceiptTests {
    /// Anna (en) who gave consent for e-marketing on the preference page (handled by a mailing service, a processor, and
    /// shared with an events partner, a controller), registered for sales and service on a legitimate interest, with
    /// the organisation's phone and privacy statement set.
    private func anna() throws -> (Ledger, Person) {
        let (ledger, _) = try makeLedger()
        try ledger.setSetting(SettingKey.phone.rawValue, value: "+31 20 123 4567", by: "privacy-officer")
        try ledger.setSetting(SettingKey.privacyStatementURL.rawValue, value: "https://example.nl/privacy", by: "privacy-officer")
        try ledger.addRecipient(Recipient(key: "mailing-service", name: "Nieuwsbrief Diensten B.V.", role: .processor, country: "NL", rank: 10),
                                by: "privacy-officer")
        try ledger.addRecipient(Recipient(key: "partner-events", name: "Partner Events GmbH", role: .controller, country: "DE", rank: 20),
                                by: "privacy-officer")
        try ledger.setRecipients(["mailing-service", "partner-events"], forPurpose: "e-marketing", by: "privacy-officer")
        let person = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: "anna@example.nl", language: "en",
                                                        sourceKey: "business-card"), attribution: officer)
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-1"),
                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "business-card"),
                                   attribution: officer)
        return (ledger, person)
    }

    private func receipts(_ ledger: Ledger) -> ConsentReceipts {
        ConsentReceipts(ledger: ledger, templates: ExtractTemplates())
    }

    @Test("a receipt carries every field the specification requires, from the ledger, in the person's language")
    func fields() throws {
        let (ledger, person) = try anna()
        let receipt = try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing")
        let consent = try #require(try ledger.read { try $0.consent(personID: person.id, purposeKey: "e-marketing") })
        let labels = try ExtractTemplates().labels(.en)
        let purpose = try #require(try ledger.referenceLists().purpose("e-marketing"))

        #expect(receipt.version == "KI-CR-v1.1.0")
        #expect(receipt.jurisdiction == "NL" && receipt.language == "en")
        #expect(receipt.consentTimestamp == Int64(try #require(consent.givenAt).timeIntervalSince1970))
        #expect(receipt.collectionMethod == "\(labels.code(ChangeChannel.preferencePage).label) — \(try #require(try ledger.referenceLists().source("web-form")).name.en)")
        #expect(receipt.piiPrincipalId == "anna@example.nl")
        #expect(receipt.policyUrl == "https://example.nl/privacy")
        let controller = try #require(receipt.piiControllers.first)
        let organisation = try ledger.organisationProfile()
        #expect(receipt.piiControllers.count == 1 && controller.piiController == organisation.name && controller.contact == organisation.dpoName)
        #expect(controller.email == organisation.contactEmail && controller.phone == "+31 20 123 4567")
        #expect(controller.address == ConsentReceipt.Address(streetAddress: organisation.address, addressCountry: "NL"))
        let service = try #require(receipt.services.first)
        #expect(receipt.services.count == 1 && service.service == purpose.name.en && service.purposes.count == 1)
        let used = try #require(service.purposes.first)
        #expect(used.purpose == purpose.description.en && used.purposeCategory == [purpose.name.en] && used.consentType == "EXPLICIT")
        #expect(used.piiCategory == purpose.dataCategories.en.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(used.termination.hasPrefix(purpose.retention.en) && used.termination.hasSuffix(labels.word(.objectWithdrawConsent)))
        #expect(used.thirdPartyDisclosure && used.thirdPartyName == "Partner Events GmbH", "a processor is not a third party")
        #expect(!receipt.sensitive && receipt.spiCat.isEmpty)

        // The JSON form: every required member present with its JSON type (a whole number of seconds, not a date).
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(receipt)) as? [String: Any])
        for key in ["version", "jurisdiction", "collectionMethod", "consentReceiptID", "piiPrincipalId", "policyUrl"] {
            #expect((json[key] as? String)?.isEmpty == false, "\(key)")
        }
        #expect(json["consentTimestamp"] is Int && json["sensitive"] is Bool && json["spiCat"] is [Any])
        let controllers = try #require(json["piiControllers"] as? [[String: Any]])
        #expect(Set(try #require(controllers.first).keys) == ["piiController", "contact", "address", "email", "phone"])
        let purposes = try #require((json["services"] as? [[String: Any]])?.first?["purposes"] as? [[String: Any]])
        #expect(Set(try #require(purposes.first).keys) == ["purpose", "purposeCategory", "consentType", "piiCategory", "termination",
                                                           "thirdPartyDisclosure", "thirdPartyName"])
        // A UUID of version 5 and the RFC 4122 variant.
        let id = receipt.consentReceiptID
        #expect(UUID(uuidString: id) != nil && Array(id)[14] == "5" && "89ab".contains(Array(id)[19]))
    }

    @Test("the receipt ID is the RFC 4122 version-5 UUID of the consent and its giving, as Python's uuid.uuid5 computes it")
    func knownIdentifier() {
        // python3 -c "import uuid; ns = uuid.UUID(bytes=bytes([0x6b, 0x1f, 0x0e, 0x52, 0x3c, 0x9a, 0x4d, 0x2b, 0x8e, 0x71,
        //   0x55, 0x0c, 0xa9, 0xd3, 0x47, 0x18])); print(uuid.uuid5(ns, 'consent:7:person:3:given:1750000000'))"
        #expect(ConsentReceipts.receiptID(consentID: 7, givenAt: 1_750_000_000, person: 3) == "1752f98d-86d0-52f4-8fac-3323c0d50dba")
    }

    @Test("a purpose with only processors, or none, discloses to no third party, and the receipt names none")
    func noThirdParty() throws {
        let (ledger, person) = try anna()
        try ledger.setRecipients(["mailing-service"], forPurpose: "e-marketing", by: "privacy-officer")
        let receipt = try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing")
        let used = try #require(receipt.services.first?.purposes.first)
        #expect(!used.thirdPartyDisclosure && used.thirdPartyName == nil)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(used)) as? [String: Any])
        #expect(json["thirdPartyName"] == nil, "absent, not an empty name")
        let text = try receipts(ledger).text(personID: person.id, purposeKey: "e-marketing")
        #expect(text.contains("on our behalf, only on our instructions:\n- Nieuwsbrief Diensten B.V.\n") && !text.contains("decide themselves"),
                "the processor is still named in words")
        try ledger.setRecipients([], forPurpose: "e-marketing", by: "privacy-officer")
        #expect(try receipts(ledger).text(personID: person.id, purposeKey: "e-marketing").contains("We give no data for it to other organisations.\n"))
    }

    @Test("the receipt ID is the same every time it is asked for, and new when consent is given again")
    func stableIdentifier() throws {
        let (ledger, person) = try anna()
        let first = try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing")
        #expect(try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing") == first)
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-2"),
                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        let renewed = try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing")
        #expect(renewed.consentReceiptID != first.consentReceiptID && renewed.consentTimestamp > first.consentTimestamp)
    }

    @Test("only consent given that stands gets a receipt; the others are refused with the reason")
    func onlyStandingConsent() throws {
        let (ledger, person) = try anna()
        #expect(try receipts(ledger).receipts(personID: person.id).map { $0.services.first?.service } == ["E-marketing"],
                "sales and service rests on a legitimate interest")
        #expect(throws: ConsentReceiptError.notGiven(purposeKey: "sales-and-service", basisKey: "legitimate-interest", status: .notApplicable)) {
            try receipts(ledger).receipt(personID: person.id, purposeKey: "sales-and-service")
        }
        _ = try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing", attribution: officer)
        #expect(try receipts(ledger).receipts(personID: person.id).isEmpty)
        let withdrawn = try #require(throws: ConsentReceiptError.self) { try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing") }
        #expect(withdrawn.description.hasPrefix("The person withdrew their consent for 'e-marketing'; a receipt records consent that was given"))
        let unknown = try #require(throws: ConsentReceiptError.self) { try receipts(ledger).receipt(personID: person.id, purposeKey: "newsletter") }
        #expect(unknown.description.hasPrefix("Unknown purpose 'newsletter'; purposes: sales-and-service, e-marketing"))
        try ledger.addPurpose(Purpose(key: "events", name: LocalizedText(nl: "Evenementen", en: "Events"),
                                      description: LocalizedText("Invitations."), defaultBasisKey: "consent",
                                      dataCategories: LocalizedText("Name"), retention: LocalizedText("A year."),
                                      consentText: LocalizedText("May we invite you?"), rank: 30), by: "privacy-officer")
        let none = try #require(throws: ConsentReceiptError.self) { try receipts(ledger).receipt(personID: person.id, purposeKey: "events") }
        #expect(none.description == "Person \(person.id) has no consent record for 'events'; no consent of theirs stands, so there is no receipt to make.")
        #expect(throws: LedgerError.unknownPerson(999)) { try receipts(ledger).receipts(personID: 999) }
    }

    @Test("a receipt needs the organisation's phone and a privacy statement; a purpose's own statement comes first")
    func requiredSettings() throws {
        let (ledger, person) = try anna()
        try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("privacy-statement-url", "https://example.nl/privacy/newsletter")],
                               by: "privacy-officer")
        #expect(try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing").policyUrl == "https://example.nl/privacy/newsletter")
        try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("privacy-statement-url", "")], by: "privacy-officer")
        try ledger.setSetting(SettingKey.privacyStatementURL.rawValue, value: "", by: "privacy-officer")
        let noPolicy = try #require(throws: ConsentReceiptError.self) { try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing") }
        #expect(noPolicy == .noPolicy(purposeKey: "e-marketing") && noPolicy.description.contains("inzage settings set privacy-statement-url"))
        try ledger.setSetting(SettingKey.phone.rawValue, value: "", by: "privacy-officer")
        #expect(throws: ConsentReceiptError.noPhone) { try receipts(ledger).receipts(personID: person.id) }
        for bad in ["call us", "+31 20 ABC", "1", "((((1"] {
            #expect(throws: LedgerError.self) { try ledger.setSetting(SettingKey.phone.rawValue, value: bad, by: "privacy-officer") }
        }
        #expect(throws: LedgerError.self) { try ledger.setSetting(SettingKey.privacyStatementURL.rawValue, value: "example.nl", by: "privacy-officer") }
    }

    @Test("the receipt in words says the same in the person's language, and an organisation may word it differently")
    func text() throws {
        let (ledger, person) = try anna()
        let receipt = try receipts(ledger).receipt(personID: person.id, purposeKey: "e-marketing")
        let purpose = try #require(try ledger.referenceLists().purpose("e-marketing"))
        let en = try receipts(ledger).text(personID: person.id, purposeKey: "e-marketing")
        #expect(en.hasPrefix("Receipt for your consent\n\nYou gave \(try ledger.organisationProfile().name) your consent for: E-marketing.\n"))
        #expect(en.contains("How: \(receipt.collectionMethod)\nHow we identify you: anna@example.nl\n"))
        #expect(en.contains("How long we keep it: \(purpose.retention.en)\n"))
        #expect(en.contains("on our behalf, only on our instructions:\n- Nieuwsbrief Diensten B.V.\n"), "a processor is named too")
        #expect(en.contains("decide themselves what they do with it:\n- Partner Events GmbH\n"))
        #expect(!en.contains("We give no data for it to other organisations."))
        #expect(en.contains("Telephone: +31 20 123 4567") && en.hasSuffix("Receipt number: \(receipt.consentReceiptID)\n"))
        let calendar = { var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt; return c }()
        let given = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(receipt.consentTimestamp)))
        #expect(en.contains(String(format: " at %02d:%02d (Europe/Amsterdam)", given.hour ?? -1, given.minute ?? -1)))
        let nl = try receipts(ledger).text(personID: person.id, purposeKey: "e-marketing", language: .nl)
        #expect(nl.hasPrefix("Ontvangstbewijs van uw toestemming\n") && nl.contains("Hoe wij u herkennen: anna@example.nl"))
        #expect(try receipts(ledger).texts(personID: person.id) == [en])

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let own = directory.appendingPathComponent(ConsentReceipts.templatePath(for: .en))
        try FileManager.default.createDirectory(at: own.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("Thank you, {{personIdentifier}}: {{purposeName}} ({{receiptID}}).\n".utf8).write(to: own)
        let worded = ConsentReceipts(ledger: ledger, templates: ExtractTemplates(overrideDirectory: directory))
        #expect(try worded.text(personID: person.id, purposeKey: "e-marketing") == "Thank you, anna@example.nl: E-marketing (\(receipt.consentReceiptID)).\n")
        try Data("{{purposeNaam}}\n".utf8).write(to: own)
        #expect(throws: ExtractError.self, "a misspelt name is an error, never an empty gap") {
            try worded.text(personID: person.id, purposeKey: "e-marketing")
        }
    }
}
