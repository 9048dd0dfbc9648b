import Foundation

/// Where a data-subject request stands, and which moves from one state to another are legal.
///
/// The raw value is the stable key stored with the request and shown in extracts.
///
/// ## The transition graph
///
/// | From                | To |
/// |---------------------|----|
/// | `received`          | `awaiting-identity`, `in-progress`, `extended`, `awaiting-decision`, `rejected`, `withdrawn`, `failed` |
/// | `awaiting-identity` | `in-progress`, `rejected`, `withdrawn` |
/// | `in-progress`       | `extended`, `awaiting-decision`, `completed`, `partially-completed`, `rejected`, `withdrawn`, `failed` |
/// | `extended`          | `in-progress`, `awaiting-decision`, `completed`, `partially-completed`, `rejected`, `withdrawn`, `failed` |
/// | `awaiting-decision` | `in-progress`, `extended`, `completed`, `partially-completed`, `rejected`, `withdrawn` |
/// | `failed`            | `in-progress`, `extended`, `rejected`, `withdrawn` |
/// | `completed`, `partially-completed`, `rejected`, `withdrawn` | none (terminal) |
///
/// Why it looks like this:
/// - `awaiting-identity` is entered only from `received`, and only on reasonable doubt about who asks
///   (Art. 12(6)). Once the identity is confirmed the request is handled (`in-progress`); if the person
///   does not or cannot identify themself it is `rejected`. Nothing is processed while waiting, so it
///   cannot fail.
/// - `received` may go straight to `awaiting-decision` when intake already finds several matching
///   persons (never merged silently), and straight to `rejected` for a refusal under Art. 12(5) that
///   needs no handling; a refusal must go out within the first month (Art. 12(4)).
/// - `extended` records the two-month extension of Art. 12(3). Handling goes on in `extended`; it may
///   return to `in-progress` after a retry or a decision. `extended` cannot be entered from itself,
///   but the graph alone cannot stop a second extension after the request has left `extended`: keep
///   "already extended" on the request and check it with ``DeadlineCalendar/validateExtension(receivedOn:dueOn:alreadyExtended:now:reason:)``.
/// - `awaiting-decision` is an officer's decision (ambiguous match, rectification review, objection
///   on a purpose that is not direct marketing). It cannot fail: nothing runs until the officer decides,
///   and the work after a decision runs in `in-progress` (or `extended`). An extension while the officer
///   has yet to decide keeps the request in `awaiting-decision` (the graph still allows
///   `awaiting-decision` → `extended` for stores written before that rule).
/// - `failed` is a processing error. It never loses the request: an officer retries (`in-progress`, or `extended`
///   when the period was extended while it had failed), or the request ends as `rejected` or `withdrawn`. It cannot
///   complete without being retried.
/// - The person can withdraw from every non-terminal state.
/// - Terminal states have no exits. A new question from the person is a new request.
/// - Staying in the same state is not a transition and is refused. The request's history may still hold a row
///   from a state to itself: a note of something that happened without changing the state, such as an
///   extension while the request waits (for the person, an officer's decision, or a retry), a person
///   assigned while the request waits for a worker, or a deadline moved with the decreed days.
public enum RequestState: String, Codable, Sendable, CaseIterable, Hashable {
    /// Registered; nothing has been decided yet.
    case received
    /// Waiting for the person to confirm their identity (Art. 12(6)).
    case awaitingIdentity = "awaiting-identity"
    /// Being handled.
    case inProgress = "in-progress"
    /// Being handled after the period was extended by two months (Art. 12(3)).
    case extended
    /// Waiting for an officer's decision.
    case awaitingDecision = "awaiting-decision"
    /// Fully granted and answered.
    case completed
    /// Partly granted; the person was told why the rest was not.
    case partiallyCompleted = "partially-completed"
    /// Refused, with reasons and the right to complain (Art. 12(4)).
    case rejected
    /// Withdrawn by the person.
    case withdrawn
    /// Interrupted by a processing error; an officer retries it.
    case failed

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether the request has ended; a terminal state has no next states.
    public var isTerminal: Bool {
        switch self {
        case .completed, .partiallyCompleted, .rejected, .withdrawn: true
        case .received, .awaitingIdentity, .inProgress, .extended, .awaitingDecision, .failed: false
        }
    }

    /// The states a request in this state may move to, in declaration order; empty for terminal states.
    public var allowedNextStates: [RequestState] {
        switch self {
        case .received:
            [.awaitingIdentity, .inProgress, .extended, .awaitingDecision, .rejected, .withdrawn, .failed]
        case .awaitingIdentity:
            [.inProgress, .extended, .awaitingDecision, .rejected, .withdrawn]
        case .inProgress:
            [.awaitingIdentity, .extended, .awaitingDecision, .completed, .partiallyCompleted, .rejected, .withdrawn, .failed]
        case .extended:
            [.awaitingIdentity, .inProgress, .awaitingDecision, .completed, .partiallyCompleted, .rejected, .withdrawn, .failed]
        case .awaitingDecision:
            [.awaitingIdentity, .inProgress, .extended, .completed, .partiallyCompleted, .rejected, .withdrawn]
        case .failed:
            [.inProgress, .extended, .rejected, .withdrawn]
        case .completed, .partiallyCompleted, .rejected, .withdrawn:
            []
        }
    }

    /// Whether a request in this state may move to `next`.
    public func canTransition(to next: RequestState) -> Bool {
        allowedNextStates.contains(next)
    }

