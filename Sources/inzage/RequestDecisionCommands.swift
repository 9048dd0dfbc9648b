import ArgumentParser
import Foundation
import Inzage

extension GlobalOptions {
    /// The request queue on the existing database, writing messages from the templates in force, and the ledger.
    func openQueue(templates: TemplateOptions) throws -> (RequestQueue, Ledger) {
        let database = try openDatabase()
        let notices = try TemplateOptions.requestNotices(templates)
        return (RequestQueue(store: database, notices: notices), Ledger(store: database))
    }
}

/// `inzage request review`: an officer's review of a rectification request (Art. 16).
struct RequestReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a rectification request: list its items, or decide every item and carry the decisions out.",
        discussion: """
            Without decisions, lists the items with the value held now and the value asked for. With decisions, every \
            item must be decided in one command; ITEM is the item's number (1, 2, …) or its field when no other item \
            names that field:
              --accept ITEM                 correct the value as asked, adding the person's statement if they gave one
                                            (already as asked: recorded as already correct, no value changes)
              --reject ITEM --reason TEXT   leave it; the person reads the reason and how to complain (Art. 12(4))
              --statement ITEM TEXT         complete the data with a supplementary statement instead (Art. 16)
            Give one --reason per --reject, in the same order, or one --reason for all of them. Every recipient that \
            received a corrected field (see `inzage recipient list`) is notified of those fields only, unless it has no \
            contact address or --exempt-recipient KEY=REASON records why informing it is impossible or takes \
            disproportionate effort (Art. 19); exempting one that received none of them is refused.

            In one transaction: the corrections are applied through the ledger (reason "rectification", with the \
            reference), statements are added, the recipients concerned are notified or recorded as exempt (Art. 19), the outcome is queued for the person, and the request ends completed, partially-completed or \
            rejected. Exit codes: 0 done, 2 invalid decisions (nothing written), 1 failed.
            """
    )

    @OptionGroup var request: RequestReference
    @Option(help: ArgumentHelp("Carry out this item (repeatable).", valueName: "item")) var accept: [String] = []
    @Option(help: ArgumentHelp("Do not carry out this item (repeatable); give its --reason.", valueName: "item")) var reject: [String] = []
    @Option(help: ArgumentHelp("Why a rejected item is not carried out, as the person reads it (one per --reject, or one for all).", valueName: "text"))
    var reason: [String] = []
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Complete an item with a supplementary statement: --statement ITEM TEXT (repeatable).", valueName: "item text"))
    var statement: [String] = []
    @Option(name: .customLong("exempt-recipient"), help: ArgumentHelp(
        "Do not notify this recipient, for this reason: informing it is impossible or takes disproportionate effort (Art. 19; repeatable).",
        valueName: "key=reason"))
    var exemptRecipient: [String] = []
    @OptionGroup var output: OutputOptions
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Checks that reasons and statements pair up with their items.
    func validate() throws {
        if !reject.isEmpty, reason.count != reject.count, reason.count != 1 {
            throw ValidationError("Give one --reason per --reject (\(reject.count)), or one --reason for all of them; got \(reason.count).")
        }
        if reject.isEmpty, !reason.isEmpty {
            throw ValidationError("--reason belongs to a --reject ITEM; no item is rejected.")
        }
        if statement.count % 2 != 0 {
            throw ValidationError("--statement takes two values, the item and the text: --statement 2 \"The person's statement\".")
        }
    }

    /// Lists the items, or decides them and prints the outcome.
    func run() throws {
        let (queue, ledger) = try global.openQueue(templates: templates)
        let current = try queue.review(request.reference)
        let statements = stride(from: 0, to: statement.count, by: 2).map { (statement[$0], statement[$0 + 1]) }
        guard !accept.isEmpty || !reject.isEmpty || !statements.isEmpty else {
            try output.emit(RectificationReviewDocument(current), ledger: ledger)
            return
        }
        var actions: [ReviewAction] = []
        for item in accept { actions.append(.accept(item: try number(of: item, in: current))) }
        for (index, item) in reject.enumerated() {
            actions.append(.reject(item: try number(of: item, in: current), reason: reason.count == 1 ? reason[0] : reason[index]))
        }
        for (item, text) in statements { actions.append(.statement(item: try number(of: item, in: current), text: text)) }
        var exemptions: [String: String] = [:]
        for (key, reason) in try Assignments.parse(exemptRecipient, option: "--exempt-recipient", form: "KEY=REASON",
                                                   example: "mailing-service='we no longer send it data'") {
            let recipient = key.trimmingCharacters(in: .whitespaces).lowercased()
            guard exemptions.updateValue(reason, forKey: recipient) == nil else {
                throw CLIUsageError(description: "--exempt-recipient names \(recipient) twice; give one reason per recipient.")
            }
        }
        let reviewed = try queue.review(current.request.reference, actions: actions, exemptRecipients: exemptions, by: global.actor)
        try output.emit(RectificationReviewDocument(reviewed), ledger: ledger)
    }

    /// The number of the item named by `text`: a number, or the field of exactly one item.
    private func number(of text: String, in review: RectificationReview) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Int(trimmed) { return number }
        let named = review.items.filter { $0.item.field.rawValue == trimmed.lowercased() }
        guard named.count == 1, let item = named.first else {
            let valid = review.items.map { "\($0.number) (\($0.item.field.rawValue))" }.joined(separator: ", ")
            throw CLIUsageError(description: "Unknown item '\(text)'. Name an item by its number or by its field; the items are: \(valid).")
        }
        return item.number
    }
}

