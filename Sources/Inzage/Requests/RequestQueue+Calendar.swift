import Foundation

extension RequestQueue {
    /// An open request whose due dates followed a change of the organisation's decreed days.
    public struct DueDateMove: Sendable, Equatable {
        /// The request's reference.
        public let reference: String
        /// The due date before the move.
        public let oldDueOn: CivilDate
        /// The due date after the move.
        public let newDueOn: CivilDate
        /// The extended due date before the move; nil when the request was not extended.
        public let oldExtendedDueOn: CivilDate?
        /// The extended due date after the move; nil when the request was not extended.
        public let newExtendedDueOn: CivilDate?
    }

    /// Changes organisation settings, as ``Ledger/updateEntry(_:key:changes:by:)`` does for the settings, and in the
    /// same transaction moves the due dates of every open request that the new decreed days move: a day decreed a
    /// non-working day after a request came in moves its deadline as much as one decreed before (Regulation 1182/71),
    /// and `request list`, the extension check and the letters must all give the same date. Each moved request keeps
    /// the move in its history. Returns the changes recorded and the requests moved.
    public func updateSettings(_ changes: [(field: String, value: String)], by actor: String) throws -> (changes: [ReferenceChange], moved: [DueDateMove]) {
        try Ledger.checkChanges(changes, by: actor)
        let now = clock()
        return try store.transaction { ledger, requests, _ in
            let records = try Ledger.applySettings(changes, tx: try LedgerTransaction(store: ledger, now: now), by: actor)
            guard let change = records.first(where: { $0.key == SettingKey.decreedDays.rawValue }) else { return (records, []) }
            let calendar = try OrganisationProfile(settings: try ledger.settings()).deadlineCalendar()
            var moved: [DueDateMove] = []
            for var request in try requests.requests(states: RequestState.allCases.filter { !$0.isTerminal }) {
                let dueOn = calendar.dueDate(receivedOn: request.receivedOn)
                let extendedDueOn = request.extendedDueOn.map { _ in calendar.extendedDueDate(receivedOn: request.receivedOn) }
                guard dueOn != request.dueOn || extendedDueOn != request.extendedDueOn else { continue }
                let move = DueDateMove(reference: request.reference, oldDueOn: request.dueOn, newDueOn: dueOn,
                                       oldExtendedDueOn: request.extendedDueOn, newExtendedDueOn: extendedDueOn)
                (request.dueOn, request.extendedDueOn, request.updatedAt) = (dueOn, extendedDueOn, now)
                let dates = [
                    dueOn != move.oldDueOn ? "due date \(move.oldDueOn) → \(dueOn)" : nil,
                    extendedDueOn != move.oldExtendedDueOn ? "extended due date \(move.oldExtendedDueOn?.description ?? "") → \(extendedDueOn?.description ?? "")" : nil,
                ].compactMap { $0 }.joined(separator: "; ")
                let (old, new) = (change.oldValue ?? "", change.newValue ?? "")
                try requests.appendTransition(RequestTransition(
                    requestID: request.id, at: now, from: request.state, to: request.state, by: actor,
                    note: "Deadline moved with the decreed days (\(old.isEmpty ? "none" : old) → \(new.isEmpty ? "none" : new)): \(dates)."))
                try requests.updateRequest(request)
                moved.append(move)
            }
            return (records, moved)
        }
    }
}
