import Foundation
import XLSXWriter
#if canImport(Glibc)
import Glibc
#endif

/// Writes the JSON extract of a dossier: the content of the XLSX extract for programs, and the machine-readable
/// copy for data portability (Art. 20). The shape is published as `schemas/inzage-extract-1.schema.json`
/// (`"schemaVersion": "inzage-extract/1"`).
///
/// - Timestamps are ISO 8601 with the offset of the organisation's time zone; calendar dates are `YYYY-MM-DD`.
/// - Every coded value is an object `{ "key", "label", "explanation" }` in the extract's language; legal bases
///   and rights add `gdprArticle` and `dpvIRI` (the Data Privacy Vocabulary's GDPR extension).
/// - Optional members are always present, `null` when empty.
/// - The same dossier gives the same bytes: the top-level members come in a fixed order, the members of the
///   objects inside them in alphabetical order (by UTF-8 bytes), except `events`, which ends each consent.
/// - The document is written by hand into a buffer that is flushed to the file in blocks, with strings escaped as
///   RFC 8259 requires (`"`, `\` and U+0000–U+001F; nothing else, `/` included). The consent events and edit
///   records are streamed element by element, so memory stays flat however long the history is. Each top-level
///   member and each element of the long arrays starts a new line.
/// - The file appears at the destination only when it is complete (written under a temporary name in the same
///   folder, flushed to disk, then renamed), with the permissions of a new file (as the XLSX extract), so the umask
///   decides.
public struct JSONExtractWriter: Sendable {
    /// The schema version written to every document.
    public static let schemaVersion = "inzage-extract/1"

    /// The labels and texts used.
    public let templates: ExtractTemplates

    /// A writer using `templates` (the shipped ones by default).
    public init(templates: ExtractTemplates = ExtractTemplates()) {
        self.templates = templates
    }

    /// Writes the JSON extract of `dossier` to `destination`, replacing a file that is there.
    ///
    /// - Returns: the SHA-256 and size of the bytes written, hashed on the way.
    /// - Throws: ``ExtractError`` for a template problem (before anything is written) or when the file cannot be
    ///   written; nothing is left at `destination` then.
    @discardableResult
    public func write(_ dossier: Dossier, to destination: URL) throws -> FileDigest {
        let content = try ExtractContent(dossier: dossier, templates: templates, format: .json)
        return try AtomicFile.write(to: destination, replacing: true) { output in
            try ExtractDocument(content, output).write()
        }
    }

    /// Writes the JSON extract of `dossier` into a new file at `destination`, which must not exist yet: a private,
    /// temporary name that the caller renames when the file is complete, as the extract archive does. This saves
    /// ``write(_:to:)``'s own temporary file and rename.
    ///
    /// - Returns: the SHA-256 and size of the bytes written, hashed on the way.
    /// - Throws: ``ExtractError`` for a template problem (before anything is written), when a file is already at
    ///   `destination`, or when the file cannot be written; then the new file is removed again.
    @discardableResult
    public func write(_ dossier: Dossier, toNewFile destination: URL) throws -> FileDigest {
        let content = try ExtractContent(dossier: dossier, templates: templates, format: .json)
        return try AtomicFile.write(to: destination, replacing: false) { output in
            try ExtractDocument(content, output).write()
        }
    }
}

// MARK: - The document

/// Writes the document of the prepared content. Each part lists its members in the order they appear: a new member
/// goes in at its alphabetical place (by UTF-8 bytes, as `JSONEncoder`'s `.sortedKeys` put them), with `out.key`
/// and its value; the schema and the order are checked by the tests (`ExtractJSONTests`).
final class ExtractDocument {
    private let content: ExtractContent
    private let out: JSONStreamOutput
    private var labels: ExtractLabels { content.labels }
    private var language: Language { content.language }

    /// Values that repeat in every consent event and edit record, written once and then copied as bytes. The codes
    /// are kept per category and found by comparing their short keys, which is cheaper than hashing them.
    private struct WrittenCode {
        let key: String
        let bytes: [UInt8]
    }
    private struct ActorKey: Hashable {
        let by: String
        let via: ChangeChannel
    }
    private var codes = [[WrittenCode]](repeating: [], count: CodeCategory.allCases.count)
    private var actors: [ActorKey: [UInt8]] = [:]
    private var lastActor: (key: ActorKey, bytes: [UInt8])?
    private var bases: [String: [UInt8]] = [:]
    private var sourceValues: [String: [UInt8]] = [:]

