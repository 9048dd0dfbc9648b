import Foundation
import GRDB

extension InzageDatabase: LedgerStore {
    public func read<T>(_ body: (any LedgerReader) throws -> T) throws -> T {
        try dbWriter.read { db in try body(SQLiteLedgerAccess(db: db)) }
    }

    public func write<T>(_ body: (any LedgerWriter) throws -> T) throws -> T {
        try writeTransaction { db in try body(SQLiteLedgerAccess(db: db)) }
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
        try db.fetchAll("SELECT \(Self.personColumns) FROM person \(whereClause)", table: "person", arguments: arguments,
                        Self.person(from:))
    }

    private static func person(from row: SQLiteColumns) throws -> Person {
        Person(
            id: try row.int64(0),
            details: PersonDetails(
                firstName: row.optionalString(1), namePrefix: row.optionalString(2), lastName: row.optionalString(3),
                email: row.optionalString(4), secondaryEmail: row.optionalString(5), phone: row.optionalString(6),
                street: row.optionalString(7), postalCode: row.optionalString(8), city: row.optionalString(9),
                country: row.optionalString(10), organisation: row.optionalString(11), jobTitle: row.optionalString(12),
                language: row.optionalString(13), externalID: row.optionalString(14), sourceKey: row.optionalString(15)),
            createdAt: try row.date(16), createdBy: try row.string(17), updatedAt: try row.date(18), updatedBy: try row.string(19))
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
        try db.forEachRow("""
            SELECT \(Self.editColumns) FROM person_edit WHERE person_id = ? ORDER BY id
            """, table: "person_edit", arguments: [personID]) { row in
            try body(try Self.edit(from: row, personID: personID))
        }
    }

    func lastEdits(personID: Int64) throws -> [PersonEdit] {
        var edits: [PersonEdit] = []
        try db.forEachRow("""
            SELECT \(Self.editColumns) FROM person_edit
            WHERE id IN (SELECT MAX(id) FROM person_edit WHERE person_id = ?1 GROUP BY field)
            """, table: "person_edit", arguments: [personID]) { row in
            edits.append(try Self.edit(from: row, personID: personID))
        }
        return edits
    }

    private static let editColumns = "id, person_id, field, old_value, new_value, at, by, via, reason, request_reference"

    /// An edit record from a row of ``editColumns``; `personID` is the one asked for (column 1 is not read).
    private static func edit(from row: SQLiteColumns, personID: Int64) throws -> PersonEdit {
        PersonEdit(
            id: try row.int64(0), personID: personID, field: try row.value(2),
            oldValue: row.optionalString(3), newValue: row.optionalString(4), at: try row.date(5),
            attribution: Attribution(by: try row.string(6), via: try row.value(7), reason: row.optionalString(8),
                                     requestReference: row.optionalString(9)))
    }

    // MARK: Consents

    private static let consentColumns = """
        id, person_id, purpose_key, basis_key, status, source_key, comment, consent_text, given_at, withdrawn_at,
        registered_at, registered_by, updated_at, updated_by, update_count
        """

    /// The channels of a consent's registration and last change, read from its history rather than kept twice: the
    /// first event, and the last event at the consent's `updated_at` (the schema refuses a change to a consent without
    /// an event of that time). Uses the index `consent_event_by_consent`; a few events per consent. A row that some
    /// other program wrote without its event reads as the command line, as every consent read before these columns.
    private static let consentChannelColumns = """
        COALESCE((SELECT via FROM consent_event WHERE consent_id = consent.id ORDER BY id LIMIT 1), 'cli') AS registered_via,
        COALESCE((SELECT via FROM consent_event WHERE consent_id = consent.id AND at = consent.updated_at ORDER BY id DESC LIMIT 1),
                 'cli') AS updated_via
        """

    private static func consent(from row: SQLiteColumns) throws -> Consent {
        Consent(
            id: try row.int64(0), personID: try row.int64(1), purposeKey: try row.string(2), basisKey: try row.string(3),
            status: try row.value(4), sourceKey: try row.string(5), comment: row.optionalString(6),
            consentText: row.optionalString(7), givenAt: try row.optionalDate(8), withdrawnAt: try row.optionalDate(9),
            registeredAt: try row.date(10), registeredBy: try row.string(11), registeredVia: try row.value(15),
            updatedAt: try row.date(12), updatedBy: try row.string(13), updatedVia: try row.value(16), updateCount: try row.int(14))
    }

