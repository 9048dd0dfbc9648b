import Foundation
import XLSXWriter

/// What both extract formats show, prepared once from a dossier: the short lists put into words. The long
/// lists (edit records and consent events) stay in the database and are streamed by the writers; up to
/// ``keptEditLimit`` edit records are kept from the first reading instead of being read twice.
struct ExtractContent {
    /// One item of the person's details with its last change.
    struct FieldRow {
        let field: PersonField
        /// The stored value.
        let value: String
        /// The value in words: a source's name, a language's name, else the value itself.
        let display: String
        /// The last edit of the field, if the history has one.
        let lastEdit: PersonEdit?
        /// The person's supplementary statements on the field (Art. 16), oldest first.
        let statements: [String]
    }

    /// A recipient, the purposes for which it receives the person's data (none for a recipient that received it
    /// before and was told of a correction, but that no purpose links now), and which of the person's details it
    /// receives (those that hold a value, in the order "Your details" shows them).
    struct RecipientRow {
        let recipient: Recipient
        let purposes: [Purpose]
        let data: [PersonField]
        /// The keys of those purposes that do not use the person's data now (``inUse(_:)``).
        let purposesNotInUse: Set<String>
    }

    /// One entry of the glossary.
    struct GlossaryRow {
        let category: String
        let term: String
        let meaning: String
        let key: String
    }

    let dossier: Dossier
    let labels: ExtractLabels
    let time: ExtractTime
    /// The sheets of the workbook: all of them, or only those without personal data.
    let sheets: [ExtractSheet]
    let readMe: [ReadMeRow]
    let fields: [FieldRow]
    let recipients: [RecipientRow]
    let glossary: [GlossaryRow]
    /// The actor names of the labels, looked up once (the writers ask per history row).
    private let actorNames: (you: String, system: String, importer: String, privacyTeam: String, staff: String)
    /// The edit records, kept from the first reading when there are at most ``keptEditLimit``; nil when there are
    /// more, and the writers stream them from the database again (flat memory).
    private let keptEdits: [PersonEdit]?

    /// Up to this many edit records are kept in memory between the two readings (the details' last changes, then
    /// the history itself), so that a usual dossier reads its history once.
    static let keptEditLimit = 10_000

    /// The person's fields in the order the details show them (`allCases` makes a new array at every use).
    private static let personFields = PersonField.allCases

