import Foundation
import GRDB

/// The SQL schema, as migrations. Tables are named in the singular, columns in snake_case.
enum Schema {
    /// Triggers that refuse every UPDATE and DELETE of `table`: its rows are history, and nothing, not even a
    /// hand-written SQL statement, rewrites them.
    static func makeAppendOnly(_ table: String, in db: Database) throws {
        try db.execute(sql: """
            CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
            CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
            """)
    }

    /// v10: when an extract's file was deleted because its retention passed (`expires_at`, from the setting
    /// `extract-retention-days`); the row stays as the record of what was sent, with its checksum.
    static func addExtractDeletedAt(_ db: Database) throws {
        try db.alter(table: "extract") { t in t.add(column: "deleted_at", .datetime) }
        try db.create(index: "extract_to_delete", on: "extract", columns: ["expires_at"], condition: Column("deleted_at") == nil)
    }

    /// v9: when the person gave the consent, on each event that gives it (given, renewed, imported as given), which
    /// may be earlier than when the event was recorded. Before v9 only the consent row kept it, for its last grant,
    /// so a renewal lost a backdated date of consent. Events recorded before v9 get the consent row's date on the last
    /// event that gave that consent, and their own time on earlier ones (the best that is known). The history stays
    /// append-only: its trigger is lifted for this one statement of the migration only.
    static func addConsentEventGivenAt(_ db: Database) throws {
        try db.alter(table: "consent_event") { t in t.add(column: "given_at", .datetime) }
        try db.execute(sql: """
            DROP TRIGGER consent_event_no_update;
            UPDATE consent_event SET given_at = CASE
                WHEN id = (SELECT MAX(later.id) FROM consent_event AS later
                           WHERE later.consent_id = consent_event.consent_id AND later.to_status = 'given'
                             AND later.type IN ('given', 'renewed', 'imported'))
                THEN COALESCE((SELECT consent.given_at FROM consent WHERE consent.id = consent_event.consent_id), at)
                ELSE at END
            WHERE to_status = 'given' AND type IN ('given', 'renewed', 'imported');
            CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_event
            BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END;
            """)
    }

    /// v6: the person's fields each recipient receives (keys separated by commas; NULL, as every recipient so far:
    /// all of them), so that a correction is passed on only to those that received the field (Art. 19).
    static func addRecipientFields(_ db: Database) throws {
        try db.alter(table: "recipient") { t in t.add(column: "fields", .text) }
    }

