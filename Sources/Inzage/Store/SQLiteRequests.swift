import Foundation
import GRDB

extension InzageDatabase: InzageStore {
    public func readRequests<T>(_ body: (any RequestReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteRequestAccess(db: db)) }
    }

    public func writeRequests<T>(_ body: (any RequestWriter) throws -> T) throws -> T {
        try dbWriter.write { db in try body(SQLiteRequestAccess(db: db)) }
    }

    public func transaction<T>(_ body: (any LedgerWriter, any RequestWriter) throws -> T) throws -> T {
        try dbWriter.write { db in try body(SQLiteLedgerAccess(db: db), SQLiteRequestAccess(db: db)) }
    }

    public func snapshot<T>(_ body: (any LedgerReader, any RequestReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteLedgerAccess(db: db), SQLiteRequestAccess(db: db)) }
    }
}

/// The SQLite implementation of the request queue's storage, bound to one connection inside one transaction.
struct SQLiteRequestAccess: RequestWriter {
    let db: Database

    private static let columns = """
        id, reference, type, state, subject_email, subject_person_id, subject_external_id, subject_name, channel, language,
        formats, rectification, objection, received_at, received_on, due_on, extended_due_on, extension_reason, person_id,
        candidate_ids, origin, created_at, created_by, updated_at, attempts, last_error
        """

