import Foundation
import Testing
@testable import Inzage

@Suite("Request states and types")
struct RequestStateTests {
    /// The legal graph, written out independently of the implementation.
    static let legal: [RequestState: Set<RequestState>] = [
        .received: [.awaitingIdentity, .inProgress, .extended, .awaitingDecision, .rejected, .withdrawn, .failed],
        .awaitingIdentity: [.inProgress, .extended, .awaitingDecision, .rejected, .withdrawn],
        // A doubt about who asked (Art. 12(6)) may arise at any step before the answer; the request then goes back.
        .inProgress: [.awaitingIdentity, .extended, .awaitingDecision, .completed, .partiallyCompleted, .rejected, .withdrawn, .failed],
        .extended: [.awaitingIdentity, .inProgress, .awaitingDecision, .completed, .partiallyCompleted, .rejected, .withdrawn, .failed],
        .awaitingDecision: [.awaitingIdentity, .inProgress, .extended, .completed, .partiallyCompleted, .rejected, .withdrawn],
        .failed: [.inProgress, .extended, .rejected, .withdrawn],
        .completed: [],
        .partiallyCompleted: [],
        .rejected: [],
        .withdrawn: [],
    ]

    static let allPairs: [(RequestState, RequestState)] = RequestState.allCases.flatMap { from in
        RequestState.allCases.map { (from, $0) }
    }