    /// Up to this many consent events are read once and grouped per consent; beyond it they are streamed once per
    /// consent, so that memory stays flat.
    static let groupedEventLimit = 10_000

    init(_ content: ExtractContent, _ out: JSONStreamOutput) {
        self.content = content
        self.out = out
    }

    func write() throws {
        let dossier = content.dossier
        out.raw("{\n\"schemaVersion\":")
        out.string(JSONExtractWriter.schemaVersion)
        member("generatedAt")
        out.time(dossier.generatedAt, content.time)
        member("language")
        coded(dossier.language)
        member("timeZone")
        out.string(dossier.timeZone.identifier)
        member("organisation")
        organisation()
        member("request")
        if let request = dossier.request { self.request(request, transitions: nil) } else { out.null() }
        member("dataHeld")
        out.bool(dossier.person != nil)
        member("readMe")
        array(content.readMe) { row in
            out.open()
            out.key("heading")
            out.string(row.heading)
            out.key("text")
            out.string(row.text)
            out.close()
        }
        member("subject")
        subject()
        member("purposes")
        // Without data held there is nothing of the person's to use for a purpose (the workbook has no such sheet).
        array(dossier.person == nil ? [] : dossier.purposes, purpose)
        member("consents")
        try consents()
        member("sources")
        array(dossier.sources, source)
        member("editHistory")
        out.raw("[")
        var first = true
        try content.forEachEdit { edit in
            out.raw(first ? "\n" : ",\n")
            first = false
            self.edit(edit)
            try out.flushIfFull()
        }
        out.raw(first ? "]" : "\n]")
        member("recipients")
        array(content.recipients, recipient)
        member("requests")
        array(dossier.requests) { request($0.request, transitions: $0.transitions) }
        member("rights")
        rights()
        member("complaint")
        complaint()
        out.raw("\n}\n")
        try out.flushIfFull()
    }

    /// Starts a top-level member (after the first) on a new line.
    private func member(_ key: StaticString) {
        out.raw(",\n\"")
        out.raw(key)
        out.raw("\":")
    }

    /// A compact array of `elements`.
    private func array<Element>(_ elements: [Element], _ element: (Element) -> Void) {
        out.openArray()
        for value in elements {
            out.element()
            element(value)
        }
        out.closeArray()
    }

    // MARK: Values

    private func optional(_ text: String?) {
        if let text { out.string(text) } else { out.null() }
    }

    private func time(_ date: Date?) {
        if let date { out.time(date, content.time) } else { out.null() }
    }

    /// `{"explanation","key","label"}` of a code in words.
    private func coded<Code: LabelledCode>(_ code: Code) { coded(Code.category, code.rawValue) }

    private func coded(_ category: CodeCategory, _ key: String) {
        let slot = category.cacheSlot
        for written in codes[slot] where written.key == key { return out.raw(written.bytes) }
        let start = out.mark
        let text = labels.code(category, key)
        out.open()
        out.key("explanation")
        out.string(text.explanation)
        out.key("key")
        out.string(key)
        out.key("label")
        out.string(text.label)
        out.close()
        codes[slot].append(WrittenCode(key: key, bytes: out.bytes(since: start)))
    }

    private func coded<Code: LabelledCode>(_ code: Code?) {
        if let code { coded(code) } else { out.null() }
    }

    /// `{"dpvIRI","explanation","gdprArticle","key","label"}`.
    private func article(dpvIRI: String?, explanation: String, gdprArticle: String, key: String, label: String) {
        out.open()
        out.key("dpvIRI")
        optional(dpvIRI)
        out.key("explanation")
        out.string(explanation)
        out.key("gdprArticle")
        out.string(gdprArticle)
        out.key("key")
        out.string(key)
        out.key("label")
        out.string(label)
        out.close()
    }

