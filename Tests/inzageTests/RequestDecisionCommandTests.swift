import Foundation
import Testing

/// `inzage request review`, `decide` and `reject` from the command line: exit codes, messages and what is written.
@Suite("inzage request review, decide and reject")
struct RequestDecisionCommandTests {
    /// Files a request and returns its reference (the first line).
    private func file(_ sandbox: CLISandbox, _ arguments: String...) throws -> String {
        let result = try sandbox.run(["request", "file"] + arguments)
        try #require(result.status == 0, "request file failed: \(result.stderr)")
        return result.lines[0]
    }

    /// `request show REF --json`.
    private func show(_ sandbox: CLISandbox, _ reference: String) throws -> [String: Any] {
        try JSON.object(try sandbox.json("request", "show", reference))
    }

    @Test("review lists the items; an incomplete review is a usage error that writes nothing; a full one applies every decision")
    func review() throws {
        let sandbox = try CLISandbox()
        let person = try sandbox.addPerson(first: "Anna", last: "Jansen", email: "anna.jansen@example.nl", "--city", "Amsterdam",
                                           "--organisation", "Jansen B.V.", "--language", "en")
        let reference = try file(sandbox, "rectification", "--person", String(person), "--set", "city=Utrecht",
                                 "--set", "organisation=", "--set", "job-title=Buyer")
        let listed = try sandbox.succeed("request", "review", reference)
        #expect(listed.stdout.contains("awaiting-decision") && listed.stdout.contains("Utrecht") && listed.stdout.contains("Amsterdam"))
        let items = try JSON.objects(try JSON.object(try sandbox.json("request", "review", reference))["items"])
        #expect(items.map { $0["field"] as? String } == ["city", "organisation", "job-title"])
        #expect(items.allSatisfy { JSON.isNull($0["decision"]) })

        let unchanged = [["request", "show", reference, "--json"], ["person", "history", String(person)], ["outbox", "list"]]
        try sandbox.refuse(["request", "review", reference, "--accept", "1"], status: 2, mentioning: ["items 2, 3 have no decision"],
                           unchanged: unchanged)
        try sandbox.refuse(["request", "review", reference, "--accept", "1", "--reject", "2", "--accept", "9"], status: 2,
                           mentioning: ["one --reason per --reject"], unchanged: unchanged)
        try sandbox.refuse(["request", "review", reference, "--accept", "nickname", "--accept", "2", "--accept", "3"], status: 2,
                           mentioning: ["Unknown item 'nickname'", "1 (city)"], unchanged: unchanged)
        try sandbox.refuse(["request", "review", reference, "--statement", "3"], status: 2, mentioning: ["--statement takes two values"],
                           unchanged: unchanged)
        let complete = ["request", "review", reference, "--accept", "1", "--accept", "2", "--accept", "3"]
        try sandbox.refuse(complete + ["--exempt-recipient", "mailer"], status: 2,
                           mentioning: ["--exempt-recipient takes KEY=REASON", "got 'mailer'"], unchanged: unchanged)
        // No recipient received this person's data: said so, not as an empty list.
        try sandbox.refuse(complete + ["--exempt-recipient", "nosuch=x"], status: 2,
                           mentioning: ["--exempt-recipient nosuch", "this person's data went to no recipient"], unchanged: unchanged)
        #expect(try !sandbox.run(complete + ["--exempt-recipient", "nosuch=x"]).stderr.contains("recipients: ."))

        let done = try sandbox.succeed("request", "review", reference, "--accept", "city", "--reject", "2",
                                       "--reason", "The organisation is still current.", "--statement", "3", "I buy for several shops.")
        #expect(done.stdout.contains("partially-completed"))
        // The outcome waits in the outbox until `inzage deliver` sends it.
        #expect(done.stdout.contains("The outcome was queued for the person as message") && !done.stdout.contains("was sent"), "\(done.stdout)")
        let shown = try show(sandbox, reference)
        #expect(shown["state"] as? String == "partially-completed")
        let decisions = try JSON.objects(shown["decisions"])
        #expect(decisions.map { $0["outcome"] as? String } == ["accepted", "rejected", "supplemented"])
        #expect(decisions[0]["before"] as? String == "Amsterdam" && decisions[0]["after"] as? String == "Utrecht")
        let kinds = try JSON.objects(shown["messages"]).compactMap { $0["kind"] as? String }
        #expect(kinds == ["acknowledgement", "rectification-outcome"])
        let card = try JSON.object(try sandbox.json("person", "show", String(person)))
        let statements = try JSON.objects(card["statements"])
        #expect(statements.count == 1)
        #expect(statements.first?["field"] as? String == "job-title" && statements.first?["statement"] as? String == "I buy for several shops.")
        #expect(statements.first?["requestReference"] as? String == reference)
        #expect(try sandbox.succeed("person", "show", String(person)).stdout.contains("Supplementary statements"))
        let history = try JSON.objects(try sandbox.json("person", "history", String(person)))
        #expect(history.contains { ($0["requestReference"] as? String) == reference || "\($0)".contains(reference) })
        try sandbox.refuse(["request", "review", reference, "--accept", "1", "--accept", "2", "--accept", "3"], status: 1,
                           mentioning: ["partially-completed, a final state"])
    }

