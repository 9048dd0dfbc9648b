import Foundation

extension RequestQueue {
    /// The states from which an officer may ask the person to confirm who they are: every state before the answer in
    /// which no worker holds the request.
    static let identityCheckStates: [RequestState] = [.received, .inProgress, .extended, .awaitingDecision]

    /// Asks the person to confirm that the request comes from them (Art. 12(6)), on reasonable doubt: the request
    /// waits in `awaiting-identity` — no worker takes it and no decision is made on it — and the person is sent
    /// `question`, what to send, in the same transaction. The period keeps running: the due date does not move.
    ///
    /// - Throws: ``RequestError/invalidDecision(field:reason:)`` for an empty question,
    ///   ``RequestError/requestClosed(reference:state:)`` for an answered request, ``RequestError/nothingToDecide(reference:reason:)``
    ///   when part of it was already carried out or a worker is processing it, and ``RequestError/illegalTransition(_:)``
    ///   from a state that cannot wait for the person.
    @discardableResult
    public func askForIdentity(_ reference: String, question: String, by actor: String) throws -> (request: DataSubjectRequest, message: StoredMessage?) {
        try FreeText.checkActor(actor)
        try FreeText.check(question, field: "question")
        let question = question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !FreeText.isBlank(question) else {
            throw RequestError.invalidDecision(field: "question", reason: "say what the person should send to confirm who they are; it is written to them")
        }
        let now = clock()
        let request = try request(reference)
        return try store.transaction { ledger, requests, outbox in
            guard let current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            guard !current.state.isTerminal else { throw RequestError.requestClosed(reference: current.reference, state: current.state) }
            guard Self.identityCheckStates.contains(current.state) else {
                throw RequestError.illegalTransition(.illegalTransition(from: current.state, to: .awaitingIdentity, allowed: current.state.allowedNextStates))
            }
            let decided = try requests.decisions(requestID: current.id)
            guard decided.isEmpty else {
                throw RequestError.identityCheck(reference: current.reference,
                                                 reason: "cannot ask for identity: part of it was already carried out (\(decided.map(\.item).joined(separator: ", "))), so who asked was settled then")
            }
            if let lease = try requests.lease(requestID: current.id), lease.holds(at: now) {
                throw RequestError.identityCheck(reference: current.reference,
                                                 reason: "cannot ask for identity while a worker is processing it (until \(lease.expiresAt.formatted(.iso8601))); try again when it is done")
            }
            let calendar = try OrganisationProfile(settings: try ledger.settings()).deadlineCalendar()
            let late = calendar.isOverdue(due: current.effectiveDueOn, now: now)
            let told = try notices.notifyPerson(.identityRequest(question: question, late: late), about: current, ledger: ledger, outbox: outbox, at: now)
            try requests.setLease(requestID: current.id, lease: nil, nextAttemptAt: nil)
            let moved = try Self.move(current, to: .awaitingIdentity, at: now, by: actor,
                                      note: Self.sentence("Identity asked (Art. 12(6)): \(question)") + " \(Self.delivery(of: told))", in: requests)
            return (moved, told)
        }
    }

    /// Records that the person confirmed who they are: the request goes on — to a worker (`in-progress`, or
    /// `extended` when the period was extended; also when it was still `received` when asked) or, when it waited for
    /// the officer's decision when asked, back to `awaiting-decision`. A person who did not confirm is refused with ``reject(_:reason:note:by:)`` and
    /// `identity-not-verified`.
    ///
    /// - Throws: ``RequestError/nothingToDecide(reference:reason:)`` when the request is not awaiting identity.
    @discardableResult
    public func confirmIdentity(_ reference: String, note: String?, by actor: String) throws -> DataSubjectRequest {
        try FreeText.checkActor(actor)
        try FreeText.check(note, field: "note")
        let now = clock()
        return try updatingRequest(reference) { current, requests in
            guard current.state == .awaitingIdentity else {
                throw RequestError.identityCheck(reference: current.reference,
                                                 reason: "cannot confirm identity: it is \(current.state.rawValue), not awaiting-identity; only a request whose identity was asked for (`inzage request ask-identity`) can be confirmed")
            }
            // The move into awaiting-identity (an extension while waiting records a move from it to itself).
            let asked = try requests.transitions(requestID: current.id).last { $0.to == .awaitingIdentity && $0.from != .awaitingIdentity }
            let next: RequestState
            switch asked?.from {
            case .awaitingDecision?: next = .awaitingDecision
            default: next = current.extendedDueOn == nil ? .inProgress : .extended
            }
            let written = note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            return try Self.move(current, to: next, at: now, by: actor,
                                 note: "Identity confirmed" + (written.map { " — \($0)" } ?? ""), in: requests)
        }
    }
}
