import Foundation
import Testing
@testable import Inzage

/// The trail of rectifications, objections and decisions that a later access extract shows (issue #5, item 5).
@Suite("The access extract shows earlier rectifications, objections and decisions")
struct ExtractRequestTrailTests {
    /// A person who asked for a rectification (one item corrected, one rejected, one completed by a statement, one
    /// already correct) and
    /// objected to e-marketing (applied at intake) and to sales and service (overridden), and then asked for access.
    struct Trail {
        let database: InzageDatabase
        let personID: Int64
        let rectification: DataSubjectRequest
        let objection: DataSubjectRequest
        let access: DataSubjectRequest
        let refused: DataSubjectRequest

        static let statement = "I no longer work as a buyer; please record that I am self-employed."
        static let rejection = "Your organisation is still registered with the Chamber of Commerce."
        static let grounds = "You have a running maintenance contract with us until 2027."
        static let refusalNote = "You asked for the same data three times this month."
        static let personGrounds = "I sold my company and no longer have a contract with you."
        static let extensionReason = "We must weigh your situation against our interest with the sales team."

        static func make() throws -> Trail {
            let (ledger, database) = try makeLedger()
            let person = try ledger.addPerson(PersonDetails(
                firstName: "Emma", lastName: "Bakker", email: "emma.bakker@example.nl", city: "Amsterdam", organisation: "Bakker B.V.",
                language: "en", sourceKey: "business-card"), attribution: officer)
            _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "business-card"), attribution: officer)
            _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-1"),
                                       attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
            let clock = Date(timeIntervalSince1970: 1_750_000_000 + 86_400)
            let queue = RequestQueue(store: database, clock: { clock })
            let subject = SubjectIdentifiers(email: "emma.bakker@example.nl")

            let rectification = try queue.file(RequestSubmission(type: .rectification, subject: subject, rectification: [
                RectificationItem(field: .city, requestedValue: "Utrecht"),
                RectificationItem(field: .organisation, requestedValue: nil),
                RectificationItem(field: .jobTitle, requestedValue: nil, statement: statement),
                RectificationItem(field: .lastName, requestedValue: "Bakker"),
            ]), by: "officer").request
            try queue.review(rectification.reference, actions: [.accept(item: 1), .reject(item: 2, reason: rejection), .accept(item: 3),
                                                                .accept(item: 4)],
                             by: "officer")

            let objection = try queue.file(RequestSubmission(type: .objection, subject: subject,
                                                             objection: ObjectionContent(purposeKeys: ["e-marketing", "sales-and-service"],
                                                                                         grounds: personGrounds)),
                                           by: "officer").request
            _ = try queue.extend(objection.reference, reason: extensionReason, by: "officer")
            try queue.decide(objection.reference, verdict: .override, reason: grounds, by: "officer")

            let repeated = try queue.file(RequestSubmission(type: .access, subject: subject), by: "officer").request
            try queue.reject(repeated.reference, reason: .excessive, note: refusalNote, by: "officer")

