import Foundation

/// The request queue: files requests with their legal dates, records every state change, extends periods,
/// settles ambiguous matches, takes officers' decisions, and leases work to workers. Every message the person
/// (or a recipient) is owed for a change is stored in the outbox in the transaction of that change.
/// Its rules live here; storage is behind ``InzageMessagingStore``.
public struct RequestQueue: Sendable {
    /// Where requests, the ledger they refer to, and the outbox are stored.
    public let store: any InzageMessagingStore
    /// Writes the messages each step owes.
    public let notices: RequestNotices
    /// The clock that stamps changes.
    public let clock: @Sendable () -> Date

    /// The states in which a worker may take a request.
    public static let workableStates: [RequestState] = [.received, .inProgress, .extended]

    /// Creates a queue on `store`, writing messages with `notices`.
    public init(store: any InzageMessagingStore, notices: RequestNotices = RequestNotices(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.notices = notices
        self.clock = clock
    }

    /// The result of filing: the request, and whether it had been filed before (same request file).
    public struct Filing: Sendable {
        public var request: DataSubjectRequest
        public var alreadyFiled: Bool
    }

    // MARK: Filing

    /// Files a request: validates it, matches the subject, computes the due date and gives it a reference.
    ///
    /// A submission with an `originDigest` that was filed before returns the earlier request (ingesting is idempotent),
    /// as does one whose `legacyOriginDigest` and `origin` match a request filed before the digest named the file.
    /// - Throws: ``RequestError/invalidSubmission(field:reason:)`` for an invalid value,
    ///   ``RequestError/receivedInFuture(_:isTime:)``, and ``RequestError/unknownPerson(_:)`` when the subject's person id
    ///   names nobody; nothing is filed then.
    public func file(_ submission: RequestSubmission, by actor: String) throws -> Filing {
        try FreeText.checkActor(actor)
        let now = clock()
        return try store.transaction { ledger, requests, outbox in
            if let digest = submission.originDigest, let earlier = try requests.request(originDigest: digest) {
                return Filing(request: earlier, alreadyFiled: true)
            }
            // Filed before digests named the file: the same bytes under the same name.
            if let digest = submission.legacyOriginDigest, let earlier = try requests.request(originDigest: digest),
               earlier.origin == submission.origin {
                return Filing(request: earlier, alreadyFiled: true)
            }
            let profile = OrganisationProfile(settings: try ledger.settings())
            let calendar = try profile.deadlineCalendar()
            let lists = try ReferenceSnapshot(ledger)
            let validated = try Self.validate(submission, lists: lists)

            let receivedAt = validated.receivedAt ?? now
            let receivedOn = calendar.receivedDate(for: receivedAt)
            guard receivedOn <= calendar.localDate(for: now) else { throw RequestError.receivedInFuture(receivedOn.description) }
            guard receivedAt <= now.addingTimeInterval(300) else {
                // Later today: the date alone would read as if it were fine.
                throw RequestError.receivedInFuture(ExtractTime(timeZone: calendar.timeZone).iso8601(receivedAt), isTime: true)
            }
            // A person id names someone on file, or the request is refused: from the command line as from a request
            // file, an unknown id is a slip to correct, not a person of whom no data is held (nor a reason to match by
            // the e-mail address given with it instead).
            if let personID = validated.subject.personID, try ledger.person(id: personID) == nil {
                throw RequestError.unknownPerson(personID)
            }
            let match = try SubjectMatcher.match(validated.subject, in: ledger)
            var personID: Int64?
            var candidates: [Int64] = []
            switch match {
            case .none: break
            case .one(let id): personID = id
            case .several(let ids): candidates = ids
            }
            let personLanguage = try personID.flatMap { try ledger.person(id: $0) }?.details.language.flatMap(Language.init(rawValue:))
            let year = calendar.localDate(for: now).year
            let sequence = try requests.nextSequenceNumber(year: year)
            let reference = String(format: "DSR-%04d-%06d", year, sequence)

            var request = DataSubjectRequest(
                id: 0, reference: reference, type: validated.type, state: .received, subject: validated.subject,
                channel: validated.channel, language: validated.language ?? personLanguage,
                formats: validated.formats, rectification: validated.rectification, objection: validated.objection,
                receivedAt: receivedAt, receivedOn: receivedOn, dueOn: calendar.dueDate(receivedOn: receivedOn),
                extendedDueOn: nil, extensionReason: nil, personID: personID, candidateIDs: candidates,
                origin: validated.origin, createdAt: now, createdBy: actor, updatedAt: now, attempts: 0, lastError: nil)
            request = try requests.insertRequest(request, originDigest: validated.originDigest)
            let origin = validated.origin.map { " from \($0)" } ?? ""
            let byPost = try RequestNotices.personAddress(for: request, in: ledger) == nil
                ? ". No e-mail address is known: send the person's messages by post." : ""
            try requests.appendTransition(RequestTransition(
                requestID: request.id, at: now, from: nil, to: .received, by: actor,
                note: "Filed via \(validated.channel.rawValue)\(origin)\(byPost)"))
            if case .several(let ids) = match {
                request = try Self.move(request, to: .awaitingDecision, at: now, by: "system",
                                        note: "\(ids.count) persons match the identifiers given; an officer assigns one", in: requests)
            } else {
                request = try proceed(request, by: actor, at: now, ledger: ledger, requests: requests, outbox: outbox)
            }
            if !request.state.isTerminal {
                try notices.notifyPerson(.acknowledgement, about: request, ledger: ledger, outbox: outbox, at: now)
            }
            return Filing(request: request, alreadyFiled: false)
        }
    }

    /// Takes a request whose subject is settled (matched to one person, or to no one) as far as it goes without an
    /// officer: an objection to direct marketing is applied at once (Art. 21(3)); an objection on another purpose and
    /// a rectification wait for an officer's decision. An access request waits for a worker.
    func proceed(_ request: DataSubjectRequest, by actor: String, at now: Date, ledger: any LedgerWriter,
                 requests: any RequestWriter, outbox: any OutboxWriter) throws -> DataSubjectRequest {
        guard request.personID != nil else { return request }
        switch request.type {
        case .access:
            return request
        case .rectification:
            let count = request.rectification.count
            return try Self.move(request, to: .awaitingDecision, at: now, by: "system",
                                 note: "\(count) item\(count == 1 ? "" : "s") to review: `inzage request review \(request.reference)`", in: requests)
        case .objection:
            return try applyObjectionAtIntake(request, by: actor, at: now, ledger: ledger, requests: requests, outbox: outbox)
        }
    }

    /// Checks a submission and returns it normalised, or throws naming the field.
    static func validate(_ submission: RequestSubmission, lists: ReferenceSnapshot) throws -> RequestSubmission {
        var result = submission
        var subject = submission.subject
        subject.email = subject.email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if subject.email?.isEmpty == true { subject.email = nil }
        subject.externalID = subject.externalID?.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.externalID?.isEmpty == true { subject.externalID = nil }
        if let externalID = subject.externalID, let problem = FreeText.problem(in: externalID, maximumLength: FieldValidation.maximumLength, singleLine: true) {
            throw RequestError.invalidSubmission(field: "subject.externalId", reason: problem)
        }
        subject.name = subject.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.name?.isEmpty == true { subject.name = nil }
        if let name = subject.name, let problem = FreeText.problem(in: name, maximumLength: FieldValidation.maximumLength, singleLine: true) {
            throw RequestError.invalidSubmission(field: "subject.name", reason: problem)
        }
        if let email = subject.email, !FieldValidation.isValidEmail(email) {
            throw RequestError.invalidSubmission(field: "subject.email", reason: "'\(FreeText.visible(email))' is not an e-mail address (name@example.nl)")
        }
        guard subject.email != nil || subject.personID != nil || subject.externalID != nil else {
            throw RequestError.invalidSubmission(field: "subject", reason: "give an e-mail address, a person id or an external id to find the person by")
        }
        result.subject = subject
        guard !submission.formats.isEmpty else {
            throw RequestError.invalidSubmission(field: "formats", reason: "give at least one of \(ExtractFormat.validKeys)")
        }
        result.formats = Array(Set(submission.formats)).sorted()

        switch submission.type {
        case .access:
            guard submission.rectification.isEmpty, submission.objection == nil else {
                throw RequestError.invalidSubmission(field: "type", reason: "an access request carries no rectification items or objection")
            }
        case .rectification:
            guard !submission.rectification.isEmpty else {
                throw RequestError.invalidSubmission(field: "rectification", reason: "give at least one FIELD=VALUE item; fields: \(PersonField.validKeys)")
            }
            var seenFields = Set<PersonField>()
            result.rectification = try submission.rectification.enumerated().map { index, item in
                guard seenFields.insert(item.field).inserted else {
                    throw RequestError.invalidSubmission(field: "rectification[\(index)].field",
                                                         reason: "the field \(item.field.rawValue) is named twice; give one correction per field")
                }
                var checked = item
                do {
                    checked.requestedValue = try FieldValidation.normalise(item.requestedValue, for: item.field, sources: lists)
                } catch let error as LedgerError {
                    throw RequestError.invalidSubmission(field: "rectification[\(index)].value", reason: error.description)
                }
                // A statement that shows nothing is no statement, from the command line as from a request file.
                checked.statement = FreeText.nonBlank(item.statement?.trimmingCharacters(in: .whitespacesAndNewlines))
                if let statement = checked.statement, let problem = FreeText.problem(in: statement) {
                    throw RequestError.invalidSubmission(field: "rectification[\(index)].statement", reason: problem)
                }
                return checked
            }
        case .objection:
            guard let objection = submission.objection, !objection.purposeKeys.isEmpty else {
                throw RequestError.invalidSubmission(field: "objection.purposes", reason: "name at least one purpose; valid: \(lists.purposes.map(\.key).joined(separator: ", "))")
            }
            if let grounds = objection.grounds, let problem = FreeText.problem(in: grounds) {
                throw RequestError.invalidSubmission(field: "objection.grounds", reason: problem)
            }
            result.objection?.grounds = FreeText.nonBlank(objection.grounds)
            for (index, key) in objection.purposeKeys.enumerated() {
                guard lists.purpose(key) != nil else {
                    throw RequestError.invalidSubmission(field: "objection.purposes", reason: "unknown purpose '\(key)'; valid: \(lists.purposes.map(\.key).joined(separator: ", "))")
                }
                guard !objection.purposeKeys[..<index].contains(key) else {
                    throw RequestError.invalidSubmission(field: "objection.purposes[\(index)]", reason: "\"\(key)\" is named twice; name each purpose once")
                }
            }
        }
        return result
    }

    // MARK: Reads

    /// The request with `reference` (any case, white space around it ignored): ``RequestError/malformedReference(_:)``
    /// when the text is not shaped like a reference (an invalid value), ``RequestError/unknownRequest(_:)`` when no
    /// request has it.
    public func request(_ reference: String) throws -> DataSubjectRequest {
        let normalised = reference.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard Self.isShapedLikeReference(normalised) else { throw RequestError.malformedReference(reference) }
        guard let request = try store.readRequests({ try $0.request(reference: normalised) }) else {
            throw RequestError.unknownRequest(reference)
        }
        return request
    }

    /// Whether `text` has the shape of the references ``file(_:by:)`` gives: `DSR-`, a four-digit year, `-`, and a
    /// sequence number of at least six digits.
    static func isShapedLikeReference(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "DSR" && parts[1].count == 4 && parts[2].count >= 6
            && parts[1...].allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// A request with its state history, extracts, and its place against the deadline.
    public func details(_ reference: String) throws -> RequestDetails {
        let request = try request(reference)
        let now = clock()
        let messages = try store.readOutbox { try $0.messages(requestID: request.id) }
        return try store.snapshot { ledger, requests in
            let calendar = try OrganisationProfile(settings: try ledger.settings()).deadlineCalendar()
            return RequestDetails(
                request: request, transitions: try requests.transitions(requestID: request.id),
                extracts: try requests.extracts(requestID: request.id),
                daysLeft: calendar.daysUntil(request.effectiveDueOn, from: now),
                isOverdue: !request.state.isTerminal && calendar.isOverdue(due: request.effectiveDueOn, now: now),
                decisions: try requests.decisions(requestID: request.id),
                recipientNotifications: try requests.recipientNotifications(requestID: request.id),
                messages: messages)
        }
    }

    /// Requests, most urgent first: optionally only in one state, only overdue, or only due within `dueWithinDays`.
    public func list(state: RequestState? = nil, overdueOnly: Bool = false, dueWithinDays: Int? = nil) throws -> [RequestDetails] {
        let now = clock()
        return try store.snapshot { ledger, requests in
            let calendar = try OrganisationProfile(settings: try ledger.settings()).deadlineCalendar()
            return try requests.requests(states: state.map { [$0] }).compactMap { request in
                let daysLeft = calendar.daysUntil(request.effectiveDueOn, from: now)
                let overdue = !request.state.isTerminal && calendar.isOverdue(due: request.effectiveDueOn, now: now)
                if overdueOnly && !overdue { return nil }
                if let window = dueWithinDays, request.state.isTerminal || daysLeft > window { return nil }
                return RequestDetails(request: request, transitions: [], extracts: try requests.extracts(requestID: request.id),
                                      daysLeft: daysLeft, isOverdue: overdue)
            }
        }
    }

    // MARK: Officer actions

    /// Moves a request to `state`, refusing illegal transitions; records who, when and why.
    @discardableResult
    public func transition(_ reference: String, to state: RequestState, by actor: String, note: String?) throws -> DataSubjectRequest {
        try FreeText.checkActor(actor)
        try FreeText.check(note, field: "note")
        let now = clock()
        return try updatingRequest(reference) { current, requests in
            // Closing a request a worker is answering right now would race its answer; the worker is done in moments.
            if state.isTerminal, let lease = try requests.lease(requestID: current.id), lease.holds(at: now) {
                throw RequestError.nothingToDecide(reference: current.reference,
                                                   reason: "a worker is processing it right now (until \(lease.expiresAt.formatted(.iso8601))); try again when it is done")
            }
            return try Self.move(current, to: state, at: now, by: actor, note: note, in: requests)
        }
    }

    /// Runs `body` with the request `reference` as it stands in one write transaction of the requests (read again
    /// inside it, so that a change made meanwhile is seen), and returns what `body` makes of it.
    func updatingRequest(_ reference: String, _ body: (DataSubjectRequest, any RequestWriter) throws -> DataSubjectRequest) throws -> DataSubjectRequest {
        let request = try request(reference)
        return try store.writeRequests { requests in
            guard let current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            return try body(current, requests)
        }
    }

    /// Resumes a failed request for a worker to take again: `in-progress`, or `extended` when its period was extended
    /// (as an assignment or a confirmed identity takes a request on), with a fresh series of attempts.
    ///
    /// - Throws: ``RequestError/notFailed(reference:state:)`` for a request in any other state.
    @discardableResult
    public func retry(_ reference: String, by actor: String) throws -> DataSubjectRequest {
        try FreeText.checkActor(actor)
        let now = clock()
        return try updatingRequest(reference) { current, requests in
            guard current.state == .failed else { throw RequestError.notFailed(reference: current.reference, state: current.state) }
            return try Self.move(current, to: current.extendedDueOn == nil ? .inProgress : .extended, at: now, by: actor,
                                 note: "Retried by an officer", in: requests)
        }
    }

    /// Extends the period by two further months (Art. 12(3)): only before the original due date, once, with a reason.
    @discardableResult
    public func extend(_ reference: String, reason: String, by actor: String) throws -> DataSubjectRequest {
        try FreeText.checkActor(actor)
        try FreeText.check(reason, field: "reason")
        let now = clock()
        let request = try request(reference)
        return try store.transaction { ledger, requests, outbox in
            guard var current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            let calendar = try OrganisationProfile(settings: try ledger.settings()).deadlineCalendar()
            do {
                try calendar.validateExtension(receivedOn: current.receivedOn, dueOn: current.dueOn, alreadyExtended: current.extendedDueOn != nil,
                                               now: now, reason: reason)
            } catch let error as DeadlineExtensionError {
                throw RequestError.extensionRefused(error.description)
            }
            // A request that waits for someone keeps waiting, with the period extended: for the person to confirm who
            // they are (confirming takes it on as extended), for an officer's decision (a decision list must still
            // show it), or for an officer to retry it after a failure. Only a request being handled becomes `extended`.
            let waitingFor: String? = switch current.state {
            case .awaitingIdentity: "Still awaiting the person's confirmation of identity."
            case .awaitingDecision: "Still awaiting an officer's decision."
            case .failed: "Still failed; retry it with `inzage request retry` when the cause is fixed."
            default: nil
            }
            guard !current.state.isTerminal, waitingFor != nil || current.state.canTransition(to: .extended) else {
                throw RequestError.illegalTransition(.illegalTransition(from: current.state, to: .extended, allowed: current.state.allowedNextStates))
            }
            current.extendedDueOn = calendar.extendedDueDate(receivedOn: current.receivedOn)
            current.extensionReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            let told = try notices.notifyPerson(.extensionNotice, about: current, ledger: ledger, outbox: outbox, at: now)
            let note = Self.sentence("Extended to \(current.extendedDueOn?.description ?? "") — \(current.extensionReason ?? "")") + " \(Self.delivery(of: told))"
            guard let waitingFor else { return try Self.move(current, to: .extended, at: now, by: actor, note: note, in: requests) }
            current.updatedAt = now
            try requests.appendTransition(RequestTransition(requestID: current.id, at: now, from: current.state, to: current.state, by: actor,
                                                            note: note + " " + waitingFor))
            try requests.updateRequest(current)
            return current
        }
    }

    /// Settles who the request is about: chooses between the candidates of an ambiguous match, or names the person
    /// when nobody matched (the officer found the person another way). The request then continues as far as it goes
    /// without an officer (``proceed(_:by:at:ledger:requests:outbox:)``).
    @discardableResult
    public func assign(_ reference: String, personID: Int64, by actor: String) throws -> DataSubjectRequest {
        try FreeText.checkActor(actor)
        let now = clock()
        let request = try request(reference)
        return try store.transaction { ledger, requests, outbox in
            guard var current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            guard try ledger.person(id: personID) != nil else { throw RequestError.unknownPerson(personID) }
            guard current.state != .awaitingIdentity else {
                throw RequestError.identityCheck(reference: current.reference,
                                                 reason: "the person's identity is not confirmed yet (awaiting-identity); confirm it with `inzage request confirm-identity` first")
            }
            let assignable: [RequestState] = [.received, .inProgress, .extended, .awaitingDecision]
            guard current.personID == nil, assignable.contains(current.state) else {
                throw RequestError.personAlreadySettled(reference: current.reference, state: current.state)
            }
            if let lease = try requests.lease(requestID: current.id), lease.holds(at: now) {
                throw RequestError.nothingToDecide(reference: current.reference,
                                                   reason: "a worker is processing it right now (until \(lease.expiresAt.formatted(.iso8601))); try again when it is done")
            }
            current.personID = personID
            if current.language == nil {
                current.language = try ledger.person(id: personID)?.details.language.flatMap(Language.init(rawValue:))
            }
            // Choosing someone the identifiers did not match is the officer's call; the history says so.
            let outside = current.candidateIDs.isEmpty || current.candidateIDs.contains(personID) ? ""
                : ", who was not among the candidates (\(current.candidateIDs.map(String.init).joined(separator: ", ")))"
            let note = "Assigned to person \(personID)\(outside)"
            if current.state == .awaitingDecision {
                let next: RequestState = current.extendedDueOn == nil ? .inProgress : .extended
                current = try Self.move(current, to: next, at: now, by: actor, note: note, in: requests)
            } else {
                // No change of state (nobody matched, and the request waits for a worker), but who settled the
                // person, and when, belongs in the history all the same.
                current.updatedAt = now
                try requests.updateRequest(current)
                try requests.appendTransition(RequestTransition(requestID: current.id, at: now, from: current.state, to: current.state,
                                                                by: actor, note: note))
            }
            return try proceed(current, by: actor, at: now, ledger: ledger, requests: requests, outbox: outbox)
        }
    }

    /// `text` ending in a full stop (unless it already ends in punctuation), to go before another sentence in a note.
    static func sentence(_ text: String) -> String {
        guard let last = text.last, !".!?".contains(last) else { return text }
        return text + "."
    }

    /// How a message went, for a transition's note: its outbox id, or that no e-mail address is known.
    static func delivery(of message: StoredMessage?) -> String {
        guard let message else { return "No e-mail address is known: tell the person by post." }
        return "Message \(message.id) (\(message.message.kind.rawValue)) queued."
    }

    /// Moves `request` to `state` inside a transaction: the transition record first, then the request.
    static func move(_ request: DataSubjectRequest, to state: RequestState, at now: Date, by actor: String, note: String?,
                     in requests: any RequestWriter) throws -> DataSubjectRequest {
        do {
            _ = try request.state.validatedTransition(to: state)
        } catch {
            throw RequestError.illegalTransition(error)
        }
        var moved = request
        moved.state = state
        moved.updatedAt = now
        if request.state == .failed {
            // An officer's retry starts a fresh series of attempts, at once.
            moved.attempts = 0
            try requests.setLease(requestID: request.id, lease: nil, nextAttemptAt: nil)
        }
        try requests.appendTransition(RequestTransition(requestID: request.id, at: now, from: request.state, to: state, by: actor, note: note))
        try requests.updateRequest(moved)
        return moved
    }
}

/// A request with its history and its place against the deadline.
public struct RequestDetails: Sendable {
    public var request: DataSubjectRequest
    /// State changes, oldest first (empty in lists).
    public var transitions: [RequestTransition]
    /// Stored extracts.
    public var extracts: [StoredExtract]
    /// Days from today (local) to the effective due date; negative when past.
    public var daysLeft: Int
    /// Whether an open request is past its due date.
    public var isOverdue: Bool
    /// Officers' decisions on the request's items (empty in lists).
    public var decisions: [ItemDecision] = []
    /// Notifications of corrections to recipients, Art. 19 (empty in lists).
    public var recipientNotifications: [RecipientNotification] = []
    /// Messages about the request in the outbox, oldest first (empty in lists).
    public var messages: [StoredMessage] = []
}
