import Foundation

/// The subject of a request as the person identified themself.
///
/// JSON: `email`, `personID`, `externalID`, `name`; each null when not given.
public struct RequestSubjectDocument: Encodable, Sendable {
    @ExplicitNull public var email: String?
    @ExplicitNull public var personID: Int64?
    @ExplicitNull public var externalID: String?
    @ExplicitNull public var name: String?

    /// The document of `subject`.
    init(_ subject: SubjectIdentifiers) {
        email = subject.email
        personID = subject.personID
        externalID = subject.externalID
        name = subject.name
    }

    /// The identifier an officer recognises the request by: the e-mail address, else the person id, else the external id.
    var shortText: String {
        email ?? personID.map { "person \($0)" } ?? externalID.map { "external id \($0)" } ?? TextStyle.empty
    }
}

/// One request in a list: what it is, whom it concerns, where it stands against its deadline.
///
/// JSON: `reference`, `type`, `state`, `subject` (a ``RequestSubjectDocument``), `personID` (the person matched, or
/// null), `candidateIDs` (the persons that matched when the match was ambiguous), `receivedAt` (ISO 8601 with offset),
/// `receivedOn`, `dueOn`, `extendedDueOn` (or null), `effectiveDueOn` (the extended due date when extended)
/// (dates `YYYY-MM-DD`), `daysLeft` (days from today to the effective due date in the organisation's time zone;
/// negative when past; null once the request has ended, as the text shows `—`), `overdue` (an open request past its due date), `extractCount` (how many extracts are stored).
public struct RequestSummaryDocument: Encodable, Sendable {
    public let reference: String
    public let type: RequestType
    public let state: RequestState
    public let subject: RequestSubjectDocument
    @ExplicitNull public var personID: Int64?
    public let candidateIDs: [Int64]
    public let receivedAt: Date
    public let receivedOn: CivilDate
    public let dueOn: CivilDate
    @ExplicitNull public var extendedDueOn: CivilDate?
    public let effectiveDueOn: CivilDate
    @ExplicitNull public var daysLeft: Int?
    public let overdue: Bool
    public let extractCount: Int

    /// The summary of `details`.
    public init(_ details: RequestDetails) {
        let request = details.request
        reference = request.reference
        type = request.type
        state = request.state
        subject = RequestSubjectDocument(request.subject)
        personID = request.personID
        candidateIDs = request.candidateIDs
        receivedAt = request.receivedAt
        receivedOn = request.receivedOn
        dueOn = request.dueOn
        extendedDueOn = request.extendedDueOn
        effectiveDueOn = request.effectiveDueOn
        daysLeft = request.state.isTerminal ? nil : details.daysLeft
        overdue = details.isOverdue
        extractCount = details.extracts.count
    }

    /// Whom the request was matched to: the person's id, the number of candidates, or "none".
    var matchText: String {
        if let personID { return String(personID) }
        return candidateIDs.isEmpty ? "none" : "\(candidateIDs.count) candidates"
    }

    /// The effective due date, marked when it is the extended one.
    var dueText: String {
        effectiveDueOn.description + (extendedDueOn == nil ? "" : " (extended)")
    }

    /// The days left, "OVERDUE" when past due; `—` once the request has ended.
    var daysLeftText: String {
        guard let daysLeft else { return TextStyle.empty }
        return overdue ? "\(daysLeft) OVERDUE" : String(daysLeft)
    }
}

/// Requests, most urgent (earliest effective due date) first.
///
/// JSON: an array of ``RequestSummaryDocument``.
public struct RequestListDocument: Presentable, Sendable {
    public let requests: [RequestSummaryDocument]

    /// The list of `details`, in the order given.
    public init(_ details: [RequestDetails]) {
        requests = details.map(RequestSummaryDocument.init)
    }

    /// Encodes the requests as a bare array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(requests)
    }

    /// A table of reference, type, subject, person matched, state, received on, due, days left and extracts.
    public func text(style: TextStyle) -> String {
        guard !requests.isEmpty else { return "No requests." }
        let rows = requests.map {
            [$0.reference, $0.type.rawValue, $0.subject.shortText, $0.matchText, $0.state.rawValue, $0.receivedOn.description,
             $0.dueText, $0.daysLeftText, String($0.extractCount)]
        }
        let overdue = requests.filter(\.overdue).count
        return (TextLayout.table(header: ["Reference", "Type", "Subject", "Person", "State", "Received", "Due", "Days left", "Extracts"], rows: rows)
            + ["", "\(requests.count) request\(requests.count == 1 ? "" : "s")" + (overdue > 0 ? ", \(overdue) overdue." : ".")])
            .joined(separator: "\n")
    }
}

