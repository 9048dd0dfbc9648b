import Foundation

/// An officer's decision on an objection to processing for a purpose that is not direct marketing (Art. 21(1)).
public enum ObjectionVerdict: String, Sendable, CaseIterable, Hashable {
    /// The objection is upheld: processing for the purpose stops (status `objected`).
    case uphold
    /// The objection is overridden: processing goes on for compelling legitimate grounds, which are written down
    /// and told to the person with their right to complain.
    case override
}

/// What deciding on an objection did.
public struct ObjectionDecisionResult: Sendable {
    /// The request after the decision.
    public var request: DataSubjectRequest
    /// The decisions made now.
    public var decided: [ItemDecision]
    /// The purposes still waiting for a decision.
    public var pendingPurposes: [String]
    /// The decision message to the person, once every purpose is decided; nil before that or when no e-mail address is known.
    public var message: StoredMessage?
}

extension RequestQueue {
    /// The attribution of changes made by handling `request`.
    static func attribution(_ request: DataSubjectRequest, by actor: String) -> Attribution {
        Attribution(by: actor, via: .request, reason: request.type.rawValue, requestReference: request.reference)
    }

    /// Applies an objection's direct-marketing purposes at once, with no review (Art. 21(3)): status `objected`, a
    /// consent event with the request reference, a suppression, and a confirmation to the person. The request is
    /// completed when nothing else is asked; objections on other purposes go to an officer (`awaiting-decision`).
    func applyObjectionAtIntake(_ request: DataSubjectRequest, by actor: String, at now: Date, ledger: any LedgerWriter,
                                requests: any RequestWriter, outbox: any OutboxWriter) throws -> DataSubjectRequest {
        guard let personID = request.personID, let objection = request.objection else { return request }
        let transaction = try LedgerTransaction(store: ledger, now: now)
        let decided = Set(try requests.decisions(requestID: request.id).map(\.item))
        var applied: [Purpose] = []
        var pending: [String] = []
        for key in objection.purposeKeys where !decided.contains(key) {
            let purpose = try transaction.lists.existingPurpose(key)
            guard purpose.isDirectMarketing else {
                pending.append(key)
                continue
            }
            var note: String?
            do {
                try transaction.recordObjection(personID: personID, purposeKey: key, attribution: Self.attribution(request, by: actor),
                                                comment: objection.grounds)
            } catch LedgerError.alreadyObjected(_, let since) {
                note = "Already objected since \(since.formatted(.iso8601)); confirmed again."
            }
            try requests.appendDecision(ItemDecision(requestID: request.id, item: key, outcome: .applied, reason: note, at: now, by: actor))
            applied.append(purpose)
        }
        var current = request
        if current.state == .received {
            current = try Self.move(current, to: .inProgress, at: now, by: "system", note: "Matched to person \(personID)", in: requests)
        }
        var told: StoredMessage?
        if !applied.isEmpty {
            told = try notices.notifyPerson(.objectionConfirmation(purposes: applied), about: current, ledger: ledger, outbox: outbox, at: now)
        }
        let appliedText = applied.isEmpty ? "" : "Objection to direct marketing (\(applied.map(\.key).joined(separator: ", "))) applied at once (Art. 21(3)). \(Self.delivery(of: told)) "
        if pending.isEmpty {
            return try Self.move(current, to: .completed, at: now, by: "system", note: appliedText.trimmingCharacters(in: .whitespaces), in: requests)
        }
        return try Self.move(current, to: .awaitingDecision, at: now, by: "system",
                             note: appliedText + "Objection to \(pending.joined(separator: ", ")) waits for an officer's decision (Art. 21(1)): `inzage request decide \(current.reference) --uphold|--override --reason TEXT`",
                             in: requests)
    }

    /// The purposes of an objection that still wait for an officer's decision.
    public func pendingObjectionPurposes(_ reference: String) throws -> [String] {
        let request = try request(reference)
        return try store.snapshot { ledger, requests in
            try Self.pendingPurposes(of: request, lists: ReferenceSnapshot(ledger), decided: requests.decisions(requestID: request.id))
        }
    }

    /// The purposes of the objection without a decision. (Direct-marketing purposes are decided at intake; one that
    /// became direct marketing since is still pending, and upholding it applies it as absolute.)
    static func pendingPurposes(of request: DataSubjectRequest, lists: ReferenceSnapshot, decided: [ItemDecision]) -> [String] {
        let done = Set(decided.map(\.item))
        return (request.objection?.purposeKeys ?? []).filter { !done.contains($0) }
    }

    /// The legal bases under which an objection may be overridden for compelling legitimate grounds (Art. 21(1)).
    public static let overridableBases: Set<String> = ["public-task", "legitimate-interest"]

