import Foundation
import Testing

@Suite("inzage purpose|source|basis|recipient")
struct ReferenceListCommandTests {
    @Test("add, list, update, deactivate and link recipients, each recorded in the list's history")
    func lifecycle() throws {
        let sandbox = try CLISandbox()
        let recipient = try sandbox.succeed("recipient", "add", "mailing-service", "--name", "Mailer B.V.", "--role", "processor",
                                            "--country", "NL", "--contact-email", "privacy@mailer.example")
        #expect(recipient.lines.first == "mailing-service")

        let added = try sandbox.succeed(
            "purpose", "add", "newsletter", "--name-nl", "Nieuwsbrief", "--name-en", "Newsletter",
            "--description-nl", "We sturen u onze nieuwsbrief.", "--description-en", "We send you our newsletter.",
            "--default-basis", "consent", "--data-categories-nl", "Naam, e-mailadres", "--data-categories-en", "Name, e-mail address",
            "--retention-nl", "Tot u zich afmeldt.", "--retention-en", "Until you unsubscribe.",
            "--consent-text-nl", "Ja, stuur mij de nieuwsbrief.", "--consent-text-en", "Yes, send me the newsletter.",
            "--direct-marketing", "--recipient", "mailing-service")
        #expect(added.lines.first == "newsletter")

        let purposes = try JSON.objects(try sandbox.json("purpose", "list"))
        #expect(purposes.map { $0["key"] as? String } == ["sales-and-service", "e-marketing", "newsletter"])
        let newsletter = try #require(purposes.last)
        #expect(newsletter["rank"] as? Int == 30)
        #expect(newsletter["isDirectMarketing"] as? Bool == true)
        #expect(newsletter["recipients"] as? [String] == ["mailing-service"])
        #expect(try JSON.object(newsletter["name"])["nl"] as? String == "Nieuwsbrief")
        let table = try sandbox.succeed("purpose", "list").stdout
        #expect(table.contains("newsletter") && table.contains("Newsletter") && table.contains("Consent (consent)"))

        let update = try sandbox.succeed("purpose", "update", "newsletter", "--name-en", "Monthly newsletter", "--rank", "5",
                                         "--set", "retention-en=Until you unsubscribe, at most five years.")
        #expect(update.stdout.contains("name-en") && update.stdout.contains("Newsletter → Monthly newsletter"))
        #expect(update.stdout.contains("30 → 5"))
        let reordered = try JSON.objects(try sandbox.json("purpose", "list"))
        #expect(reordered.first?["key"] as? String == "newsletter")

        try sandbox.succeed("purpose", "deactivate", "newsletter")
        #expect(try JSON.objects(try sandbox.json("purpose", "list")).allSatisfy { $0["key"] as? String != "newsletter" })
        let all = try JSON.objects(try sandbox.json("purpose", "list", "--all"))
        #expect(all.first { $0["key"] as? String == "newsletter" }?["active"] as? Bool == false)

        try sandbox.refuse(["purpose", "recipients", "sales-and-service", "--recipient", "mailing-service", "--recipient", "mailing-service"],
                           status: 2, mentioning: ["mailing-service", "named twice"])
        try sandbox.succeed("purpose", "recipients", "sales-and-service", "--recipient", "mailing-service")
        let history = try JSON.objects(try sandbox.json("purpose", "history"))
        #expect(history.map { $0["field"] as? String } == ["recipients", "active", "retention-en", "rank", "name-en", "created"])
        #expect(history.allSatisfy { $0["by"] as? String == CLISandbox.actor && JSON.isISO8601($0["at"]) })
        let rename = try #require(history.first { $0["field"] as? String == "name-en" })
        #expect(rename["oldValue"] as? String == "Newsletter")
        #expect(rename["newValue"] as? String == "Monthly newsletter")
        #expect(try JSON.objects(try sandbox.json("purpose", "history", "sales-and-service")).count == 1)
        #expect(try JSON.objects(try sandbox.json("recipient", "history")).map { $0["field"] as? String } == ["created"])
    }