    /// Returns `next` when the move from this state is legal.
    ///
    /// - Throws: ``RequestStateError/illegalTransition(from:to:allowed:)`` naming this state, `next`
    ///   and the states that are allowed.
    public func validatedTransition(to next: RequestState) throws(RequestStateError) -> RequestState {
        guard canTransition(to: next) else {
            throw .illegalTransition(from: self, to: next, allowed: allowedNextStates)
        }
        return next
    }

    /// Parses a key such as `in-progress`; surrounding white space and letter case are ignored.
    ///
    /// - Throws: ``RequestStateError/unknownKey(_:)`` naming the valid keys.
    public init(key: String) throws(RequestStateError) {
        let normalized = key.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let state = RequestState(rawValue: normalized) else {
            throw .unknownKey(key)
        }
        self = state
    }

    /// The short name of the state, as shown to the person and to officers.
    public var label: LocalizedText {
        switch self {
        case .received: LocalizedText(nl: "Ontvangen", en: "Received")
        case .awaitingIdentity: LocalizedText(nl: "Wacht op bevestiging van identiteit", en: "Awaiting proof of identity")
        case .inProgress: LocalizedText(nl: "In behandeling", en: "In progress")
        case .extended: LocalizedText(nl: "Termijn verlengd", en: "Period extended")
        case .awaitingDecision: LocalizedText(nl: "Wacht op een besluit", en: "Awaiting a decision")
        case .completed: LocalizedText(nl: "Afgehandeld", en: "Completed")
        case .partiallyCompleted: LocalizedText(nl: "Gedeeltelijk afgehandeld", en: "Partially completed")
        case .rejected: LocalizedText(nl: "Afgewezen", en: "Rejected")
        case .withdrawn: LocalizedText(nl: "Ingetrokken", en: "Withdrawn")
        case .failed: LocalizedText(nl: "Onderbroken door een fout", en: "Interrupted by an error")
        }
    }

    /// One sentence in plain words saying what the state means for the person.
    public var explanation: LocalizedText {
        switch self {
        case .received:
            LocalizedText(
                nl: "Wij hebben uw verzoek ontvangen en geregistreerd.",
                en: "We have received and registered your request."
            )
        case .awaitingIdentity:
            LocalizedText(
                nl: "Wij hebben u om extra gegevens gevraagd om te bevestigen dat het verzoek van u komt, omdat wij daaraan redelijkerwijs twijfelden.",
                en: "We asked you for more information to confirm that the request comes from you, because we had reasonable doubts about it."
            )
        case .inProgress:
            LocalizedText(
                nl: "Wij zijn bezig met de behandeling van uw verzoek.",
                en: "We are handling your request."
            )
        case .extended:
            LocalizedText(
                nl: "Wij hebben de termijn voor ons antwoord met twee maanden verlengd en u laten weten waarom.",
                en: "We extended the period for our answer by two months and told you why."
            )
        case .awaitingDecision:
            LocalizedText(
                nl: "Een medewerker moet een besluit over uw verzoek nemen voordat wij verder kunnen.",
                en: "A member of our staff must make a decision about your request before we can continue."
            )
        case .completed:
            LocalizedText(
                nl: "Wij hebben uw verzoek volledig afgehandeld.",
                en: "We have handled your request in full."
            )
        case .partiallyCompleted:
            LocalizedText(
                nl: "Wij hebben uw verzoek voor een deel ingewilligd en u laten weten waarom wij de rest niet hebben ingewilligd.",
                en: "We granted part of your request and told you why we did not grant the rest."
            )
        case .rejected:
            LocalizedText(
                nl: "Wij hebben uw verzoek afgewezen, u de redenen gegeven en u gewezen op uw recht om een klacht in te dienen bij de toezichthouder of naar de rechter te gaan.",
                en: "We refused your request, gave you the reasons and told you that you may complain to the supervisory authority or go to court."
            )
        case .withdrawn:
            LocalizedText(
                nl: "U hebt uw verzoek ingetrokken, dus wij zijn gestopt met de behandeling.",
                en: "You withdrew your request, so we stopped handling it."
            )
        case .failed:
            LocalizedText(
                nl: "Een technische fout heeft de behandeling onderbroken; uw verzoek is niet verloren en een medewerker zet de behandeling voort.",
                en: "A technical error interrupted the handling; your request is not lost and a member of our staff will resume it."
            )
        }
    }
}

/// A request state that cannot be parsed, or a move between states that is not allowed.
public enum RequestStateError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The key is not one of ``RequestState/validKeys``.
    case unknownKey(String)
    /// The move from `from` to `to` is not in the transition graph; `allowed` lists the legal next states.
    case illegalTransition(from: RequestState, to: RequestState, allowed: [RequestState])

    /// What was wrong and what is valid.
    public var description: String {
        switch self {
        case .unknownKey(let key):
            return "Unknown request state \"\(key)\"; valid states are: \(RequestState.validKeys)."
        case .illegalTransition(let from, let to, let allowed):
            let head = "A request cannot move from \(from.rawValue) to \(to.rawValue)"
            if allowed.isEmpty {
                return "\(head): \(from.rawValue) is a final state and allows no further transitions."
            }
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            if from == to {
                return "\(head): it is already \(from.rawValue); from \(from.rawValue) it can move to: \(list)."
            }
            return "\(head); from \(from.rawValue) it can move to: \(list)."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