/// `inzage request decide`: an officer's decision on an objection to a purpose that is not direct marketing.
struct RequestDecide: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide an objection on a purpose that is not direct marketing (Art. 21(1)): uphold or override.",
        discussion: """
            --uphold stops processing for the purpose (consent status objected). --override goes on with it for \
            compelling legitimate grounds, which --reason writes down and the person reads with their right to complain. \
            Without --purpose the decision covers every purpose still waiting. Once every purpose is decided the person \
            is told and the request ends: completed (all upheld), rejected (all overridden) or partially-completed. \
            An objection to direct marketing needs no decision: it is applied when the request is filed (Art. 21(3)).
            """
    )

    @OptionGroup var request: RequestReference
    @Flag(help: "Uphold the objection: processing for the purpose stops.") var uphold = false
    @Flag(help: "Override the objection for compelling legitimate grounds given in --reason.") var override = false
    @Option(help: "Why; for --override the compelling grounds, as the person reads them.") var reason: String
    @Option(help: ArgumentHelp("Decide only this purpose (repeatable). Default: every purpose waiting.", valueName: "key")) var purpose: [String] = []
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Requires exactly one of --uphold and --override.
    func validate() throws {
        guard uphold != override else {
            throw ValidationError("Give exactly one of --uphold and --override.")
        }
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason is empty; say why (for --override: the compelling legitimate grounds).")
        }
    }

    /// Records the decision and prints what follows.
    func run() throws {
        let (queue, _) = try global.openQueue(templates: templates)
        let result = try queue.decide(request.reference, verdict: uphold ? .uphold : .override, reason: reason, purposes: purpose, by: global.actor)
        for decision in result.decided {
            print("\(decision.item): \(decision.outcome.rawValue)")
        }
        if result.pendingPurposes.isEmpty {
            print("\(result.request.reference) is \(result.request.state.rawValue).")
            if let message = result.message {
                print("The decision was queued for the person as message \(message.id).")
            } else {
                print("No e-mail address is known: send the decision to the person by post.")
            }
        } else {
            print("Still waiting for a decision: \(result.pendingPurposes.joined(separator: ", ")).")
        }
    }
}