    /// Prepares the content of `dossier` in its language for `format` (the read-me speaks of sheets or of parts),
    /// reading the edit history once for the details' last changes.
    init(dossier: Dossier, templates: ExtractTemplates, format: ExtractFormat) throws {
        self.dossier = dossier
        let labels = try templates.labels(dossier.language)
        self.labels = labels
        actorNames = (labels.word(.actorYou), labels.word(.actorSystem), labels.word(.actorImport), labels.word(.actorPrivacyTeam),
                      labels.word(.actorStaff))
        time = ExtractTime(timeZone: dossier.timeZone)
        let dataHeld = dossier.person != nil
        sheets = dataHeld ? ExtractSheet.allCases : ExtractSheet.withoutPersonalData
        let readMeTemplate = try templates.readMe(dossier.language)
        let readMeVariables = try ReadMe.variables(
            organisation: dossier.organisation, labels: labels, generatedOn: time.civilDate(dossier.generatedAt),
            timeZone: dossier.timeZone.identifier, request: dossier.request, dataHeld: dataHeld, sheets: sheets,
            workbook: format == .xlsx, jsonIncluded: format == .json || dossier.request?.formats.contains(.json) == true)
        // The read-me is rendered on another core while this one reads the edit history: each takes a few tenths of
        // a millisecond, and an extract is waited for.
        let readMeRendering = BackgroundWork { try ReadMe.render(readMeTemplate, variables: readMeVariables) }

        // The last edit of each field, at the field's place in `personFields`: finding the place by comparing cases
        // is cheaper than hashing the field's raw value for every record, as a dictionary keyed by field does.
        var lastEdits = [PersonEdit?](repeating: nil, count: Self.personFields.count)
        var keptEdits: [PersonEdit]? = dossier.editCount <= Self.keptEditLimit ? [] : nil
        keptEdits?.reserveCapacity(dossier.editCount)
        try dossier.forEachEdit { edit in
            if let place = Self.personFields.firstIndex(of: edit.field) { lastEdits[place] = edit }
            keptEdits?.append(edit)
        }
        self.keptEdits = keptEdits
        readMe = try readMeRendering.result()
        var fields: [FieldRow] = []
        if let details = dossier.person?.details {
            for (place, field) in Self.personFields.enumerated() {
                let statements = dossier.statements.filter { $0.field == field }.map(\.statement)
                let value = details[field] ?? ""
                // A field is shown when it holds a value, or when the person completed it with a statement.
                guard !value.isEmpty || !statements.isEmpty else { continue }
                fields.append(FieldRow(field: field, value: value,
                                       display: value.isEmpty ? "" : Self.display(value, of: field, lists: dossier.lists, labels: labels),
                                       lastEdit: lastEdits[place], statements: statements))
            }
        }
        self.fields = fields

        var purposesByRecipient: [String: [Purpose]] = [:]
        var purposesNotInUse: Set<String> = []
        for entry in dossier.purposes where Self.processesData(entry) {
            for recipient in entry.recipients { purposesByRecipient[recipient.key, default: []].append(entry.purpose) }
            if !Self.inUse(entry) { purposesNotInUse.insert(entry.purpose.key) }
        }
        // A recipient that was told of a correction received the data (Art. 15(1)(c): "have been or will be disclosed"),
        // so it is named even when no purpose links it any more; it is listed then without purposes.
        let notified = Set(dossier.notifiedRecipients.map(\.key))
        let heldFields = fields.filter { !$0.value.isEmpty }.map(\.field)
        recipients = dataHeld ? dossier.lists.recipients.compactMap { recipient in
            let purposes = purposesByRecipient[recipient.key]
            guard purposes != nil || notified.contains(recipient.key) else { return nil }
            return RecipientRow(recipient: recipient, purposes: purposes ?? [], data: heldFields.filter(recipient.receives),
                                purposesNotInUse: purposesNotInUse)
        } : []

        var glossary: [GlossaryRow] = []
        for category in CodeCategory.allCases where category.inGlossary {
            for key in category.keys {
                let code = labels.code(category, key)
                glossary.append(GlossaryRow(category: labels.categoryTitle(category), term: code.label, meaning: code.explanation, key: key))
            }
        }
        for basis in dossier.lists.legalBases {
            let meaning = "\(basis.description[labels.language]) (\(try labels.articleCitation(basis.article)))"
            glossary.append(GlossaryRow(category: labels.word(.legalBasisCategory), term: basis.name[labels.language], meaning: meaning, key: basis.key))
        }
        // The names of who made a change and the evidence column hold no code, but need words too (design.md §5).
        let history = labels.word(.historyTermsCategory)
        // Staff appear by task, or by their own names when the organisation names them (`show-staff-names`).
        let terms: [(ExtractWord, ExtractWord)] = [(.actorYou, .actorYouMeaning), (.actorSystem, .actorSystemMeaning)]
            + (dossier.organisation.showStaffNames ? [(.actorNamedStaff, .actorNamedStaffMeaning)] : [
                (.actorImport, .actorImportMeaning), (.actorPrivacyTeam, .actorPrivacyTeamMeaning), (.actorStaff, .actorStaffMeaning),
            ])
        for (term, meaning) in terms {
            glossary.append(GlossaryRow(category: history, term: labels.word(term), meaning: labels.word(meaning), key: ""))
        }
        glossary.append(GlossaryRow(category: history, term: labels.column(.consentHistory, "evidence"), meaning: labels.word(.evidenceMeaning), key: ""))
        self.glossary = glossary
    }

    /// Calls `body` for each edit record of the person, oldest first: from memory when kept, else streamed from the
    /// database (inside the dossier's read transaction, so the same records either way).
    func forEachEdit(_ body: (PersonEdit) throws -> Void) throws {
        if let keptEdits {
            try keptEdits.forEach(body)
        } else {
            try dossier.forEachEdit(body)
        }
    }

