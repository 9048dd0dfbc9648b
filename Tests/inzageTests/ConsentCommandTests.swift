import Foundation
import Testing

@Suite("inzage consent")
struct ConsentCommandTests {
    @Test("give, withdraw and object print the consent id first and land in show and history")
    func giveWithdrawObject() throws {
        let sandbox = try CLISandbox()
        let id = try sandbox.addPerson("--language", "en")
        let person = String(id)

        let given = try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form",
                                        "--evidence", "form-123", "--comment", "Signed up at the fair", "--given-at", "2025-03-01T10:00:00+01:00")
        let consentID = try #require(Int(given.lines[0]), "the first line is the consent id: \(given.stdout)")
        #expect(given.lines.dropFirst().first?.contains("given") == true)
        #expect(given.lines.dropFirst().first?.contains("Consent (consent)") == true)

        let registered = try sandbox.succeed("consent", "give", person, "--purpose", "sales-and-service", "--source", "business-card")
        #expect(registered.stdout.contains("not-applicable"))

        let withdrawn = try sandbox.succeed("consent", "withdraw", person, "--purpose", "e-marketing", "--evidence", "mail-9", "--comment", "Unsubscribed")
        #expect(withdrawn.lines.first == String(consentID))
        #expect(withdrawn.stdout.contains("withdrawn"))

        let objected = try sandbox.succeed("consent", "object", person, "--purpose", "e-marketing", "--comment", "No more mail")
        #expect(objected.lines.first == String(consentID))
        #expect(objected.stdout.contains("objected"))

        let purposes = try JSON.objects(JSON.object(try sandbox.json("person", "show", person))["purposes"])
        let marketing = try #require(purposes.first { (try? JSON.object($0["purpose"]))?["key"] as? String == "e-marketing" })
        #expect(marketing["registered"] as? Bool == true)
        #expect(marketing["consentID"] as? Int == consentID)
        #expect(marketing["status"] as? String == "objected")
        #expect(try JSON.object(marketing["legalBasis"])["article"] as? String == "6(1)(a)")
        #expect(try JSON.object(marketing["source"])["key"] as? String == "web-form")
        #expect(marketing["givenAt"] as? String == "2025-03-01T09:00:00Z")
        #expect(JSON.isISO8601(marketing["withdrawnAt"]))
        #expect(marketing["registeredBy"] as? String == CLISandbox.actor)
        #expect(marketing["updatedBy"] as? String == CLISandbox.actor)
        #expect(marketing["updateCount"] as? Int == 2)
        #expect(marketing["comment"] as? String == "Signed up at the fair")
        #expect(marketing["consentText"] as? String == "Yes, I want to receive newsletters and offers by e-mail. I can unsubscribe at any time.")
        let suppression = try JSON.object(marketing["suppression"])
        #expect(suppression["by"] as? String == CLISandbox.actor)
        #expect(suppression["via"] as? String == "cli")
        let sales = try #require(purposes.first { (try? JSON.object($0["purpose"]))?["key"] as? String == "sales-and-service" })
        #expect(sales["status"] as? String == "not-applicable")
        #expect(JSON.isNull(sales["suppression"]))

        let events = try JSON.objects(try sandbox.json("person", "history", person)).filter { $0["kind"] as? String == "consent" }
        #expect(events.map { $0["eventType"] as? String } == ["objected", "withdrawn", "registered", "given"])
        let objection = events[0]
        #expect(objection["fromStatus"] as? String == "withdrawn")
        #expect(objection["toStatus"] as? String == "objected")
        #expect(objection["comment"] as? String == "No more mail")
        #expect(objection["consentID"] as? Int == consentID)
        #expect(try JSON.object(objection["purpose"])["key"] as? String == "e-marketing")
        let withdrawal = events[1]
        #expect(withdrawal["fromStatus"] as? String == "given")
        #expect(withdrawal["toStatus"] as? String == "withdrawn")
        #expect(withdrawal["evidence"] as? String == "mail-9")
        #expect(withdrawal["comment"] as? String == "Unsubscribed")
        #expect(JSON.isNull(withdrawal["givenAt"]), "a withdrawal gives no consent")
        let gift = events[3]
        #expect(JSON.isNull(gift["fromStatus"]))
        #expect(gift["toStatus"] as? String == "given")
        #expect(gift["toBasis"] as? String == "consent")
        #expect(gift["toSource"] as? String == "web-form")
        #expect(gift["evidence"] as? String == "form-123")
        #expect(JSON.isISO8601(gift["givenAt"]), "the grant keeps when consent was given")
        #expect(gift["by"] as? String == CLISandbox.actor)
        #expect(gift["via"] as? String == "cli")
        #expect(JSON.isNull(gift["field"]) && JSON.isNull(gift["oldValue"]))

