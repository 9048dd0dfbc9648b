import Foundation
import GRDB

extension Schema {
    /// v8: files attached to an outbox message (the extracts of an access request's answer), by their place in the
    /// extract archive with the SHA-256 and size they had when written. Like the message's content they never change.
    static func createOutboxAttachments(_ db: Database) throws {
        try db.create(table: "outbox_attachment") { t in
            t.column("message_id", .integer).notNull().references("outbox_message", onDelete: .restrict)
            t.column("position", .integer).notNull()
            t.column("file_name", .text).notNull()
            t.column("content_type", .text).notNull()
            t.column("archive_path", .text).notNull()
            t.column("sha256", .text).notNull()
            t.column("size", .integer).notNull()
            t.primaryKey(["message_id", "position"])
        }
        try makeAppendOnly("outbox_attachment", in: db)
        // Files are attached when the message is stored, never to a message that was (or is being) sent.
        try db.execute(sql: """
            CREATE TRIGGER outbox_attachment_only_when_stored BEFORE INSERT ON outbox_attachment
            WHEN (SELECT state <> 'pending' OR attempts <> 0 FROM outbox_message WHERE id = NEW.message_id)
            BEGIN SELECT RAISE(ABORT, 'files are attached to an outbox message only when it is stored'); END;
            """)
    }

    /// v3: the outbox: rendered messages waiting to be sent, with their delivery state and leases.
    ///
    /// A message's content (ids, addresses, subject, body, links to the request and person) never changes after
    /// it is stored, so that every delivery attempt sends the same bytes; only the delivery columns change.
    static func createOutbox(_ db: Database) throws {
        try db.create(table: "outbox_message") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("message_id", .text).notNull().unique()
            t.column("kind", .text).notNull()
            t.column("language", .text).notNull()
            t.column("sender_address", .text).notNull()
            t.column("sender_name", .text)
            t.column("recipient_address", .text).notNull()
            t.column("recipient_name", .text)
            t.column("subject", .text).notNull()
            t.column("body", .text).notNull()
            t.column("request_id", .integer).references("request", onDelete: .restrict)
            t.column("request_reference", .text)
            t.column("person_id", .integer).references("person", onDelete: .restrict)
            t.column("created_at", .datetime).notNull()
            t.column("state", .text).notNull().defaults(to: OutboxState.pending.rawValue)
                // The states v3 allows, written out so that the migration makes the same table however the enum grows.
                .check(sql: "state IN ('pending', 'sending', 'sent', 'failed')")
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("last_error", .text)
            t.column("lease_owner", .text)
            t.column("lease_expires_at", .datetime)
            t.column("next_attempt_at", .datetime)
            t.column("sent_at", .datetime)
        }
        try db.create(index: "outbox_message_by_state", on: "outbox_message", columns: ["state", "next_attempt_at"])
        try db.create(index: "outbox_message_by_request", on: "outbox_message", columns: ["request_id"])
        try db.execute(sql: """
            CREATE TRIGGER outbox_message_content_fixed
            BEFORE UPDATE OF message_id, kind, language, sender_address, sender_name, recipient_address, recipient_name,
                subject, body, request_id, request_reference, person_id, created_at ON outbox_message
            BEGIN SELECT RAISE(ABORT, 'an outbox message''s content never changes; only its delivery state does'); END;
            """)
    }
}
