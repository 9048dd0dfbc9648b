import Foundation

/// An officer's decision on one item of a rectification request; items are numbered from 1 in the request's order.
public enum ReviewAction: Sendable, Hashable {
    /// Carry the item out as asked: set the value (or remove it) and add the person's own statement given with it.
    /// When the value is already as asked, the item is recorded as already correct: only the statement (if any) is
    /// added, and the person is told so.
    case accept(item: Int)
    /// Do not carry it out, for `reason`, which the person reads with their right to complain (Art. 12(4)).
    case reject(item: Int, reason: String)
    /// Complete the data with a supplementary statement instead of changing the value (Art. 16).
    case statement(item: Int, text: String)

    /// The item's number.
    public var item: Int {
        switch self {
        case .accept(let item), .reject(let item, _), .statement(let item, _): item
        }
    }
}

/// One item of a rectification request as the officer reviews it.
public struct ReviewItem: Sendable, Hashable {
    /// Its number, from 1.
    public var number: Int
    /// What the person asked.
    public var item: RectificationItem
    /// The value held now; nil when empty.
    public var currentValue: String?
    /// The decision, once made.
    public var decision: ItemDecision?
}

/// A rectification request under review: its items with current and requested values, and what was done.
public struct RectificationReview: Sendable {
    /// The request.
    public var request: DataSubjectRequest
    /// Its items.
    public var items: [ReviewItem]
    /// The notifications to recipients of the corrected data (Art. 19).
    public var recipientNotifications: [RecipientNotification]
    /// The outcome message to the person, once the review is done; nil when no e-mail address is known.
    public var message: StoredMessage?
}

extension RequestQueue {
    /// The items of a rectification request with the values held now and the decisions made.
    public func review(_ reference: String) throws -> RectificationReview {
        let request = try request(reference)
        guard request.type == .rectification else {
            throw RequestError.wrongRequestType(reference: request.reference, type: request.type, expected: .rectification)
        }
        return try store.snapshot { ledger, requests in
            let person = try request.personID.flatMap { try ledger.person(id: $0) }
            let decisions = try requests.decisions(requestID: request.id)
            return RectificationReview(
                request: request, items: Self.reviewItems(request, person: person, decisions: decisions),
                recipientNotifications: try requests.recipientNotifications(requestID: request.id), message: nil)
        }
    }

    static func reviewItems(_ request: DataSubjectRequest, person: Person?, decisions: [ItemDecision]) -> [ReviewItem] {
        request.rectification.enumerated().map { index, item in
            let number = index + 1
            return ReviewItem(number: number, item: item, currentValue: person?.details[item.field],
                              decision: decisions.first { $0.item == String(number) })
        }
    }

