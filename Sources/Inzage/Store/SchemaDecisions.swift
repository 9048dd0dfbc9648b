import Foundation
import GRDB

extension Schema {
    /// v4: what officers decided and what followed: decisions per request item, supplementary statements, and the
    /// notifications of corrections to recipients (Art. 19). All three are append-only.
    static func createDecisions(_ db: Database) throws {
        try db.create(table: "request_decision") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("request_id", .integer).notNull().references("request", onDelete: .restrict)
            t.column("item", .text).notNull()
            t.column("outcome", .text).notNull()
                .check(sql: "outcome IN (\(ItemOutcome.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")))")
            t.column("field", .text)
            t.column("requested_value", .text)
            t.column("before_value", .text)
            t.column("after_value", .text)
            t.column("reason", .text)
            t.column("statement", .text)
            t.column("at", .datetime).notNull()
            t.column("by", .text).notNull()
            t.uniqueKey(["request_id", "item"])
        }
        try db.create(table: "person_statement") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("person_id", .integer).notNull().references("person", onDelete: .restrict)
            t.column("field", .text).notNull()
            t.column("statement", .text).notNull()
            t.column("at", .datetime).notNull()
            t.column("by", .text).notNull()
            t.column("via", .text).notNull()
            t.column("reason", .text)
            t.column("request_reference", .text)
        }
        try db.create(index: "person_statement_by_person", on: "person_statement", columns: ["person_id", "id"])
        try db.create(table: "recipient_notification") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("request_id", .integer).notNull().references("request", onDelete: .restrict)
            t.column("recipient_key", .text).notNull()
            t.column("recipient_name", .text).notNull()
            t.column("outbox_message_id", .integer).references("outbox_message", onDelete: .restrict)
            t.column("exempt_reason", .text)
            t.column("at", .datetime).notNull()
            t.check(sql: "(outbox_message_id IS NULL) <> (exempt_reason IS NULL)")
            t.uniqueKey(["request_id", "recipient_key"])
        }
        for table in ["request_decision", "person_statement", "recipient_notification"] {
            try db.execute(sql: """
                CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                """)
        }
    }
}