    /// A legal basis by key; the key alone when the lists do not know it.
    private func basis(_ key: String) {
        if let bytes = bases[key] { return out.raw(bytes) }
        let start = out.mark
        if let basis = content.dossier.lists.basis(key) {
            article(dpvIRI: basis.dpvIRI.isEmpty ? nil : basis.dpvIRI, explanation: basis.description[language],
                    gdprArticle: basis.article, key: basis.key, label: basis.name[language])
        } else {
            article(dpvIRI: nil, explanation: "", gdprArticle: "", key: key, label: key)
        }
        bases[key] = out.bytes(since: start)
    }

    /// A source by key, as a coded value.
    private func sourceValue(_ key: String) {
        if let bytes = sourceValues[key] { return out.raw(bytes) }
        let start = out.mark
        let source = content.dossier.lists.source(key)
        out.open()
        out.key("explanation")
        out.string(source?.description[language] ?? "")
        out.key("key")
        out.string(key)
        out.key("label")
        out.string(source?.name[language] ?? key)
        out.close()
        sourceValues[key] = out.bytes(since: start)
    }

    /// Who made a change, in words.
    private func actor(_ by: String, via: ChangeChannel) {
        let cacheKey = ActorKey(by: by, via: via)
        // Runs of records by the same actor are the rule: compare with the last one before hashing.
        if let lastActor, lastActor.key == cacheKey { return out.raw(lastActor.bytes) }
        let bytes: [UInt8]
        if let written = actors[cacheKey] {
            bytes = written
            out.raw(bytes)
        } else {
            let start = out.mark
            out.string(content.actor(by, via: via))
            bytes = out.bytes(since: start)
            actors[cacheKey] = bytes
        }
        lastActor = (cacheKey, bytes)
    }

    /// `{"key","label"}`.
    private func reference(key: String, label: String) {
        out.open()
        out.key("key")
        out.string(key)
        out.key("label")
        out.string(label)
        out.close()
    }

    // MARK: Organisation and request

    private func organisation() {
        let profile = content.dossier.organisation
        out.open()
        out.key("address")
        out.string(profile.address)
        out.key("contactEmail")
        out.string(profile.contactEmail)
        out.key("country")
        out.string(profile.country)
        out.key("countryInWords")
        out.string(labels.countryName(profile.country))
        out.key("dataProtectionOfficer")
        out.open()
        out.key("email")
        out.string(profile.dpoEmail)
        out.key("name")
        out.string(profile.dpoName)
        out.close()
        out.key("name")
        out.string(profile.name)
        out.close()
    }

    /// A request; `stateHistory` only with `transitions` (in `requests`, not in the top-level `request`).
    private func request(_ request: DataSubjectRequest, transitions: [RequestTransition]?) {
        out.open()
        if transitions != nil {
            out.key("decisions")
            array(content.dossier.decisions[request.id] ?? []) { decision($0) }
        }
        out.key("dueOn")
        out.string(request.dueOn.description)
        out.key("extendedDueOn")
        optional(request.extendedDueOn?.description)
        out.key("extensionReason")
        optional(ExtractContent.extensionReason(of: request))
        out.key("formats")
        array(request.formats) { coded($0) }
        out.key("givenDetails")
        array(content.givenDetails(of: request)) { line in
            out.open()
            out.key("label")
            out.string(line.label)
            out.key("value")
            out.string(line.value)
            out.close()
        }
        out.key("lastStateChangeAt")
        time(content.shownLastStateChange(of: request,
                                          transitions: content.dossier.requests.first { $0.request.id == request.id }?.transitions ?? []))
        out.key("objection")
        if let objection = request.objection {
            out.open()
            out.key("grounds")
            optional(objection.grounds)
            out.key("purposes")
            array(objection.purposeKeys) { reference(key: $0, label: content.purposeName($0)) }
            out.close()
        } else {
            out.null()
        }
        out.key("receivedAt")
        out.time(request.receivedAt, content.time)
        out.key("receivedOn")
        out.string(request.receivedOn.description)
        out.key("rectificationItems")
        array(request.rectification) { item in
            out.open()
            out.key("field")
            coded(item.field)
            out.key("requestedValue")
            optional(item.requestedValue)
            out.key("statement")
            optional(item.statement)
            out.close()
        }
        out.key("reference")
        out.string(request.reference)
        out.key("refusal")
        if request.state == .rejected, let refusal = request.refusal {
            out.open()
            out.key("note")
            optional(refusal.note)
            out.key("reason")
            coded(refusal.reason)
            out.close()
        } else {
            out.null()
        }
        out.key("state")
        coded(content.shownState(of: request))
        if let transitions {
            out.key("stateHistory")
            array(content.shownStateHistory(of: request, transitions: transitions)) { transition in
                out.open()
                out.key("at")
                // The request was received when it was received, also when it was filed later.
                out.time(transition.from == nil ? min(transition.at, request.receivedAt) : transition.at, content.time)
                out.key("from")
                coded(transition.from)
                out.key("to")
                coded(transition.to)
                out.close()
            }
        }
        out.key("type")
        let type = labels.code(request.type)
        article(dpvIRI: GDPRReference.dpvNamespace + "A\(request.type.gdprArticle)", explanation: type.explanation,
                gdprArticle: String(request.type.gdprArticle), key: request.type.rawValue, label: type.label)
        out.close()
    }

