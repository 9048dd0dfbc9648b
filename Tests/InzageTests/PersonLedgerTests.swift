import Foundation
import GRDB
import Testing
@testable import Inzage

@Suite("Persons and their edit history")
struct PersonLedgerTests {
    @Test("registering a person writes one edit record per filled field, normalised")
    func addPersonWritesEdits() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        #expect(person.details.email == "anna.jansen@example.nl")
        let edits = try ledger.edits(person.id)
        #expect(Set(edits.map(\.field)) == [.firstName, .lastName, .email, .phone, .language, .source])
        #expect(edits.allSatisfy { $0.oldValue == nil && $0.at == person.createdAt && $0.attribution == officer })
        #expect(edits.first { $0.field == .email }?.newValue == "anna.jansen@example.nl")
    }

    @Test("an update records old and new value of each changed field only, with reason and request")
    func updateRecordsChangedFields() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let attribution = Attribution(by: "officer", via: .request, reason: "rectification", requestReference: "DSR-2026-000001")
        let (updated, edits) = try ledger.updatePerson(
            id: person.id, changes: [.phone: "+31 6 1234 5678", .firstName: "Anna", .jobTitle: "Inkoper", .language: nil],
            attribution: attribution)
        #expect(updated.details.phone == "+31 6 1234 5678")
        #expect(updated.details.language == nil)
        #expect(Set(edits.map(\.field)) == [.phone, .jobTitle, .language])
        let phone = try #require(edits.first { $0.field == .phone })
        #expect(phone.oldValue == "+31 20 123 4567" && phone.newValue == "+31 6 1234 5678")
        #expect(phone.attribution == attribution)
        #expect(try ledger.edits(person.id).count == 6 + 3)
        #expect(try ledger.person(id: person.id).updatedAt == phone.at)
    }

    @Test("an update that changes nothing is refused")
    func nothingChanged() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        #expect(throws: LedgerError.nothingChanged) {
            try ledger.updatePerson(id: person.id, changes: [.email: "ANNA.jansen@example.nl"], attribution: officer)
        }
    }

    @Test("a refused update writes neither the change nor any history")
    func refusedUpdateWritesNothing() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        let before = try database.counts()
        #expect(throws: LedgerError.self) {
            try ledger.updatePerson(id: person.id, changes: [.phone: "+31 6 0000 0000", .email: "not an address"], attribution: officer)
        }
        #expect(try database.counts() == before)
        #expect(try ledger.person(id: person.id).details.phone == "+31 20 123 4567")
    }

    @Test("free text with a control character or over the length limit is refused everywhere it is written",
          arguments: ["Tel\u{1}efoon", "x\u{1B}[31m", String(repeating: "a", count: FreeText.maximumLength + 1)])
    func freeText(text: String) throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        let before = try database.counts()
        /// Expects `body` to refuse the text as the value of `field`.
        func refuses(_ field: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(sourceLocation: sourceLocation) { try body() } throws: { error in
                guard case .invalidValue(let named, _, _) = error as? LedgerError else { return false }
                return named == field
            }
        }
        refuses("reason") {
            _ = try ledger.updatePerson(id: person.id, changes: [.city: "Utrecht"], attribution: Attribution(by: "officer", via: .cli, reason: text))
        }
        refuses("by") { _ = try ledger.updatePerson(id: person.id, changes: [.city: "Utrecht"], attribution: Attribution(by: text, via: .cli)) }
        refuses("evidence") {
            _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: text), attribution: officer)
        }
        refuses("comment") {
            _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", comment: text), attribution: officer)
        }
        refuses("name-en") { try ledger.updateEntry(.purpose, key: "e-marketing", changes: [("name-en", text)], by: "officer") }
        refuses("name") { try ledger.setSetting("name", value: text, by: "officer") }
        #expect(try database.counts() == before)
        // Line breaks and tabs are text.
        _ = try ledger.updatePerson(id: person.id, changes: [.city: "Utrecht"],
                                    attribution: Attribution(by: "officer", via: .cli, reason: "Asked by phone\n\tand confirmed by mail"))
    }

    @Test("only the street may hold a line break; a message shows control characters as code points")
    func lineBreaks() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        let error = try #require(throws: LedgerError.self) {
            try ledger.updatePerson(id: person.id, changes: [.lastName: "Jansen\nBcc: x@example.nl"], attribution: officer)
        }
        #expect(error.description == "Invalid last-name 'Jansen<U+000A>Bcc: x@example.nl': it holds a line break; write it on one line.")
        let (updated, _) = try ledger.updatePerson(id: person.id, changes: [.street: "c/o Tulpen B.V.\nKeizersgracht 1"], attribution: officer)
        #expect(updated.details.street == "c/o Tulpen B.V.\nKeizersgracht 1")
    }

    @Test("a value of invisible characters only is no value, as one of blanks is; U+2028 and U+2029 are line breaks like U+000A")
    func invisibleAndSeparators() throws {
        let (ledger, database) = try makeLedger()
        let before = try database.counts()
        for blank in ["  ", "\u{200B}", "\u{202E}", " \u{2060}\u{FEFF}\u{00AD} ", "\u{2028}"] {
            #expect(throws: LedgerError.missingValue(field: "last-name", reason: "a person needs at least a first name, a last name or an e-mail address")) {
                try ledger.addPerson(PersonDetails(firstName: blank, lastName: blank), attribution: officer)
            }
        }
        #expect(try database.counts() == before)
        let person = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "\u{202E}", email: "anna@example.nl"), attribution: officer)
        #expect(person.details.lastName == nil)
        for separator in ["\u{2028}", "\u{2029}"] {
            let error = try #require(throws: LedgerError.self) {
                try ledger.updatePerson(id: person.id, changes: [.firstName: "Anna\(separator)Bcc: x@example.nl"], attribution: officer)
            }
            #expect(error.isUsageError && error.description.contains("it holds a line break; write it on one line"))
            #expect(error.description.contains("<U+202"), "the separator is shown by its code point: \(error.description)")
            // A list entry's name is one line too.
            #expect(throws: LedgerError.self) {
                try ledger.addSource(Source(key: "fair", name: LocalizedText("Fair\(separator)x"), description: LocalizedText("x"),
                                            sourceType: .dataSubject, rank: 1), by: "officer")
            }
        }
        // The street may run over two lines, with any of the line breaks.
        let (updated, _) = try ledger.updatePerson(id: person.id, changes: [.street: "c/o Tulpen B.V.\u{2028}Keizersgracht 1"], attribution: officer)
        #expect(updated.details.street == "c/o Tulpen B.V.\u{2028}Keizersgracht 1")
    }

    @Test("the history row and the change commit together or not at all")
    func historyAndChangeAreAtomic() throws {
        struct Crash: Error {}
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        let before = try database.counts()
        #expect(throws: Crash.self) {
            try ledger.write { tx in
                try tx.updatePerson(id: person.id, changes: [.city: "Utrecht"], attribution: officer)
                try tx.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
                throw Crash()
            }
        }
        #expect(try database.counts() == before)
        #expect(try ledger.person(id: person.id).details.city == nil)
    }

    @Test("the schema refuses a change to a person without its edit record, and any rewrite of history")
    func schemaGuardsHistory() throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        try database.dbWriter.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE person SET phone = '112', updated_at = '2030-01-01 00:00:00.000' WHERE id = ?", arguments: [person.id])
            }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE person_edit SET new_value = 'x'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM person_edit") }
        }
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
        try database.dbWriter.write { db in
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE consent SET status = 'withdrawn', updated_at = '2030-01-01 00:00:00.000'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM consent_event") }
        }
    }

    @Test("e-mail addresses belong to one person, matched case-insensitively across both e-mail fields")
    func duplicateEmails() throws {
        let (ledger, database) = try makeLedger()
        let anna = try ledger.annaJansen()
        let before = try database.counts()
        #expect(throws: LedgerError.duplicateEmail(field: "email", personID: anna.id)) {
            try ledger.addPerson(PersonDetails(lastName: "Other", email: "ANNA.JANSEN@example.nl"), attribution: officer)
        }
        let bram = try ledger.addPerson(PersonDetails(firstName: "Bram", email: "bram@example.nl"), attribution: officer)
        #expect(throws: LedgerError.duplicateEmail(field: "secondary-email", personID: anna.id)) {
            try ledger.updatePerson(id: bram.id, changes: [.secondaryEmail: "anna.jansen@example.nl"], attribution: officer)
        }
        #expect(try database.counts()["person"] == (before["person"] ?? 0) + 1)
        #expect(try ledger.findPersons(email: "  Anna.Jansen@EXAMPLE.nl").map(\.id) == [anna.id])
        #expect(try ledger.findPersons(name: "jans").map(\.id) == [anna.id])
    }

    @Test("invalid values name the field and what is valid", arguments: [
        (PersonField.email, "anna@", "e-mail address looks like"),
        (.phone, "call me", "6 to 20 digits"),
        (.language, "de", "nl, en"),
        (.source, "carrier-pigeon", "business-card"),
        (.firstName, "Anna\u{7}", "control character"),
        (.country, "QQ", "assigned ISO 3166-1 alpha-2 country code"),
        (.country, "xx", "such as NL"),
        (.country, "EU", "or the country's name"),
    ])
    func invalidValues(field: PersonField, value: String, expected: String) throws {
        let (ledger, database) = try makeLedger()
        let person = try ledger.annaJansen()
        let before = try database.counts()
        do {
            try ledger.updatePerson(id: person.id, changes: [field: value], attribution: officer)
            Issue.record("the value \(value) for \(field) was accepted")
        } catch let error as LedgerError {
            #expect(error.isUsageError)
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.contains(field == .source ? "source" : field.rawValue))
        }
        #expect(try database.counts() == before)
    }

    @Test("unknown persons and fields are named")
    func unknowns() throws {
        let (ledger, _) = try makeLedger()
        #expect(throws: LedgerError.unknownPerson(42)) { try ledger.updatePerson(id: 42, changes: [.city: "Delft"], attribution: officer) }
        #expect(throws: LedgerError.unknownField("shoe-size", valid: PersonField.validKeys)) { try PersonField(key: "shoe-size") }
        #expect(try PersonField(key: "first_name") == .firstName)
    }

    @Test("history lists edits and consent events newest first")
    func historyOrder() throws {
        let (ledger, _) = try makeLedger()
        let person = try ledger.annaJansen()
        try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form"), attribution: officer)
        try ledger.updatePerson(id: person.id, changes: [.city: "Delft"], attribution: officer)
        let history = try ledger.history(personID: person.id)
        #expect(history.count == 6 + 1 + 1)
        guard case .edit(let newest) = history.first else { Issue.record("newest is not the edit"); return }
        #expect(newest.field == .city)
        guard case .consent(let event) = history[1] else { Issue.record("second is not the consent event"); return }
        #expect(event.type == .given)
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.at >= $1.at })
    }
}