        let list = try JSON.objects(try sandbox.json("consent", "list", person))
        #expect(list.count == 2)
        let table = try sandbox.succeed("consent", "list", person).stdout
        #expect(table.contains("e-marketing") && table.contains("objected"))
    }

    @Test("An objection to direct marketing is lifted only by the person, with evidence")
    func suppression() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        try sandbox.succeed("consent", "object", person, "--purpose", "e-marketing")
        try sandbox.expectNothingWritten([["person", "history", person, "--json"]]) {
            try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form"],
                               status: 1, mentioning: ["objected", "--from-person"])
            try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--from-person"],
                               status: 2, mentioning: ["evidence"])
            for blank in ["", "  ", "\u{200B}"] {
                try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--from-person", "--evidence", blank],
                                   status: 2, mentioning: ["Missing evidence"])
            }
        }
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--from-person", "--evidence", "letter-1")
    }

    @Test("Bad --given-at values are usage errors; a day or time that does not exist is refused, not moved")
    func givenAt() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        try sandbox.expectNothingWritten([["person", "history", person, "--json"]]) {
            for value in ["yesterday", "2026-02-30", "2025-02-29", "2026-04-31T10:00:00+02:00", "2026-11-01T25:00:00+01:00"] {
                try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--given-at", value],
                                   status: 2, mentioning: ["--given-at '\(value)'", "2026-11-02T14:30:00+01:00"])
            }
            try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--given-at", "2999-01-01"],
                               status: 2, mentioning: ["--given-at", "future"])
        }
    }

    @Test("A --given-at before the consent's last event (the withdrawal, the objection, the consent it renews) exits 2 naming that event; nothing is written")
    func givenAtBeforeHistory() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--given-at", "2025-06-01")
        let unchanged = [["person", "history", person, "--json"], ["consent", "list", person, "--json"]]
        try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--given-at", "2025-05-01"],
                           status: 2, mentioning: ["Invalid given-at", "given on 2025-05-31T22:00:00Z"], unchanged: unchanged)
        try sandbox.succeed("consent", "withdraw", person, "--purpose", "e-marketing")
        try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--given-at", "2026-01-01"],
                           status: 2, mentioning: ["Invalid given-at", "withdrawn on"], unchanged: unchanged)
        try sandbox.succeed("consent", "object", person, "--purpose", "e-marketing")
        try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--from-person", "--evidence", "x",
                            "--given-at", "2026-01-01"], status: 2, mentioning: ["Invalid given-at", "objected on"], unchanged: unchanged)
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--from-person", "--evidence", "x")
    }

    @Test("consent receipt writes the Kantara receipts of the consents given, one by purpose or all; a missing setting or consent exits 2")
    func receipt() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--language", "en"))
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--evidence", "form-1")
        try sandbox.refuse(["consent", "receipt", person, "--purpose", "e-marketing"], status: 2, mentioning: ["settings set phone"])
        try sandbox.succeed("settings", "set", "phone", "+31 20 123 4567")
        try sandbox.refuse(["consent", "receipt", person], status: 2, mentioning: ["settings set privacy-statement-url"])
        try sandbox.succeed("settings", "set", "privacy-statement-url", "https://example.nl/privacy")

        /// The JSON a command printed.
        func printed(_ arguments: String...) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(try sandbox.run(arguments).stdout.utf8))
        }
        let one = try JSON.object(try printed("consent", "receipt", person, "--purpose", "e-marketing", "--language", "nl"))
        #expect(one["version"] as? String == "KI-CR-v1.1.0" && one["language"] as? String == "nl")
        #expect(one["piiPrincipalId"] as? String == "anna.jansen@example.nl" && one["consentTimestamp"] is Int)
        let all = try JSON.objects(try printed("consent", "receipt", person))
        #expect(all.count == 1 && all.first?["consentReceiptID"] as? String == one["consentReceiptID"] as? String)
        #expect(all.first?["language"] as? String == "en", "the person's language by default")

        try sandbox.refuse(["consent", "receipt", person, "--out", sandbox.directory.path], status: 2, mentioning: ["is a folder"])
        let text = try sandbox.succeed("consent", "receipt", person, "--purpose", "e-marketing", "--format", "text").stdout
        #expect(text.hasPrefix("Receipt for your consent\n") && text.contains(one["consentReceiptID"] as? String ?? "?"))
        try sandbox.refuse(["consent", "receipt", person, "--format", "pdf"], status: 2, mentioning: ["--format", "json", "text"])
        let out = sandbox.directory.appendingPathComponent("receipt.json").path
        let written = try sandbox.succeed("consent", "receipt", person, "--purpose", "e-marketing", "--out", out)
        #expect(written.stdout == out + "\n")
        #expect(try JSON.object(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))))["policyUrl"] as? String
                == "https://example.nl/privacy")
        try sandbox.refuse(["consent", "receipt", person, "--purpose", "sales-and-service"], status: 2, mentioning: ["no consent record for 'sales-and-service'"])
        try sandbox.succeed("consent", "withdraw", person, "--purpose", "e-marketing")
        try sandbox.refuse(["consent", "receipt", person, "--purpose", "e-marketing"], status: 2, mentioning: ["withdrew their consent for 'e-marketing'"])
        #expect(try sandbox.succeed("consent", "receipt", person).stdout == "[\n\n]\n", "no consent stands: an empty list")
        let none = try sandbox.succeed("consent", "receipt", person, "--format", "text")
        #expect(none.stdout.isEmpty && none.stderr.contains("No consent of person \(person) stands"))
    }
}