    /// An officer's decision on an item of a request: a rectification item (with `field`) or an objection (with `purpose`).
    private func decision(_ decision: ItemDecision) {
        out.open()
        out.key("after")
        optional(decision.after)
        out.key("at")
        out.time(decision.at, content.time)
        out.key("before")
        optional(decision.before)
        out.key("field")
        coded(decision.field)
        out.key("item")
        out.string(decision.item)
        out.key("outcome")
        coded(decision.outcome)
        out.key("purpose")
        if decision.field == nil {
            reference(key: decision.item, label: content.purposeName(decision.item))
        } else {
            out.null()
        }
        out.key("reason")
        optional(decision.reason)
        out.key("requestedValue")
        optional(decision.requestedValue)
        out.key("statement")
        optional(decision.statement)
        out.close()
    }

    // MARK: Subject

    private func subject() {
        guard let person = content.dossier.person else { return out.null() }
        out.open()
        out.key("details")
        array(content.fields) { row in
            out.open()
            out.key("field")
            coded(row.field)
            out.key("lastChangedAt")
            time(row.lastEdit?.at)
            out.key("lastChangedBy")
            if let edit = row.lastEdit { actor(edit.attribution.by, via: edit.attribution.via) } else { out.null() }
            out.key("lastChangedVia")
            coded(row.lastEdit?.attribution.via)
            out.key("source")
            optional(content.source(of: row))
            out.key("statements")
            array(row.statements) { out.string($0) }
            out.key("value")
            out.string(row.value)
            out.key("valueInWords")
            out.string(row.display)
            out.close()
        }
        out.key("personID")
        out.integer(person.id)
        out.key("registeredAt")
        out.time(person.createdAt, content.time)
        out.key("source")
        if let key = person.details.sourceKey { sourceValue(key) } else { out.null() }
        out.key("updatedAt")
        out.time(person.updatedAt, content.time)
        out.close()
    }

    // MARK: Purposes and consents

    private func purpose(_ entry: PurposeInDossier) {
        let purpose = entry.purpose
        out.open()
        out.key("automatedDecisionMaking")
        optional(purpose.automatedDecisionMaking?[language])
        out.key("consentStatus")
        coded(entry.consent?.status)
        out.key("consentSummary")
        out.string(content.consentSummaryWithObjection(entry))
        out.key("consentText")
        optional(content.consentText(entry))
        out.key("dataCategories")
        out.string(purpose.dataCategories[language])
        out.key("description")
        out.string(purpose.description[language])
        out.key("directMarketing")
        out.bool(purpose.isDirectMarketing)
        out.key("inUse")
        out.bool(ExtractContent.inUse(entry))
        out.key("key")
        out.string(purpose.key)
        out.key("label")
        out.string(purpose.name[language])
        out.key("legalBasis")
        if let basis = entry.basis { self.basis(basis.key) } else { out.null() }
        out.key("objectionRecordedAt")
        time(content.objectionRecordedAt(entry))
        out.key("privacyStatementURL")
        optional(content.privacyStatementURL(entry))
        out.key("recipients")
        array(entry.recipients) { reference(key: $0.key, label: $0.name) }
        out.key("retention")
        out.string(purpose.retention[language])
        out.key("rightToObject")
        out.string(content.rightToObject(entry))
        out.key("transfersOutsideEU")
        optional(content.transfersOutsideEEA(entry))
        out.close()
    }

