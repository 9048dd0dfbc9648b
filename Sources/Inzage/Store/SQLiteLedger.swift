import Foundation
import GRDB

extension InzageDatabase: LedgerStore {
    public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteLedgerAccess(db: db)) }
    }

    public func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T {
        try dbWriter.write { db in try body(SQLiteLedgerAccess(db: db)) }
    }
}

/// The SQLite implementation of the ledger's storage primitives, bound to one connection inside one transaction.
struct SQLiteLedgerAccess: LedgerWriter {
    let db: Database
    /// The stored form of the instant being written (one per transaction), formatted once instead of per row.
    private let dates = StoredDateCache()

    // MARK: Persons

    private static let personColumns = """
        id, first_name, name_prefix, last_name, email, secondary_email, phone, street, postal_code, city, country,
        organisation, job_title, language, external_id, source_key, created_at, created_by, updated_at, updated_by
        """

    private func fetchPersons(_ whereClause: String, _ arguments: StatementArguments) throws -> [Person] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.personColumns) FROM person \(whereClause)"), arguments: arguments)
            .map(Self.person(from:))
    }

    private static func person(from row: Row) -> Person {
        Person(
            id: row[0],
            details: PersonDetails(
                firstName: row[1], namePrefix: row[2], lastName: row[3], email: row[4], secondaryEmail: row[5],
                phone: row[6], street: row[7], postalCode: row[8], city: row[9], country: row[10],
                organisation: row[11], jobTitle: row[12], language: row[13], externalID: row[14], sourceKey: row[15]),
            createdAt: row[16], createdBy: row[17], updatedAt: row[18], updatedBy: row[19])
    }

    private static func detailArguments(_ d: PersonDetails) -> StatementArguments {
        [d.firstName, d.namePrefix, d.lastName, d.email, d.secondaryEmail, d.phone, d.street, d.postalCode, d.city,
         d.country, d.organisation, d.jobTitle, d.language, d.externalID, d.sourceKey]
    }

    func person(id: Int64) throws -> Person? {
        try fetchPersons("WHERE id = ?", [id]).first
    }

    func persons(email: String) throws -> [Person] {
        guard try exists("SELECT EXISTS (SELECT 1 FROM person WHERE email = ?1 OR secondary_email = ?1)", [email]) else { return [] }
        return try fetchPersons("WHERE email = ?1 OR secondary_email = ?1 ORDER BY id", [email])
    }

    func persons(externalID: String) throws -> [Person] {
        guard try exists("SELECT EXISTS (SELECT 1 FROM person WHERE external_id = ?)", [externalID]) else { return [] }
        return try fetchPersons("WHERE external_id = ? ORDER BY id", [externalID])
    }

    /// Answers an `EXISTS` query without building rows. The look-ups that usually find nothing (an e-mail address
    /// being free, a consent or suppression for a new person: several per imported row) ask this first, because
    /// fetching a `Row` makes GRDB build a column-name index each time.
    private func exists(_ sql: String, _ arguments: StatementArguments) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? false
    }

    func persons(nameContaining text: String, limit: Int) throws -> [Person] {
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return try fetchPersons("""
            WHERE (COALESCE(first_name, '') || ' ' || COALESCE(name_prefix || ' ', '') || COALESCE(last_name, ''))
                  LIKE ?1 ESCAPE '\\'
            ORDER BY last_name, first_name, id LIMIT ?2
            """, [pattern, limit])
    }

    func personCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM person") ?? 0
    }

    func insertPerson(details: PersonDetails, at: Date, by: String) throws -> Person {
        var arguments = Self.detailArguments(details)
        let stamp = dates.value(at)
        arguments += [stamp, by, stamp, by]
        try db.cachedStatement(sql: """
            INSERT INTO person (first_name, name_prefix, last_name, email, secondary_email, phone, street, postal_code,
                city, country, organisation, job_title, language, external_id, source_key,
                created_at, created_by, updated_at, updated_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: arguments)
        return Person(id: db.lastInsertedRowID, details: details, createdAt: at, createdBy: by, updatedAt: at, updatedBy: by)
    }

    func updatePerson(_ person: Person) throws {
        var arguments = Self.detailArguments(person.details)
        arguments += [dates.value(person.updatedAt), person.updatedBy, person.id]
        try db.cachedStatement(sql: """
            UPDATE person SET first_name = ?, name_prefix = ?, last_name = ?, email = ?, secondary_email = ?, phone = ?,
                street = ?, postal_code = ?, city = ?, country = ?, organisation = ?, job_title = ?, language = ?,
                external_id = ?, source_key = ?, updated_at = ?, updated_by = ?
            WHERE id = ?
            """).execute(arguments: arguments)
    }

    // MARK: Edit history

    func appendEdits(_ edits: [PersonEdit]) throws {
        // Several rows per statement: a new person has an edit per filled field, and an import registers thousands
        // of persons. The edits of one change share person, time and attribution, so those are bound once.
        var start = edits.startIndex
        while start < edits.endIndex {
            let first = edits[start]
            var end = start + 1
            while end < edits.endIndex, end - start < Self.editRowsPerStatement, edits[end].personID == first.personID,
                  edits[end].at == first.at, edits[end].attribution == first.attribution {
                end += 1
            }
            var values: [(any DatabaseValueConvertible)?] = [
                first.personID, dates.value(first.at), first.attribution.by, first.attribution.via.rawValue,
                first.attribution.reason, first.attribution.requestReference,
            ]
            values.reserveCapacity(6 + (end - start) * 3)
            for edit in edits[start..<end] {
                values.append(edit.field.rawValue)
                values.append(edit.oldValue)
                values.append(edit.newValue)
            }
            try db.cachedStatement(sql: Self.insertEditsSQL[end - start]).execute(arguments: StatementArguments(values))
            start = end
        }
    }

    /// The most edit rows one INSERT statement writes.
    private static let editRowsPerStatement = 16

    /// `INSERT INTO person_edit … VALUES (…), (…)` for 0 to ``editRowsPerStatement`` rows, indexed by row count:
    /// parameters 1–6 are the shared person, time and attribution, then field, old and new value per row.
    private static let insertEditsSQL: [String] = (0...editRowsPerStatement).map { count in
        "INSERT INTO person_edit (person_id, field, old_value, new_value, at, by, via, reason, request_reference) VALUES "
            + (0..<count).map { row in
                let base = 7 + row * 3
                return "(?1, ?\(base), ?\(base + 1), ?\(base + 2), ?2, ?3, ?4, ?5, ?6)"
            }.joined(separator: ", ")
    }

    func forEachEdit(personID: Int64, _ body: (PersonEdit) throws -> Void) throws {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, person_id, field, old_value, new_value, at, by, via, reason, request_reference
            FROM person_edit WHERE person_id = ? ORDER BY id
            """), arguments: [personID])
        while let row = try rows.next() {
            try body(PersonEdit(
                id: row[0], personID: row[1], field: try decode(row[2], "person_edit", "field"),
                oldValue: row[3], newValue: row[4], at: row[5],
                attribution: Attribution(by: row[6], via: try decode(row[7], "person_edit", "via"), reason: row[8], requestReference: row[9])))
        }
    }

    // MARK: Consents

    private static let consentColumns = """
        id, person_id, purpose_key, basis_key, status, source_key, comment, consent_text, given_at, withdrawn_at,
        registered_at, registered_by, updated_at, updated_by, update_count
        """

    private func consent(from row: Row) throws -> Consent {
        Consent(
            id: row[0], personID: row[1], purposeKey: row[2], basisKey: row[3],
            status: try decode(row[4], "consent", "status"), sourceKey: row[5], comment: row[6], consentText: row[7],
            givenAt: row[8], withdrawnAt: row[9], registeredAt: row[10], registeredBy: row[11],
            updatedAt: row[12], updatedBy: row[13], updateCount: row[14])
    }

    func consents(personID: Int64) throws -> [Consent] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Self.consentColumns.split(separator: ",").map { "consent." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM consent JOIN purpose ON purpose.key = consent.purpose_key
            WHERE person_id = ? ORDER BY purpose.rank, purpose.key
            """), arguments: [personID]).map(consent(from:))
    }

    func consent(personID: Int64, purposeKey: String) throws -> Consent? {
        guard try exists("SELECT EXISTS (SELECT 1 FROM consent WHERE person_id = ? AND purpose_key = ?)", [personID, purposeKey]) else {
            return nil
        }
        return try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Self.consentColumns) FROM consent WHERE person_id = ? AND purpose_key = ?
            """), arguments: [personID, purposeKey]).map(consent(from:))
    }

    func insertConsent(_ consent: Consent) throws -> Consent {
        try db.cachedStatement(sql: """
            INSERT INTO consent (person_id, purpose_key, basis_key, status, source_key, comment, consent_text, given_at,
                withdrawn_at, registered_at, registered_by, updated_at, updated_by, update_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                consent.personID, consent.purposeKey, consent.basisKey, consent.status.rawValue, consent.sourceKey,
                consent.comment, consent.consentText, dates.value(consent.givenAt), dates.value(consent.withdrawnAt),
                dates.value(consent.registeredAt), consent.registeredBy, dates.value(consent.updatedAt), consent.updatedBy,
                consent.updateCount,
            ])
        var inserted = consent
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    func updateConsent(_ consent: Consent) throws {
        try db.cachedStatement(sql: """
            UPDATE consent SET basis_key = ?, status = ?, source_key = ?, comment = ?, consent_text = ?, given_at = ?,
                withdrawn_at = ?, updated_at = ?, updated_by = ?, update_count = ?
            WHERE id = ?
            """).execute(arguments: [
                consent.basisKey, consent.status.rawValue, consent.sourceKey, consent.comment, consent.consentText,
                dates.value(consent.givenAt), dates.value(consent.withdrawnAt), dates.value(consent.updatedAt), consent.updatedBy,
                consent.updateCount, consent.id,
            ])
    }

    func appendConsentEvent(_ event: ConsentEvent) throws {
        try db.cachedStatement(sql: """
            INSERT INTO consent_event (consent_id, person_id, purpose_key, at, type, from_status, to_status, from_basis,
                to_basis, from_source, to_source, by, via, request_reference, evidence, comment)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.consentID, event.personID, event.purposeKey, dates.value(event.at), event.type.rawValue,
                event.fromStatus?.rawValue, event.toStatus.rawValue, event.fromBasis, event.toBasis,
                event.fromSource, event.toSource, event.attribution.by, event.attribution.via.rawValue,
                event.attribution.requestReference, event.evidence, event.comment,
            ])
    }

    func forEachConsentEvent(personID: Int64, _ body: (ConsentEvent) throws -> Void) throws {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, consent_id, person_id, purpose_key, at, type, from_status, to_status, from_basis, to_basis,
                from_source, to_source, by, via, request_reference, evidence, comment
            FROM consent_event WHERE person_id = ? ORDER BY id
            """), arguments: [personID])
        while let row = try rows.next() {
            let fromStatus: String? = row[6]
            try body(ConsentEvent(
                id: row[0], consentID: row[1], personID: row[2], purposeKey: row[3], at: row[4],
                type: try decode(row[5], "consent_event", "type"),
                fromStatus: try fromStatus.map { try decode($0, "consent_event", "from_status") },
                toStatus: try decode(row[7], "consent_event", "to_status"),
                fromBasis: row[8], toBasis: row[9], fromSource: row[10], toSource: row[11],
                attribution: Attribution(by: row[12], via: try decode(row[13], "consent_event", "via"), requestReference: row[14]),
                evidence: row[15], comment: row[16]))
        }
    }

    func historySummary(personID: Int64) throws -> HistorySummary {
        var summary = HistorySummary()
        summary.editCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM person_edit WHERE person_id = ?", arguments: [personID]) ?? 0
        summary.consentEventCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM consent_event WHERE person_id = ?", arguments: [personID]) ?? 0
        summary.eventSourceKeys = Set(try String.fetchAll(db, sql: """
            SELECT to_source FROM consent_event WHERE person_id = ?1
            UNION SELECT from_source FROM consent_event WHERE person_id = ?1 AND from_source IS NOT NULL
            """, arguments: [personID]))
        return summary
    }

    // MARK: Suppressions

    private func suppression(from row: Row) throws -> Suppression {
        Suppression(
            personID: row[0], purposeKey: row[1], at: row[2],
            attribution: Attribution(by: row[3], via: try decode(row[4], "suppression", "via"), requestReference: row[5]))
    }

    func suppression(personID: Int64, purposeKey: String) throws -> Suppression? {
        guard try exists("SELECT EXISTS (SELECT 1 FROM suppression WHERE person_id = ? AND purpose_key = ?)", [personID, purposeKey]) else {
            return nil
        }
        return try Row.fetchOne(db.cachedStatement(sql: """
            SELECT person_id, purpose_key, at, by, via, request_reference FROM suppression
            WHERE person_id = ? AND purpose_key = ?
            """), arguments: [personID, purposeKey]).map(suppression(from:))
    }

    func suppressions(personID: Int64) throws -> [Suppression] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT person_id, purpose_key, at, by, via, request_reference FROM suppression
            WHERE person_id = ? ORDER BY at
            """), arguments: [personID]).map(suppression(from:))
    }

    func insertSuppression(_ suppression: Suppression) throws {
        try db.execute(sql: """
            INSERT INTO suppression (person_id, purpose_key, at, by, via, request_reference) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (person_id, purpose_key) DO NOTHING
            """, arguments: [
                suppression.personID, suppression.purposeKey, suppression.at, suppression.attribution.by,
                suppression.attribution.via.rawValue, suppression.attribution.requestReference,
            ])
    }

    func deleteSuppression(personID: Int64, purposeKey: String) throws {
        try db.execute(sql: "DELETE FROM suppression WHERE person_id = ? AND purpose_key = ?", arguments: [personID, purposeKey])
    }

    // MARK: Savepoints

    func inSavepoint(_ body: () throws -> Void) throws {
        // Cached statements rather than `Database.inSavepoint`, which parses its SQL anew on every call
        // (an import opens one savepoint per row). GRDB still sees the savepoints and tracks them.
        try db.cachedStatement(sql: "SAVEPOINT ledger").execute()
        do {
            try body()
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT ledger").execute()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT ledger").execute()
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT ledger").execute()
    }

    // MARK: Reference lists

    func legalBases() throws -> [LegalBasis] {
        try Row.fetchAll(db, sql: "SELECT key, name, description, article, dpv_iri, rank, active FROM legal_basis ORDER BY rank, key")
            .map { row in
                LegalBasis(key: row[0], name: try json(row[1], "legal_basis", "name"), description: try json(row[2], "legal_basis", "description"),
                           article: row[3], dpvIRI: row[4], rank: row[5], active: row[6])
            }
    }

    func purposes() throws -> [Purpose] {
        try Row.fetchAll(db, sql: """
            SELECT key, name, description, default_basis_key, data_categories, retention, consent_text, privacy_statement_url,
                is_direct_marketing, transfers_outside_eu, automated_decision_making, rank, active
            FROM purpose ORDER BY rank, key
            """).map { row in
                Purpose(
                    key: row[0], name: try json(row[1], "purpose", "name"), description: try json(row[2], "purpose", "description"),
                    defaultBasisKey: row[3], dataCategories: try json(row[4], "purpose", "data_categories"),
                    retention: try json(row[5], "purpose", "retention"), consentText: try json(row[6], "purpose", "consent_text"),
                    privacyStatementURL: row[7], isDirectMarketing: row[8],
                    transfersOutsideEU: try optionalJSON(row[9], "purpose", "transfers_outside_eu"),
                    automatedDecisionMaking: try optionalJSON(row[10], "purpose", "automated_decision_making"),
                    rank: row[11], active: row[12])
            }
    }

    func sources() throws -> [Source] {
        try Row.fetchAll(db, sql: "SELECT key, name, description, source_type, confirmation_template, rank, active FROM source ORDER BY rank, key")
            .map { row in
                Source(key: row[0], name: try json(row[1], "source", "name"), description: try json(row[2], "source", "description"),
                       sourceType: try decode(row[3], "source", "source_type"), confirmationTemplate: row[4], rank: row[5], active: row[6])
            }
    }

    func recipients() throws -> [Recipient] {
        try Row.fetchAll(db, sql: "SELECT key, name, role, country, contact_email, rank, active FROM recipient ORDER BY rank, key")
            .map { row in
                Recipient(key: row[0], name: row[1], role: try decode(row[2], "recipient", "role"), country: row[3],
                          contactEmail: row[4], rank: row[5], active: row[6])
            }
    }

    func recipientKeys(purposeKey: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT recipient_key FROM purpose_recipient JOIN recipient ON recipient.key = recipient_key
            WHERE purpose_key = ? ORDER BY recipient.rank, recipient.key
            """, arguments: [purposeKey])
    }

    func settings() throws -> [SettingKey: String] {
        var settings: [SettingKey: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM setting") {
            if let key = SettingKey(rawValue: row[0]) { settings[key] = row[1] }
        }
        return settings
    }

    func referenceChanges(limit: Int) throws -> [ReferenceChange] {
        try Row.fetchAll(db, sql: """
            SELECT id, list, key, field, old_value, new_value, at, by FROM reference_change ORDER BY id DESC LIMIT ?
            """, arguments: [limit]).map { row in
                ReferenceChange(id: row[0], list: try decode(row[1], "reference_change", "list"), key: row[2], field: row[3],
                                oldValue: row[4], newValue: row[5], at: row[6], by: row[7])
            }
    }

    func isInUse(list: ReferenceList, key: String) throws -> Bool {
        let checks: [String] = switch list {
        case .basis: [
            "SELECT 1 FROM consent WHERE basis_key = ?1", "SELECT 1 FROM purpose WHERE default_basis_key = ?1",
            "SELECT 1 FROM consent_event WHERE to_basis = ?1 OR from_basis = ?1",
        ]
        case .purpose: [
            "SELECT 1 FROM consent WHERE purpose_key = ?1", "SELECT 1 FROM purpose_recipient WHERE purpose_key = ?1",
            "SELECT 1 FROM consent_event WHERE purpose_key = ?1",
        ]
        case .source: [
            "SELECT 1 FROM person WHERE source_key = ?1", "SELECT 1 FROM consent WHERE source_key = ?1",
            "SELECT 1 FROM consent_event WHERE to_source = ?1 OR from_source = ?1",
            "SELECT 1 FROM person_edit WHERE field = 'source' AND (old_value = ?1 OR new_value = ?1)",
        ]
        case .recipient: ["SELECT 1 FROM purpose_recipient WHERE recipient_key = ?1"]
        case .settings: []
        }
        for sql in checks where try Bool.fetchOne(db, sql: "SELECT EXISTS (\(sql))", arguments: [key]) == true {
            return true
        }
        return false
    }

    func saveLegalBasis(_ basis: LegalBasis) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO legal_basis (key, name, description, article, dpv_iri, rank, active) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [basis.key, try jsonText(basis.name), try jsonText(basis.description), basis.article, basis.dpvIRI, basis.rank, basis.active])
    }

    func savePurpose(_ purpose: Purpose) throws {
        try db.execute(sql: """
            INSERT INTO purpose (key, name, description, default_basis_key, data_categories, retention, consent_text,
                privacy_statement_url, is_direct_marketing, transfers_outside_eu, automated_decision_making, rank, active)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
                default_basis_key = excluded.default_basis_key, data_categories = excluded.data_categories,
                retention = excluded.retention, consent_text = excluded.consent_text,
                privacy_statement_url = excluded.privacy_statement_url, is_direct_marketing = excluded.is_direct_marketing,
                transfers_outside_eu = excluded.transfers_outside_eu, automated_decision_making = excluded.automated_decision_making,
                rank = excluded.rank, active = excluded.active
            """, arguments: [
                purpose.key, try jsonText(purpose.name), try jsonText(purpose.description), purpose.defaultBasisKey,
                try jsonText(purpose.dataCategories), try jsonText(purpose.retention), try jsonText(purpose.consentText),
                purpose.privacyStatementURL, purpose.isDirectMarketing,
                try purpose.transfersOutsideEU.map(jsonText), try purpose.automatedDecisionMaking.map(jsonText),
                purpose.rank, purpose.active,
            ])
    }

    func saveSource(_ source: Source) throws {
        try db.execute(sql: """
            INSERT INTO source (key, name, description, source_type, confirmation_template, rank, active) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
                source_type = excluded.source_type, confirmation_template = excluded.confirmation_template,
                rank = excluded.rank, active = excluded.active
            """, arguments: [source.key, try jsonText(source.name), try jsonText(source.description), source.sourceType.rawValue,
                             source.confirmationTemplate, source.rank, source.active])
    }

    func saveRecipient(_ recipient: Recipient) throws {
        try db.execute(sql: """
            INSERT INTO recipient (key, name, role, country, contact_email, rank, active) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, role = excluded.role, country = excluded.country,
                contact_email = excluded.contact_email, rank = excluded.rank, active = excluded.active
            """, arguments: [recipient.key, recipient.name, recipient.role.rawValue, recipient.country, recipient.contactEmail,
                             recipient.rank, recipient.active])
    }

    func setRecipientKeys(_ keys: [String], purposeKey: String) throws {
        try db.execute(sql: "DELETE FROM purpose_recipient WHERE purpose_key = ?", arguments: [purposeKey])
        for key in keys {
            try db.execute(sql: "INSERT INTO purpose_recipient (purpose_key, recipient_key) VALUES (?, ?)", arguments: [purposeKey, key])
        }
    }

    func deleteReference(list: ReferenceList, key: String) throws {
        let table: String? = switch list {
        case .basis: "legal_basis"
        case .purpose: "purpose"
        case .source: "source"
        case .recipient: "recipient"
        case .settings: nil
        }
        if let table {
            try db.execute(sql: "DELETE FROM \(table) WHERE key = ?", arguments: [key])
        }
    }

    func setSetting(_ key: SettingKey, value: String) throws {
        try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       arguments: [key.rawValue, value])
    }

    func appendReferenceChange(_ change: ReferenceChange) throws {
        try db.execute(sql: """
            INSERT INTO reference_change (list, key, field, old_value, new_value, at, by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [change.list.rawValue, change.key, change.field, change.oldValue, change.newValue, change.at, change.by])
    }
}

