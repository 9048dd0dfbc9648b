import Foundation
import GRDB
import Testing
@testable import Inzage

/// An instant from an ISO 8601 text with offset.
private func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "not an ISO 8601 date-time: \(text)")
}

/// A date from `YYYY-MM-DD`.
private func day(_ text: String) throws -> CivilDate {
    try CivilDate(parsing: text)
}

/// A queue on a fresh in-memory database whose clock stands still at `now`, with the ledger on the same database.
private func makeQueue(now: String = "2026-11-29T10:00:00Z") throws -> (RequestQueue, Ledger, InzageDatabase) {
    let database = try InzageDatabase.inMemory()
    let clock = try instant(now)
    return (RequestQueue(store: database, clock: { clock }), Ledger(store: database, clock: { clock }), database)
}

/// Another queue on `database` whose clock stands at `now`.
private func clockedQueue(on database: InzageDatabase, at now: String) throws -> RequestQueue {
    let clock = try instant(now)
    return RequestQueue(store: database, clock: { clock })
}

/// An access request by e-mail address.
private func access(email: String = "anna@example.nl", receivedAt: Date? = nil) -> RequestSubmission {
    RequestSubmission(type: .access, subject: SubjectIdentifiers(email: email), receivedAt: receivedAt)
}

extension InzageDatabase {
    /// Row counts of the request tables, to prove that a refused filing wrote nothing.
    func requestCounts() throws -> [String: Int] {
        try dbWriter.read { db in
            var counts: [String: Int] = [:]
            for table in ["request", "request_transition", "request_sequence"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}

@Suite("Request queue: filing, states, deadlines, extension and matching")
struct RequestQueueTests {
    // MARK: Filing

    @Test("Received 2026-01-31T23:30Z is 1 February in Amsterdam; due Monday 2 March 2026 (1 March is a Sunday)")
    func receivedOnAndDueInAmsterdam() throws {
        let (queue, _, _) = try makeQueue(now: "2026-02-10T09:00:00Z")
        let request = try queue.file(access(receivedAt: try instant("2026-01-31T23:30:00Z")), by: "officer").request
        #expect(request.receivedOn == (try day("2026-02-01")))
        #expect(request.dueOn == (try day("2026-03-02")))
        #expect(request.extendedDueOn == nil)
        #expect(request.state == .received)
        #expect(request.receivedAt == (try instant("2026-01-31T23:30:00Z")))
    }

    @Test("Without a received date the request is received now", arguments: [
        ("2026-11-29T10:00:00Z", "2026-11-29", "2026-12-29"),
        ("2026-03-28T23:15:00Z", "2026-03-29", "2026-04-29"),
    ])
    func receivedNow(now: String, receivedOn: String, dueOn: String) throws {
        let (queue, _, _) = try makeQueue(now: now)
        let request = try queue.file(access(), by: "officer").request
        #expect(request.receivedAt == (try instant(now)))
        #expect(request.receivedOn == (try day(receivedOn)))
        #expect(request.dueOn == (try day(dueOn)))
    }

    @Test("References are DSR-YYYY-NNNNNN and increase")
    func references() throws {
        let (queue, _, _) = try makeQueue()
        let references = try (0..<3).map { index in try queue.file(access(email: "p\(index)@example.nl"), by: "officer").request.reference }
        #expect(references == ["DSR-2026-000001", "DSR-2026-000002", "DSR-2026-000003"])
        for reference in references {
            #expect(reference.range(of: #"^DSR-[0-9]{4}-[0-9]{6}$"#, options: .regularExpression) != nil)
        }
        #expect(try queue.request("dsr-2026-000002").reference == "DSR-2026-000002", "a reference is found in any case")
    }

    @Test("A received date in the future is refused and nothing is written")
    func futureReceivedDate() throws {
        let (queue, _, database) = try makeQueue(now: "2026-11-29T10:00:00Z")
        let before = try database.requestCounts()
        for future in ["2026-11-30T00:00:00+01:00", "2026-12-01T10:00:00Z", "2027-01-01T00:00:00Z"] {
            let error = try #require(throws: RequestError.self) { try queue.file(access(receivedAt: try instant(future)), by: "officer") }
            #expect(error.isUsageError)
            guard case .receivedInFuture = error else { Issue.record("unexpected \(error)"); continue }
        }
        // Later today: the time is what lies in the future, and the message says so rather than naming only today's date.
        let laterToday = try #require(throws: RequestError.self) {
            try queue.file(access(receivedAt: try instant("2026-11-29T22:30:00Z")), by: "officer")
        }
        #expect(laterToday == .receivedInFuture("2026-11-29T23:30:00+01:00", isTime: true))
        #expect(laterToday.description.hasPrefix("The received date and time 2026-11-29T23:30:00+01:00 lie in the future;"), "\(laterToday)")
        #expect(RequestError.receivedInFuture("2026-11-30").description.hasPrefix("The received date 2026-11-30 lies in the future;"))
        #expect(try database.requestCounts() == before)
        #expect(try queue.file(access(receivedAt: try instant("2026-11-29T10:00:00Z")), by: "officer").request.receivedOn == (try day("2026-11-29")))
    }

    /// Submissions that the queue refuses, with the field it names.
    static let invalidSubmissions: [(String, RequestSubmission)] = [
        ("subject", RequestSubmission(type: .access, subject: SubjectIdentifiers(name: "Anna Jansen"))),
        ("subject", RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "  ", externalID: " "))),
        ("subject.email", RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna-at-example.nl"))),
        ("formats", RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@example.nl"), formats: [])),
        ("type", RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                   rectification: [RectificationItem(field: .city, requestedValue: "Utrecht")])),
        ("rectification", RequestSubmission(type: .rectification, subject: SubjectIdentifiers(email: "anna@example.nl"))),
        ("rectification[1].value", RequestSubmission(type: .rectification, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                     rectification: [RectificationItem(field: .city, requestedValue: "Utrecht"),
                                                                     RectificationItem(field: .phone, requestedValue: "12")])),
        ("objection.purposes", RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"))),
        ("objection.purposes", RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                 objection: ObjectionContent(purposeKeys: []))),
        ("objection.purposes", RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                 objection: ObjectionContent(purposeKeys: ["e-marketing", "newsletter"]))),
        ("rectification[1].field", RequestSubmission(type: .rectification, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                     rectification: [RectificationItem(field: .city, requestedValue: "Utrecht"),
                                                                     RectificationItem(field: .city, requestedValue: "Leiden")])),
        ("objection.purposes[1]", RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                    objection: ObjectionContent(purposeKeys: ["e-marketing", "e-marketing"]))),
        ("subject.name", RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@example.nl", name: "Anna\u{1}"))),
        ("objection.grounds", RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                objection: ObjectionContent(purposeKeys: ["e-marketing"],
                                                                            grounds: String(repeating: "x", count: FreeText.maximumLength + 1)))),
        ("rectification[0].statement", RequestSubmission(type: .rectification, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                         rectification: [RectificationItem(field: .city, requestedValue: "Utrecht", statement: "a\u{7}b")])),
    ]

    @Test("Invalid submissions are refused naming the field, and nothing is written", arguments: invalidSubmissions)
    func invalidSubmission(field: String, submission: RequestSubmission) throws {
        let (queue, _, database) = try makeQueue()
        let before = try database.requestCounts()
        do {
            _ = try queue.file(submission, by: "officer")
            Issue.record("filed an invalid submission")
        } catch let error as RequestError {
            guard case .invalidSubmission(let named, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(named == field)
            #expect(!reason.isEmpty)
            #expect(error.isUsageError)
            #expect(error.description.hasPrefix("Invalid \(field): "))
            #expect(!error.description.hasSuffix(".."))
        }
        #expect(try database.requestCounts() == before)
        #expect(try queue.file(access(), by: "officer").request.reference == "DSR-2026-000001", "no reference number was used up")
    }

    @Test("An unknown purpose is refused with the valid purposes")
    func unknownPurposeNamesValidOnes() throws {
        let (queue, _, _) = try makeQueue()
        let submission = RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                           objection: ObjectionContent(purposeKeys: ["newsletter"]))
        let error = try #require(throws: RequestError.self) { try queue.file(submission, by: "officer") }
        #expect(error.description.contains("e-marketing") && error.description.contains("sales-and-service"))
    }

    @Test("Filing normalises the subject and keeps the content")
    func filingKeepsContent() throws {
        let (queue, _, _) = try makeQueue()
        let submission = RequestSubmission(
            type: .objection, subject: SubjectIdentifiers(email: "  Anna.Jansen@Example.NL ", name: " Anna "), channel: .letter,
            language: .en, formats: [.json, .json], objection: ObjectionContent(purposeKeys: ["sales-and-service"], grounds: "Moved abroad"),
            origin: "letter-17.json")
        let request = try queue.file(submission, by: "officer").request
        #expect(request.subject.email == "anna.jansen@example.nl")
        #expect(request.subject.name == "Anna")
        #expect(request.channel == .letter)
        #expect(request.language == .en)
        #expect(request.formats == [.json])
        #expect(request.objection == ObjectionContent(purposeKeys: ["sales-and-service"], grounds: "Moved abroad"))
        #expect(request.origin == "letter-17.json")
        #expect(request.createdBy == "officer")
        #expect(try queue.request(request.reference) == request)
    }

    @Test("A blank statement or blank grounds count as none, whether the submission came from a request file or the command line")
    func blankStatementIsNone() throws {
        let (queue, ledger, _) = try makeQueue()
        _ = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: "anna@example.nl"), attribution: Attribution(by: "officer", via: .cli))
        let file = #"{"type": "rectification", "subject": {"email": "anna@example.nl"}, "rectification": [{"field": "city", "value": "Utrecht", "statement": ""}, {"field": "job-title", "value": "Baker", "statement": " \u200b "}, {"field": "phone", "value": null, "statement": "No phone any more"}]}"#
        let parsed = try RequestFile.parse(Data(file.utf8), name: "blank.json", timeZone: TimeZone(identifier: "Europe/Amsterdam") ?? .gmt)
        let request = try queue.file(parsed, by: "intake").request
        #expect(request.rectification.map(\.statement) == [nil, nil, "No phone any more"])
        let objection = try queue.file(RequestSubmission(type: .objection, subject: SubjectIdentifiers(email: "anna@example.nl"),
                                                         objection: ObjectionContent(purposeKeys: ["sales-and-service"], grounds: "  ")),
                                       by: "intake").request
        #expect(objection.objection?.grounds == nil)
    }

    @Test("The same request file (origin digest) is filed once")
    func originDigestIsIdempotent() throws {
        let (queue, _, database) = try makeQueue()
        var submission = access()
        submission.originDigest = String(repeating: "ab", count: 32)
        let first = try queue.file(submission, by: "officer")
        let counts = try database.requestCounts()
        let second = try queue.file(submission, by: "officer")
        #expect(!first.alreadyFiled)
        #expect(second.alreadyFiled)
        #expect(second.request.reference == first.request.reference)
        #expect(try database.requestCounts() == counts)
    }

    // MARK: Transitions

    @Test("Every transition is recorded with time, actor, from, to and note")
    func transitionsRecorded() throws {
        let (queue, _, database) = try makeQueue(now: "2026-11-02T08:00:00Z")
        let reference = try queue.file(access(), by: "intake").request.reference
        let later = try clockedQueue(on: database, at: "2026-11-03T09:30:00Z")
        try later.transition(reference, to: .inProgress, by: "worker-1", note: "Started")
        try later.transition(reference, to: .awaitingDecision, by: "worker-1", note: nil)
        try later.transition(reference, to: .completed, by: "officer", note: "Sent")
        let details = try later.details(reference)
        #expect(details.request.state == .completed)
        let history = details.transitions.map { "\($0.from?.rawValue ?? "nil")→\($0.to.rawValue) by \($0.by): \($0.note ?? "nil")" }
        #expect(history == [
            "nil→received by intake: Filed via email",
            "received→in-progress by worker-1: Started",
            "in-progress→awaiting-decision by worker-1: nil",
            "awaiting-decision→completed by officer: Sent",
        ])
        #expect(details.transitions.map(\.at) == [try instant("2026-11-02T08:00:00Z")] + Array(repeating: try instant("2026-11-03T09:30:00Z"), count: 3))
        #expect(details.transitions.allSatisfy { $0.requestID == details.request.id })
    }

    @Test("An illegal transition is refused naming the allowed states, and nothing is written")
    func illegalTransition() throws {
        let (queue, _, database) = try makeQueue()
        let reference = try queue.file(access(), by: "officer").request.reference
        let before = try database.requestCounts()
        let error = try #require(throws: RequestError.self) { try queue.transition(reference, to: .completed, by: "officer", note: nil) }
        #expect(error == .illegalTransition(.illegalTransition(from: .received, to: .completed, allowed: RequestState.received.allowedNextStates)))
        #expect(!error.isUsageError)
        #expect(error.description.contains("received") && error.description.contains("completed"))
        for allowed in RequestState.received.allowedNextStates {
            #expect(error.description.contains(allowed.rawValue))
        }
        #expect(try database.requestCounts() == before)
        #expect(try queue.request(reference).state == .received)

        try queue.transition(reference, to: .withdrawn, by: "officer", note: "By phone")
        let final = try #require(throws: RequestError.self) { try queue.transition(reference, to: .inProgress, by: "officer", note: nil) }
        #expect(final.description.contains("final state"))
    }

    @Test("An unknown reference is refused with what references look like")
    func unknownReference() throws {
        let (queue, _, _) = try makeQueue()
        let error = try #require(throws: RequestError.self) { try queue.details("DSR-2026-999999") }
        #expect(error == .unknownRequest("DSR-2026-999999"))
        #expect(error.description.contains("DSR-2026-000123"))
        #expect(!error.isUsageError, "a well-formed reference that names nothing: exit 1, as an unknown person id")
    }

    @Test("Text that is not shaped like a reference is an invalid value, named with what references look like")
    func malformedReference() throws {
        let (queue, _, _) = try makeQueue()
        for text in ["garbage", "DSR-2026-12", "DSR-26-000001", "DSR-2026-00000x", "DSR-2026-000001-1", "", "DSR-2026-000001\u{0}"] {
            let error = try #require(throws: RequestError.self) { try queue.details(text) }
            #expect(error == .malformedReference(text))
            #expect(error.isUsageError && error.description.contains("DSR-2026-000123"), "\(error)")
        }
        #expect(RequestError.malformedReference("x\u{0}").description.hasPrefix("'x<U+0000>' is not a request reference."))
        // Any case and white space around it are still a reference's shape.
        #expect(try #require(throws: RequestError.self) { try queue.details(" dsr-2026-999999 ") } == .unknownRequest(" dsr-2026-999999 "))
    }

    // MARK: Extension

    @Test("Extension: three months from receipt, once, with a reason, only before the due date")
    func extensionRules() throws {
        let (queue, _, database) = try makeQueue(now: "2026-02-10T09:00:00Z")
        let reference = try queue.file(access(receivedAt: try instant("2026-01-31T23:30:00Z")), by: "officer").request.reference
        try queue.transition(reference, to: .inProgress, by: "worker", note: nil)

        let noReason = try #require(throws: RequestError.self) { try queue.extend(reference, reason: "  ", by: "officer") }
        #expect(noReason == .extensionRefused(DeadlineExtensionError.missingReason.description))

        let extended = try queue.extend(reference, reason: "Complex: data in five systems", by: "officer")
        #expect(extended.state == .extended)
        #expect(extended.dueOn == (try day("2026-03-02")))
        #expect(extended.extendedDueOn == (try day("2026-05-01")))
        #expect(extended.effectiveDueOn == (try day("2026-05-01")))
        #expect(extended.extensionReason == "Complex: data in five systems")
        let last = try #require(try queue.details(reference).transitions.last)
        #expect(last.from == .inProgress && last.to == .extended && last.by == "officer")
        #expect(last.note?.contains("2026-05-01") == true)

        let twice = try #require(throws: RequestError.self) { try queue.extend(reference, reason: "Again", by: "officer") }
        #expect(twice == .extensionRefused(DeadlineExtensionError.alreadyExtended(extendedDue: try day("2026-05-01")).description))
        #expect(!twice.isUsageError)

        // On the due date itself the period can still be extended; the day after, it cannot.
        let onDue = try queue.file(access(email: "bram@example.nl", receivedAt: try instant("2026-01-31T23:30:00Z")), by: "officer").request.reference
        try queue.transition(onDue, to: .inProgress, by: "worker", note: nil)
        let pastDue = try queue.file(access(email: "daan@example.nl", receivedAt: try instant("2026-01-31T23:30:00Z")), by: "officer").request.reference
        try queue.transition(pastDue, to: .inProgress, by: "worker", note: nil)
        #expect(try clockedQueue(on: database, at: "2026-03-02T22:00:00Z").extend(onDue, reason: "Volume", by: "officer").state == .extended)
        let before = try database.requestCounts()
        let late = try #require(throws: RequestError.self) {
            try clockedQueue(on: database, at: "2026-03-02T23:30:00Z").extend(pastDue, reason: "Volume", by: "officer")
        }
        #expect(late == .extensionRefused(DeadlineExtensionError.pastDue(due: try day("2026-03-02"), today: try day("2026-03-03")).description))
        #expect(late.description.hasPrefix("The period can no longer be extended: the request was due on 2026-03-02"), "said once: \(late)")
        #expect(try database.requestCounts() == before)
        #expect(try queue.request(pastDue).extendedDueOn == nil)
    }

    // MARK: Deadlines in lists

    @Test("Lists are sorted by effective due date; overdue and due-within filter open requests")
    func listing() throws {
        let (filing, _, _) = try makeQueue(now: "2026-11-29T10:00:00Z")
        let late = try filing.file(access(email: "a@example.nl", receivedAt: try instant("2026-10-01T10:00:00Z")), by: "o").request.reference
        let soon = try filing.file(access(email: "b@example.nl", receivedAt: try instant("2026-11-02T10:00:00Z")), by: "o").request.reference
        let fresh = try filing.file(access(email: "c@example.nl"), by: "o").request.reference
        let closed = try filing.file(access(email: "d@example.nl", receivedAt: try instant("2026-09-01T10:00:00Z")), by: "o").request.reference
        try filing.transition(closed, to: .withdrawn, by: "o", note: nil)

        let all = try filing.list()
        #expect(all.map(\.request.reference) == [closed, late, soon, fresh])
        #expect(all.map(\.daysLeft) == [-59, -27, 3, 30])
        #expect(all.map(\.isOverdue) == [false, true, false, false], "a closed request is never overdue")
        #expect(try filing.list(overdueOnly: true).map(\.request.reference) == [late])
        #expect(try filing.list(dueWithinDays: 3).map(\.request.reference) == [late, soon])
        #expect(try filing.list(dueWithinDays: 2).map(\.request.reference) == [late])
        #expect(try filing.list(state: .withdrawn).map(\.request.reference) == [closed])
    }

    // MARK: Matching

    @Test("Matching by person id, external id and e-mail address (case-insensitive)")
    func matching() throws {
        let (queue, ledger, _) = try makeQueue()
        let anna = try ledger.addPerson(PersonDetails(firstName: "Anna", lastName: "Jansen", email: "anna.jansen@example.nl", externalID: "SO-40001"),
                                        attribution: officer)
        let bram = try ledger.addPerson(PersonDetails(firstName: "Bram", lastName: "Visser", email: "bram@example.nl", language: "en"),
                                        attribution: officer)
        let byID = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(personID: anna.id)), by: "o").request
        #expect(byID.personID == anna.id && byID.state == .received && byID.candidateIDs.isEmpty)
        let byExternal = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(externalID: " SO-40001 ")), by: "o").request
        #expect(byExternal.personID == anna.id)
        let byEmail = try queue.file(access(email: " BRAM@Example.NL "), by: "o").request
        #expect(byEmail.personID == bram.id)
        #expect(byEmail.language == .en, "the person's language when none was asked for")
        let newAddress = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna@new.example", personID: anna.id)), by: "o").request
        #expect(newAddress.personID == anna.id, "an e-mail address that belongs to nobody does not contradict the person id")
        let sameAddress = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "Anna.Jansen@example.nl", personID: anna.id)), by: "o").request
        #expect(sameAddress.personID == anna.id)
        // Identifiers of two different persons are a doubt for an officer, never settled by choosing one.
        let conflicting = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "bram@example.nl", personID: anna.id)), by: "o").request
        #expect(conflicting.personID == nil && conflicting.state == .awaitingDecision && conflicting.candidateIDs == [anna.id, bram.id])
        #expect(RequestIngestDocument.File.awaiting(conflicting) == "awaiting a decision (several persons match)")
        let review = try queue.file(RequestSubmission(type: .rectification, subject: SubjectIdentifiers(personID: anna.id),
                                                      rectification: [RectificationItem(field: .city, requestedValue: "Utrecht")]), by: "o").request
        #expect(review.state == .awaitingDecision && RequestIngestDocument.File.awaiting(review) == "awaiting an officer's review")
        let externalAndEmail = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "bram@example.nl", externalID: "SO-40001")), by: "o").request
        #expect(externalAndEmail.state == .awaitingDecision && externalAndEmail.candidateIDs == [anna.id, bram.id])

        let nobody = try queue.file(access(email: "nobody@example.nl"), by: "o").request
        #expect(nobody.personID == nil && nobody.candidateIDs.isEmpty && nobody.state == .received)
        // A person id that names nobody is refused, as `request file --person` refuses it: not answered as a person of
        // whom no data is held, and not matched by the e-mail address given with it instead. Nothing is filed.
        let filed = try queue.list().map(\.request.reference)
        for subject in [SubjectIdentifiers(personID: 999), SubjectIdentifiers(email: "bram@example.nl", personID: 999)] {
            let refused = try #require(throws: RequestError.self) { try queue.file(RequestSubmission(type: .access, subject: subject), by: "o") }
            #expect(refused == .unknownPerson(999))
            #expect(refused.description.hasPrefix("No person has id 999."))
        }
        #expect(try queue.list().map(\.request.reference) == filed)
        let next = try queue.file(access(email: "bram@example.nl"), by: "o").request
        #expect(next.reference.hasSuffix(String(format: "%06d", filed.count + 1)), "the refusals used up no reference number")
    }

    @Test("Several matches await a decision with the candidates; assign settles it")
    func ambiguousMatch() throws {
        let (queue, ledger, _) = try makeQueue()
        let first = try ledger.addPerson(PersonDetails(firstName: "Eva", lastName: "Smit", email: "eva@example.nl", externalID: "SO-7"), attribution: officer)
        let second = try ledger.addPerson(PersonDetails(firstName: "Eva", lastName: "Smit", email: "eva.smit@example.com", externalID: "SO-7"), attribution: officer)
        let request = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(externalID: "SO-7")), by: "intake").request
        #expect(request.state == .awaitingDecision)
        #expect(request.personID == nil)
        #expect(Set(request.candidateIDs) == [first.id, second.id])
        let filed = try queue.details(request.reference).transitions
        #expect(filed.map(\.to) == [.received, .awaitingDecision])
        #expect(filed.last?.by == "system")

        let unknown = try #require(throws: RequestError.self) { try queue.assign(request.reference, personID: 999, by: "officer") }
        #expect(unknown == .unknownPerson(999))

        let settled = try queue.assign(request.reference, personID: second.id, by: "officer")
        #expect(settled.personID == second.id)
        #expect(settled.state == .inProgress)
        let last = try #require(try queue.details(request.reference).transitions.last)
        #expect(last.from == .awaitingDecision && last.to == .inProgress && last.by == "officer")

        let again = try #require(throws: RequestError.self) { try queue.assign(request.reference, personID: first.id, by: "officer") }
        #expect(again == .personAlreadySettled(reference: request.reference, state: .inProgress))

        // An officer may settle on someone the identifiers did not match; the history says so.
        let third = try ledger.addPerson(PersonDetails(firstName: "Eva", lastName: "de Smit", email: "e.desmit@example.nl"), attribution: officer)
        let other = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(externalID: "SO-7")), by: "intake").request
        _ = try queue.assign(other.reference, personID: third.id, by: "officer")
        let note = try #require(try queue.details(other.reference).transitions.last?.note)
        #expect(note == "Assigned to person \(third.id), who was not among the candidates (\(first.id), \(second.id))")

        // Settling a request that matched nobody changes no state, and is recorded all the same.
        let unmatched = try queue.file(access(email: "eva.smit@elders.example"), by: "intake").request
        #expect(unmatched.personID == nil && unmatched.state == .received)
        _ = try queue.assign(unmatched.reference, personID: third.id, by: "officer")
        let recorded = try #require(try queue.details(unmatched.reference).transitions.last)
        #expect(recorded.from == .received && recorded.to == .received && recorded.by == "officer"
                && recorded.note == "Assigned to person \(third.id)")
    }

    @Test("An ambiguous match that was extended is never answered by a worker until an officer assigns the person")
    func extendedAmbiguousMatch() async throws {
        let (queue, ledger, database) = try makeQueue()
        for first in ["Sam", "Sara"] {
            _ = try ledger.addPerson(PersonDetails(firstName: first, lastName: "de Vries", externalID: "SO-8"), attribution: officer)
        }
        let request = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(externalID: "SO-8")), by: "intake").request
        let extended = try queue.extend(request.reference, reason: "Two customer files to compare.", by: "officer")
        #expect(extended.state == .awaitingDecision && extended.extendedDueOn != nil && extended.personID == nil,
                "still in the officer's decision list, with the period extended")
        let note = try #require(try queue.details(request.reference).transitions.last)
        #expect(note.from == .awaitingDecision && note.to == .awaitingDecision && note.note?.hasSuffix("Still awaiting an officer's decision.") == true)
        let claimed = try database.writeRequests {
            try $0.claimNext(types: [.access], states: RequestQueue.workableStates, owner: "w", now: Date(), until: Date().addingTimeInterval(60))
        }
        #expect(claimed == nil, "a worker must not answer 'no data held' for an unsettled match")
        let settled = try queue.assign(request.reference, personID: try #require(extended.candidateIDs.first), by: "officer")
        #expect(settled.state == .extended && settled.personID == extended.candidateIDs.first)
    }

    @Test("A failed request may be extended while in time, and stays failed until an officer retries it")
    func extendingAFailedRequest() throws {
        let (queue, _, _) = try makeQueue()
        let request = try queue.file(access(receivedAt: try instant("2026-11-20T10:00:00Z")), by: "intake").request
        _ = try queue.transition(request.reference, to: .failed, by: "worker", note: "The disk is full.")
        let extended = try queue.extend(request.reference, reason: "Our archive is being repaired.", by: "officer")
        let expected = try day("2027-02-22")
        #expect(extended.state == .failed && extended.extendedDueOn == expected)
        #expect(try queue.details(request.reference).transitions.last?.note?.contains("retry") == true)
        // Only a failed request is retried: a received one would otherwise be moved on to in-progress.
        let other = try queue.file(access(email: "bob@example.nl", receivedAt: try instant("2026-11-20T11:00:00Z")), by: "intake").request
        #expect(throws: RequestError.notFailed(reference: other.reference, state: .received)) { try queue.retry(other.reference, by: "officer") }
        #expect(try queue.details(other.reference).transitions.count == 1)
        // The retry takes it on as extended, where `request list --state extended` finds it.
        let retried = try queue.retry(request.reference, by: "officer")
        #expect(retried.state == .extended && retried.attempts == 0)
    }

    @Test("A worker's lease keeps an officer's refusal off a request while the worker may live; a killed local worker's lease does not")
    func leaseOfAKilledWorker() throws {
        let (queue, _, database) = try makeQueue()
        let until = try instant("2026-11-29T10:05:00Z")
        func file(_ email: String, leasedBy owner: String) throws -> String {
            let request = try queue.file(access(email: email, receivedAt: try instant("2026-11-20T10:00:00Z")), by: "intake").request
            try database.writeRequests { try $0.setLease(requestID: request.id, lease: RequestLease(owner: owner, expiresAt: until), nextAttemptAt: nil) }
            return request.reference
        }
        let host = ProcessInfo.processInfo.hostName
        // A worker in a process that ran and is gone, as one killed with SIGKILL is.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()

        let live = try file("live@example.nl", leasedBy: "\(host)/\(getpid())/0")
        let elsewhere = try file("elsewhere@example.nl", leasedBy: "worker-host.example/\(finished.processIdentifier)/1")
        let killed = try file("killed@example.nl", leasedBy: "\(host)/\(finished.processIdentifier)/0")
        for reference in [live, elsewhere] {
            #expect {
                try queue.reject(reference, reason: .excessive, note: "Asked daily.", by: "officer")
            } throws: { error in
                "\(error)".contains("a worker is processing it right now")
            }
            #expect(try queue.request(reference).state == .received, "nothing was written for \(reference)")
        }
        // The killed worker's process is gone from this machine: the officer need not wait five minutes.
        let refused = try queue.reject(killed, reason: .excessive, note: "Asked daily.", by: "officer")
        #expect(refused.request.state == .rejected)
        #expect(try database.readRequests { try $0.lease(requestID: refused.request.id) } == nil, "the dead worker's lease is gone with it")
        // A worker elsewhere is trusted until its lease lapses, and no longer.
        let later = try clockedQueue(on: database, at: "2026-11-29T10:05:01Z")
        #expect(try later.reject(elsewhere, reason: .excessive, note: "Asked daily.", by: "officer").request.state == .rejected)
    }

    @Test("New decreed days move the due dates of open requests in the same transaction; the extension check uses the date shown")
    func decreedDaysMoveDueDates() throws {
        let (queue, _, database) = try makeQueue(now: "2026-04-20T10:00:00Z")
        let open = try queue.file(access(receivedAt: try instant("2026-04-15T10:00:00Z")), by: "intake").request
        let closed = try queue.file(access(email: "bob@example.nl", receivedAt: try instant("2026-04-15T11:00:00Z")), by: "intake").request
        _ = try queue.transition(closed.reference, to: .withdrawn, by: "officer", note: "Withdrawn by letter.")
        #expect(open.dueOn == (try day("2026-05-15")))

        // 15 May 2026 (a Friday) is decreed a day off after the requests came in: the deadline moves to Monday.
        let (changes, moved) = try queue.updateSettings([(field: "decreed-days", value: "2026-05-15")], by: "officer")
        #expect(changes.map(\.key) == ["decreed-days"])
        #expect(moved == [RequestQueue.DueDateMove(reference: open.reference, oldDueOn: try day("2026-05-15"), newDueOn: try day("2026-05-18"),
                                                   oldExtendedDueOn: nil, newExtendedDueOn: nil)])
        #expect(try queue.details(open.reference).request.dueOn == (try day("2026-05-18")))
        #expect(try queue.details(closed.reference).request.dueOn == (try day("2026-05-15")), "a closed request keeps its dates")
        let row = try #require(try queue.details(open.reference).transitions.last)
        #expect(row.from == .received && row.to == .received && row.note == "Deadline moved with the decreed days (none → 2026-05-15): due date 2026-05-15 → 2026-05-18.")

        // On 16 May the request is not overdue, so it may be extended, as `request list` shows it.
        let extended = try clockedQueue(on: database, at: "2026-05-16T10:00:00Z").extend(open.reference, reason: "Many files.", by: "officer")
        #expect(extended.extendedDueOn == (try day("2026-07-15")))

        // Nothing moves when the decreed days stay the same, and a value in force changes nothing.
        #expect(try queue.updateSettings([(field: "decreed-days", value: "2026-05-15")], by: "officer").changes.isEmpty)
        // Removing the day moves the due date back.
        let back = try queue.updateSettings([(field: "decreed-days", value: "")], by: "officer").moved
        #expect(back.map(\.newDueOn) == [try day("2026-05-15")])
    }
}