    /// The consents in purpose order, each followed by its events (oldest first) on lines of their own.
    private func consents() throws {
        let dossier = content.dossier
        // Few events: read them once and group them; many: stream them once per consent (flat memory).
        var grouped: [Int64: [ConsentEvent]]?
        if dossier.consentEventCount <= Self.groupedEventLimit {
            var byConsent: [Int64: [ConsentEvent]] = [:]
            try dossier.forEachConsentEvent { byConsent[$0.consentID, default: []].append($0) }
            grouped = byConsent
        }
        out.raw("[")
        var first = true
        for entry in dossier.purposes {
            guard let consent = entry.consent else { continue }
            out.raw(first ? "\n" : ",\n")
            first = false
            self.consent(consent)
            out.key("events")
            out.raw("[")
            var firstEvent = true
            let emit = { (event: ConsentEvent) throws in
                self.out.raw(firstEvent ? "\n" : ",\n")
                firstEvent = false
                self.event(event)
                try self.out.flushIfFull()
            }
            if let grouped {
                try grouped[consent.id]?.forEach(emit)
            } else {
                try dossier.forEachConsentEvent { if $0.consentID == consent.id { try emit($0) } }
            }
            out.raw(firstEvent ? "]" : "\n]")
            out.close()
        }
        out.raw(first ? "]" : "\n]")
    }

    /// A consent without its closing brace: the caller adds `events` and closes it.
    private func consent(_ consent: Consent) {
        out.open()
        out.key("comment")
        optional(consent.comment)
        out.key("consentID")
        out.integer(consent.id)
        out.key("consentText")
        optional(consent.consentText)
        out.key("givenAt")
        time(consent.givenAt)
        out.key("legalBasis")
        basis(consent.basisKey)
        out.key("purpose")
        reference(key: consent.purposeKey, label: content.purposeName(consent.purposeKey))
        out.key("registeredAt")
        out.time(consent.registeredAt, content.time)
        out.key("registeredBy")
        actor(consent.registeredBy, via: consent.registeredVia)
        out.key("source")
        sourceValue(consent.sourceKey)
        out.key("status")
        coded(consent.status)
        out.key("updateCount")
        out.integer(consent.updateCount)
        out.key("updatedAt")
        out.time(consent.updatedAt, content.time)
        out.key("updatedBy")
        actor(consent.updatedBy, via: consent.updatedVia)
        out.key("withdrawnAt")
        time(consent.withdrawnAt)
    }

    private func event(_ event: ConsentEvent) {
        out.open()
        out.key("at")
        out.time(event.at, content.time)
        out.key("by")
        actor(event.attribution.by, via: event.attribution.via)
        out.key("channel")
        coded(event.attribution.via)
        out.key("comment")
        optional(event.comment)
        out.key("eventID")
        if let id = event.id { out.integer(id) } else { out.null() }
        out.key("evidence")
        optional(event.evidence)
        out.key("fromBasis")
        if let key = event.fromBasis { basis(key) } else { out.null() }
        out.key("fromSource")
        if let key = event.fromSource { sourceValue(key) } else { out.null() }
        out.key("fromStatus")
        coded(event.fromStatus)
        out.key("givenAt")
        time(event.givenAt)
        out.key("requestReference")
        optional(event.attribution.requestReference)
        out.key("toBasis")
        basis(event.toBasis)
        out.key("toSource")
        sourceValue(event.toSource)
        out.key("toStatus")
        coded(event.toStatus)
        out.key("type")
        coded(event.type)
        out.close()
    }

    // MARK: Sources, edits, recipients

    private func source(_ source: Source) {
        out.open()
        out.key("explanation")
        out.string(source.description[language])
        out.key("key")
        out.string(source.key)
        out.key("label")
        out.string(source.name[language])
        out.key("suppliedBy")
        coded(source.sourceType)
        out.close()
    }