            let access = try queue.file(RequestSubmission(type: .access, subject: subject), by: "officer").request
            return Trail(database: database, personID: person.id, rectification: try queue.request(rectification.reference),
                         objection: try queue.request(objection.reference), access: access, refused: try queue.request(repeated.reference))
        }

        func extracts(into directory: URL) throws -> (xlsx: URL, json: URL) {
            try Resolver(store: database, clock: { Date(timeIntervalSince1970: 1_750_000_000 + 2 * 86_400) })
                .withDossier(personID: personID, request: access) { dossier in
                    try writeExtracts(dossier, into: directory, name: access.reference)
                }
        }
    }

    @Test("the workbook shows the rectification, the statement, the objections and every decision, read back with openpyxl")
    func workbook() throws {
        let trail = try Trail.make()
        #expect(trail.rectification.state == .partiallyCompleted)
        #expect(trail.objection.state == .partiallyCompleted)
        let directory = try makeTemporaryDirectory()
        let (xlsx, _) = try trail.extracts(into: directory)
        let book = try ReadWorkbook.read(xlsx)

        let changes = try book.sheet("Change history")
        let requestColumn = try changes.texts("Request")
        let newValues = try changes.texts("New value")
        let rectified = requestColumn.indices.filter { requestColumn[$0] == trail.rectification.reference }
        #expect(rectified.count == 1, "one correction was applied")
        #expect(rectified.allSatisfy { newValues[$0] == "Utrecht" })
        #expect(try rectified.allSatisfy { try changes.texts("Reason")[$0] == "Rectification" }, "the request type in words, not its key")

        let details = try book.sheet("Your details")
        let items = try details.texts("Item")
        let statements = try details.texts("Your statement")
        let jobTitle = try #require(items.firstIndex(of: "Job title"), "a field completed only by a statement is listed: \(items)")
        #expect(statements[jobTitle] == Trail.statement)
        let city = try #require(items.firstIndex(of: "Town or city"))
        #expect(try details.texts("What we hold")[city] == "Utrecht")

        let consents = try book.sheet("Consent history")
        let events = try consents.texts("What happened")
        let eventRequests = try consents.texts("Request")
        let notes = try consents.texts("Note")
        let objected = events.indices.filter { events[$0] == "Objection" && eventRequests[$0] == trail.objection.reference }
        #expect(objected.count == 1, "the e-marketing objection applied at intake: \(events)")
        let overridden = try #require(events.firstIndex(of: "Objection not granted"), "the override is in the consent history: \(events)")
        #expect(eventRequests[overridden] == trail.objection.reference && notes[overridden] == Trail.grounds)

        let requests = try book.sheet("Requests")
        let references = try requests.texts("Reference")
        let outcomes = try requests.texts("What we decided")
        #expect(Set(references.compactMap { $0 }) == [trail.rectification.reference, trail.objection.reference, trail.access.reference,
                                                       trail.refused.reference])
        // A refused request gives the reason the refusal gave, with the officer's words.
        let refusedRow = try #require(references.firstIndex(of: trail.refused.reference))
        let excessive = try shippedLabels(.en).code(RefusalReason.excessive)
        #expect(outcomes[refusedRow] == "\(excessive.label): \(excessive.explanation)\n\(Trail.refusalNote)")
        let rectificationRow = try #require(references.firstIndex(of: trail.rectification.reference))
        let rectificationOutcome = try #require(outcomes[rectificationRow])
        #expect(rectificationOutcome.contains("Town or city: Corrected (Amsterdam → Utrecht)"))
        #expect(rectificationOutcome.contains("Organisation: Not changed — \(Trail.rejection)"))
        #expect(rectificationOutcome.contains("Job title: Completed with a statement: \(Trail.statement)"))
        #expect(rectificationOutcome.contains("Last name: Already correct (Bakker)"))
        let objectionRow = try #require(references.firstIndex(of: trail.objection.reference))
        let objectionOutcome = try #require(outcomes[objectionRow])
        #expect(objectionOutcome.contains("E-marketing: Objection applied at once"))
        #expect(objectionOutcome.contains("Objection not granted — \(Trail.grounds)"))
        // What the person asked, in words: each rectification item as asked, the objection's purposes and grounds.
        let asked = try requests.texts("What you asked")
        #expect(asked[rectificationRow] == """
            Town or city: Utrecht
            Organisation: remove this detail
            Job title: remove this detail (with your statement: \(Trail.statement))
            Last name: Bakker
            """, "\(asked)")
        #expect(asked[objectionRow] == """
            You objected to the use of your data for: E-marketing, Sales and service
            Your reasons: \(Trail.personGrounds)
            """, "\(asked)")
        let extensionReasons = try requests.texts("Why we needed more time")
        #expect(extensionReasons[objectionRow] == Trail.extensionReason)
        #expect(extensionReasons[rectificationRow] == nil)
        let accessRow = try #require(references.firstIndex(of: trail.access.reference))
        #expect(asked[accessRow] == nil, "an access request's files are in the Files column")
        // Files are named only for the access request this workbook answers, not for requests that made none.
        let files = try requests.texts("Files")
        let labels = try shippedLabels(.en)
        #expect(files[accessRow] == trail.access.formats.map { labels.code($0).label }.joined(separator: "\n"), "\(files)")
        #expect(files[rectificationRow] == nil && files[objectionRow] == nil, "\(files)")
        #expect(outcomes[accessRow] == "This file is our answer to this request.", "the request being answered says so; its state is not final yet")
    }

    @Test("identifiers a request gave that belong to another candidate, its name too, are not shown in the person's extract (Art. 15(4))")
    func othersIdentifiersLeftOut() throws {
        let (ledger, database) = try makeLedger()
        let anna = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: "anna@example.nl",
                                                      language: "en", externalID: "EXT-1", sourceKey: "business-card"), attribution: officer)
        let bob = try ledger.addPerson(PersonDetails(firstName: "Bob", lastName: "Smit", email: "bob@example.nl",
                                               language: "en", externalID: "EXT-2", sourceKey: "business-card"), attribution: officer)
        let queue = RequestQueue(store: database)
        // Anna's address and Bob's customer number: two persons match, and the officer settles on Anna.
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@example.nl", externalID: "EXT-2",
                                                                                             name: "Anna Jansen")), by: "officer").request
        #expect(filed.state == .awaitingDecision && filed.candidateIDs.count == 2)
        let assigned = try queue.assign(filed.reference, personID: anna.id, by: "officer")
        let directory = try makeTemporaryDirectory()
        let (_, json) = try Resolver(store: database).withDossier(personID: anna.id, request: assigned) { dossier in
            try writeExtracts(dossier, into: directory, name: assigned.reference)
        }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let request = try #require((document["requests"] as? [[String: Any]])?.first)
        let given = try #require(request["givenDetails"] as? [[String: String]])
        #expect(given.map { $0["value"] } == ["anna@example.nl", "Anna Jansen"], "Bob's customer number is left out: \(given)")
        #expect(try String(contentsOf: json, encoding: .utf8).contains("EXT-2") == false)

        // The officer settles a request naming Anna on Bob: Anna's address and name are not shown in Bob's extract.
        let other = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@example.nl", externalID: "EXT-2",
                                                                                            name: "Anna  jansen")), by: "officer").request
        let settled = try queue.assign(other.reference, personID: bob.id, by: "officer")
        let bobsJSON = try Resolver(store: database).withDossier(personID: bob.id, request: settled) { dossier in
            try writeExtracts(dossier, into: directory, name: settled.reference).json
        }
        let bobsDocument = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bobsJSON)) as? [String: Any])
        let bobsRequest = try #require((bobsDocument["requests"] as? [[String: Any]])?.first { $0["reference"] as? String == settled.reference })
        #expect((bobsRequest["givenDetails"] as? [[String: String]])?.map { $0["value"] } == ["EXT-2"], "only Bob's own customer number")
        let bobsText = try String(contentsOf: bobsJSON, encoding: .utf8)
        #expect(!bobsText.contains("anna@example.nl") && !bobsText.lowercased().contains("anna  jansen"))
    }

    @Test("the JSON extract carries the same trail and still validates against its schema")
    func json() throws {
        let trail = try Trail.make()
        let directory = try makeTemporaryDirectory()
        let (_, json) = try trail.extracts(into: directory)
        #expect(try validateAgainstSchema([json])[json.path] == [])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let subject = try #require(document["subject"] as? [String: Any])
        let details = try #require(subject["details"] as? [[String: Any]])
        let jobTitle = try #require(details.first { ($0["field"] as? [String: Any])?["key"] as? String == "job-title" })
        #expect(jobTitle["statements"] as? [String] == [Trail.statement] && jobTitle["value"] as? String == "")
        let requests = try #require(document["requests"] as? [[String: Any]])
        func outcomes(_ reference: String) -> [String] {
            let request = requests.first { $0["reference"] as? String == reference }
            return (request?["decisions"] as? [[String: Any]] ?? []).compactMap { ($0["outcome"] as? [String: Any])?["key"] as? String }
        }
        #expect(outcomes(trail.rectification.reference) == ["accepted", "rejected", "supplemented", "already-correct"])
        #expect(outcomes(trail.objection.reference) == ["applied", "overridden"])
        #expect(outcomes(trail.access.reference) == [])
        let refused = try #require(requests.first { $0["reference"] as? String == trail.refused.reference })
        let refusal = try #require(refused["refusal"] as? [String: Any])
        #expect((refusal["reason"] as? [String: Any])?["key"] as? String == "excessive" && refusal["note"] as? String == Trail.refusalNote)
        #expect(requests.filter { $0["reference"] as? String != trail.refused.reference }.allSatisfy { $0["refusal"] is NSNull })
        let objection = try #require(requests.first { $0["reference"] as? String == trail.objection.reference })
        let objected = try #require(objection["objection"] as? [String: Any])
        #expect((objected["purposes"] as? [[String: String]])?.map { $0["key"] } == ["e-marketing", "sales-and-service"])
        #expect((objected["purposes"] as? [[String: String]])?.map { $0["label"] } == ["E-marketing", "Sales and service"])
        #expect(objected["grounds"] as? String == Trail.personGrounds && objection["extensionReason"] as? String == Trail.extensionReason)
        #expect((objection["rectificationItems"] as? [Any])?.isEmpty == true)
        let rectification = try #require(requests.first { $0["reference"] as? String == trail.rectification.reference })
        let items = try #require(rectification["rectificationItems"] as? [[String: Any]])
        #expect(items.map { ($0["field"] as? [String: Any])?["key"] as? String } == ["city", "organisation", "job-title", "last-name"])
        #expect(items.map { $0["requestedValue"] as? String } == ["Utrecht", nil, nil, "Bakker"])
        #expect(items[1]["requestedValue"] is NSNull && items[2]["statement"] as? String == Trail.statement)
        #expect(rectification["objection"] is NSNull && rectification["extensionReason"] is NSNull)
        let text = try String(contentsOf: json, encoding: .utf8)
        for expected in [trail.rectification.reference, trail.objection.reference, Trail.statement, Trail.grounds, Trail.rejection,
                         "objection-overridden"] {
            #expect(text.contains(expected.replacingOccurrences(of: "/", with: "\\/")) || text.contains(expected), "the JSON extract lacks \(expected)")
        }
    }
}