    /// v1: reference lists, settings, persons with their edit history, consents with their events, suppressions.
    static func createLedger(_ db: Database) throws {
        try db.create(table: "legal_basis") { t in
            t.primaryKey("key", .text)
            t.column("name", .jsonText).notNull()
            t.column("description", .jsonText).notNull()
            t.column("article", .text).notNull()
            t.column("dpv_iri", .text).notNull()
            t.column("rank", .integer).notNull()
            t.column("active", .boolean).notNull()
        }
        try db.create(table: "purpose") { t in
            t.primaryKey("key", .text)
            t.column("name", .jsonText).notNull()
            t.column("description", .jsonText).notNull()
            t.column("default_basis_key", .text).notNull().references("legal_basis", onDelete: .restrict, onUpdate: .restrict)
            t.column("data_categories", .jsonText).notNull()
            t.column("retention", .jsonText).notNull()
            t.column("consent_text", .jsonText).notNull()
            t.column("privacy_statement_url", .text)
            t.column("is_direct_marketing", .boolean).notNull()
            t.column("transfers_outside_eu", .jsonText)
            t.column("automated_decision_making", .jsonText)
            t.column("rank", .integer).notNull()
            t.column("active", .boolean).notNull()
        }
        try db.create(table: "source") { t in
            t.primaryKey("key", .text)
            t.column("name", .jsonText).notNull()
            t.column("description", .jsonText).notNull()
            t.column("source_type", .text).notNull()
            t.column("confirmation_template", .text)
            t.column("rank", .integer).notNull()
            t.column("active", .boolean).notNull()
        }
        try db.create(table: "recipient") { t in
            t.primaryKey("key", .text)
            t.column("name", .text).notNull()
            t.column("role", .text).notNull()
            t.column("country", .text).notNull()
            t.column("contact_email", .text)
            t.column("rank", .integer).notNull()
            t.column("active", .boolean).notNull()
        }
        try db.create(table: "purpose_recipient") { t in
            t.column("purpose_key", .text).notNull().references("purpose", onDelete: .restrict)
            t.column("recipient_key", .text).notNull().references("recipient", onDelete: .restrict)
            t.primaryKey(["purpose_key", "recipient_key"])
        }
        try db.create(table: "reference_change") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("list", .text).notNull()
            t.column("key", .text).notNull()
            t.column("field", .text).notNull()
            t.column("old_value", .text)
            t.column("new_value", .text)
            t.column("at", .datetime).notNull()
            t.column("by", .text).notNull()
        }
        try db.create(table: "setting") { t in
            t.primaryKey("key", .text)
            t.column("value", .text).notNull()
        }
        try db.create(table: "person") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("first_name", .text)
            t.column("name_prefix", .text)
            t.column("last_name", .text)
            t.column("email", .text).unique()
            t.column("secondary_email", .text).indexed()
            t.column("phone", .text)
            t.column("street", .text)
            t.column("postal_code", .text)
            t.column("city", .text)
            t.column("country", .text)
            t.column("organisation", .text)
            t.column("job_title", .text)
            t.column("language", .text)
            t.column("external_id", .text).indexed()
            t.column("source_key", .text).references("source", onDelete: .restrict, onUpdate: .restrict)
            t.column("created_at", .datetime).notNull()
            t.column("created_by", .text).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("updated_by", .text).notNull()
        }
        try db.create(table: "person_edit") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("person_id", .integer).notNull().references("person", onDelete: .restrict)
            t.column("field", .text).notNull()
            t.column("old_value", .text)
            t.column("new_value", .text)
            t.column("at", .datetime).notNull()
            t.column("by", .text).notNull()
            t.column("via", .text).notNull()
            t.column("reason", .text)
            t.column("request_reference", .text)
        }
        try db.create(index: "person_edit_by_person", on: "person_edit", columns: ["person_id", "id"])
        try db.create(table: "consent") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("person_id", .integer).notNull().references("person", onDelete: .restrict)
            t.column("purpose_key", .text).notNull().references("purpose", onDelete: .restrict, onUpdate: .restrict)
            t.column("basis_key", .text).notNull().references("legal_basis", onDelete: .restrict, onUpdate: .restrict)
            t.column("status", .text).notNull()
            t.column("source_key", .text).notNull().references("source", onDelete: .restrict, onUpdate: .restrict)
            t.column("comment", .text)
            t.column("consent_text", .text)
            t.column("given_at", .datetime)
            t.column("withdrawn_at", .datetime)
            t.column("registered_at", .datetime).notNull()
            t.column("registered_by", .text).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("updated_by", .text).notNull()
            t.column("update_count", .integer).notNull()
            t.uniqueKey(["person_id", "purpose_key"])
        }
        try db.create(table: "consent_event") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("consent_id", .integer).notNull().references("consent", onDelete: .restrict)
            t.column("person_id", .integer).notNull().references("person", onDelete: .restrict)
            t.column("purpose_key", .text).notNull()
            t.column("at", .datetime).notNull()
            t.column("type", .text).notNull()
            t.column("from_status", .text)
            t.column("to_status", .text).notNull()
            t.column("from_basis", .text)
            t.column("to_basis", .text).notNull()
            t.column("from_source", .text)
            t.column("to_source", .text).notNull()
            t.column("by", .text).notNull()
            t.column("via", .text).notNull()
            t.column("request_reference", .text)
            t.column("evidence", .text)
            t.column("comment", .text)
        }
        try db.create(index: "consent_event_by_person", on: "consent_event", columns: ["person_id", "id"])
        try db.create(index: "consent_event_by_consent", on: "consent_event", columns: ["consent_id"])
        try db.create(table: "suppression") { t in
            t.column("person_id", .integer).notNull().references("person", onDelete: .restrict)
            t.column("purpose_key", .text).notNull().references("purpose", onDelete: .restrict)
            t.column("at", .datetime).notNull()
            t.column("by", .text).notNull()
            t.column("via", .text).notNull()
            t.column("request_reference", .text)
            t.primaryKey(["person_id", "purpose_key"])
        }

        // History is append-only: nothing, not even a hand-written SQL statement, rewrites it.
        for table in ["person_edit", "consent_event", "reference_change"] {
            try makeAppendOnly(table, in: db)
        }
        // A change to a person or a consent is refused unless its history record was written first,
        // in the same transaction, with the same timestamp.
        try db.execute(sql: """
            CREATE TRIGGER person_update_needs_edit BEFORE UPDATE ON person
            WHEN NOT EXISTS (SELECT 1 FROM person_edit WHERE person_id = NEW.id AND at = NEW.updated_at)
            BEGIN SELECT RAISE(ABORT, 'a person changes only with an edit record'); END;
            CREATE TRIGGER consent_update_needs_event BEFORE UPDATE ON consent
            WHEN NOT EXISTS (SELECT 1 FROM consent_event WHERE consent_id = NEW.id AND at = NEW.updated_at)
            BEGIN SELECT RAISE(ABORT, 'a consent changes only with a consent event'); END;
            """)

        try seedReferenceLists(db)
    }

    /// Fills a new database with the default reference lists (design.md §2).
    private static func seedReferenceLists(_ db: Database) throws {
        let access = SQLiteLedgerAccess(db: db)
        for basis in DefaultReferenceLists.legalBases { try access.saveLegalBasis(basis) }
        for purpose in DefaultReferenceLists.purposes { try access.savePurpose(purpose) }
        for source in DefaultReferenceLists.sources { try access.saveSource(source) }
    }
}