    private func edit(_ edit: PersonEdit) {
        out.open()
        out.key("at")
        out.time(edit.at, content.time)
        out.key("by")
        actor(edit.attribution.by, via: edit.attribution.via)
        out.key("channel")
        coded(edit.attribution.via)
        out.key("editID")
        if let id = edit.id { out.integer(id) } else { out.null() }
        out.key("field")
        coded(edit.field)
        out.key("newValue")
        optional(edit.newValue)
        let inWords = ExtractContent.hasWords(edit.field)
        if inWords {
            out.key("newValueInWords")
            optional(content.display(edit.newValue, of: edit.field))
        }
        out.key("oldValue")
        optional(edit.oldValue)
        if inWords {
            out.key("oldValueInWords")
            optional(content.display(edit.oldValue, of: edit.field))
        }
        out.key("reason")
        optional(content.reason(edit.attribution))
        out.key("requestReference")
        optional(edit.attribution.requestReference)
        out.close()
    }

    private func recipient(_ row: ExtractContent.RecipientRow) {
        out.open()
        out.key("country")
        out.string(row.recipient.country)
        out.key("countryInWords")
        out.string(labels.countryName(row.recipient.country))
        out.key("data")
        array(row.data) { coded($0) }
        out.key("key")
        out.string(row.recipient.key)
        out.key("name")
        out.string(row.recipient.name)
        out.key("purposes")
        array(row.purposes) { reference(key: $0.key, label: $0.name[language]) }
        out.key("role")
        coded(row.recipient.role)
        out.close()
    }

    // MARK: Rights and complaint

    private func rights() {
        out.open()
        out.key("contactEmail")
        out.string(content.dossier.organisation.contactEmail)
        out.key("howToUse")
        out.string(labels.word(.howToUseRights))
        out.key("items")
        array(DataSubjectRight.allCases) { right in
            let text = labels.right(right)
            // This file is the JSON extract.
            article(dpvIRI: right.dpvIRI, explanation: labels.rightExplanation(right, jsonIncluded: true), gdprArticle: right.gdprArticle,
                    key: right.rawValue, label: text.label)
        }
        out.close()
    }

    private func complaint() {
        let profile = content.dossier.organisation
        out.open()
        out.key("court")
        out.open()
        out.key("explanation")
        out.string(labels.word(.court))
        out.key("gdprArticle")
        out.string(GDPRReference.courtArticle)
        out.close()
        out.key("dpvIRI")
        out.string(GDPRReference.complaintDPVIRI)
        out.key("explanation")
        out.string(labels.word(.complaint))
        out.key("gdprArticle")
        out.string(GDPRReference.complaintArticle)
        out.key("supervisoryAuthority")
        out.open()
        out.key("address")
        out.string(profile.supervisoryAuthorityAddress)
        out.key("name")
        out.string(profile.supervisoryAuthorityName)
        out.key("url")
        out.string(profile.supervisoryAuthorityURL)
        out.close()
        out.close()
    }
}

// MARK: - Streaming output

/// A JSON text written by hand into a buffer that is flushed in blocks to a ``BlockFileWriter``, which hashes and
/// writes each block in the background while the next one fills.
///
/// Objects and arrays keep their commas themselves: ``key(_:)`` and ``element()`` put one before every member or
/// element but the first. The caller flushes (``flushIfFull()``) between elements of long arrays, never inside a
/// value, so that a value just written can be copied from the buffer (``bytes(since:)``). The buffer is plain
/// memory behind a pointer: appending a byte costs no exclusivity check, as a property of a class would.
final class JSONStreamOutput {
    private struct State {
        var bytes: UnsafeMutablePointer<UInt8>
        var count: Int
        var capacity: Int
        /// True right after `{` or `[`: the next member or element needs no comma.
        var afterOpen: Bool
    }