    @Test("Every pair of states is allowed exactly when the graph lists it", arguments: allPairs)
    func transition(from: RequestState, to: RequestState) throws {
        let expected = try #require(Self.legal[from]).contains(to)
        #expect(from.canTransition(to: to) == expected)
        if expected {
            #expect(try from.validatedTransition(to: to) == to)
        } else {
            #expect(throws: RequestStateError.illegalTransition(from: from, to: to, allowed: from.allowedNextStates)) {
                try from.validatedTransition(to: to)
            }
        }
    }

    @Test("The allowed next states match the graph and come in declaration order", arguments: RequestState.allCases)
    func allowedNextStates(state: RequestState) throws {
        let next = state.allowedNextStates
        #expect(Set(next) == (try #require(Self.legal[state])))
        #expect(next.count == Set(next).count)
        let order = RequestState.allCases
        let positions = next.compactMap { order.firstIndex(of: $0) }
        #expect(positions == positions.sorted())
    }

    @Test("Terminal states have no exits; every other state does", arguments: RequestState.allCases)
    func terminal(state: RequestState) {
        let terminal: Set<RequestState> = [.completed, .partiallyCompleted, .rejected, .withdrawn]
        #expect(state.isTerminal == terminal.contains(state))
        #expect(state.allowedNextStates.isEmpty == state.isTerminal)
        #expect(!state.canTransition(to: state), "staying put is not a transition")
        if !state.isTerminal {
            #expect(state.canTransition(to: .withdrawn), "the person can withdraw until the end")
        }
    }

    @Test("Every state is reachable from received")
    func reachable() {
        var seen: Set<RequestState> = [.received]
        var queue: [RequestState] = [.received]
        while let state = queue.popLast() {
            for next in state.allowedNextStates where !seen.contains(next) {
                seen.insert(next)
                queue.append(next)
            }
        }
        #expect(seen == Set(RequestState.allCases))
    }

    @Test("Illegal transitions are refused with the current, requested and allowed states", arguments: [
        (RequestState.received, RequestState.completed,
         "A request cannot move from received to completed; from received it can move to: awaiting-identity, in-progress, extended, awaiting-decision, rejected, withdrawn, failed."),
        (.awaitingIdentity, .completed,
         "A request cannot move from awaiting-identity to completed; from awaiting-identity it can move to: in-progress, extended, awaiting-decision, rejected, withdrawn."),
        (.inProgress, .received,
         "A request cannot move from in-progress to received; from in-progress it can move to: awaiting-identity, extended, awaiting-decision, completed, partially-completed, rejected, withdrawn, failed."),
        (.extended, .extended,
         "A request cannot move from extended to extended: it is already extended; from extended it can move to: awaiting-identity, in-progress, awaiting-decision, completed, partially-completed, rejected, withdrawn, failed."),
        (.awaitingDecision, .failed,
         "A request cannot move from awaiting-decision to failed; from awaiting-decision it can move to: awaiting-identity, in-progress, extended, completed, partially-completed, rejected, withdrawn."),
        (.failed, .completed,
         "A request cannot move from failed to completed; from failed it can move to: in-progress, extended, rejected, withdrawn."),
        (.completed, .inProgress,
         "A request cannot move from completed to in-progress: completed is a final state and allows no further transitions."),
        (.withdrawn, .received,
         "A request cannot move from withdrawn to received: withdrawn is a final state and allows no further transitions."),
    ])
    func illegalMessage(from: RequestState, to: RequestState, message: String) {
        let error = #expect(throws: RequestStateError.self) { try from.validatedTransition(to: to) }
        #expect(error?.description == message)
        #expect(error?.localizedDescription == message)
    }

    @Test("Raw values are the stored keys")
    func rawValues() {
        #expect(RequestState.allCases.map(\.rawValue) == [
            "received", "awaiting-identity", "in-progress", "extended", "awaiting-decision",
            "completed", "partially-completed", "rejected", "withdrawn", "failed",
        ])
        #expect(RequestType.allCases.map(\.rawValue) == ["access", "rectification", "objection"])
    }

    @Test("States round-trip through JSON as their keys")
    func stateCodable() throws {
        let data = try JSONEncoder().encode([RequestState.awaitingDecision])
        #expect(String(decoding: data, as: UTF8.self) == #"["awaiting-decision"]"#)
        #expect(try JSONDecoder().decode([RequestState].self, from: data) == [.awaitingDecision])
    }

    @Test("Keys parse leniently; unknown keys are refused with the valid ones")
    func parsing() throws {
        #expect(try RequestState(key: " In-Progress\n") == .inProgress)
        #expect(try RequestType(key: "ACCESS") == .access)
        #expect(throws: RequestStateError.unknownKey("done")) { try RequestState(key: "done") }
        #expect(throws: RequestTypeError.unknownKey("erasure")) { try RequestType(key: "erasure") }
        #expect(RequestStateError.unknownKey("done").description.contains("partially-completed"))
        #expect(RequestTypeError.unknownKey("erasure").description
            == "Unknown request type \"erasure\"; valid types are: access, rectification, objection.")
    }

    @Test("Every state has a label and a one-sentence explanation in both languages", arguments: RequestState.allCases)
    func stateTexts(state: RequestState) {
        for language in Language.allCases {
            #expect(!state.label[language].isEmpty)
            let explanation = state.explanation[language]
            #expect(explanation.hasSuffix("."))
            #expect(explanation.dropLast().contains(".") == false, "one sentence: \(explanation)")
        }
        #expect(state.label.nl != state.label.en)
    }

    @Test("Labels are distinct per language")
    func distinctLabels() {
        for language in Language.allCases {
            #expect(Set(RequestState.allCases.map { $0.label[language] }).count == RequestState.allCases.count)
            #expect(Set(RequestType.allCases.map { $0.label[language] }).count == RequestType.allCases.count)
        }
    }

    @Test("Request types carry their GDPR article and labels", arguments: [
        (RequestType.access, 15, "Access", "Inzage"),
        (.rectification, 16, "Rectification", "Rectificatie"),
        (.objection, 21, "Objection", "Bezwaar"),
    ])
    func requestType(type: RequestType, article: Int, en: String, nl: String) {
        #expect(type.gdprArticle == article)
        #expect(type.articleReference.en == "Art. \(article) GDPR")
        #expect(type.articleReference.nl == "art. \(article) AVG")
        #expect(type.label.en == en)
        #expect(type.label.nl == nl)
        #expect(type.explanation.en.hasSuffix("."))
        #expect(type.explanation.nl.hasSuffix("."))
    }
}