/// One rectification item of a request.
///
/// JSON: `field`, `value` (null asks for removal), `statement` (or null).
public struct RectificationItemDocument: Encodable, Sendable {
    public let field: PersonField
    @ExplicitNull public var value: String?
    @ExplicitNull public var statement: String?
}

/// The purposes objected to and the person's grounds.
///
/// JSON: `purposes` (an array of `{key, name: {nl, en}, isDirectMarketing}`), `grounds` (or null).
public struct ObjectionDocument: Encodable, Sendable {
    /// A purpose objected to.
    public struct PurposeObjected: Encodable, Sendable {
        public let key: String
        @ExplicitNull public var name: LocalizedText?
        public let isDirectMarketing: Bool
    }

    public let purposes: [PurposeObjected]
    @ExplicitNull public var grounds: String?
}

/// One recorded state change.
///
/// JSON: `at`, `from` (null when filed), `to`, `by`, `note` (or null).
public struct RequestTransitionDocument: Encodable, Sendable {
    public let at: Date
    @ExplicitNull public var from: RequestState?
    public let to: RequestState
    public let by: String
    @ExplicitNull public var note: String?
}

/// A stored extract of a request.
///
/// JSON: `format`, `path`, `sha256`, `size` (bytes), `createdAt`, `expiresAt` (or null), `deletedAt` (or null: still kept).
public struct RequestExtractDocument: Encodable, Sendable {
    public let format: ExtractFormat
    public let path: String
    public let sha256: String
    public let size: Int64
    public let createdAt: Date
    @ExplicitNull public var expiresAt: Date?
    /// When the file was deleted because its retention passed; null while it is kept.
    @ExplicitNull public var deletedAt: Date?
}

/// Everything about one request: its dates, subject, match, content, state history, extracts and processing.
///
/// JSON: the fields of ``RequestSummaryDocument`` and `channel`,
/// `language` (or null), `formats`, `extensionReason` (or null), `origin` (the request file, or null), `createdAt`,
/// `createdBy`, `updatedAt`, `matchedPerson` (`{id, displayName, firstName, namePrefix, lastName, email, organisation}`
/// or null), `candidates` (the same shape, for an ambiguous match), `rectification` (an array of
/// ``RectificationItemDocument``), `objection` (an ``ObjectionDocument`` or null), `history` (an array of
/// ``RequestTransitionDocument``, oldest first), `extracts` (an array of ``RequestExtractDocument``), `decisions`
/// (``ItemDecision``s: `{item, outcome, field, requestedValue, before, after, reason, statement, at, by}`),
/// `recipientNotifications` (`{recipientKey, recipientName, status, exemptReason, outboxMessageID, at}`), `messages`
/// (the outbox messages about the request, each an ``OutboxSummaryDocument`` as `inzage outbox list --json` gives
/// them), `attempts`, `lastError` (or null).
public struct RequestDetailDocument: Presentable, Sendable {
    public let summary: RequestSummaryDocument
    public let channel: RequestChannel
    @ExplicitNull public var language: Language?
    public let formats: [ExtractFormat]
    @ExplicitNull public var extensionReason: String?
    @ExplicitNull public var origin: String?
    public let createdAt: Date
    public let createdBy: String
    public let updatedAt: Date
    @ExplicitNull public var matchedPerson: PersonMatches.Match?
    public let candidates: [PersonMatches.Match]
    public let rectification: [RectificationItemDocument]
    @ExplicitNull public var objection: ObjectionDocument?
    public let history: [RequestTransitionDocument]
    public let extracts: [RequestExtractDocument]
    public let decisions: [ItemDecision]
    public let recipientNotifications: [RecipientNotification]
    public let messages: [OutboxSummaryDocument]
    public let attempts: Int
    @ExplicitNull public var lastError: String?