    private let state: UnsafeMutablePointer<State>
    /// Hashes and writes the flushed blocks in the background.
    private let file: BlockFileWriter
    /// The organisation's time zone offsets, remembered between its transitions.
    private var offsets = TimeZoneOffsets()
    /// The last instant written and its quoted bytes: the records of one change share their time, so a history
    /// repeats each time in a run. Like ``offsets`` this assumes the one zone of the document.
    private var lastTime: Date?
    private var lastTimeCount = 0
    private let lastTimeBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: ExtractTime.iso8601MaximumLength + 2)
    private static let flushSize = 1 << 18
    private static let hexDigits: StaticString = "0123456789abcdef"

    private static let bufferCapacity = flushSize + (1 << 14)

    init(descriptor: Int32, path: String) {
        file = BlockFileWriter(descriptor: descriptor, path: path)
        state = .allocate(capacity: 1)
        let buffer = BlockFileWriter.Buffer.make(capacity: Self.bufferCapacity)
        state.initialize(to: State(bytes: buffer.bytes, count: 0, capacity: buffer.capacity, afterOpen: false))
    }

    deinit {
        BlockFileWriter.Buffer(bytes: state.pointee.bytes, capacity: state.pointee.capacity).release()
        state.deinitialize(count: 1)
        state.deallocate()
        lastTimeBytes.deallocate()
    }

    // MARK: Buffer

    func flushIfFull() throws {
        if state.pointee.count >= Self.flushSize { try flush() }
    }

    /// Hands the buffer's bytes to the background writer (which hashes and writes them) and goes on in an empty
    /// buffer.
    func flush() throws {
        guard state.pointee.count > 0 else { return }
        let next = try file.submit(BlockFileWriter.Buffer(bytes: state.pointee.bytes, capacity: state.pointee.capacity),
                                   count: state.pointee.count)
        let buffer = next ?? BlockFileWriter.Buffer.make(capacity: Self.bufferCapacity)
        state.pointee.bytes = buffer.bytes
        state.pointee.capacity = buffer.capacity
        state.pointee.count = 0
    }

    /// Flushes what is left and waits until it is written; returns the digest of every byte written.
    func finish() throws -> FileDigest {
        try flush()
        return try file.finish()
    }

    /// Waits until the background writer is done with every block handed to it (after an error, before the
    /// descriptor is closed).
    func waitUntilIdle() {
        file.waitUntilIdle()
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if state.pointee.count + extra > state.pointee.capacity { grow(extra) }
        return state.pointee.bytes + state.pointee.count
    }

    private func grow(_ extra: Int) {
        let capacity = max(state.pointee.capacity * 2, state.pointee.count + extra)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bytes.update(from: state.pointee.bytes, count: state.pointee.count)
        state.pointee.bytes.deallocate()
        state.pointee.bytes = bytes
        state.pointee.capacity = capacity
    }

    @inline(__always)
    private func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        state.pointee.count += 1
    }

    @inline(__always)
    private func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count).update(from: base, count: bytes.count)
        state.pointee.count += bytes.count
    }

    /// Where the next byte goes, for ``bytes(since:)``.
    var mark: Int { state.pointee.count }

    /// The bytes written since `mark` (no flush in between).
    func bytes(since mark: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: state.pointee.bytes + mark, count: state.pointee.count - mark))
    }

    func raw(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    // MARK: Structure

    func open() {
        append(UInt8(ascii: "{"))
        state.pointee.afterOpen = true
    }

    func close() {
        append(UInt8(ascii: "}"))
        state.pointee.afterOpen = false
    }

    func openArray() {
        append(UInt8(ascii: "["))
        state.pointee.afterOpen = true
    }

    func closeArray() {
        append(UInt8(ascii: "]"))
        state.pointee.afterOpen = false
    }

    /// `"key":`, after a comma unless it is the first member.
    func key(_ key: StaticString) {
        let length = key.utf8CodeUnitCount
        var target = reserve(length + 4)
        if !state.pointee.afterOpen {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        state.pointee.afterOpen = false
        target.pointee = UInt8(ascii: "\"")
        (target + 1).update(from: key.utf8Start, count: length)
        (target + 1 + length).pointee = UInt8(ascii: "\"")
        (target + 2 + length).pointee = UInt8(ascii: ":")
        state.pointee.count = target + 3 + length - state.pointee.bytes
    }

    /// Before an element of a compact array: a comma unless it is the first.
    func element() {
        if !state.pointee.afterOpen { append(UInt8(ascii: ",")) }
        state.pointee.afterOpen = false
    }

    // MARK: Values

    func null() { raw("null") }

    func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    func integer(_ value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            append(UnsafeBufferPointer(rebasing: buffer.bindMemory(to: UInt8.self)[start...]))
        }
    }

    func integer(_ value: Int) { integer(Int64(value)) }

    /// An instant as ISO 8601 in the extract's zone.
    func time(_ date: Date, _ time: ExtractTime) {
        let target = reserve(ExtractTime.iso8601MaximumLength + 2)
        if date == lastTime {
            target.update(from: lastTimeBytes, count: lastTimeCount)
            state.pointee.count += lastTimeCount
            return
        }
        target.pointee = UInt8(ascii: "\"")
        let length = time.writeISO8601(date, to: target + 1, offsets: &offsets)
        (target + 1 + length).pointee = UInt8(ascii: "\"")
        lastTimeBytes.update(from: target, count: length + 2)
        lastTimeCount = length + 2
        lastTime = date
        state.pointee.count += length + 2
    }

    /// A string in quotes, escaped as RFC 8259 requires: `"` and `\` with a backslash, U+0000–U+001F as `\b`, `\t`,
    /// `\n`, `\f`, `\r` or `\u00XX`; everything else as its UTF-8 bytes (a Swift string holds no lone surrogates).
    func string(_ value: String) {
        append(UInt8(ascii: "\""))
        if value.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            let bytes = Array(value.utf8)
            bytes.withUnsafeBufferPointer { appendEscaped($0) }
        }
        append(UInt8(ascii: "\""))
    }

    private func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            start = index + 1
            append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): append(byte)
            case 0x08: append(UInt8(ascii: "b"))
            case 0x09: append(UInt8(ascii: "t"))
            case 0x0A: append(UInt8(ascii: "n"))
            case 0x0C: append(UInt8(ascii: "f"))
            case 0x0D: append(UInt8(ascii: "r"))
            default:
                raw("u00")
                append(Self.hexDigits.utf8Start[Int(byte >> 4)])
                append(Self.hexDigits.utf8Start[Int(byte & 0x0F)])
            }
        }
        append(UnsafeBufferPointer(rebasing: bytes[start...]))
    }
}