    /// Whether the person's data is used for the purpose: there is a consent record (whatever its status now, the
    /// data was used under it), or processing rests on a basis other than consent, which needs no record.
    static func processesData(_ entry: PurposeInDossier) -> Bool {
        entry.consent != nil || entry.purpose.defaultBasisKey != LegalBasis.consentKey
    }

    private static func display(_ value: String, of field: PersonField, lists: ReferenceSnapshot, labels: ExtractLabels) -> String {
        switch field {
        case .source: lists.source(value)?.name[labels.language] ?? value
        case .language: Language(rawValue: value).map { labels.code($0).label } ?? value
        case .country: labels.countryName(value)
        default: value
        }
    }

    /// Whether a field's values are codes that ``display(_:of:)`` puts in words (a source, a language, a country).
    static func hasWords(_ field: PersonField) -> Bool {
        field == .source || field == .language || field == .country
    }

    /// A field's value as the person reads it (nil stays nil).
    func display(_ value: String?, of field: PersonField) -> String? {
        value.map { Self.display($0, of: field, lists: dossier.lists, labels: labels) }
    }

    // MARK: Words

    var language: Language { labels.language }

    /// Who made a change, as the person may see it (staff by role unless the organisation names them).
    func actor(_ attribution: Attribution) -> String { actor(attribution.by, via: attribution.via) }

    /// Who made a change, in words (`words.actor…` of the labels): the person, the system, or a staff member by role,
    /// unless the organisation names its staff (`show-staff-names`).
    func actor(_ by: String, via: ChangeChannel) -> String {
        if by == Attribution.dataSubject { return actorNames.you }
        if by == "system" { return actorNames.system }
        if dossier.organisation.showStaffNames { return by }
        switch via {
        case .import: return actorNames.importer
        case .request: return actorNames.privacyTeam
        default: return actorNames.staff
        }
    }

    /// Why a change was made, as the person reads it: a change made by one of their requests carries the request's
    /// type as its reason (`rectification`), shown as the type's name; any other reason as the actor wrote it.
    func reason(_ attribution: Attribution) -> String? {
        guard let reason = attribution.reason else { return nil }
        guard attribution.requestReference != nil, let type = RequestType(rawValue: reason) else { return reason }
        return labels.code(type).label
    }

    /// Where a field's value came from, in words: the person themself when its last change came from them (on the
    /// preference page, or through one of their requests, such as a rectification), else the person's source.
    func source(of row: FieldRow) -> String? {
        if let edit = row.lastEdit, edit.attribution.by == Attribution.dataSubject || edit.attribution.via == .request {
            return labels.word(.valueFromYou)
        }
        return dossier.person?.details.sourceKey.map(sourceName)
    }

    func purposeName(_ key: String) -> String { dossier.lists.purpose(key)?.name[language] ?? key }
    func basisName(_ key: String) -> String { dossier.lists.basis(key)?.name[language] ?? key }
    func sourceName(_ key: String) -> String { dossier.lists.source(key)?.name[language] ?? key }

    /// "from → to" in words; only "to" when nothing came before or nothing changed.
    static func change(_ from: String?, _ to: String) -> String {
        guard let from, from != to else { return to }
        return "\(from) → \(to)"
    }

    /// The person's consent for a purpose in words: the status, or why there is none.
    func consentSummary(_ entry: PurposeInDossier) -> String {
        if let consent = entry.consent { return labels.code(consent.status).label }
        return labels.word(entry.purpose.defaultBasisKey == LegalBasis.consentKey ? .consentNotGiven : .consentNotNeeded)
    }

    /// What the person can do against the use of their data for a purpose: object at any time (direct
    /// marketing, Art. 21(3)), withdraw consent (Art. 7(3)), object on grounds of their situation (bases (e) and
    /// (f), Art. 21(1)), or nothing of the kind (bases (b), (c), (d)).
    func rightToObject(_ entry: PurposeInDossier) -> String {
        if entry.purpose.isDirectMarketing { return labels.word(.objectDirectMarketing) }
        let article = entry.basis?.article ?? ""
        if article.hasSuffix("(a)") { return labels.word(.objectWithdrawConsent) }
        if article.hasSuffix("(e)") || article.hasSuffix("(f)") { return labels.word(.objectBalancing) }
        return labels.word(.objectNotAvailable)
    }