    @Test("decide needs exactly one of --uphold and --override and a reason; it answers objections only")
    func decide() throws {
        let sandbox = try CLISandbox()
        let person = try sandbox.addPerson(email: "anna.jansen@example.nl")
        let objection = try file(sandbox, "objection", "--person", String(person), "--purpose", "sales-and-service", "--grounds", "No contract any more.")
        #expect(try show(sandbox, objection)["state"] as? String == "awaiting-decision")
        let unchanged = [["request", "show", objection, "--json"]]
        try sandbox.refuse(["request", "decide", objection, "--reason", "x"], status: 2, mentioning: ["--uphold", "--override"], unchanged: unchanged)
        try sandbox.refuse(["request", "decide", objection, "--uphold", "--override", "--reason", "x"], status: 2, mentioning: ["exactly one"],
                           unchanged: unchanged)
        try sandbox.refuse(["request", "decide", objection, "--uphold", "--reason", " "], status: 2, mentioning: ["--reason is empty"],
                           unchanged: unchanged)
        try sandbox.refuse(["request", "decide", objection, "--uphold", "--reason", "x", "--purpose", "e-marketing"], status: 2,
                           mentioning: ["'e-marketing' is not waiting", "sales-and-service"], unchanged: unchanged)
        let access = try file(sandbox, "access", "--person", String(person))
        try sandbox.refuse(["request", "decide", access, "--uphold", "--reason", "x"], status: 1, mentioning: ["objection requests only"])

        let decided = try sandbox.succeed("request", "decide", objection, "--override", "--reason", "A running contract until 2027.")
        #expect(decided.stdout.contains("sales-and-service: overridden") && decided.stdout.contains("is rejected"))
        let shown = try show(sandbox, objection)
        #expect(try JSON.objects(shown["messages"]).contains { $0["kind"] as? String == "objection-decision" })
        let marketing = try file(sandbox, "objection", "--person", String(person), "--purpose", "e-marketing")
        #expect(try show(sandbox, marketing)["state"] as? String == "completed", "an objection to direct marketing needs no decision")
    }

    @Test("ask-identity holds a request and asks the person; confirm-identity lets it go on; both refuse what they cannot do")
    func identity() throws {
        let sandbox = try CLISandbox()
        let person = try sandbox.addPerson(first: "Anna", last: "Jansen", email: "anna.jansen@example.nl")
        let reference = try file(sandbox, "access", "--person", String(person))
        let unchanged = [["request", "show", reference, "--json"], ["outbox", "list"]]
        try sandbox.refuse(["request", "ask-identity", reference, "--question", "  "], status: 2, mentioning: ["question"], unchanged: unchanged)
        try sandbox.refuse(["request", "confirm-identity", reference], status: 1, mentioning: ["not awaiting-identity"], unchanged: unchanged)

        let asked = try sandbox.succeed("request", "ask-identity", reference, "--question", "Reply from the address we know.")
        #expect(asked.stdout.contains("awaiting-identity") && asked.stdout.contains("queued for the person as message"))
        #expect(try show(sandbox, reference)["state"] as? String == "awaiting-identity")
        let kinds = try JSON.objects(try show(sandbox, reference)["messages"]).compactMap { $0["kind"] as? String }
        #expect(kinds == ["acknowledgement", "identity-request"])
        #expect(try sandbox.succeed("work", "--once").stdout.contains(reference) == false, "no worker takes it")

        let confirmed = try sandbox.succeed("request", "confirm-identity", reference, "--note", "Replied from the known address")
        #expect(confirmed.stdout.contains("in-progress"))
        #expect(try sandbox.succeed("work", "--once").stdout.contains(reference))
        #expect(try show(sandbox, reference)["state"] as? String == "completed")
    }

    @Test("reject takes a known reason, sends the Art. 12(4) notice, and refuses a closed request")
    func reject() throws {
        let sandbox = try CLISandbox()
        let person = try sandbox.addPerson(email: "anna.jansen@example.nl", "--language", "en")
        let reference = try file(sandbox, "access", "--person", String(person))
        try sandbox.refuse(["request", "reject", reference, "--reason", "bored"], status: 2,
                           mentioning: ["Invalid --reason 'bored'", "manifestly-unfounded", "identity-not-verified"],
                           unchanged: [["request", "show", reference, "--json"]])
        let rejected = try sandbox.succeed("request", "reject", reference, "--reason", "excessive", "--note", "Your fourth request this month.")
        #expect(rejected.stdout.contains("is rejected (excessive)") && rejected.stdout.contains("queued"))
        let shown = try show(sandbox, reference)
        #expect(shown["state"] as? String == "rejected")
        let refusal = try #require(try JSON.objects(shown["messages"]).first { $0["kind"] as? String == "refusal" })
        let id = try #require(refusal["id"] as? Int)
        let text = try sandbox.succeed("outbox", "show", String(id)).stdout
        #expect(text.contains("Your fourth request this month.") && text.contains("Autoriteit Persoonsgegevens") && text.contains("excessive"))
        try sandbox.refuse(["request", "reject", reference, "--reason", "excessive"], status: 1, mentioning: ["rejected, a final state"])
    }
}
