import Foundation
import GRDB

extension SQLiteLedgerAccess {
    func statements(personID: Int64) throws -> [PersonStatement] {
        try db.fetchAll("""
            SELECT id, person_id, field, statement, at, by, via, reason, request_reference FROM person_statement
            WHERE person_id = ? ORDER BY id
            """, table: "person_statement", arguments: [personID]) { row in
            PersonStatement(
                id: try row.int64(0), personID: try row.int64(1), field: try row.value(2), statement: try row.string(3),
                at: try row.date(4),
                attribution: Attribution(by: try row.string(5), via: try row.value(6), reason: row.optionalString(7),
                                         requestReference: row.optionalString(8)))
        }
    }

    func appendStatement(_ statement: PersonStatement) throws {
        try db.execute(sql: """
            INSERT INTO person_statement (person_id, field, statement, at, by, via, reason, request_reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [statement.personID, statement.field.rawValue, statement.statement, statement.at, statement.attribution.by,
                             statement.attribution.via.rawValue, statement.attribution.reason, statement.attribution.requestReference])
    }
}

extension SQLiteRequestAccess {
    private static func decision(from row: SQLiteColumns) throws -> ItemDecision {
        ItemDecision(
            id: try row.int64(0), requestID: try row.int64(1), item: try row.string(2), outcome: try row.value(3),
            field: try row.optionalValue(4), requestedValue: row.optionalString(5), before: row.optionalString(6),
            after: row.optionalString(7), reason: row.optionalString(8), statement: row.optionalString(9), at: try row.date(10),
            by: try row.string(11))
    }

    func decisions(requestID: Int64) throws -> [ItemDecision] {
        try db.fetchAll("""
            SELECT id, request_id, item, outcome, field, requested_value, before_value, after_value, reason, statement, at, by
            FROM request_decision WHERE request_id = ? ORDER BY id
            """, table: "request_decision", arguments: [requestID], Self.decision(from:))
    }

    func decisions(requestIDs: [Int64]) throws -> [Int64: [ItemDecision]] {
        guard !requestIDs.isEmpty else { return [:] }
        var decisions: [Int64: [ItemDecision]] = [:]
        try db.forEachRow("""
            SELECT id, request_id, item, outcome, field, requested_value, before_value, after_value, reason, statement, at, by
            FROM request_decision WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, id
            """, table: "request_decision", arguments: [Self.jsonArray(requestIDs)]) { row in
            let decision = try Self.decision(from: row)
            decisions[decision.requestID, default: []].append(decision)
        }
        return decisions
    }

    func appendDecision(_ decision: ItemDecision) throws {
        try db.execute(sql: """
            INSERT INTO request_decision (request_id, item, outcome, field, requested_value, before_value, after_value, reason,
                statement, at, by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [decision.requestID, decision.item, decision.outcome.rawValue, decision.field?.rawValue, decision.requestedValue,
                             decision.before, decision.after, decision.reason, decision.statement, decision.at, decision.by])
    }

    func recipientNotifications(requestID: Int64) throws -> [RecipientNotification] {
        // The status follows the outbox message, so that it is never out of date with the delivery.
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT n.id, n.request_id, n.recipient_key, n.recipient_name, n.outbox_message_id, n.exempt_reason, n.at, m.state
            FROM recipient_notification n LEFT JOIN outbox_message m ON m.id = n.outbox_message_id
            WHERE n.request_id = ? ORDER BY n.id
            """), arguments: [requestID]).map { row in
            let messageState: String? = row[7]
            let status: RecipientNotificationStatus
            switch messageState.flatMap(OutboxState.init(rawValue:)) {
            case nil: status = .exempt
            case .sent: status = .sent
            case .failed: status = .failed
            case .pending, .sending: status = .planned
            }
            return RecipientNotification(id: row[0], requestID: row[1], recipientKey: row[2], recipientName: row[3], outboxMessageID: row[4],
                                         exemptReason: row[5], at: row[6], status: status)
        }
    }

    func notifiedRecipientKeys(requestIDs: [Int64]) throws -> Set<String> {
        guard !requestIDs.isEmpty else { return [] }
        return Set(try String.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT recipient_key FROM recipient_notification WHERE request_id IN (SELECT value FROM json_each(?))
            """), arguments: [Self.jsonArray(requestIDs)]))
    }

    func insertRecipientNotification(_ notification: RecipientNotification) throws {
        try db.execute(sql: """
            INSERT INTO recipient_notification (request_id, recipient_key, recipient_name, outbox_message_id, exempt_reason, at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [notification.requestID, notification.recipientKey, notification.recipientName, notification.outboxMessageID,
                             notification.exemptReason, notification.at])
    }
}
