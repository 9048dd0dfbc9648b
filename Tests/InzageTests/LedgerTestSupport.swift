import Foundation
import GRDB
import Testing
@testable import Inzage

/// A ledger on a fresh in-memory database with a clock that moves one second per transaction.
func makeLedger() throws -> (Ledger, InzageDatabase) {
    let database = try InzageDatabase.inMemory()
    let clock = DemoClock(start: Date(timeIntervalSince1970: 1_750_000_000))
    let ledger = Ledger(store: database, clock: {
        clock.advance(minutes: 1)
        return clock.now()
    })
    return (ledger, database)
}

/// A unique temporary directory for one test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("inzage-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let officer = Attribution(by: "officer", via: .cli)

extension InzageDatabase {
    /// Row counts of the history and data tables, to prove that a refused change wrote nothing.
    func counts() throws -> [String: Int] {
        try dbWriter.read { db in
            var counts: [String: Int] = [:]
            for table in ["person", "person_edit", "consent", "consent_event", "suppression", "reference_change"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}

extension Ledger {
    func edits(_ personID: Int64) throws -> [PersonEdit] {
        try read { reader in
            var edits: [PersonEdit] = []
            try reader.forEachEdit(personID: personID) { edits.append($0) }
            return edits
        }
    }

    func events(_ personID: Int64) throws -> [ConsentEvent] {
        try read { reader in
            var events: [ConsentEvent] = []
            try reader.forEachConsentEvent(personID: personID) { events.append($0) }
            return events
        }
    }

    func annaJansen() throws -> Person {
        try addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: " Anna.Jansen@Example.NL ", phone: "+31 20 123 4567",
                                    language: "nl", sourceKey: "business-card"), attribution: officer)
    }
}