    /// Decides an objection on purposes that are not direct marketing (Art. 21(1)), all of them or those named.
    ///
    /// Upheld: processing stops (consent status `objected`, with the request reference). Overridden: the compelling
    /// grounds (`reason`) are recorded as a consent event. Once every purpose is decided, the person is told the
    /// decision — with the grounds and their right to complain for an override — and the request ends: `completed`
    /// when every objection was granted, `rejected` when none was, `partially-completed` otherwise. All of it in one
    /// transaction.
    @discardableResult
    public func decide(_ reference: String, verdict: ObjectionVerdict, reason: String, purposes: [String] = [],
                       by actor: String) throws -> ObjectionDecisionResult {
        try FreeText.checkActor(actor)
        try FreeText.check(reason, field: "reason")
        let now = clock()
        let request = try request(reference)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !FreeText.isBlank(reason) else {
            throw RequestError.invalidDecision(field: "--reason", reason: verdict == .override
                ? "write down the compelling legitimate grounds that override the objection; the person reads them"
                : "say why the objection is upheld; it is kept with the decision")
        }
        return try store.transaction { ledger, requests, outbox in
            guard let current = try requests.request(id: request.id) else { throw RequestError.unknownRequest(reference) }
            guard current.type == .objection else {
                throw RequestError.wrongRequestType(reference: current.reference, type: current.type, expected: .objection)
            }
            guard !current.state.isTerminal else { throw RequestError.requestClosed(reference: current.reference, state: current.state) }
            guard current.state != .awaitingIdentity else {
                throw RequestError.nothingToDecide(reference: current.reference, reason: "the person's identity is not confirmed yet (awaiting-identity)")
            }
            guard let personID = current.personID else { throw RequestError.noPersonMatched(reference: current.reference) }
            let transaction = try LedgerTransaction(store: ledger, now: now)
            let pending = Self.pendingPurposes(of: current, lists: transaction.lists, decided: try requests.decisions(requestID: current.id))
            guard !pending.isEmpty else {
                throw RequestError.nothingToDecide(reference: current.reference, reason: "every purpose of the objection is decided")
            }
            var chosen: [String] = []
            for key in purposes.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !chosen.contains(key) { chosen.append(key) }
            if chosen.isEmpty { chosen = pending }
            for key in chosen where !pending.contains(key) {
                throw RequestError.invalidDecision(field: "--purpose", reason: "'\(key)' is not waiting for a decision; waiting: \(pending.joined(separator: ", "))")
            }
            if verdict == .override {
                for key in chosen {
                    let purpose = try transaction.lists.existingPurpose(key)
                    let basis = try ledger.consent(personID: personID, purposeKey: key)?.basisKey ?? purpose.defaultBasisKey
                    guard !purpose.isDirectMarketing, Self.overridableBases.contains(basis) else {
                        let why = purpose.isDirectMarketing
                            ? "it is direct marketing, where an objection is absolute (Art. 21(3))"
                            : "its processing rests on the legal basis '\(basis)'; compelling grounds can override an objection only to processing on \(Self.overridableBases.sorted().joined(separator: " or ")) (Art. 21(1)). Uphold it (for consent, the objection withdraws it)"
                        throw RequestError.invalidDecision(field: "--override of \(key)", reason: why)
                    }
                }
            }
            var decided: [ItemDecision] = []
            for key in chosen {
                switch verdict {
                case .uphold:
                    do {
                        try transaction.recordObjection(personID: personID, purposeKey: key, attribution: Self.attribution(current, by: actor), comment: reason)
                    } catch LedgerError.alreadyObjected {
                        // Processing already stopped; the decision is still recorded for this request.
                    }
                case .override:
                    try transaction.recordObjectionOverride(personID: personID, purposeKey: key, grounds: reason,
                                                            attribution: Self.attribution(current, by: actor))
                }
                let decision = ItemDecision(requestID: current.id, item: key, outcome: verdict == .uphold ? .upheld : .overridden,
                                            reason: reason, at: now, by: actor)
                try requests.appendDecision(decision)
                decided.append(decision)
            }
            let remaining = pending.filter { !chosen.contains($0) }
            guard remaining.isEmpty else {
                return ObjectionDecisionResult(request: current, decided: decided, pendingPurposes: remaining, message: nil)
            }
            let all = try requests.decisions(requestID: current.id)
            let decisions: [ObjectionPurposeDecision] = try all.compactMap { decision in
                let purpose = try transaction.lists.existingPurpose(decision.item)
                switch decision.outcome {
                case .upheld: return ObjectionPurposeDecision(purpose: purpose, outcome: .upheld(reason: decision.reason ?? reason))
                case .overridden: return ObjectionPurposeDecision(purpose: purpose, outcome: .overridden(grounds: decision.reason ?? reason))
                default: return nil
                }
            }
            let told = try notices.notifyPerson(.objectionDecision(decisions), about: current, ledger: ledger, outbox: outbox, at: now)
            let granted = all.filter(\.outcome.grantsRequest).count
            let end: RequestState = granted == all.count ? .completed : (granted == 0 ? .rejected : .partiallyCompleted)
            let summary = all.map { "\($0.item): \($0.outcome.rawValue)" }.joined(separator: ", ")
            let moved = try Self.move(current, to: end, at: now, by: actor, note: "Objection decided (\(summary)). \(Self.delivery(of: told))", in: requests)
            return ObjectionDecisionResult(request: moved, decided: decided, pendingPurposes: [], message: told)
        }
    }
}