    /// The document of `details`, with the persons matched or proposed looked up in `persons` and purposes named from `lists`.
    public init(_ details: RequestDetails, persons: [Int64: Person], lists: ReferenceSnapshot) {
        let request = details.request
        /// The person with `id` as found, or only the id when the person is gone.
        func match(_ id: Int64) -> PersonMatches.Match {
            persons[id].flatMap { PersonMatches([$0]).matches.first }
                ?? PersonMatches.Match(id: id, displayName: "", firstName: nil, namePrefix: nil, lastName: nil, email: nil, organisation: nil)
        }
        summary = RequestSummaryDocument(details)
        channel = request.channel
        language = request.language
        formats = request.formats
        extensionReason = request.extensionReason
        origin = request.origin
        createdAt = request.createdAt
        createdBy = request.createdBy
        updatedAt = request.updatedAt
        matchedPerson = request.personID.map(match)
        candidates = request.candidateIDs.map(match)
        rectification = request.rectification.map { RectificationItemDocument(field: $0.field, value: $0.requestedValue, statement: $0.statement) }
        objection = request.objection.map { content in
            ObjectionDocument(purposes: content.purposeKeys.map { key in
                let purpose = lists.purpose(key)
                return ObjectionDocument.PurposeObjected(key: key, name: purpose?.name, isDirectMarketing: purpose?.isDirectMarketing ?? false)
            }, grounds: content.grounds)
        }
        history = details.transitions.map { RequestTransitionDocument(at: $0.at, from: $0.from, to: $0.to, by: $0.by, note: $0.note) }
        extracts = details.extracts.map {
            RequestExtractDocument(format: $0.format, path: $0.path, sha256: $0.sha256, size: $0.size, createdAt: $0.createdAt, expiresAt: $0.expiresAt,
                                   deletedAt: $0.deletedAt)
        }
        decisions = details.decisions
        recipientNotifications = details.recipientNotifications
        messages = details.messages.map(OutboxSummaryDocument.init)
        attempts = request.attempts
        lastError = request.lastError
    }

    private enum Key: String, CodingKey {
        case channel, language, formats, extensionReason, origin, createdAt, createdBy, updatedAt, matchedPerson, candidates
        case rectification, objection, history, extracts, decisions, recipientNotifications, messages, attempts, lastError
    }