    /// Decides every item of a rectification request at once and carries the decisions out, in one transaction:
    /// accepted corrections are applied through the ledger (reason "rectification", with the request reference),
    /// statements are added, every recipient that received a corrected field is notified of those fields or recorded as
    /// exempt (Art. 19: no contact address, or named in `exemptRecipients` by key with the officer's reason), the
    /// person is told per item what changed (before and after), what was already as asked and, for a rejected item, why
    /// and how to complain (Art. 12(4)), and the request ends: `completed` when every item was carried out or already
    /// correct, `rejected` when none was, `partially-completed` otherwise.
    ///
    /// - Throws: ``RequestError/invalidDecision(field:reason:)`` when an item is unknown, decided twice, left
    ///   undecided, or cannot be carried out (two accepted items set one field), and for an exemption of a recipient
    ///   that is not one or that received none of the corrected fields; the errors of the ledger when a value is
    ///   refused (a duplicate e-mail address). Nothing is written then.
    @discardableResult
    public func review(_ reference: String, actions: [ReviewAction], exemptRecipients: [String: String] = [:],
                       by actor: String) throws -> RectificationReview {
        try FreeText.checkActor(actor)
        for action in actions {
            switch action {
            case .accept: break
            case .reject(_, let reason): try FreeText.check(reason, field: "reason")
            case .statement(_, let text): try FreeText.check(text, field: "statement")
            }
        }
        for (_, note) in exemptRecipients { try FreeText.check(note, field: "exempt-recipient") }
        let now = clock()
        let request = try request(reference)
        return try store.transaction { ledger, requests, outbox in
            guard var current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            guard current.type == .rectification else {
                throw RequestError.wrongRequestType(reference: current.reference, type: current.type, expected: .rectification)
            }
            guard !current.state.isTerminal else { throw RequestError.requestClosed(reference: current.reference, state: current.state) }
            guard current.state != .awaitingIdentity else {
                throw RequestError.nothingToDecide(reference: current.reference, reason: "the person's identity is not confirmed yet (awaiting-identity)")
            }
            guard let personID = current.personID else { throw RequestError.noPersonMatched(reference: current.reference) }
            let transaction = try LedgerTransaction(store: ledger, now: now)
            let person = try transaction.existingPerson(personID)
            guard try requests.decisions(requestID: current.id).isEmpty else {
                throw RequestError.nothingToDecide(reference: current.reference, reason: "its items were decided before")
            }
            let plan = try Self.plan(actions, for: current, person: person)

            // Carry the decisions out.
            let attribution = Attribution(by: actor, via: .request, reason: "rectification", requestReference: current.reference)
            var changes: [PersonField: String?] = [:]
            for case .corrected(let field, _, let after) in plan.results { changes[field] = .some(after) }
            if !changes.isEmpty {
                try transaction.updatePerson(id: personID, changes: changes, attribution: attribution)
            }
            for case .supplemented(let field, let statement) in plan.messageResults {
                try transaction.addStatement(personID: personID, field: field, statement: statement, attribution: attribution)
            }
            for decision in plan.decisions(requestID: current.id, at: now, by: actor) {
                try requests.appendDecision(decision)
            }
            let updated = try transaction.existingPerson(personID)
            let exemptions = try exemptRecipients.mapValues { reason in
                let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !FreeText.isBlank(reason) else {
                    throw RequestError.invalidDecision(field: "--exempt-recipient", reason: "give the reason as KEY=REASON: why informing the recipient is impossible or takes disproportionate effort (Art. 19)")
                }
                return reason
            }
            // Recipients find the person by the values they hold, which are those from before the corrections.
            let notified = try notices.notifyRecipients(of: plan.messageResults, about: current, person: person, exemptions: exemptions,
                                                        ledger: ledger, requests: requests, outbox: outbox, at: now)
            if current.state == .received {
                current = try Self.move(current, to: .inProgress, at: now, by: actor, note: "Reviewed", in: requests)
            }
            let told = try notices.notifyPerson(.rectificationOutcome(RectificationOutcomeDetails(results: plan.messageResults, notifiedRecipients: notified)),
                                                about: current, ledger: ledger, outbox: outbox, at: now)
            let granted = plan.results.filter { if case .rejected = $0 { false } else { true } }.count  // already correct counts as granted
            let end: RequestState = granted == plan.results.count ? .completed : (granted == 0 ? .rejected : .partiallyCompleted)
            let notifications = try requests.recipientNotifications(requestID: current.id)
            let exempt = notifications.filter { $0.status == .exempt }.count
            let note = "Reviewed \(plan.results.count) item\(plan.results.count == 1 ? "" : "s"): \(plan.summary); "
                + "\(notified.count) recipient\(notified.count == 1 ? "" : "s") notified, \(exempt) exempt. \(Self.delivery(of: told))"
            current = try Self.move(current, to: end, at: now, by: actor, note: note, in: requests)
            return RectificationReview(
                request: current, items: Self.reviewItems(current, person: updated, decisions: try requests.decisions(requestID: current.id)),
                recipientNotifications: notifications, message: told)
        }
    }

    /// The checked result of every item of a review.
    struct ReviewPlan {
        /// The result of each item, in the request's order.
        var results: [RectificationResult]
        /// The person's own statement added with each accepted item (corrected or already correct), if they gave one.
        var statements: [String?]
        var requested: [String?]

        /// What the person is told and the recipients learn: each item's result, and after an accepted item the
        /// statement added with it.
        var messageResults: [RectificationResult] {
            zip(results, statements).flatMap { result, statement -> [RectificationResult] in
                guard let statement else { return [result] }
                switch result {
                case .corrected(let field, _, _), .alreadyCorrect(let field, _): return [result, .supplemented(field: field, statement: statement)]
                case .supplemented, .rejected: return [result]
                }
            }
        }

        /// A short count for the transition note, such as "2 corrected, 1 rejected".
        var summary: String {
            var counts: [(String, Int)] = [("corrected", 0), ("supplemented", 0), ("already correct", 0), ("rejected", 0)]
            for result in results {
                switch result {
                case .corrected: counts[0].1 += 1
                case .supplemented: counts[1].1 += 1
                case .alreadyCorrect: counts[2].1 += 1
                case .rejected: counts[3].1 += 1
                }
            }
            return counts.filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
        }

