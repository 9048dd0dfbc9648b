import Foundation

/// What refusing a request did.
public struct RefusalResult: Sendable {
    /// The request, now `rejected`.
    public var request: DataSubjectRequest
    /// The notice to the person (Art. 12(4)); nil when no e-mail address is known and it must go by post.
    public var message: StoredMessage?
    /// Whether the refusal goes out after the first month, later than Art. 12(4) allows.
    public var isLate: Bool
}

extension RequestQueue {
    /// Refuses a reason that does not fit the request, so that no false or unlawful notice goes out:
    /// - `no-personal-data` for a request matched to a person, or to several (there is data; answer it or refuse for
    ///   another reason);
    /// - `rights-of-others` for anything but an access request (Art. 15(4) limits the copy, nothing else);
    /// - `identity-not-verified` unless the request awaits identity (`ask-identity`, not confirmed since) or the note
    ///   describes how it was asked (Art. 12(6): the person is asked first);
    /// - `manifestly-unfounded` and `excessive` without a note: the organisation bears the burden of demonstrating it
    ///   (Art. 12(5)), and the person is owed the reasons (Art. 12(4)).
    /// `transitions` (the request's history) is needed for `identity-not-verified` only.
    static func checkRefusal(_ reason: RefusalReason, note: String?, of request: DataSubjectRequest, transitions: [RequestTransition]) throws {
        func refuse(_ why: String) throws -> Never { throw RequestError.invalidSubmission(field: "reason", reason: "\(reason.rawValue) does not fit \(request.reference): \(why)") }
        switch reason {
        case .noPersonalData where request.personID != nil:
            try refuse("it is matched to person \(request.personID ?? 0), so data is held; answer it, or refuse it for another reason")
        case .noPersonalData where !request.candidateIDs.isEmpty:
            try refuse("its identifiers match persons \(request.candidateIDs.map(String.init).joined(separator: ", ")); assign one (`inzage request assign`) or refuse it for another reason")
        case .rightsOfOthers where request.type != .access:
            try refuse("Art. 15(4) protects others in the copy an access request gets; a \(request.type.rawValue) request cannot be refused for it")
        case .identityNotVerified where note == nil && request.state != .awaitingIdentity:
            let asked = transitions.contains { $0.to == .awaitingIdentity }
            try refuse(asked ? "the person's identity was confirmed since it was asked; refuse it for another reason, or say in --note why identity is still in doubt"
                             : "the person was never asked to confirm who they are; ask first (`inzage request ask-identity \(request.reference) --question TEXT`), or say in --note how and when you asked (Art. 12(6))")
        case .manifestlyUnfounded where note == nil, .excessive where note == nil:
            throw RequestError.invalidSubmission(field: "note", reason: "a refusal as \(reason.rawValue) needs --note with the reasons: the organisation must be able to show why (Art. 12(5)), and the person is owed them (Art. 12(4))")
        default:
            return
        }
    }

    /// Refuses a request (Art. 12(4)–(6)): the request becomes `rejected`, and the person is sent the reason in
    /// plain words, the officer's note, and their right to complain to the supervisory authority and to go to court
    /// — in one transaction.
    ///
    /// A refusal must go out within the first month; a later one is still recorded and sent, and ``RefusalResult/isLate``
    /// says so. A request that a worker is processing right now is refused with an error: try again once it is done.
    @discardableResult
    public func reject(_ reference: String, reason: RefusalReason, note: String?, by actor: String) throws -> RefusalResult {
        try FreeText.checkActor(actor)
        try FreeText.check(note, field: "note")
        let now = clock()
        let request = try request(reference)
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        return try store.transaction { ledger, requests, outbox in
            guard let current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            guard !current.state.isTerminal else { throw RequestError.requestClosed(reference: current.reference, state: current.state) }
            let decided = try requests.decisions(requestID: current.id)
            guard decided.isEmpty else {
                let pending = Self.pendingPurposes(of: current, lists: try ReferenceSnapshot(ledger), decided: decided)
                throw RequestError.partlyCarriedOut(reference: current.reference, carriedOut: decided.map(\.item), pending: pending)
            }
            if let lease = try requests.lease(requestID: current.id), lease.holds(at: now) {
                throw RequestError.nothingToDecide(reference: current.reference,
                                                   reason: "a worker is processing it right now (until \(lease.expiresAt.formatted(.iso8601))); try again when it is done")
            }
            try Self.checkRefusal(reason, note: note, of: current,
                                  transitions: reason == .identityNotVerified ? try requests.transitions(requestID: current.id) : [])
            let profile = OrganisationProfile(settings: try ledger.settings())
            let calendar = try profile.deadlineCalendar()
            let isLate = calendar.isOverdue(due: current.dueOn, now: now)
            let language = MessageRenderer.language(for: current, organisation: profile)
            let text = [try notices.renderer.labels(language).code(reason).explanation, note].compactMap { $0 }.joined(separator: "\n\n")
            let told = try notices.notifyPerson(.refusal(reason: text), about: current, ledger: ledger, outbox: outbox, at: now)
            try requests.setLease(requestID: current.id, lease: nil, nextAttemptAt: nil)
            var refused = current
            refused.refusal = RequestRefusal(reason: reason, note: note)
            let lateText = isLate ? " Sent after the first month (due \(current.dueOn)), later than Art. 12(4) allows." : ""
            let moved = try Self.move(refused, to: .rejected, at: now, by: actor,
                                      note: Self.sentence("Refused: \(reason.rawValue) (Art. \(reason.article))\(note.map { " — \($0)" } ?? "")")
                                        + "\(lateText) \(Self.delivery(of: told))",
                                      in: requests)
            return RefusalResult(request: moved, message: told, isLate: isLate)
        }
    }
}

extension String {
    /// Nil for an empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