    /// Encodes the summary's fields and the details next to them in one object.
    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(channel, forKey: .channel)
        try container.encode(_language, forKey: .language)
        try container.encode(formats, forKey: .formats)
        try container.encode(_extensionReason, forKey: .extensionReason)
        try container.encode(_origin, forKey: .origin)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(_matchedPerson, forKey: .matchedPerson)
        try container.encode(candidates, forKey: .candidates)
        try container.encode(rectification, forKey: .rectification)
        try container.encode(_objection, forKey: .objection)
        try container.encode(history, forKey: .history)
        try container.encode(extracts, forKey: .extracts)
        try container.encode(decisions.map(DecisionDocument.init), forKey: .decisions)
        try container.encode(recipientNotifications.map(NotificationDocument.init), forKey: .recipientNotifications)
        try container.encode(messages, forKey: .messages)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(_lastError, forKey: .lastError)
    }

    /// The request as labelled sections: dates, subject, match, content, history, extracts, processing.
    public func text(style: TextStyle) -> String {
        let request = summary
        var lines = ["Request \(request.reference) — \(request.type.label[style.language]) (\(request.type.articleReference[style.language]))"]
        var due = request.dueOn.description
        if request.extendedDueOn == nil { due += " — \(deadlineText)" }
        var rows: [(label: String, value: String)] = [
            ("State", "\(request.state.rawValue) (\(request.state.label[style.language]))"),
            ("Received", "\(style.date(request.receivedAt)) via \(channel.rawValue); received on \(request.receivedOn)"),
            ("Due", due),
        ]
        if let extended = request.extendedDueOn {
            rows.append(("Extended due", "\(extended) — \(deadlineText); reason: \(TextStyle.value(extensionReason))"))
        }
        rows += [
            ("Language", TextStyle.value(language?.rawValue)),
            ("Formats", formats.map(\.rawValue).joined(separator: ", ")),
            ("Origin", TextStyle.value(origin)),
            ("Filed", style.stamp(createdAt, by: createdBy)),
            ("Updated", style.date(updatedAt)),
        ]
        lines += TextLayout.labelled(rows, indent: 2)

        lines += ["", "Subject (as given)"] + TextLayout.labelled([
            ("E-mail", TextStyle.value(request.subject.email)), ("Person id", TextStyle.value(request.subject.personID.map(String.init))),
            ("External id", TextStyle.value(request.subject.externalID)), ("Name", TextStyle.value(request.subject.name)),
        ], indent: 2)

        lines += ["", "Match"] + matchLines()

        if !rectification.isEmpty {
            lines += ["", "Rectification"] + TextLayout.table(
                header: ["Field", "Requested value", "Statement"],
                rows: rectification.map { [$0.field.rawValue, $0.value ?? "(remove)", TextStyle.value($0.statement)] }, indent: 2)
        }
        if let objection {
            let purposes = objection.purposes.map { style.named($0.key, $0.name) + ($0.isDirectMarketing ? " · direct marketing" : "") }
            lines += ["", "Objection"] + TextLayout.labelled([
                ("Purposes", purposes.joined(separator: "\n")), ("Grounds", TextStyle.value(objection.grounds)),
            ], indent: 2)
        }

        lines += ["", "History"] + TextLayout.table(
            header: ["At", "From → to", "By", "Note"],
            rows: history.map { [style.date($0.at), "\($0.from?.rawValue ?? "(filed)") → \($0.to.rawValue)", $0.by, TextStyle.value($0.note)] },
            indent: 2)

        lines += ["", "Extracts"]
        if extracts.isEmpty {
            lines.append("  None yet.")
        } else {
            lines += TextLayout.table(
                header: ["Format", "Path", "SHA-256", "Size", "Created", "Kept until"],
                rows: extracts.map { extract in
                    [extract.format.rawValue, extract.path, extract.sha256, "\(extract.size) B", style.date(extract.createdAt),
                     extract.deletedAt.map { "deleted \(style.date($0))" } ?? style.date(extract.expiresAt)]
                },
                indent: 2)
        }

        if !decisions.isEmpty {
            lines += ["", "Decisions"] + TextLayout.table(
                header: ["Item", "Decision", "Field", "Before → after", "Reason or statement", "By"],
                rows: decisions.map { decision in
                    let change = switch decision.outcome {
                    case .accepted: "\(decision.before ?? "(empty)") → \(decision.after ?? "(removed)")"
                    case .alreadyCorrect: "\(decision.after ?? "(empty)") (unchanged)"
                    default: "—"
                    }
                    return [decision.item, decision.outcome.rawValue, decision.field?.rawValue ?? "—", change,
                            TextStyle.value(decision.reason ?? decision.statement), style.stamp(decision.at, by: decision.by)]
                }, indent: 2)
        }
        if !recipientNotifications.isEmpty {
            lines += ["", "Recipients told of the corrections (Art. 19)"] + TextLayout.table(
                header: ["Recipient", "Status", "Message", "Exempt because"],
                rows: recipientNotifications.map {
                    ["\($0.recipientName) (\($0.recipientKey))", $0.status.rawValue, $0.outboxMessageID.map { String($0) } ?? "—",
                     TextStyle.value($0.exemptReason)]
                }, indent: 2)
        }
        lines += ["", "Messages"]
        if messages.isEmpty {
            lines.append("  None.")
        } else {
            lines += TextLayout.table(
                header: ["Id", "Kind", "To", "State", "Created", "Sent"],
                rows: messages.map { [String($0.id), $0.kind.rawValue, $0.recipient.address, $0.state.rawValue, style.date($0.createdAt), style.date($0.sentAt)] },
                indent: 2)
        }

        lines += ["", "Processing"] + TextLayout.labelled([
            ("Attempts", String(attempts)), ("Last error", TextStyle.value(lastError)),
        ], indent: 2)
        return (lines + ["", style.timeZoneNote]).joined(separator: "\n")
    }

    /// Where the request stands against its effective due date.
    private var deadlineText: String {
        guard let daysLeft = summary.daysLeft else { return "closed" }
        if summary.overdue { return "\(-daysLeft) day\(daysLeft == -1 ? "" : "s") OVERDUE" }
        if daysLeft == 0 { return "due today" }
        return "\(daysLeft) day\(daysLeft == 1 ? "" : "s") left"
    }

    /// The person matched, the candidates of an ambiguous match, or that nobody matched.
    private func matchLines() -> [String] {
        /// One table row: id, name, e-mail address, organisation.
        func line(_ person: PersonMatches.Match) -> [String] {
            [String(person.id), TextStyle.value(person.displayName), TextStyle.value(person.email), TextStyle.value(person.organisation)]
        }
        let header = ["Id", "Name", "E-mail", "Organisation"]
        if let matchedPerson {
            return TextLayout.table(header: header, rows: [line(matchedPerson)], indent: 2)
        }
        if !candidates.isEmpty {
            return ["  \(candidates.count) persons match; an officer decides with `inzage request assign \(summary.reference) --person ID`:"]
                + TextLayout.table(header: header, rows: candidates.map(line), indent: 2)
        }
        // An access request is answered all the same; a request to change something has nothing to change.
        return [summary.type == .access ? "  No person matches: the answer says that no data is held."
                : "  No person matches: nothing can be changed until an officer assigns a person or refuses the request."]
    }
}