        func decisions(requestID: Int64, at now: Date, by actor: String) -> [ItemDecision] {
            results.enumerated().map { index, result in
                let item = String(index + 1)
                switch result {
                case .corrected(let field, let before, let after):
                    return ItemDecision(requestID: requestID, item: item, outcome: .accepted, field: field, requestedValue: requested[index],
                                        before: before, after: after, statement: statements[index], at: now, by: actor)
                case .supplemented(let field, let statement):
                    return ItemDecision(requestID: requestID, item: item, outcome: .supplemented, field: field,
                                        requestedValue: requested[index], statement: statement, at: now, by: actor)
                case .rejected(let field, let requestedValue, let reason):
                    return ItemDecision(requestID: requestID, item: item, outcome: .rejected, field: field, requestedValue: requestedValue,
                                        reason: reason, at: now, by: actor)
                case .alreadyCorrect(let field, let value):
                    return ItemDecision(requestID: requestID, item: item, outcome: .alreadyCorrect, field: field,
                                        requestedValue: requested[index], before: value, after: value, statement: statements[index],
                                        at: now, by: actor)
                }
            }
        }
    }

    /// Checks that `actions` decide every item exactly once and can be carried out, and returns the result per item.
    static func plan(_ actions: [ReviewAction], for request: DataSubjectRequest, person: Person) throws -> ReviewPlan {
        let items = request.rectification
        var chosen: [Int: ReviewAction] = [:]
        for action in actions {
            guard action.item >= 1, action.item <= items.count else {
                throw RequestError.invalidDecision(field: "item \(action.item)", reason: "the request has items 1 to \(items.count); `inzage request review \(request.reference)` lists them")
            }
            guard chosen[action.item] == nil else {
                throw RequestError.invalidDecision(field: "item \(action.item)", reason: "it has two decisions; give one of --accept, --reject or --statement per item")
            }
            chosen[action.item] = action
        }
        let undecided = items.indices.map { $0 + 1 }.filter { chosen[$0] == nil }
        guard undecided.isEmpty else {
            throw RequestError.invalidDecision(field: "review", reason: "decide every item in one review; item\(undecided.count == 1 ? "" : "s") \(undecided.map(String.init).joined(separator: ", ")) \(undecided.count == 1 ? "has" : "have") no decision (use --accept N, --reject N --reason TEXT or --statement N TEXT)")
        }
        var results: [RectificationResult] = []
        var statements: [String?] = []
        /// The item that sets each field, so that two accepted items cannot set one field to different values.
        var settingItem: [PersonField: Int] = [:]
        for (index, item) in items.enumerated() {
            let number = index + 1
            let current = person.details[item.field]
            let ownStatement = item.statement.flatMap { $0.isEmpty ? nil : $0 }
            var added: String?
            defer { statements.append(added) }
            switch chosen[number] {
            case .accept?:
                // Carried out as asked: the value set (nil removes it), and the person's own statement added with it.
                if let other = settingItem[item.field] {
                    throw RequestError.invalidDecision(field: "item \(number)", reason: "items \(other) and \(number) both set \(item.field.rawValue); accept one and reject the other")
                }
                settingItem[item.field] = number
                guard item.requestedValue != current else {
                    if item.requestedValue == nil, let ownStatement {
                        // No value asked for an empty field: the item asks only for the person's statement.
                        results.append(.supplemented(field: item.field, statement: ownStatement))
                        continue
                    }
                    // Already as asked: nothing changes but the person's own statement, added as with a correction.
                    results.append(.alreadyCorrect(field: item.field, value: current))
                    added = ownStatement
                    continue
                }
                results.append(.corrected(field: item.field, before: current, after: item.requestedValue))
                added = ownStatement
            case .reject(_, let reason)?:
                let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !FreeText.isBlank(reason) else {
                    throw RequestError.invalidDecision(field: "--reason of item \(number)", reason: "say why the item is not carried out; the person reads it")
                }
                results.append(.rejected(field: item.field, requestedValue: item.requestedValue, reason: reason))
            case .statement(_, let text)?:
                let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !FreeText.isBlank(text) else {
                    throw RequestError.invalidDecision(field: "--statement of item \(number)", reason: "give the text of the supplementary statement")
                }
                results.append(.supplemented(field: item.field, statement: text))
            case nil:
                continue
            }
        }
        return ReviewPlan(results: results, statements: statements, requested: items.map(\.requestedValue))
    }
}