    @Test("The same commands edit sources and legal bases")
    func sourcesAndBases() throws {
        let sandbox = try CLISandbox()
        #expect(try sandbox.succeed("source", "add", "trade-fair", "--name-nl", "Beurs", "--name-en", "Trade fair",
                                    "--description-nl", "U sprak ons op een beurs.", "--description-en", "You met us at a trade fair.",
                                    "--type", "data-subject").lines.first == "trade-fair")
        #expect(try sandbox.succeed("basis", "add", "national-law", "--name-nl", "Nationale wet", "--name-en", "National law",
                                    "--description-nl", "Een wet verplicht het.", "--description-en", "A law requires it.",
                                    "--article", "6(1)(c)", "--dpv-iri", "https://w3id.org/dpv/legal/eu/gdpr#A6-1-c").lines.first == "national-law")
        let sources = try JSON.objects(try sandbox.json("source", "list"))
        #expect(sources.last?["key"] as? String == "trade-fair")
        #expect(sources.last?["sourceType"] as? String == "data-subject")
        #expect(try sandbox.succeed("basis", "list").stdout.contains("National law"))
        // A basis that purposes rest on is edited in place (it was replaced, which its references refused).
        try sandbox.succeed("basis", "update", "consent", "--set", "name-en=Consent of the person")
        try sandbox.succeed("basis", "deactivate", "legitimate-interest")
        #expect(try sandbox.succeed("basis", "list", "--all").stdout.contains("Consent of the person"))

        // Unused entries can be removed; the removal is recorded.
        try sandbox.succeed("source", "remove", "trade-fair")
        #expect(try JSON.objects(try sandbox.json("source", "list", "--all")).allSatisfy { $0["key"] as? String != "trade-fair" })
        #expect(try JSON.objects(try sandbox.json("source", "history")).first?["field"] as? String == "removed")
    }

    @Test("Refused changes: an entry in use, an unknown field, an unknown key, a duplicate key, a bad value")
    func refusals() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--source", "business-card"))
        try sandbox.succeed("consent", "give", person, "--purpose", "e-marketing", "--source", "web-form")
        let unchanged = [["purpose", "history", "--json"], ["source", "history", "--json"], ["purpose", "list", "--all", "--json"],
                         ["source", "list", "--all", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["purpose", "remove", "e-marketing"], status: 1, mentioning: ["e-marketing", "in use", "deactivate"])
            try sandbox.refuse(["source", "remove", "business-card"], status: 1, mentioning: ["business-card", "in use"])
            try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "colour=blue"], status: 2,
                               mentioning: ["Unknown field 'colour'", "name-nl", "retention-en", "active"])
            try sandbox.refuse(["purpose", "update", "e-marketing", "--name-en", "Mail", "--set", "colour=blue"], status: 2,
                               mentioning: ["colour"])
            try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "name-en"], status: 2, mentioning: ["FIELD=VALUE"])
            try sandbox.refuse(["purpose", "update", "marketing", "--name-en", "Mail"], status: 2,
                               mentioning: ["Unknown purpose 'marketing'", "sales-and-service, e-marketing"])
            try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "default-basis=maybe"], status: 2,
                               mentioning: ["Unknown legal basis 'maybe'", "legitimate-interest"])
            try sandbox.refuse(["source", "add", "chat", "--name-nl", "Chat", "--name-en", "Chat", "--description-nl", "x", "--description-en", "x",
                                "--type", "data-subject"], status: 1, mentioning: ["already exists"])
            try sandbox.refuse(["source", "add", "Trade Fair", "--name-nl", "Beurs", "--name-en", "Fair", "--description-nl", "x",
                                "--description-en", "x", "--type", "data-subject"], status: 2, mentioning: ["key", "hyphens"])
            try sandbox.refuse(["source", "add", "fair", "--name-nl", "Beurs", "--name-en", "Fair", "--description-nl", "x",
                                "--description-en", "x", "--type", "friend"], status: 2, mentioning: ["data-subject", "third-party", "public-source"])
            try sandbox.refuse(["basis", "deactivate", "maybe"], status: 2, mentioning: ["Unknown legal basis 'maybe'", "consent, contract"])
        }
    }

    @Test("An entry a request or its notifications name is not removed (exit 1, naming the request); the objection can still be decided")
    func removalOfEntriesRequestsName() throws {
        let sandbox = try CLISandbox()
        try sandbox.succeed("purpose", "add", "temp-p", "--name-nl", "Tijdelijk", "--name-en", "Temporary", "--description-nl", "x",
                            "--description-en", "x", "--default-basis", "legitimate-interest", "--data-categories-nl", "x",
                            "--data-categories-en", "x", "--retention-nl", "x", "--retention-en", "x", "--consent-text-nl", "x",
                            "--consent-text-en", "x")
        try sandbox.succeed("recipient", "add", "mailer", "--name", "Mailer B.V.", "--role", "processor", "--country", "NL",
                            "--contact-email", "dpo@mailer.example")
        try sandbox.succeed("purpose", "recipients", "sales-and-service", "--recipient", "mailer")
        let person = String(try sandbox.addPerson(email: "c@d.org"))
        try sandbox.succeed("consent", "give", person, "--purpose", "sales-and-service", "--source", "business-card")

        let objection = try sandbox.succeed("request", "file", "objection", "--email", "c@d.org", "--purpose", "temp-p").lines[0]
        let unchanged = [["purpose", "list", "--all", "--json"], ["recipient", "list", "--all", "--json"], ["purpose", "history", "--json"]]
        try sandbox.refuse(["purpose", "remove", "temp-p"], status: 1, mentioning: ["temp-p", "in use by 1 request (\(objection))", "deactivate"],
                           unchanged: unchanged)

        let rectification = try sandbox.succeed("request", "file", "rectification", "--person", person, "--set", "city=Utrecht").lines[0]
        try sandbox.succeed("request", "review", rectification, "--accept", "1")
        try sandbox.succeed("purpose", "recipients", "sales-and-service", "--none")
        try sandbox.refuse(["recipient", "remove", "mailer"], status: 1,
                           mentioning: ["mailer", "in use by 1 recipient notification (\(rectification))", "deactivate"], unchanged: unchanged)

        try sandbox.succeed("purpose", "deactivate", "temp-p")
        try sandbox.succeed("request", "decide", objection, "--uphold", "--reason", "ok")
    }

    @Test("A source's confirmation template is a name, not a path (exit 2 naming the rule); the help says it is not sent yet")
    func confirmationTemplate() throws {
        let sandbox = try CLISandbox()
        let add = ["source", "add", "fair", "--name-nl", "Beurs", "--name-en", "Fair", "--description-nl", "x", "--description-en", "x",
                   "--type", "data-subject"]
        try sandbox.refuse(add + ["--confirmation-template", "../../etc/passwd"], status: 2,
                           mentioning: ["confirmation-template", "letters, digits and single hyphens", "no path separators"],
                           unchanged: [["source", "list", "--all", "--json"]])
        let added = try sandbox.run(add + ["--confirmation-template", "fair-welcome"])
        try #require(added.status == 0, "source add failed: \(added.stderr)")
        try sandbox.refuse(["source", "update", "fair", "--set", "confirmation-template=../x"], status: 2,
                           mentioning: ["letters, digits and single hyphens"], unchanged: [["source", "history", "--json"]])
        let help = try sandbox.run(["source", "add", "--help"], global: false)
        #expect(help.stdout.contains("does not send it yet"))
        #expect(!help.stdout.contains("template sent to persons"))
    }

    @Test("A recipient's fields: --fields on add, --set fields= on update, all by default; an unknown field exits 2 naming the valid ones")
    func recipientFields() throws {
        let sandbox = try CLISandbox()
        try sandbox.refuse(["recipient", "add", "mail", "--name", "Mail B.V.", "--role", "processor", "--country", "NL", "--fields", "email,shoe"],
                           status: 2, mentioning: ["--fields", "unknown field 'shoe'", "first-name, name-prefix"])
        try sandbox.succeed("recipient", "add", "mail", "--name", "Mail B.V.", "--role", "processor", "--country", "NL", "--fields", "Email, first-name")
        let listed = try JSON.objects(try sandbox.json("recipient", "list"))
        #expect(listed.first?["fields"] as? [String] == ["first-name", "email"])
        try sandbox.refuse(["recipient", "update", "mail", "--set", "fields=bogus"], status: 2, mentioning: ["unknown field 'bogus'"])
        let changed = try sandbox.succeed("recipient", "update", "mail", "--set", "fields=ALL")
        #expect(changed.stdout.contains("first-name,email → all"))
        #expect(try JSON.objects(try sandbox.json("recipient", "list")).first?["fields"] == nil, "no fields: all of them")
        #expect(try sandbox.succeed("recipient", "list").stdout.contains("all fields"))
    }

    @Test("a recipient outside the EEA on a purpose that does not describe the transfer gets a note, however it comes about")
    func transferNotes() throws {
        let sandbox = try CLISandbox()
        try sandbox.succeed("recipient", "add", "hosting", "--name", "Hosting B.V.", "--role", "processor", "--country", "NL")
        let inEEA = try sandbox.succeed("purpose", "recipients", "sales-and-service", "--recipient", "hosting")
        #expect(!inEEA.stderr.contains("outside the European Economic Area"))
        // The recipient moves its processing to the United States.
        let moved = try sandbox.succeed("recipient", "update", "hosting", "--set", "country=US")
        #expect(moved.stderr.contains("hosting (US) processes the data outside the European Economic Area")
                && moved.stderr.contains("'sales-and-service'"), "\(moved.stderr)")
        // Describing the transfer settles it; clearing the description again brings the note back.
        let described = try sandbox.succeed("purpose", "update", "sales-and-service", "--set", "transfers-outside-eu-nl=Naar de VS, onder het DPF.",
                                            "--set", "transfers-outside-eu-en=To the US, under the DPF.")
        #expect(!described.stderr.contains("outside the European Economic Area"))
        let cleared = try sandbox.succeed("purpose", "update", "sales-and-service", "--set", "transfers-outside-eu-nl=", "--set", "transfers-outside-eu-en=")
        #expect(cleared.stderr.contains("outside the European Economic Area"))
    }

    @Test("a purpose's optional texts are given in both languages or in none, never copied from one into the other")
    func optionalTextsInBothLanguages() throws {
        let sandbox = try CLISandbox()
        let unchanged = [["purpose", "list", "--all", "--json"], ["purpose", "history", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "transfers-outside-eu-nl=Alleen binnen de EER."], status: 2,
                               mentioning: ["transfers-outside-eu-en", "transfers-outside-eu-nl is set"])
        }
        try sandbox.succeed("purpose", "update", "e-marketing", "--set", "transfers-outside-eu-nl=Naar de VS.", "--set", "transfers-outside-eu-en=To the US.")
        let history = try JSON.objects(try sandbox.json("purpose", "history"))
        let english = try #require(history.first { $0["field"] as? String == "transfers-outside-eu-en" })
        #expect(english["newValue"] as? String == "To the US." && (english["oldValue"] as? String ?? "").isEmpty, "never the Dutch text")
        try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "transfers-outside-eu-en="], status: 2, mentioning: ["or clear both"])
        try sandbox.succeed("purpose", "update", "e-marketing", "--set", "transfers-outside-eu-en=", "--set", "transfers-outside-eu-nl=")
    }
}