extension RequestQueue {
    /// The requests that `list(state:overdueOnly:dueWithinDays:)` returns, as a document.
    public func listDocument(state: RequestState? = nil, overdueOnly: Bool = false, dueWithinDays: Int? = nil) throws -> RequestListDocument {
        RequestListDocument(try list(state: state, overdueOnly: overdueOnly, dueWithinDays: dueWithinDays))
    }

    /// Everything about the request with `reference`, with the persons matched or proposed and the purposes named.
    public func detailDocument(_ reference: String) throws -> RequestDetailDocument {
        let details = try details(reference)
        let ids = (details.request.personID.map { [$0] } ?? []) + details.request.candidateIDs
        return try store.read { ledger in
            var persons: [Int64: Person] = [:]
            for id in ids { persons[id] = try ledger.person(id: id) }
            return RequestDetailDocument(details, persons: persons, lists: try ReferenceSnapshot(ledger))
        }
    }
}

extension DataSubjectRequest {
    /// What an officer must do about a request that asks for a change (rectification, objection) when nobody matches
    /// its subject: nothing can be changed until a person is assigned or the request is refused. Nil for an access
    /// request (answered with "no data is held"), a request matched to a person, and one with candidates to choose from.
    /// `request file` and `request ingest` print it when they file such a request.
    public var unmatchedNote: String? {
        guard type != .access, personID == nil, candidateIDs.isEmpty else { return nil }
        return "No person matches: nothing can be changed. Assign a person with `inzage request assign`, "
            + "or refuse with `inzage request reject \(reference) --reason no-personal-data`."
    }
}

/// What ingesting a folder did, file by file, with the counts.
///
/// JSON: `directory`, `files` (an array of `{file, outcome ("filed", "already-filed", "invalid" or "not-filed"),
/// reference, state, dueOn, path, reason}`: reference, state and dueOn null for an invalid or unfiled file; path (the
/// JSON path) null but for an invalid file; reason null for a filed one), `filed`, `alreadyFiled`, `invalid`, `notFiled`.
public struct RequestIngestDocument: Presentable, Sendable {
    /// One file.
    public struct File: Encodable, Sendable {
        /// What became of a file.
        public enum Outcome: String, Encodable, Sendable {
            case filed
            case alreadyFiled = "already-filed"
            case invalid
            case notFiled = "not-filed"
        }

        public let file: String
        public let outcome: Outcome
        @ExplicitNull public var reference: String? = nil
        @ExplicitNull public var state: RequestState? = nil
        @ExplicitNull public var dueOn: CivilDate? = nil
        @ExplicitNull public var path: String? = nil
        @ExplicitNull public var reason: String? = nil
        /// What a filed request awaits, for the text (not in the JSON, which has the state).
        var awaiting: String? = nil
        /// What the officer must do about a filed request, for the text (``DataSubjectRequest/unmatchedNote``).
        var note: String? = nil

        private enum CodingKeys: String, CodingKey {
            case file, outcome, reference, state, dueOn, path, reason
        }

        /// What `request` waits for when it awaits a decision, in words.
        static func awaiting(_ request: DataSubjectRequest) -> String? {
            guard request.state == .awaitingDecision else { return nil }
            if request.personID == nil { return "awaiting a decision (several persons match)" }
            return request.type == .rectification ? "awaiting an officer's review" : "awaiting an officer's decision"
        }
    }

    public let directory: String
    public let files: [File]
    public let filed: Int
    public let alreadyFiled: Int
    public let invalid: Int
    public let notFiled: Int