extension Schema {
    /// The refusal reasons of v7, written out: the migration must stay what it was when later versions add reasons.
    static let v7RefusalReasons = ["manifestly-unfounded", "excessive", "identity-not-verified", "no-personal-data",
                                   "legal-restriction", "rights-of-others"]

    /// v7: why a refused request was refused (Art. 12(4)), kept with the request so that the person's later extracts
    /// give the reason. A request refused before v7 gets its reason from the note of its refusal, which names the key
    /// as "Refused: <key> (Art. …)"; the officer's own words stay in that note.
    static func addRequestRefusal(_ db: Database) throws {
        let reasons = v7RefusalReasons.map { "'\($0)'" }.joined(separator: ", ")
        try db.execute(sql: """
            ALTER TABLE request ADD COLUMN refusal_reason TEXT CHECK (refusal_reason IN (\(reasons)));
            ALTER TABLE request ADD COLUMN refusal_note TEXT;
            UPDATE request SET refusal_reason = (
                SELECT substr(t.note, 10, instr(t.note, ' (Art.') - 10) FROM request_transition t
                WHERE t.request_id = request.id AND t.to_state = 'rejected' AND t.note LIKE 'Refused: % (Art.%'
                ORDER BY t.id DESC LIMIT 1)
            WHERE state = 'rejected' AND (
                SELECT substr(t.note, 10, instr(t.note, ' (Art.') - 10) FROM request_transition t
                WHERE t.request_id = request.id AND t.to_state = 'rejected' AND t.note LIKE 'Refused: % (Art.%'
                ORDER BY t.id DESC LIMIT 1) IN (\(reasons));
            """)
    }

    /// v2: the request queue: requests with leases, their state history, reference sequences, stored extracts.
    static func createRequests(_ db: Database) throws {
        try db.create(table: "request_sequence") { t in
            t.primaryKey("year", .integer)
            t.column("last", .integer).notNull()
        }
        try db.create(table: "request") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("reference", .text).notNull().unique()
            t.column("type", .text).notNull()
            t.column("state", .text).notNull()
            t.column("subject_email", .text)
            t.column("subject_person_id", .integer)
            t.column("subject_external_id", .text)
            t.column("subject_name", .text)
            t.column("channel", .text).notNull()
            t.column("language", .text)
            t.column("formats", .text).notNull()
            t.column("rectification", .jsonText).notNull()
            t.column("objection", .jsonText)
            t.column("received_at", .datetime).notNull()
            t.column("received_on", .text).notNull()
            t.column("due_on", .text).notNull()
            t.column("extended_due_on", .text)
            t.column("extension_reason", .text)
            t.column("person_id", .integer).references("person", onDelete: .restrict)
            t.column("candidate_ids", .jsonText).notNull()
            t.column("origin", .text)
            t.column("origin_digest", .text).unique()
            t.column("created_at", .datetime).notNull()
            t.column("created_by", .text).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("last_error", .text)
            t.column("lease_owner", .text)
            t.column("lease_expires_at", .datetime)
            t.column("next_attempt_at", .datetime)
        }
        try db.create(index: "request_by_state", on: "request", columns: ["state", "due_on"])
        try db.create(index: "request_by_person", on: "request", columns: ["person_id"])
        try db.create(table: "request_transition") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("request_id", .integer).notNull().references("request", onDelete: .restrict)
            t.column("at", .datetime).notNull()
            t.column("from_state", .text)
            t.column("to_state", .text).notNull()
            t.column("by", .text).notNull()
            t.column("note", .text)
        }
        try db.create(index: "request_transition_by_request", on: "request_transition", columns: ["request_id", "id"])
        try makeAppendOnly("request_transition", in: db)
        try db.execute(sql: """
            CREATE TRIGGER request_state_needs_transition BEFORE UPDATE OF state ON request
            WHEN OLD.state <> NEW.state AND NOT EXISTS (
                SELECT 1 FROM request_transition WHERE request_id = NEW.id AND to_state = NEW.state AND at = NEW.updated_at)
            BEGIN SELECT RAISE(ABORT, 'a request changes state only with a transition record'); END;
            """)
        try db.create(table: "extract") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("request_id", .integer).references("request", onDelete: .restrict)
            t.column("person_id", .integer)
            t.column("format", .text).notNull()
            t.column("path", .text).notNull()
            t.column("sha256", .text).notNull()
            t.column("size", .integer).notNull()
            t.column("created_at", .datetime).notNull()
            t.column("expires_at", .datetime)
        }
        try db.create(index: "extract_by_request", on: "extract", columns: ["request_id"])
    }
}
