import Foundation

/// Why the request queue refused something. Nothing was written.
public enum RequestError: Error, Equatable, CustomStringConvertible {
    /// No request has this reference.
    case unknownRequest(String)
    /// A field of a submission is missing or invalid.
    case invalidSubmission(field: String, reason: String)
    /// The received date lies in the future.
    case receivedInFuture(String)
    /// The state change is not allowed.
    case illegalTransition(RequestStateError)
    /// The extension is not allowed.
    case extensionRefused(String)
    /// The request does not wait for the decision asked.
    case notAwaitingDecision(reference: String, state: RequestState)
    /// The person assigned is not a person.
    case unknownPerson(Int64)
    /// The worker's lease lapsed and another worker may have taken the request.
    case leaseLost(reference: String)

    /// Whether the error is about how the command was called (exit code 2) rather than about the data (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .invalidSubmission, .receivedInFuture: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .unknownRequest(let reference):
            "No request has reference '\(reference)'. References look like DSR-2026-000123; `inzage request list` shows them."
        case .invalidSubmission(let field, let reason):
            "Invalid \(field): \(reason)" + (reason.hasSuffix(".") ? "" : ".")
        case .receivedInFuture(let value):
            "The received date \(value) lies in the future; give the date (or date and time) the request reached the organisation."
        case .illegalTransition(let error):
            error.description
        case .extensionRefused(let reason):
            "The period cannot be extended: \(reason)"
        case .notAwaitingDecision(let reference, let state):
            "Request \(reference) (\(state.rawValue)) has no ambiguous match to settle; `inzage request assign` only chooses between the candidate persons of a request awaiting a decision."
        case .unknownPerson(let id):
            "No person has id \(id). Find a person's id with `inzage person find --email E` or `--name TEXT`."
        case .leaseLost(let reference):
            "The worker's lease on \(reference) lapsed before it finished; another worker will take the request again."
        }
    }
}