    /// The person's consent for a purpose in words, with the objection kept for a direct-marketing purpose: the date
    /// it was recorded and that it is kept so that the person is never approached for the purpose again.
    func consentSummaryWithObjection(_ entry: PurposeInDossier) -> String {
        let summary = consentSummary(entry)
        guard entry.suppression != nil else { return summary }
        return "\(summary)\n\(labels.word(.objectionKept))"
    }

    /// The text of the consent asked for a purpose, when the person's data is used for it on consent; nil for a
    /// purpose on another legal basis, for which nobody is asked to agree.
    func consentText(_ entry: PurposeInDossier) -> String? {
        entry.basis?.key == LegalBasis.consentKey ? entry.purpose.consentText[language] : nil
    }

    /// What the extract says of transfers outside the European Economic Area for a purpose (Art. 15(2)): the purpose's
    /// own statement; else, when a recipient of the purpose processes the data outside the EEA, which recipients and
    /// where, and that the person may ask for the safeguards; nil when the data stays within the EEA. A purpose
    /// without a statement is never said to keep the data in the EEA while one of its recipients is elsewhere.
    func transfersOutsideEEA(_ entry: PurposeInDossier) -> String? {
        if let statement = entry.purpose.transfersOutsideEU?[language] { return statement }
        let outside = entry.recipients.filter(\.isOutsideEEA)
        guard !outside.isEmpty else { return nil }
        let names = outside.map { "\($0.name), \(labels.countryName($0.country))" }.joined(separator: "; ")
        return "\(names): \(labels.word(.transfersUnstated))"
    }

    /// When the person's objection to a purpose was recorded: for direct marketing when the objection that is kept
    /// for good was recorded (Art. 21(3)); for another purpose when the upheld objection stopped its processing (the
    /// consent's status `objected`); nil when no objection stands.
    func objectionRecordedAt(_ entry: PurposeInDossier) -> Date? {
        if let suppression = entry.suppression { return suppression.at }
        guard let consent = entry.consent, consent.status == .objected else { return nil }
        return consent.withdrawnAt ?? consent.updatedAt
    }

    /// The privacy statement that covers a purpose: the purpose's own, else the organisation's.
    func privacyStatementURL(_ entry: PurposeInDossier) -> String? {
        dossier.organisation.privacyStatementURL(for: entry.purpose)
    }

    /// Whether this extract is the answer to `request`.
    func isAnswered(_ request: DataSubjectRequest) -> Bool { request.id == dossier.request?.id }

    /// The state shown for `request`: the request this extract answers is shown `completed`, the state it has once
    /// the person can read the file (the worker completes it in the transaction that keeps the file; a file that is
    /// not kept is never delivered). Every other request as it stands.
    func shownState(of request: DataSubjectRequest) -> RequestState {
        isAnswered(request) ? .completed : request.state
    }

    /// The recipients' names of a purpose, one per line.
    func recipientNames(_ entry: PurposeInDossier) -> String {
        if entry.recipients.isEmpty { return labels.word(.none) }
        let names = entry.recipients.map(\.name).joined(separator: "\n")
        return Self.inUse(entry) ? names : "\(names)\n\(labels.word(.recipientsNotNow))"
    }

    /// Whether the person's data is used for the purpose now: under a consent record that allows it (consent given, or
    /// a basis other than consent), or without one on a basis that needs none; never once the person objected.
    /// The purposes sheet speaks of recipients and data in the present tense, so a purpose not in use says so.
    static func inUse(_ entry: PurposeInDossier) -> Bool {
        if entry.suppression != nil { return false }
        if let consent = entry.consent { return consent.status.allowsProcessing }
        return entry.purpose.defaultBasisKey != LegalBasis.consentKey
    }

    /// The last state change of a request (a row that keeps the state is a note, not a change).
    static func lastStateChange(_ transitions: [RequestTransition]) -> Date? { stateChanges(transitions).map(\.at).max() }