/// A file written under a temporary name in its destination's folder, flushed to disk and renamed over the
/// destination when complete, so that a reader never sees half a file; on failure the temporary file is removed and
/// the error rethrown (I/O errors as ``ExtractError/writeFailed(path:reason:)``, others, such as a database error
/// while streaming, unchanged).
enum AtomicFile {
    /// Writes the file through `body`, synced to disk; returns the digest of the bytes written. With `replacing`,
    /// the bytes go to a temporary name that is renamed over `destination` when complete; without, `destination`
    /// itself is created (it must not exist) and removed again on failure.
    static func write(to destination: URL, replacing: Bool, _ body: (JSONStreamOutput) throws -> Void) throws -> FileDigest {
        let directory = destination.deletingLastPathComponent()
        let temporary = replacing
            ? directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp").path
            : destination.path
        func failure(_ reason: String) -> ExtractError { .writeFailed(path: destination.path, reason: reason) }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            if !replacing, errno == EEXIST { throw failure("a file is already there") }
            throw failure("cannot create a file in \(directory.path); the folder must exist and be writable")
        }
        var isOpen = true
        let output = JSONStreamOutput(descriptor: descriptor, path: destination.path)
        do {
            try body(output)
            let digest = try output.finish()
            guard fsync(descriptor) == 0 else { throw failure(String(cString: strerror(errno))) }
            isOpen = false
            guard close(descriptor) == 0 else { throw failure(String(cString: strerror(errno))) }
            if replacing {
                guard rename(temporary, destination.path) == 0 else { throw failure(String(cString: strerror(errno))) }
            }
            return digest
        } catch {
            // No block may still be on its way to the descriptor when it is closed (its number could be reused).
            output.waitUntilIdle()
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }
}

private extension CodeCategory {
    /// The category's position among all categories, for ``ExtractDocument``'s cache of written codes.
    var cacheSlot: Int {
        switch self {
        case .consentStatus: 0
        case .consentEventType: 1
        case .changeChannel: 2
        case .sourceType: 3
        case .recipientRole: 4
        case .requestState: 5
        case .requestType: 6
        case .extractFormat: 7
        case .language: 8
        case .personField: 9
        case .itemOutcome: 10
        case .refusalReason: 11
        }
    }
}