// MARK: - Column coding

/// Remembers the stored form of the last date written. A transaction stamps every row with the same instant, and
/// GRDB formats each date with a `DateFormatter`, which costs more than the insert itself; the text is GRDB's own.
final class StoredDateCache {
    private var date: Date?
    private var stored = DatabaseValue.null

    /// The stored form of `date`, exactly as GRDB writes it.
    func value(_ date: Date) -> DatabaseValue {
        if date != self.date {
            self.date = date
            stored = date.databaseValue
        }
        return stored
    }

    /// The stored form of `date`, or NULL.
    func value(_ date: Date?) -> DatabaseValue {
        date.map { value($0) } ?? .null
    }
}

/// Reads a raw-value enum column, refusing values written outside Inzage.
func decode<T: RawRepresentable>(_ raw: String, _ table: String, _ column: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: raw) else { throw StoreError.corruptValue(table: table, column: column, value: raw) }
    return value
}

/// Reads a JSON column.
func json<T: Decodable>(_ text: String, _ table: String, _ column: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    } catch {
        throw StoreError.corruptValue(table: table, column: column, value: text)
    }
}

/// Reads a nullable JSON column.
func optionalJSON<T: Decodable>(_ text: String?, _ table: String, _ column: String) throws -> T? {
    try text.map { try json($0, table, column) }
}

/// Writes a JSON column with sorted keys, so equal values store equal text.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