/// `inzage request reject`: refuses a request with the Art. 12(4) notice.
struct RequestReject: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Refuse a request, telling the person why and how to complain (Art. 12(4)).",
        discussion: """
            Reasons: \(RefusalReason.allCases.map { "\($0.rawValue) (Art. \($0.article))" }.joined(separator: ", ")). \
            The person receives the reason in plain words, your --note, and their right to complain to the supervisory \
            authority and to go to court. A refusal must go out within the first month; a later one is still sent, with \
            a warning.

            A reason that does not fit is refused (exit 2), so that no false notice goes out: manifestly-unfounded and \
            excessive need --note with your reasons (Art. 12(5)); no-personal-data only for a request matched to nobody; \
            rights-of-others only for an access request; identity-not-verified only after `inzage request ask-identity`, \
            or with --note saying how and when you asked.
            """
    )

    @OptionGroup var request: RequestReference
    @Option(help: ArgumentHelp("Why: \(RefusalReason.validKeys).", valueName: "reason")) var reason: String
    @Option(help: "An explanation for the person, in their language, added to the standard text.") var note: String?
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Refuses the request and prints what was sent.
    func run() throws {
        let refusal: RefusalReason
        do {
            refusal = try RefusalReason(key: reason)
        } catch {
            throw CLIUsageError(description: "Invalid --reason '\(reason)'. Valid reasons: \(RefusalReason.validKeys).")
        }
        let (queue, _) = try global.openQueue(templates: templates)
        let result = try queue.reject(request.reference, reason: refusal, note: note, by: global.actor)
        print("\(result.request.reference) is rejected (\(refusal.rawValue)).")
        if let message = result.message {
            print("The refusal notice was queued for the person as message \(message.id).")
        } else {
            print("No e-mail address is known: send the refusal notice to the person by post.")
        }
        if result.isLate {
            CLIErrors.printError("Warning: the refusal goes out after the first month (due \(result.request.dueOn)); Art. 12(4) asks for it within one month of receipt.")
        }
    }
}

/// `inzage request ask-identity`: on reasonable doubt, asks the person to confirm who they are (Art. 12(6)).
struct RequestAskIdentity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask-identity",
        abstract: "Ask the person to confirm that the request comes from them (Art. 12(6)); the request waits meanwhile.",
        discussion: """
            Only on reasonable doubt, and asking no more than needed. The request moves to awaiting-identity: no worker \
            takes it and no decision is made on it. The person is sent --question, in their language, with why it is \
            asked. The due date does not move. When the person has confirmed, record it with \
            `inzage request confirm-identity`; when they do not, refuse with `inzage request reject --reason \
            identity-not-verified`. Possible before any part of the request is carried out.
            """
    )

    @OptionGroup var request: RequestReference
    @Option(help: "What the person should send, written to them in their language (such as: reply from the e-mail address you gave us when you became a customer).")
    var question: String
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Asks, and prints what was sent.
    func run() throws {
        let (queue, _) = try global.openQueue(templates: templates)
        let result = try queue.askForIdentity(request.reference, question: question, by: global.actor)
        print("\(result.request.reference) is awaiting-identity; it is still due \(result.request.effectiveDueOn).")
        if let message = result.message {
            print("The question was queued for the person as message \(message.id).")
        } else {
            print("No e-mail address is known: ask the person by post.")
        }
    }
}

/// `inzage request confirm-identity`: records that the person confirmed who they are.
struct RequestConfirmIdentity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm-identity",
        abstract: "Record that the person confirmed who they are; the request goes on.",
        discussion: """
            Only for a request that is awaiting-identity. It goes to a worker (in-progress, or extended when the period \
            was extended), or back to an officer's decision (awaiting-decision) when it waited for one when asked.
            """
    )

    @OptionGroup var request: RequestReference
    @Option(help: "How the person confirmed, for the record (not sent to them).") var note: String?
    @OptionGroup var global: GlobalOptions

    /// Confirms, and prints where the request went.
    func run() throws {
        let (queue, _) = try global.openQueue()
        let confirmed = try queue.confirmIdentity(request.reference, note: note, by: global.actor)
        print("\(confirmed.reference) is \(confirmed.state.rawValue) now.")
    }
}