    private func fetch(_ clause: String, _ arguments: StatementArguments = []) throws -> [DataSubjectRequest] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM request \(clause)"), arguments: arguments).map(request(from:))
    }

    private func request(from row: Row) throws -> DataSubjectRequest {
        let formats: String = row[10]
        let extendedDue: String? = row[16]
        let language: String? = row[9]
        return DataSubjectRequest(
            id: row[0], reference: row[1], type: try decode(row[2], "request", "type"), state: try decode(row[3], "request", "state"),
            subject: SubjectIdentifiers(email: row[4], personID: row[5], externalID: row[6], name: row[7]),
            channel: try decode(row[8], "request", "channel"),
            language: try language.map { try decode($0, "request", "language") },
            formats: try formats.split(separator: ",").map { try decode(String($0), "request", "formats") },
            rectification: try json(row[11], "request", "rectification"),
            objection: try optionalJSON(row[12], "request", "objection"),
            receivedAt: row[13], receivedOn: try civilDate(row[14], "received_on"), dueOn: try civilDate(row[15], "due_on"),
            extendedDueOn: try extendedDue.map { try civilDate($0, "extended_due_on") }, extensionReason: row[17],
            personID: row[18], candidateIDs: try json(row[19], "request", "candidate_ids"), origin: row[20],
            createdAt: row[21], createdBy: row[22], updatedAt: row[23], attempts: row[24], lastError: row[25])
    }

    private func civilDate(_ text: String, _ column: String) throws -> CivilDate {
        guard let date = CivilDate(text) else { throw StoreError.corruptValue(table: "request", column: column, value: text) }
        return date
    }

    func request(reference: String) throws -> DataSubjectRequest? {
        try fetch("WHERE reference = ?", [reference]).first
    }

    func request(id: Int64) throws -> DataSubjectRequest? {
        try fetch("WHERE id = ?", [id]).first
    }

    func request(originDigest: String) throws -> DataSubjectRequest? {
        try fetch("WHERE origin_digest = ?", [originDigest]).first
    }

    func requests(states: [RequestState]?) throws -> [DataSubjectRequest] {
        let order = "ORDER BY COALESCE(extended_due_on, due_on), reference"
        guard let states else { return try fetch(order) }
        guard !states.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: states.count).joined(separator: ", ")
        return try fetch("WHERE state IN (\(placeholders)) \(order)", StatementArguments(states.map(\.rawValue)))
    }

    func requests(personID: Int64) throws -> [DataSubjectRequest] {
        try fetch("WHERE person_id = ? ORDER BY received_at, id", [personID])
    }

    func transitions(requestID: Int64) throws -> [RequestTransition] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, request_id, at, from_state, to_state, by, note FROM request_transition WHERE request_id = ? ORDER BY id
            """), arguments: [requestID]).map { row in
                let from: String? = row[3]
                return RequestTransition(id: row[0], requestID: row[1], at: row[2],
                                         from: try from.map { try decode($0, "request_transition", "from_state") },
                                         to: try decode(row[4], "request_transition", "to_state"), by: row[5], note: row[6])
            }
    }

    func extracts(requestID: Int64) throws -> [StoredExtract] {
        try Row.fetchAll(db, sql: """
            SELECT id, request_id, person_id, format, path, sha256, size, created_at, expires_at FROM extract
            WHERE request_id = ? ORDER BY format, id
            """, arguments: [requestID]).map { row in
                StoredExtract(id: row[0], requestID: row[1], personID: row[2], format: try decode(row[3], "extract", "format"),
                              path: row[4], sha256: row[5], size: row[6], createdAt: row[7], expiresAt: row[8])
            }
    }

    func lease(requestID: Int64) throws -> RequestLease? {
        guard let row = try Row.fetchOne(db, sql: "SELECT lease_owner, lease_expires_at FROM request WHERE id = ?", arguments: [requestID]),
              let owner: String = row[0], let expiresAt: Date = row[1]
        else { return nil }
        return RequestLease(owner: owner, expiresAt: expiresAt)
    }

    func nextSequenceNumber(year: Int) throws -> Int {
        try db.execute(sql: """
            INSERT INTO request_sequence (year, last) VALUES (?, 1) ON CONFLICT (year) DO UPDATE SET last = last + 1
            """, arguments: [year])
        return try Int.fetchOne(db, sql: "SELECT last FROM request_sequence WHERE year = ?", arguments: [year]) ?? 1
    }

    private func arguments(_ request: DataSubjectRequest) throws -> StatementArguments {
        [request.reference, request.type.rawValue, request.state.rawValue, request.subject.email, request.subject.personID,
         request.subject.externalID, request.subject.name, request.channel.rawValue, request.language?.rawValue,
         request.formats.map(\.rawValue).joined(separator: ","), try jsonText(request.rectification),
         try request.objection.map(jsonText), request.receivedAt, request.receivedOn.description, request.dueOn.description,
         request.extendedDueOn?.description, request.extensionReason, request.personID, try jsonText(request.candidateIDs),
         request.origin, request.createdAt, request.createdBy, request.updatedAt, request.attempts, request.lastError]
    }

    func insertRequest(_ request: DataSubjectRequest, originDigest: String?) throws -> DataSubjectRequest {
        var values = try arguments(request)
        values += [originDigest]
        try db.execute(sql: """
            INSERT INTO request (reference, type, state, subject_email, subject_person_id, subject_external_id, subject_name,
                channel, language, formats, rectification, objection, received_at, received_on, due_on, extended_due_on,
                extension_reason, person_id, candidate_ids, origin, created_at, created_by, updated_at, attempts, last_error,
                origin_digest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: values)
        var inserted = request
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    func updateRequest(_ request: DataSubjectRequest) throws {
        var values = try arguments(request)
        values += [request.id]
        try db.execute(sql: """
            UPDATE request SET reference = ?, type = ?, state = ?, subject_email = ?, subject_person_id = ?,
                subject_external_id = ?, subject_name = ?, channel = ?, language = ?, formats = ?, rectification = ?,
                objection = ?, received_at = ?, received_on = ?, due_on = ?, extended_due_on = ?, extension_reason = ?,
                person_id = ?, candidate_ids = ?, origin = ?, created_at = ?, created_by = ?, updated_at = ?, attempts = ?,
                last_error = ?
            WHERE id = ?
            """, arguments: values)
    }

    func appendTransition(_ transition: RequestTransition) throws {
        try db.execute(sql: """
            INSERT INTO request_transition (request_id, at, from_state, to_state, by, note) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [transition.requestID, transition.at, transition.from?.rawValue, transition.to.rawValue, transition.by, transition.note])
    }

    func insertExtract(_ extract: StoredExtract) throws -> StoredExtract {
        try db.execute(sql: """
            INSERT INTO extract (request_id, person_id, format, path, sha256, size, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [extract.requestID, extract.personID, extract.format.rawValue, extract.path, extract.sha256, extract.size,
                             extract.createdAt, extract.expiresAt])
        var inserted = extract
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    func claimNext(types: [RequestType], states: [RequestState], owner: String, now: Date, until: Date) throws -> DataSubjectRequest? {
        guard !types.isEmpty, !states.isEmpty else { return nil }
        let typeList = Array(repeating: "?", count: types.count).joined(separator: ", ")
        let stateList = Array(repeating: "?", count: states.count).joined(separator: ", ")
        var values = StatementArguments(types.map(\.rawValue))
        values += StatementArguments(states.map(\.rawValue))
        values += [now, now]
        // The write transaction is IMMEDIATE, so the select and the lease update are one atomic step
        // across processes.
        guard let id = try Int64.fetchOne(db, sql: """
            SELECT id FROM request
            WHERE type IN (\(typeList)) AND state IN (\(stateList))
              AND (person_id IS NOT NULL OR candidate_ids = '[]')
              AND (lease_expires_at IS NULL OR lease_expires_at < ?)
              AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY COALESCE(extended_due_on, due_on), id LIMIT 1
            """, arguments: values)
        else { return nil }
        try db.execute(sql: "UPDATE request SET lease_owner = ?, lease_expires_at = ? WHERE id = ?", arguments: [owner, until, id])
        return try request(id: id)
    }

    func setLease(requestID: Int64, lease: RequestLease?, nextAttemptAt: Date?) throws {
        try db.execute(sql: "UPDATE request SET lease_owner = ?, lease_expires_at = ?, next_attempt_at = ? WHERE id = ?",
                       arguments: [lease?.owner, lease?.expiresAt, nextAttemptAt, requestID])
    }
}