    /// The document of `report`.
    public init(_ report: RequestIngestReport) {
        directory = report.directory
        files = report.entries.map { entry in
            switch entry.outcome {
            case .filed(let request):
                File(file: entry.file, outcome: .filed, reference: request.reference, state: request.state, dueOn: request.effectiveDueOn,
                     awaiting: File.awaiting(request), note: request.unmatchedNote)
            case .alreadyFiled(let request):
                File(file: entry.file, outcome: .alreadyFiled, reference: request.reference, state: request.state, dueOn: request.effectiveDueOn)
            case .invalid(let error):
                File(file: entry.file, outcome: .invalid, path: error.path, reason: error.reason)
            case .notFiled(let reason):
                File(file: entry.file, outcome: .notFiled, reason: reason)
            }
        }
        filed = report.filedCount
        alreadyFiled = report.alreadyFiledCount
        invalid = report.invalidCount
        notFiled = report.notFiledCount
    }

    /// One line per file (the reference filed, "already filed as REF", or the JSON path and reason), then for each request
    /// filed that nobody matches and that asks for a change the note of ``DataSubjectRequest/unmatchedNote``, then the counts.
    public func text(style: TextStyle) -> String {
        guard !files.isEmpty else { return "No request files (*.json) in \(FreeText.visible(directory))." }
        // File names and the values quoted in a reason come from outside: control characters are shown as code points,
        // never sent to the terminal (an escape sequence in a file could repaint the screen).
        let rows = files.map { file -> [String] in
            let name = FreeText.visible(file.file)
            switch file.outcome {
            case .filed:
                return [name, "filed as \(file.reference ?? "")" + (file.awaiting.map { ", " + $0 } ?? "")
                    + ", due \(file.dueOn?.description ?? TextStyle.empty)"]
            case .alreadyFiled:
                return [name, "already filed as \(file.reference ?? "")"]
            case .invalid:
                return [name, "invalid: \(FreeText.visible(file.path ?? "$")): \(FreeText.visible(file.reason ?? ""))"]
            case .notFiled:
                return [name, "not filed (tried again at the next ingest): \(FreeText.visible(file.reason ?? ""))"]
            }
        }
        // As `request file` says it, one line per file that needs the officer.
        let notes = files.compactMap { file in file.note.map { "\(FreeText.visible(file.file)): \($0)" } }
        let counts = "\(files.count) file\(files.count == 1 ? "" : "s"): \(filed) filed, \(alreadyFiled) already filed, \(invalid) invalid"
            + (notFiled > 0 ? ", \(notFiled) not filed." : ".")
        return (TextLayout.table(header: ["File", "Result"], rows: rows) + (notes.isEmpty ? [] : [""] + notes) + ["", counts])
            .joined(separator: "\n")
    }
}

/// A decision on an item, with every field present (null when empty).
///
/// JSON: `item`, `outcome`, `field`, `requestedValue`, `before`, `after`, `reason`, `statement`, `at`, `by`.
public struct DecisionDocument: Encodable, Sendable {
    public let item: String
    public let outcome: ItemOutcome
    @ExplicitNull public var field: PersonField?
    @ExplicitNull public var requestedValue: String?
    @ExplicitNull public var before: String?
    @ExplicitNull public var after: String?
    @ExplicitNull public var reason: String?
    @ExplicitNull public var statement: String?
    public let at: Date
    public let by: String

    /// The document of a stored record.
    public init(_ decision: ItemDecision) {
        item = decision.item
        outcome = decision.outcome
        field = decision.field
        requestedValue = decision.requestedValue
        before = decision.before
        after = decision.after
        reason = decision.reason
        statement = decision.statement
        at = decision.at
        by = decision.by
    }
}

/// A notification to a recipient, with every field present (null when empty).
///
/// JSON: `recipientKey`, `recipientName`, `status`, `exemptReason`, `outboxMessageID`, `at`.
public struct NotificationDocument: Encodable, Sendable {
    public let recipientKey: String
    public let recipientName: String
    public let status: RecipientNotificationStatus
    @ExplicitNull public var exemptReason: String?
    @ExplicitNull public var outboxMessageID: Int64?
    public let at: Date

    /// The document of a stored record.
    public init(_ notification: RecipientNotification) {
        recipientKey = notification.recipientKey
        recipientName = notification.recipientName
        status = notification.status
        exemptReason = notification.exemptReason
        outboxMessageID = notification.outboxMessageID
        at = notification.at
    }
}
