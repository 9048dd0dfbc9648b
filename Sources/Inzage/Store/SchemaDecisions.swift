import Foundation
import GRDB

extension Schema {
    /// v4: what officers decided and what followed: decisions per request item, supplementary statements, and the
    /// notifications of corrections to recipients (Art. 19). All three are append-only.
    static func createDecisions(_ db: Database) throws {
        try createDecisionTable(named: "request_decision", outcomes: v4Outcomes, in: db)
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
            try makeAppendOnly(table, in: db)
        }
    }

    /// The outcomes v4 allowed. Written out, not taken from ``ItemOutcome``, so that the migration makes the same
    /// table however the enum grows.
    static let v4Outcomes = ["accepted", "rejected", "supplemented", "applied", "upheld", "overridden"]

    /// The outcomes v5 allows: v4's and `already-correct`.
    static let v5Outcomes = v4Outcomes + ["already-correct"]

    /// v5: a rectification item that is already as the person asked is decided `already-correct` (it used to have to
    /// be rejected). SQLite cannot change a CHECK constraint, so the table is made again with the new one and its rows
    /// copied over, ids and all; nothing refers to its rows.
    static func allowAlreadyCorrect(_ db: Database) throws {
        try createDecisionTable(named: "request_decision_v5", outcomes: v5Outcomes, in: db)
        try db.execute(sql: """
            INSERT INTO request_decision_v5 (id, request_id, item, outcome, field, requested_value, before_value, after_value,
                reason, statement, at, by)
            SELECT id, request_id, item, outcome, field, requested_value, before_value, after_value, reason, statement, at, by
            FROM request_decision;
            DROP TRIGGER request_decision_no_update;
            DROP TRIGGER request_decision_no_delete;
            DROP TABLE request_decision;
            ALTER TABLE request_decision_v5 RENAME TO request_decision;
            """)
        try makeAppendOnly("request_decision", in: db)
    }

    static func createDecisionTable(named name: String, outcomes: [String], in db: Database) throws {
        try db.create(table: name) { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("request_id", .integer).notNull().references("request", onDelete: .restrict)
            t.column("item", .text).notNull()
            t.column("outcome", .text).notNull()
                .check(sql: "outcome IN (\(outcomes.map { "'\($0)'" }.joined(separator: ", ")))")
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
    }

}