    /// The rows of a request's history that change its state. The history also keeps notes that leave the state as it
    /// is (a person assigned, a period extended while the request waits, a deadline moved); they are the officer's
    /// record, and a person reading a state history would see "from X to X".
    static func stateChanges(_ transitions: [RequestTransition]) -> [RequestTransition] { transitions.filter { $0.from != $0.to } }

    /// The state history shown for `request`: its state changes, and for the request this extract answers the
    /// completion at the extract's time, the state it has whenever the person can read the file (``shownState(of:)``).
    func shownStateHistory(of request: DataSubjectRequest, transitions: [RequestTransition]) -> [RequestTransition] {
        let changes = Self.stateChanges(transitions)
        guard isAnswered(request), request.state != .completed else { return changes }
        return changes + [RequestTransition(requestID: request.id, at: dossier.generatedAt, from: request.state, to: .completed,
                                            by: "system", note: nil)]
    }

    /// The last state change shown for `request`: for the request this extract answers, the time the extract was
    /// made (it is ``shownState(of:)`` `completed` from then on); else the last recorded one.
    func shownLastStateChange(of request: DataSubjectRequest, transitions: [RequestTransition]) -> Date? {
        isAnswered(request) ? dossier.generatedAt : Self.lastStateChange(transitions)
    }

    /// The kinds of files made for `request`: those it asked for, for an access request answered with files (this
    /// one, or an earlier one completed); none for a rectification or objection, or a request refused or withdrawn.
    func filesMade(for request: DataSubjectRequest) -> [ExtractFormat] {
        guard request.type == .access, shownState(of: request) == .completed else { return [] }
        return request.formats
    }