    /// ``consentColumns`` qualified with the table name, for the join with the purposes.
    private static let qualifiedConsentColumns = consentColumns.split(separator: ",")
        .map { "consent." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    func consents(personID: Int64) throws -> [Consent] {
        try db.fetchAll("""
            SELECT \(Self.qualifiedConsentColumns), \(Self.consentChannelColumns)
            FROM consent JOIN purpose ON purpose.key = consent.purpose_key
            WHERE person_id = ? ORDER BY purpose.rank, purpose.key
            """, table: "consent", arguments: [personID], Self.consent(from:))
    }

    func consent(personID: Int64, purposeKey: String) throws -> Consent? {
        guard try exists("SELECT EXISTS (SELECT 1 FROM consent WHERE person_id = ? AND purpose_key = ?)", [personID, purposeKey]) else {
            return nil
        }
        return try db.fetchAll("""
            SELECT \(Self.consentColumns), \(Self.consentChannelColumns) FROM consent WHERE person_id = ? AND purpose_key = ?
            """, table: "consent", arguments: [personID, purposeKey], Self.consent(from:)).first
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
                to_basis, from_source, to_source, by, via, request_reference, evidence, comment, given_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.consentID, event.personID, event.purposeKey, dates.value(event.at), event.type.rawValue,
                event.fromStatus?.rawValue, event.toStatus.rawValue, event.fromBasis, event.toBasis,
                event.fromSource, event.toSource, event.attribution.by, event.attribution.via.rawValue,
                event.attribution.requestReference, event.evidence, event.comment, dates.value(event.givenAt),
            ])
    }

    func lastConsentEvent(consentID: Int64) throws -> (at: Date, type: ConsentEventType)? {
        try db.fetchAll("SELECT at, type FROM consent_event WHERE consent_id = ? ORDER BY id DESC LIMIT 1", table: "consent_event",
                        arguments: [consentID]) { row in (at: try row.date(0), type: try row.value(1) as ConsentEventType) }.first
    }

    func forEachConsentEvent(personID: Int64, _ body: (ConsentEvent) throws -> Void) throws {
        try db.forEachRow("""
            SELECT id, consent_id, person_id, purpose_key, at, type, from_status, to_status, from_basis, to_basis,
                from_source, to_source, by, via, request_reference, evidence, comment, given_at
            FROM consent_event WHERE person_id = ? ORDER BY id
            """, table: "consent_event", arguments: [personID]) { row in
            // person_id is the one asked for (column 2 is not read).
            try body(ConsentEvent(
                id: try row.int64(0), consentID: try row.int64(1), personID: personID, purposeKey: try row.string(3),
                at: try row.date(4), type: try row.value(5), fromStatus: try row.optionalValue(6), toStatus: try row.value(7),
                fromBasis: row.optionalString(8), toBasis: try row.string(9), fromSource: row.optionalString(10),
                toSource: try row.string(11),
                attribution: Attribution(by: try row.string(12), via: try row.value(13), requestReference: row.optionalString(14)),
                evidence: row.optionalString(15), comment: row.optionalString(16), givenAt: try row.optionalDate(17)))
        }
    }

    func historySummary(personID: Int64) throws -> HistorySummary {
        var summary = HistorySummary()
        try db.forEachRow("""
            SELECT (SELECT COUNT(*) FROM person_edit WHERE person_id = ?1), (SELECT COUNT(*) FROM consent_event WHERE person_id = ?1)
            """, table: "person_edit", arguments: [personID]) { row in
            summary.editCount = try row.int(0)
            summary.consentEventCount = try row.int(1)
        }
        try db.forEachRow("""
            SELECT to_source FROM consent_event WHERE person_id = ?1
            UNION SELECT from_source FROM consent_event WHERE person_id = ?1 AND from_source IS NOT NULL
            """, table: "consent_event", arguments: [personID]) { row in
            summary.eventSourceKeys.insert(try row.string(0))
        }
        return summary
    }

    // MARK: Suppressions

    private static func suppression(from row: SQLiteColumns) throws -> Suppression {
        Suppression(
            personID: try row.int64(0), purposeKey: try row.string(1), at: try row.date(2),
            attribution: Attribution(by: try row.string(3), via: try row.value(4), requestReference: row.optionalString(5)))
    }

    func suppression(personID: Int64, purposeKey: String) throws -> Suppression? {
        guard try exists("SELECT EXISTS (SELECT 1 FROM suppression WHERE person_id = ? AND purpose_key = ?)", [personID, purposeKey]) else {
            return nil
        }
        return try db.fetchAll("""
            SELECT person_id, purpose_key, at, by, via, request_reference FROM suppression
            WHERE person_id = ? AND purpose_key = ?
            """, table: "suppression", arguments: [personID, purposeKey], Self.suppression(from:)).first
    }

    func suppressions(personID: Int64) throws -> [Suppression] {
        try db.fetchAll("""
            SELECT person_id, purpose_key, at, by, via, request_reference FROM suppression
            WHERE person_id = ? ORDER BY at
            """, table: "suppression", arguments: [personID], Self.suppression(from:))
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

    // The reference lists are read for every transaction of the ledger and every extract: cached statements, and
    // the localized texts parsed without `JSONDecoder` (see `SQLiteColumns`).

    func legalBases() throws -> [LegalBasis] {
        try db.fetchAll("SELECT key, name, description, article, dpv_iri, rank, active FROM legal_basis ORDER BY rank, key",
                        table: "legal_basis") { row in
            LegalBasis(key: try row.string(0), name: try row.localizedText(1), description: try row.localizedText(2),
                       article: try row.string(3), dpvIRI: try row.string(4), rank: try row.int(5), active: try row.bool(6))
        }
    }

    func purposes() throws -> [Purpose] {
        try db.fetchAll("""
            SELECT key, name, description, default_basis_key, data_categories, retention, consent_text, privacy_statement_url,
                is_direct_marketing, transfers_outside_eu, automated_decision_making, rank, active
            FROM purpose ORDER BY rank, key
            """, table: "purpose") { row in
            Purpose(
                key: try row.string(0), name: try row.localizedText(1), description: try row.localizedText(2),
                defaultBasisKey: try row.string(3), dataCategories: try row.localizedText(4), retention: try row.localizedText(5),
                consentText: try row.localizedText(6), privacyStatementURL: row.optionalString(7), isDirectMarketing: try row.bool(8),
                transfersOutsideEU: try row.optionalLocalizedText(9), automatedDecisionMaking: try row.optionalLocalizedText(10),
                rank: try row.int(11), active: try row.bool(12))
        }
    }

    func sources() throws -> [Source] {
        try db.fetchAll("SELECT key, name, description, source_type, confirmation_template, rank, active FROM source ORDER BY rank, key",
                        table: "source") { row in
            Source(key: try row.string(0), name: try row.localizedText(1), description: try row.localizedText(2),
                   sourceType: try row.value(3), confirmationTemplate: row.optionalString(4), rank: try row.int(5), active: try row.bool(6))
        }
    }

    func recipients() throws -> [Recipient] {
        try db.fetchAll("SELECT key, name, role, country, contact_email, rank, active, fields FROM recipient ORDER BY rank, key",
                        table: "recipient") { row in
            Recipient(key: try row.string(0), name: try row.string(1), role: try row.value(2), country: try row.string(3),
                      contactEmail: row.optionalString(4), fields: try Self.fields(row.optionalString(7)), rank: try row.int(5),
                      active: try row.bool(6))
        }
    }

    func recipientKeys(purposeKey: String) throws -> [String] {
        try db.fetchAll("""
            SELECT recipient_key FROM purpose_recipient JOIN recipient ON recipient.key = recipient_key
            WHERE purpose_key = ? ORDER BY recipient.rank, recipient.key
            """, table: "purpose_recipient", arguments: [purposeKey]) { try $0.string(0) }
    }

    func recipientKeysByPurpose() throws -> [String: [String]] {
        var keys: [String: [String]] = [:]
        // One query for all purposes; within a purpose the order is that of `recipientKeys(purposeKey:)`.
        try db.forEachRow("""
            SELECT purpose_key, recipient_key FROM purpose_recipient JOIN recipient ON recipient.key = recipient_key
            ORDER BY recipient.rank, recipient.key
            """, table: "purpose_recipient") { row in
            keys[try row.string(0), default: []].append(try row.string(1))
        }
        return keys
    }

    func settings() throws -> [SettingKey: String] {
        var settings: [SettingKey: String] = [:]
        try db.forEachRow("SELECT key, value FROM setting", table: "setting") { row in
            if let key = SettingKey(rawValue: try row.string(0)) { settings[key] = try row.string(1) }
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

    func uses(list: ReferenceList, key: String) throws -> [ReferenceUse] {
        // Each kind of record that can name the entry: its kind, the rows that name it (?1), and the name to show of
        // each (NULL when there is none worth showing).
        let requestsNamingPurpose = "FROM request WHERE EXISTS (SELECT 1 FROM json_each(request.objection, '$.purposeKeys') WHERE value = ?1)"
        let requestsNamingSource = """
            FROM request WHERE EXISTS (SELECT 1 FROM json_each(request.rectification) AS item
                    WHERE json_extract(item.value, '$.field') = 'source' AND json_extract(item.value, '$.requestedValue') = ?1)
                OR EXISTS (SELECT 1 FROM request_decision AS decision WHERE decision.request_id = request.id AND decision.field = 'source'
                    AND ?1 IN (decision.requested_value, decision.before_value, decision.after_value))
            """
        let checks: [(kind: String, from: String, name: String)] = switch list {
        case .basis: [
            ("purpose", "FROM purpose WHERE default_basis_key = ?1 ORDER BY rank, key", "key"),
            ("consent", "FROM consent WHERE basis_key = ?1", "NULL"),
            ("consent event", "FROM consent_event WHERE to_basis = ?1 OR from_basis = ?1", "NULL"),
        ]
        case .purpose: [
            ("recipient link", "FROM purpose_recipient WHERE purpose_key = ?1 ORDER BY recipient_key", "recipient_key"),
            ("consent", "FROM consent WHERE purpose_key = ?1", "NULL"),
            ("consent event", "FROM consent_event WHERE purpose_key = ?1", "NULL"),
            ("suppression", "FROM suppression WHERE purpose_key = ?1", "NULL"),
            ("request", requestsNamingPurpose + " ORDER BY id", "reference"),
        ]
        case .source: [
            ("person", "FROM person WHERE source_key = ?1", "NULL"),
            ("consent", "FROM consent WHERE source_key = ?1", "NULL"),
            ("consent event", "FROM consent_event WHERE to_source = ?1 OR from_source = ?1", "NULL"),
            ("edit record", "FROM person_edit WHERE field = 'source' AND (old_value = ?1 OR new_value = ?1)", "NULL"),
            ("request", requestsNamingSource + " ORDER BY id", "reference"),
        ]
        case .recipient: [
            ("purpose", "FROM purpose_recipient WHERE recipient_key = ?1 ORDER BY purpose_key", "purpose_key"),
            ("recipient notification", """
                FROM recipient_notification JOIN request ON request.id = recipient_notification.request_id
                WHERE recipient_notification.recipient_key = ?1 ORDER BY recipient_notification.id
                """, "request.reference"),
        ]
        case .settings: []
        }
        var uses: [ReferenceUse] = []
        for check in checks {
            // The names come from the first rows; the count from all of them.
            let names = try String?.fetchAll(db, sql: "SELECT \(check.name) \(check.from) LIMIT 4", arguments: [key])
            guard !names.isEmpty else { continue }
            let count = names.count < 4 ? names.count : try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 \(check.from))", arguments: [key]) ?? 0
            uses.append(ReferenceUse(kind: check.kind, count: count, names: names.compactMap { $0 }))
        }
        return uses
    }

    func saveLegalBasis(_ basis: LegalBasis) throws {
        try db.execute(sql: """
            INSERT INTO legal_basis (key, name, description, article, dpv_iri, rank, active) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
                article = excluded.article, dpv_iri = excluded.dpv_iri, rank = excluded.rank, active = excluded.active
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
            INSERT INTO recipient (key, name, role, country, contact_email, rank, active, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, role = excluded.role, country = excluded.country,
                contact_email = excluded.contact_email, rank = excluded.rank, active = excluded.active, fields = excluded.fields
            """, arguments: [recipient.key, recipient.name, recipient.role.rawValue, recipient.country, recipient.contactEmail,
                             recipient.rank, recipient.active, recipient.fields.map { PersonField.text(of: $0) }])
    }

    /// A recipient's stored `fields` column: field keys separated by commas, NULL for every field.
    private static func fields(_ stored: String?) throws -> [PersonField]? {
        guard let stored else { return nil }
        do {
            return try PersonField.list(from: stored, option: "fields")
        } catch {
            throw StoreError.corruptValue(table: "recipient", column: "fields", value: stored)
        }
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
