import Foundation
import GRDB

extension InzageDatabase: InzageStore {
    public func readRequests<T>(_ body: (any RequestReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteRequestAccess(db: db)) }
    }

    public func writeRequests<T>(_ body: (any RequestWriter) throws -> T) throws -> T {
        try writeTransaction { db in try body(SQLiteRequestAccess(db: db)) }
    }

    public func transaction<T>(_ body: (any LedgerWriter, any RequestWriter) throws -> T) throws -> T {
        try writeTransaction { db in try body(SQLiteLedgerAccess(db: db), SQLiteRequestAccess(db: db)) }
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
        candidate_ids, origin, created_at, created_by, updated_at, attempts, last_error, refusal_reason, refusal_note
        """

    private func fetch(_ clause: String, _ arguments: StatementArguments = []) throws -> [DataSubjectRequest] {
        try db.fetchAll("SELECT \(Self.columns) FROM request \(clause)", table: "request", arguments: arguments, request(from:))
    }

    private func request(from row: SQLiteColumns) throws -> DataSubjectRequest {
        let formats = try row.string(10)
        let extendedDue = row.optionalString(16)
        return DataSubjectRequest(
            id: try row.int64(0), reference: try row.string(1), type: try row.value(2), state: try row.value(3),
            subject: SubjectIdentifiers(email: row.optionalString(4), personID: row.optionalInt64(5),
                                        externalID: row.optionalString(6), name: row.optionalString(7)),
            channel: try row.value(8), language: try row.optionalValue(9),
            formats: try formats.split(separator: ",").map { try decode(String($0), "request", "formats") },
            rectification: try json(try row.string(11), "request", "rectification"),
            objection: try optionalJSON(row.optionalString(12), "request", "objection"),
            receivedAt: try row.date(13), receivedOn: try civilDate(try row.string(14), "received_on"),
            dueOn: try civilDate(try row.string(15), "due_on"),
            extendedDueOn: try extendedDue.map { try civilDate($0, "extended_due_on") }, extensionReason: row.optionalString(17),
            personID: row.optionalInt64(18), candidateIDs: try json(try row.string(19), "request", "candidate_ids"),
            origin: row.optionalString(20), createdAt: try row.date(21), createdBy: try row.string(22), updatedAt: try row.date(23),
            attempts: try row.int(24), lastError: row.optionalString(25),
            refusal: try row.optionalValue(26).map { RequestRefusal(reason: $0, note: row.optionalString(27)) })
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

    private static func transition(from row: SQLiteColumns) throws -> RequestTransition {
        RequestTransition(id: try row.int64(0), requestID: try row.int64(1), at: try row.date(2), from: try row.optionalValue(3),
                          to: try row.value(4), by: try row.string(5), note: row.optionalString(6))
    }

    func transitions(requestID: Int64) throws -> [RequestTransition] {
        try db.fetchAll("""
            SELECT id, request_id, at, from_state, to_state, by, note FROM request_transition WHERE request_id = ? ORDER BY id
            """, table: "request_transition", arguments: [requestID], Self.transition(from:))
    }

    func transitions(requestIDs: [Int64]) throws -> [Int64: [RequestTransition]] {
        guard !requestIDs.isEmpty else { return [:] }
        var transitions: [Int64: [RequestTransition]] = [:]
        // One statement for any number of requests: the ids travel as one JSON array.
        try db.forEachRow("""
            SELECT id, request_id, at, from_state, to_state, by, note FROM request_transition
            WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, id
            """, table: "request_transition", arguments: [Self.jsonArray(requestIDs)]) { row in
            let transition = try Self.transition(from: row)
            transitions[transition.requestID, default: []].append(transition)
        }
        return transitions
    }

    /// `[1,2,3]`: ids as one statement argument, for `IN (SELECT value FROM json_each(?))`.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    func extracts(requestID: Int64) throws -> [StoredExtract] {
        try fetchExtracts("WHERE request_id = ? ORDER BY format, id", [requestID])
    }

    func extractsExpired(before cutoff: Date) throws -> [StoredExtract] {
        try fetchExtracts("WHERE deleted_at IS NULL AND expires_at < ? ORDER BY expires_at, id", [cutoff])
    }

    private func fetchExtracts(_ clause: String, _ arguments: StatementArguments) throws -> [StoredExtract] {
        try Row.fetchAll(db, sql: """
            SELECT id, request_id, person_id, format, path, sha256, size, created_at, expires_at, deleted_at FROM extract \(clause)
            """, arguments: arguments).map { row in
                StoredExtract(id: row[0], requestID: row[1], personID: row[2], format: try decode(row[3], "extract", "format"),
                              path: row[4], sha256: row[5], size: row[6], createdAt: row[7], expiresAt: row[8], deletedAt: row[9])
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
         request.origin, request.createdAt, request.createdBy, request.updatedAt, request.attempts, request.lastError,
         request.refusal?.reason.rawValue, request.refusal?.note]
    }

    func insertRequest(_ request: DataSubjectRequest, originDigest: String?) throws -> DataSubjectRequest {
        var values = try arguments(request)
        values += [originDigest]
        try db.execute(sql: """
            INSERT INTO request (reference, type, state, subject_email, subject_person_id, subject_external_id, subject_name,
                channel, language, formats, rectification, objection, received_at, received_on, due_on, extended_due_on,
                extension_reason, person_id, candidate_ids, origin, created_at, created_by, updated_at, attempts, last_error,
                refusal_reason, refusal_note, origin_digest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                last_error = ?, refusal_reason = ?, refusal_note = ?
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

    func markExtractDeleted(id: Int64, at: Date) throws {
        try db.execute(sql: "UPDATE extract SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", arguments: [at, id])
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