    /// What was decided on each item of `request`, one line per item in the person's language, such as
    /// "City: Corrected (Amsterdam → Utrecht)", "City: Already correct (Utrecht)" or "E-marketing: Objection applied at once", and for the request this
    /// extract answers, that this file is the answer (its state is still "in progress" while the file is made);
    /// nil when there is nothing to say.
    func outcome(of request: DataSubjectRequest) -> String? {
        var lines = refusalLine(of: request).map { [$0] } ?? []
        lines += decisionLines(of: request)
        if isAnswered(request) { lines.append(labels.word(.answeredWithThisFile)) }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// What the person asked for in `request`, one line per item in their language: each field of a rectification with
    /// the value asked for (or its removal) and the statement given with it, such as "Town or city: Utrecht"; the
    /// purposes of an objection, and the person's grounds. Nil for an access request, whose files the "Files" column
    /// names.
    func asked(in request: DataSubjectRequest) -> String? {
        var lines: [String] = []
        for item in request.rectification {
            let value = display(item.requestedValue, of: item.field) ?? labels.word(.askedRemoval)
            let statement = item.statement.map { " (\(labels.word(.askedStatement)): \($0))" } ?? ""
            lines.append("\(labels.code(item.field).label): \(value)\(statement)")
        }
        if let objection = request.objection {
            lines.append("\(labels.word(.askedObjection)): \(objection.purposeKeys.map(purposeName).joined(separator: ", "))")
            if let grounds = objection.grounds { lines.append("\(labels.word(.askedGrounds)): \(grounds)") }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// Why the answer to `request` took longer, as the person was told when it was extended (Art. 12(3)); nil when it
    /// was not extended.
    static func extensionReason(of request: DataSubjectRequest) -> String? {
        request.extendedDueOn == nil ? nil : request.extensionReason
    }

    /// The identifiers a request gave for the person, as "what: value" lines in the order the person gave them
    /// (e-mail address, customer number, name): they are held with the request, and they are what was searched with.
    ///
    /// When the identifiers pointed at several persons, an e-mail address, customer number or name that is not this
    /// person's is left out: it is another person's (Art. 15(4)), also when the officer settled on someone else.
    func givenDetails(of request: DataSubjectRequest) -> [(label: String, value: String)] {
        let details = dossier.person?.details
        func shown(_ value: String, heldIn fields: [PersonField]) -> Bool {
            request.candidateIDs.count <= 1 || fields.contains { details?[$0]?.caseInsensitiveCompare(value) == .orderedSame }
        }
        var lines: [(label: String, value: String)] = []
        if let email = request.subject.email, shown(email, heldIn: [.email, .secondaryEmail]) {
            lines.append((labels.code(PersonField.email).label, email))
        }
        if let externalID = request.subject.externalID, shown(externalID, heldIn: [.externalID]) {
            lines.append((labels.code(PersonField.externalID).label, externalID))
        }
        if let name = request.subject.name,
           request.candidateIDs.count <= 1 || Self.sameName(name, dossier.person?.details.displayName ?? "") {
            lines.append((labels.word(.requestName), name))
        }
        return lines
    }

    /// Whether two names are the same but for case and spacing.
    static func sameName(_ one: String, _ other: String) -> Bool {
        func normalized(_ name: String) -> String { name.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased() }
        return !one.isEmpty && normalized(one) == normalized(other)
    }

    /// Why a refused request was refused, as the refusal told the person: the reason's name and words, and what the
    /// officer added; nil for a request that was not refused.
    func refusalLine(of request: DataSubjectRequest) -> String? {
        guard request.state == .rejected, let refusal = request.refusal else { return nil }
        let reason = labels.code(refusal.reason)
        return "\(reason.label): \(reason.explanation)" + (refusal.note.map { "\n\($0)" } ?? "")
    }

    /// A value before or after a correction, as the letters show it: in words, or "(empty)" for none.
    private func shown(_ value: String?, of field: PersonField) -> String {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return labels.word(.emptyValue) }
        return Self.display(value, of: field, lists: dossier.lists, labels: labels)
    }

    private func decisionLines(of request: DataSubjectRequest) -> [String] {
        guard let decisions = dossier.decisions[request.id] else { return [] }
        return decisions.map { decision in
            let subject = decision.field.map { labels.code($0).label } ?? purposeName(decision.item)
            var line = "\(subject): \(labels.code(decision.outcome).label)"
            switch decision.outcome {
            case .accepted:
                if let field = decision.field {
                    line += " (\(shown(decision.before, of: field)) → \(shown(decision.after, of: field)))"
                }
                if let statement = decision.statement { line += "; \(labels.code(ItemOutcome.supplemented).label): \(statement)" }
            case .supplemented:
                if let statement = decision.statement { line += ": \(statement)" }
            case .alreadyCorrect:
                if let field = decision.field { line += " (\(shown(decision.after, of: field)))" }
                if let statement = decision.statement { line += "; \(labels.code(ItemOutcome.supplemented).label): \(statement)" }
            case .rejected, .overridden, .upheld:
                if let reason = decision.reason { line += " — \(reason)" }
            case .applied:
                break
            }
            return line
        }
    }
}

/// Dates of an extract in the organisation's time zone.
struct ExtractTime: Sendable {
    let timeZone: TimeZone
    private static let millisecondsPerDay: Int64 = 86_400_000

    /// Local milliseconds since 1970-01-01 00:00 and the zone's offset in seconds at `date`.
    private func local(_ date: Date, offset: Int) -> (milliseconds: Int64, offset: Int) {
        (Int64((date.timeIntervalSince1970 * 1000).rounded()) + Int64(offset) * 1000, offset)
    }

    private static func split(_ milliseconds: Int64) -> (day: Int, millisecond: Int64) {
        let day = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds - millisecondsPerDay + 1) / millisecondsPerDay
        return (Int(day), milliseconds - day * millisecondsPerDay)
    }

    /// The local calendar date of `date`.
    func civilDate(_ date: Date) -> CivilDate {
        let calendarDate = CalendarDate(date, in: timeZone)
        return CivilDate(uncheckedYear: calendarDate.year, month: calendarDate.month, day: calendarDate.day)
    }

    /// ISO 8601 with the zone's offset, such as `2026-03-28T14:05:09+01:00`; milliseconds only when not zero.
    func iso8601(_ date: Date) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.iso8601MaximumLength) { buffer in
            var offsets = TimeZoneOffsets()
            let length = writeISO8601(date, to: buffer.baseAddress!, offsets: &offsets)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<length]), as: UTF8.self)
        }
    }

    /// The most bytes ``writeISO8601(_:to:offsets:)`` writes.
    static let iso8601MaximumLength = 64

    /// Writes ``iso8601(_:)`` of `date` as UTF-8 to `target` (room for ``iso8601MaximumLength`` bytes) without making
    /// a string, as the JSON extract does for every timestamp; returns the number of bytes. `offsets` remembers the
    /// zone's offset between its transitions (one cache per document).
    func writeISO8601(_ date: Date, to target: UnsafeMutablePointer<UInt8>, offsets: inout TimeZoneOffsets) -> Int {
        let (milliseconds, offset) = local(date, offset: offsets.seconds(at: date, in: timeZone))
        let (day, rest) = Self.split(milliseconds)
        let civil = CalendarDate(daysSince1970: day).map { ($0.year, $0.month, $0.day) } ?? (1970, 1, 1)
        let hour = rest / 3_600_000, minute = rest / 60_000 % 60, second = rest / 1000 % 60, fraction = rest % 1000
        var cursor = target
        func put(_ byte: Unicode.Scalar) {
            cursor.pointee = UInt8(ascii: byte)
            cursor += 1
        }
        Self.pad(Int64(civil.0), 4, &cursor)
        put("-")
        Self.pad(Int64(civil.1), 2, &cursor)
        put("-")
        Self.pad(Int64(civil.2), 2, &cursor)
        put("T")
        Self.pad(hour, 2, &cursor)
        put(":")
        Self.pad(minute, 2, &cursor)
        put(":")
        Self.pad(second, 2, &cursor)
        if fraction != 0 {
            put(".")
            Self.pad(fraction, 3, &cursor)
        }
        put(offset < 0 ? "-" : "+")
        Self.pad(Int64(abs(offset) / 3600), 2, &cursor)
        put(":")
        Self.pad(Int64(abs(offset) / 60 % 60), 2, &cursor)
        return cursor - target
    }

    /// Writes the decimal digits of `value` with zeros in front up to `width` (for a negative value: zeros, then
    /// the sign and the digits, as the padded `String(value)` of earlier versions).
    private static func pad(_ value: Int64, _ width: Int, _ cursor: inout UnsafeMutablePointer<UInt8>) {
        var scale: UInt64 = 1
        var count = 1
        while scale <= value.magnitude / 10 {
            scale *= 10
            count += 1
        }
        let length = count + (value < 0 ? 1 : 0)
        for _ in 0..<max(0, width - length) {
            cursor.pointee = UInt8(ascii: "0")
            cursor += 1
        }
        if value < 0 {
            cursor.pointee = UInt8(ascii: "-")
            cursor += 1
        }
        var remaining = value.magnitude
        while scale > 0 {
            cursor.pointee = UInt8(ascii: "0") + UInt8(remaining / scale)
            cursor += 1
            remaining %= scale
            scale /= 10
        }
    }

    /// The spreadsheet date of a calendar date.
    static func cell(_ date: CivilDate?) -> Cell {
        guard let date, let value = try? CalendarDate(year: date.year, month: date.month, day: date.day) else { return .empty }
        return .date(value)
    }

    /// The spreadsheet date-time of an instant, in the organisation's zone.
    func cell(_ date: Date?) -> Cell {
        date.map { .dateTime($0, timeZone) } ?? .empty
    }
}

/// Work started on another thread at once, whose result the caller collects later (``result()`` waits for it).
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the work before it signals `done`; read only after waiting for it.
    private var outcome: Result<Value, any Error>?

    /// Starts `work` on a queue of its own: a serial queue is served by libdispatch's overcommitting threads, so the
    /// work starts even when every thread of the global pool is busy (or blocked waiting for such work).
    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue(label: "inzage.background-work", qos: .userInitiated).async { [self] in
            outcome = Result { try work() }
            done.signal()
        }
    }

    /// Waits for the work and returns its value or throws its error. Call once.
    func result() throws -> Value {
        done.wait()
        guard let outcome else { preconditionFailure("BackgroundWork signalled without a result") }
        return try outcome.get()
    }
}
