import Foundation
import GRDB

extension InzageDatabase: InzageMessagingStore {
    /// Runs `body` with a consistent view of the outbox.
    public func readOutbox<T>(_ body: (any OutboxReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteOutboxAccess(db: db)) }
    }

    /// Runs `body` in one write transaction on the outbox.
    public func writeOutbox<T>(_ body: (any OutboxWriter) throws -> T) throws -> T {
        try writeTransaction { db in try body(SQLiteOutboxAccess(db: db)) }
    }

    /// Runs `body` in one write transaction whose ledger, request and outbox writers share one connection, so
    /// that a message is stored if and only if the change that caused it commits.
    public func transaction<T>(_ body: (any LedgerWriter, any RequestWriter, any OutboxWriter) throws -> T) throws -> T {
        try writeTransaction { db in try body(SQLiteLedgerAccess(db: db), SQLiteRequestAccess(db: db), SQLiteOutboxAccess(db: db)) }
    }
}

/// The SQLite implementation of the outbox's storage, bound to one connection inside one transaction.
struct SQLiteOutboxAccess: OutboxWriter {
    let db: Database

    private static let columns = """
        id, message_id, kind, language, sender_address, sender_name, recipient_address, recipient_name, subject, body,
        request_id, request_reference, person_id, created_at, state, attempts, last_error, lease_owner, lease_expires_at,
        next_attempt_at, sent_at
        """

    private func fetch(_ clause: String, _ arguments: StatementArguments = []) throws -> [StoredMessage] {
        var messages = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM outbox_message \(clause)"), arguments: arguments)
            .map(Self.message(from:))
        guard !messages.isEmpty else { return messages }
        // The attachments of all of them in one query (ids are integers, written into the statement).
        let ids = messages.map { String($0.id) }.joined(separator: ", ")
        var attachments: [Int64: [MessageAttachment]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT message_id, file_name, content_type, archive_path, sha256, size FROM outbox_attachment
            WHERE message_id IN (\(ids)) ORDER BY message_id, position
            """) {
            attachments[row[0], default: []].append(MessageAttachment(fileName: row[1], contentType: row[2], archivePath: row[3],
                                                                      sha256: row[4], size: row[5]))
        }
        for index in messages.indices { messages[index].message.attachments = attachments[messages[index].id] ?? [] }
        return messages
    }

    private static func message(from row: Row) throws -> StoredMessage {
        let message = OutgoingMessage(
            kind: try decode(row[2], "outbox_message", "kind"), language: try decode(row[3], "outbox_message", "language"),
            sender: MailAddress(address: row[4], name: row[5]), recipient: MailAddress(address: row[6], name: row[7]),
            subject: row[8], body: row[9], requestID: row[10], requestReference: row[11], personID: row[12])
        return StoredMessage(
            id: row[0], messageID: row[1], message: message, createdAt: row[13], state: try decode(row[14], "outbox_message", "state"),
            attempts: row[15], lastError: row[16], leaseOwner: row[17], leaseExpiresAt: row[18], nextAttemptAt: row[19], sentAt: row[20])
    }

    func message(id: Int64) throws -> StoredMessage? {
        try fetch("WHERE id = ?", [id]).first
    }

    func message(messageID: String) throws -> StoredMessage? {
        try fetch("WHERE message_id = ?", [messageID]).first
    }

    func messages(requestID: Int64) throws -> [StoredMessage] {
        try fetch("WHERE request_id = ? ORDER BY id", [requestID])
    }

    func messages(states: [OutboxState]?) throws -> [StoredMessage] {
        guard let states else { return try fetch("ORDER BY id") }
        guard !states.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: states.count).joined(separator: ", ")
        return try fetch("WHERE state IN (\(placeholders)) ORDER BY id", StatementArguments(states.map(\.rawValue)))
    }

    func insertMessage(_ message: OutgoingMessage, messageID: String, at: Date) throws -> StoredMessage {
        try db.execute(sql: """
            INSERT INTO outbox_message (message_id, kind, language, sender_address, sender_name, recipient_address,
                recipient_name, subject, body, request_id, request_reference, person_id, created_at, state, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
            """, arguments: [messageID, message.kind.rawValue, message.language.rawValue, message.sender.address, message.sender.name,
                             message.recipient.address, message.recipient.name, message.subject, message.body, message.requestID,
                             message.requestReference, message.personID, at, OutboxState.pending.rawValue])
        let id = db.lastInsertedRowID
        for (position, attachment) in message.attachments.enumerated() {
            try db.execute(sql: """
                INSERT INTO outbox_attachment (message_id, position, file_name, content_type, archive_path, sha256, size)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, position, attachment.fileName, attachment.contentType, attachment.archivePath, attachment.sha256,
                                 attachment.size])
        }
        return StoredMessage(id: id, messageID: messageID, message: message, createdAt: at, state: .pending,
                             attempts: 0, lastError: nil, leaseOwner: nil, leaseExpiresAt: nil, nextAttemptAt: nil, sentAt: nil)
    }

    func claimNextMessage(owner: String, now: Date, until: Date) throws -> StoredMessage? {
        // The write transaction is IMMEDIATE, so the select and the update are one atomic step across processes.
        guard let id = try Int64.fetchOne(db, sql: """
            SELECT id FROM outbox_message
            WHERE (state = ?1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?3))
               OR (state = ?2 AND (lease_expires_at IS NULL OR lease_expires_at < ?3))
            ORDER BY id LIMIT 1
            """, arguments: [OutboxState.pending.rawValue, OutboxState.sending.rawValue, now])
        else { return nil }
        try db.execute(sql: """
            UPDATE outbox_message SET state = ?, attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?, next_attempt_at = NULL
            WHERE id = ?
            """, arguments: [OutboxState.sending.rawValue, owner, until, id])
        return try message(id: id)
    }

    func markSent(id: Int64, at: Date) throws {
        try db.execute(sql: """
            UPDATE outbox_message SET state = ?, sent_at = ?, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                next_attempt_at = NULL
            WHERE id = ? AND state <> ?
            """, arguments: [OutboxState.sent.rawValue, at, id, OutboxState.sent.rawValue])
    }

    func recordFailure(id: Int64, owner: String, error: String, retryAt: Date?) throws -> Bool {
        try db.execute(sql: """
            UPDATE outbox_message SET state = ?, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ? AND state = ? AND lease_owner = ?
            """, arguments: [(retryAt == nil ? OutboxState.failed : .pending).rawValue, error, retryAt, id,
                             OutboxState.sending.rawValue, owner])
        return db.changesCount > 0
    }

    func requeueFailed(id: Int64, at: Date) throws -> Bool {
        try db.execute(sql: """
            UPDATE outbox_message SET state = ?, attempts = 0, next_attempt_at = ? WHERE id = ? AND state = ?
            """, arguments: [OutboxState.pending.rawValue, at, id, OutboxState.failed.rawValue])
        return db.changesCount > 0
    }
}
