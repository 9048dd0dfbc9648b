import Foundation

/// Why the request queue refused something. Nothing was written.
public enum RequestError: Error, Equatable, CustomStringConvertible {
    /// No request has this reference.
    case unknownRequest(String)
    /// The text given as a reference does not have a reference's shape (DSR-2026-000123).
    case malformedReference(String)
    /// A field of a submission is missing or invalid.
    case invalidSubmission(field: String, reason: String)
    /// The received date lies in the future (`value` is the date); or, with `isTime`, the date is today but the time
    /// lies in the future (`value` is the date and time with the organisation's offset).
    case receivedInFuture(String, isTime: Bool = false)
    /// The state change is not allowed.
    case illegalTransition(RequestStateError)
    /// The extension is not allowed; the reason is a ``DeadlineExtensionError``'s description, a whole sentence.
    case extensionRefused(String)
    /// The request already has its person, or has ended, so there is no person to assign.
    case personAlreadySettled(reference: String, state: RequestState)
    /// No person has this id: the one assigned, or the one a request names.
    case unknownPerson(Int64)
    /// The worker's lease lapsed and another worker may have taken the request.
    case leaseLost(reference: String)
    /// The command answers another type of request.
    case wrongRequestType(reference: String, type: RequestType, expected: RequestType)
    /// The request has no matched person yet, so nothing can be applied to the ledger.
    case noPersonMatched(reference: String)
    /// Nothing about the request waits for this decision.
    case nothingToDecide(reference: String, reason: String)
    /// Part of the request was carried out (`carriedOut`: its items), so it cannot be refused as a whole; `pending`
    /// (purposes of an objection) still wait for a decision.
    case partlyCarriedOut(reference: String, carriedOut: [String], pending: [String])
    /// A decision names an item that does not exist or was decided before, or lacks what it needs.
    case invalidDecision(field: String, reason: String)
    /// The request has ended; a final state allows no further decisions.
    case requestClosed(reference: String, state: RequestState)
    /// The person's identity cannot be asked for or confirmed now, for `reason`.
    case identityCheck(reference: String, reason: String)
    /// Only a failed request can be retried.
    case notFailed(reference: String, state: RequestState)

    /// Whether the error is about how the command was called (exit code 2) rather than about the data (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .invalidSubmission, .receivedInFuture, .invalidDecision, .malformedReference: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .unknownRequest(let reference):
            "No request has reference '\(reference)'. References look like DSR-2026-000123; `inzage request list` shows them."
        case .malformedReference(let text):
            "'\(FreeText.visible(text))' is not a request reference. References look like DSR-2026-000123; `inzage request list` shows them."
        case .invalidSubmission(let field, let reason):
            "Invalid \(field): \(reason)" + (reason.hasSuffix(".") ? "" : ".")
        case .receivedInFuture(let value, let isTime):
            "The received \(isTime ? "date and time \(value) lie" : "date \(value) lies") in the future; give the date (or date and time) the request reached the organisation."
        case .illegalTransition(let error):
            error.description
        case .extensionRefused(let reason):
            // The reason says what cannot be done and why ("The period can no longer be extended: …").
            reason
        case .personAlreadySettled(let reference, let state):
            "Request \(reference) (\(state.rawValue)) has its person settled or has ended; `inzage request assign` names the person of an open request that has none yet (an ambiguous match, or nobody matched)."
        case .unknownPerson(let id):
            "No person has id \(id). Find a person's id with `inzage person find --email E` or `--name TEXT`."
        case .leaseLost(let reference):
            "The worker's lease on \(reference) lapsed before it finished; another worker will take the request again."
        case .wrongRequestType(let reference, let type, let expected):
            "Request \(reference) is a\(type == .rectification ? "" : "n") \(type.rawValue) request; this command handles \(expected.rawValue) requests only."
        case .noPersonMatched(let reference):
            "Request \(reference) is not matched to a person yet. Settle the match first with `inzage request assign \(reference) --person ID`, or refuse it with `inzage request reject \(reference) --reason no-personal-data`."
        case .nothingToDecide(let reference, let reason):
            "Request \(reference) has nothing to decide: \(reason)"
        case .partlyCarriedOut(let reference, let carriedOut, let pending):
            "Request \(reference) cannot be refused as a whole: part of it was already carried out (\(carriedOut.joined(separator: ", "))), "
                + "and a refusal would contradict that."
                + (pending.isEmpty ? "" : " It still waits for a decision on \(pending.joined(separator: ", ")): decide that with "
                    + "`inzage request decide \(reference) --uphold|--override --reason TEXT` (--override, for compelling legitimate grounds, "
                    + "is how an objection is refused).")
        case .invalidDecision(let field, let reason):
            "Invalid \(field): \(reason)" + (reason.hasSuffix(".") ? "" : ".")
        case .requestClosed(let reference, let state):
            "Request \(reference) is \(state.rawValue), a final state; a new question from the person is a new request."
        case .identityCheck(let reference, let reason):
            "Request \(reference): \(reason)" + (reason.hasSuffix(".") ? "" : ".")
        case .notFailed(let reference, let state):
            "Request \(reference) is \(state.rawValue), not failed; only a failed request can be retried."
        }
    }
}
