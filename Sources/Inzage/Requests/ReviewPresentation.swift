import Foundation

/// A rectification request under review, as the officer sees it.
///
/// JSON: `reference`, `state`, `personID` (or null), `items` (an array of `{number, field, currentValue,
/// requestedValue, statement, decision}`; `decision` is null until decided, else a ``DecisionDocument``),
/// `recipientNotifications` (`{recipientKey, recipientName, status, exemptReason,
/// outboxMessageID, at}`), `message` (the outcome message's outbox id, or null).
public struct RectificationReviewDocument: Presentable, Sendable {
    /// One item.
    public struct Item: Encodable, Sendable {
        public let number: Int
        public let field: PersonField
        @ExplicitNull public var currentValue: String?
        @ExplicitNull public var requestedValue: String?
        @ExplicitNull public var statement: String?
        @ExplicitNull public var decision: DecisionDocument?
    }

    public let reference: String
    public let state: RequestState
    @ExplicitNull public var personID: Int64?
    public let items: [Item]
    let notifications: [RecipientNotification]
    @ExplicitNull public var message: Int64?

    /// The document of `review`.
    public init(_ review: RectificationReview) {
        reference = review.request.reference
        state = review.request.state
        personID = review.request.personID
        items = review.items.map { item in
            Item(number: item.number, field: item.item.field, currentValue: item.currentValue, requestedValue: item.item.requestedValue,
                 statement: item.item.statement, decision: item.decision.map(DecisionDocument.init))
        }
        notifications = review.recipientNotifications
        message = review.message?.id
    }

    private enum Key: String, CodingKey { case reference, state, personID, items, recipientNotifications, message }

    /// Encodes every key, empty ones as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(reference, forKey: .reference)
        try container.encode(state, forKey: .state)
        try container.encode(_personID, forKey: .personID)
        try container.encode(items, forKey: .items)
        try container.encode(notifications.map(NotificationDocument.init), forKey: .recipientNotifications)
        try container.encode(_message, forKey: .message)
    }

    /// The items as a table, then the recipients told, then what to do next.
    public func text(style: TextStyle) -> String {
        var lines = ["Rectification \(reference) — \(state.rawValue)" + (personID.map { ", person \($0)" } ?? ", no person matched")]
        lines += TextLayout.table(
            header: ["#", "Field", "Now", "Requested", "Person's statement", "Decision"],
            rows: items.map { item in
                let decision: String
                switch item.decision {
                case nil:
                    // A statement on an empty field asks for no value: it is added, not "already as asked".
                    let statementOnly = item.requestedValue == nil && item.statement != nil
                    decision = item.requestedValue == item.currentValue && !statementOnly ? "— (already as asked)" : "—"
                case let d?:
                    switch d.outcome {
                    case .accepted:
                        decision = "corrected: \(d.before ?? "(empty)") → \(d.after ?? "(removed)")"
                            + (d.statement.map { "; statement added: \($0)" } ?? "")
                    case .rejected: decision = "rejected: \(d.reason ?? "")"
                    case .supplemented: decision = "statement added: \(d.statement ?? "")"
                    case .alreadyCorrect:
                        decision = "already correct: \(d.after ?? "(empty)"), nothing changed" + (d.statement.map { "; statement added: \($0)" } ?? "")
                    default: decision = d.outcome.rawValue
                    }
                }
                return [String(item.number), item.field.rawValue, TextStyle.value(item.currentValue), item.requestedValue ?? "(remove)",
                        TextStyle.value(item.statement), decision]
            }, indent: 2)
        if !notifications.isEmpty {
            lines += ["", "Recipients told of the corrections (Art. 19)"] + TextLayout.table(
                header: ["Recipient", "Status", "Exempt because"],
                rows: notifications.map { ["\($0.recipientName) (\($0.recipientKey))", $0.status.rawValue, TextStyle.value($0.exemptReason)] },
                indent: 2)
        }
        if items.contains(where: { $0.decision == nil }) && !state.isTerminal {
            lines += ["", "Decide every item in one command, for example:",
                      "  inzage request review \(reference) --accept 1 --reject 2 --reason \"…\" --statement 3 \"…\""]
        } else if let message {
            // Queued in the outbox with the decisions; `inzage deliver` sends it later.
            lines += ["", "The outcome was queued for the person as message \(message) (`inzage outbox show \(message)`)."]
        }
        return lines.joined(separator: "\n")
    }
}
