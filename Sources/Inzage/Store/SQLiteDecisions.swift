import Foundation
import GRDB

extension SQLiteLedgerAccess {
    func statements(personID: Int64) throws -> [PersonStatement] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, person_id, field, statement, at, by, via, reason, request_reference FROM person_statement
            WHERE person_id = ? ORDER BY id
            """), arguments: [personID]).map { row in
            PersonStatement(
                id: row[0], personID: row[1], field: try decode(row[2], "person_statement", "field"), statement: row[3], at: row[4],
                attribution: Attribution(by: row[5], via: try decode(row[6], "person_statement", "via"), reason: row[7], requestReference: row[8]))
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
    func decisions(requestID: Int64) throws -> [ItemDecision] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, request_id, item, outcome, field, requested_value, before_value, after_value, reason, statement, at, by
            FROM request_decision WHERE request_id = ? ORDER BY id
            """), arguments: [requestID]).map { row in
            let field: String? = row[4]
            return ItemDecision(
                id: row[0], requestID: row[1], item: row[2], outcome: try decode(row[3], "request_decision", "outcome"),
                field: try field.map { try decode($0, "request_decision", "field") }, requestedValue: row[5], before: row[6], after: row[7],
                reason: row[8], statement: row[9], at: row[10], by: row[11])
        }
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

    func insertRecipientNotification(_ notification: RecipientNotification) throws {
        try db.execute(sql: """
            INSERT INTO recipient_notification (request_id, recipient_key, recipient_name, outbox_message_id, exempt_reason, at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [notification.requestID, notification.recipientKey, notification.recipientName, notification.outboxMessageID,
                             notification.exemptReason, notification.at])
    }
}
