import Foundation
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
///   objects inside them in alphabetical order.
/// - The document is streamed: the small sections are encoded one by one, the consent events and edit records
///   element by element, so memory stays flat however long the history is. Each top-level member and each
///   element of the long arrays starts a new line.
/// - The file appears at the destination only when it is complete (written under a temporary name in the same
///   folder, then renamed), with the permissions of a new file (as the XLSX extract), so the umask decides.
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
    /// - Throws: ``ExtractError`` for a template problem (before anything is written) or when the file cannot be
    ///   written; nothing is left at `destination` then.
    public func write(_ dossier: Dossier, to destination: URL) throws {
        let content = try ExtractContent(dossier: dossier, templates: templates)
        try AtomicFile.write(to: destination) { output in
            let document = ExtractDocument(content)
            try output.openObject()
            try output.member("schemaVersion", Self.schemaVersion)
            try output.member("generatedAt", content.time.iso8601(dossier.generatedAt))
            try output.member("language", document.coded(dossier.language))
            try output.member("timeZone", dossier.timeZone.identifier)
            try output.member("organisation", document.organisation())
            try output.member("request", ExplicitNull(wrappedValue: dossier.request.map { document.request($0, transitions: nil) }))
            try output.member("dataHeld", dossier.person != nil)
            try output.member("readMe", content.readMe)
            try output.member("subject", ExplicitNull(wrappedValue: document.subject()))
            try output.member("purposes", try dossier.purposes.map(document.purpose))
            try output.streamedArray("consents", of: ExtractDocument.ConsentPart.self) { element in
                for entry in dossier.purposes {
                    guard let consent = entry.consent else { continue }
                    try element(document.consent(entry, consent)) { event in
                        try dossier.forEachConsentEvent { if $0.consentID == consent.id { try event(try document.event($0)) } }
                    }
                }
            }
            try output.member("sources", dossier.sources.map(document.source))
            try output.streamedArray("editHistory", of: ExtractDocument.EditPart.self) { element in
                try dossier.forEachEdit { try element(document.edit($0), nil) }
            }
            try output.member("recipients", content.recipients.map(document.recipient))
            try output.member("requests", dossier.requests.map { document.request($0.request, transitions: $0.transitions) })
            try output.member("rights", try document.rights())
            try output.member("complaint", try document.complaint())
            try output.closeObject()
        }
    }
}

// MARK: - Document parts

/// A coded value in words.
struct CodedValue: Encodable {
    let key: String
    let label: String
    let explanation: String
}

/// A legal basis or right with its article and DPV concept.
struct ArticleValue: Encodable {
    let key: String
    let label: String
    let explanation: String
    let gdprArticle: String
    @ExplicitNull var dpvIRI: String?
}

/// A reference to a reference-list entry by key and name.
struct EntryReference: Encodable {
    let key: String
    let label: String
}

/// Builds the parts of the document from the prepared content.
struct ExtractDocument {
    let content: ExtractContent
    private var labels: ExtractLabels { content.labels }
    private var language: Language { content.language }

    init(_ content: ExtractContent) { self.content = content }

    func coded<Code: LabelledCode>(_ code: Code) -> CodedValue {
        let text = labels.code(code)
        return CodedValue(key: code.rawValue, label: text.label, explanation: text.explanation)
    }

    func basis(_ key: String) throws -> ArticleValue {
        guard let basis = content.dossier.lists.basis(key) else {
            return ArticleValue(key: key, label: key, explanation: "", gdprArticle: "", dpvIRI: nil)
        }
        return ArticleValue(key: basis.key, label: basis.name[language], explanation: basis.description[language],
                            gdprArticle: basis.article, dpvIRI: basis.dpvIRI.isEmpty ? nil : basis.dpvIRI)
    }

    func sourceValue(_ key: String) -> CodedValue {
        let source = content.dossier.lists.source(key)
        return CodedValue(key: key, label: source?.name[language] ?? key, explanation: source?.description[language] ?? "")
    }

    func purposeReference(_ key: String) -> EntryReference { EntryReference(key: key, label: content.purposeName(key)) }

    // MARK: Organisation and request

    struct OrganisationPart: Encodable {
        struct Officer: Encodable {
            let name: String
            let email: String
        }
        let name: String
        let address: String
        let contactEmail: String
        let dataProtectionOfficer: Officer
        let country: String
    }

    func organisation() -> OrganisationPart {
        let profile = content.dossier.organisation
        return OrganisationPart(name: profile.name, address: profile.address, contactEmail: profile.contactEmail,
                            dataProtectionOfficer: .init(name: profile.dpoName, email: profile.dpoEmail), country: profile.country)
    }

    struct RequestPart: Encodable {
        struct StateChange: Encodable {
            let at: String
            @ExplicitNull var from: CodedValue?
            let to: CodedValue
        }
        let reference: String
        let type: ArticleValue
        let state: CodedValue
        let receivedAt: String
        let receivedOn: CivilDate
        let dueOn: CivilDate
        @ExplicitNull var extendedDueOn: CivilDate?
        @ExplicitNull var lastStateChangeAt: String?
        let formats: [CodedValue]
        /// Only in `requests`, not in the top-level `request` (which is one of them).
        let stateHistory: [StateChange]?
    }

    func request(_ request: DataSubjectRequest, transitions: [RequestTransition]?) -> RequestPart {
        let type = labels.code(request.type)
        return RequestPart(
            reference: request.reference,
            type: ArticleValue(key: request.type.rawValue, label: type.label, explanation: type.explanation,
                               gdprArticle: String(request.type.gdprArticle), dpvIRI: GDPRReference.dpvNamespace + "A\(request.type.gdprArticle)"),
            state: coded(request.state), receivedAt: content.time.iso8601(request.receivedAt), receivedOn: request.receivedOn,
            dueOn: request.dueOn, extendedDueOn: request.extendedDueOn,
            lastStateChangeAt: content.dossier.requests.first { $0.request.id == request.id }
                .flatMap { ExtractContent.lastStateChange($0.transitions) }.map(content.time.iso8601),
            formats: request.formats.map(coded),
            stateHistory: transitions?.map { RequestPart.StateChange(at: content.time.iso8601($0.at), from: $0.from.map(coded), to: coded($0.to)) })
    }

    // MARK: Subject

    struct SubjectPart: Encodable {
        struct Detail: Encodable {
            let field: CodedValue
            let value: String
            let valueInWords: String
            @ExplicitNull var lastChangedAt: String?
            @ExplicitNull var lastChangedBy: String?
            @ExplicitNull var lastChangedVia: CodedValue?
        }
        let personID: Int64
        @ExplicitNull var source: CodedValue?
        let registeredAt: String
        let updatedAt: String
        let details: [Detail]
    }

    func subject() -> SubjectPart? {
        guard let person = content.dossier.person else { return nil }
        return SubjectPart(
            personID: person.id, source: person.details.sourceKey.map(sourceValue),
            registeredAt: content.time.iso8601(person.createdAt), updatedAt: content.time.iso8601(person.updatedAt),
            details: content.fields.map { row in
                SubjectPart.Detail(field: coded(row.field), value: row.value, valueInWords: row.display,
                               lastChangedAt: row.lastEdit.map { content.time.iso8601($0.at) },
                               lastChangedBy: row.lastEdit.map { content.actor($0.attribution) },
                               lastChangedVia: row.lastEdit.map { coded($0.attribution.via) })
            })
    }

    // MARK: Purposes and consents

    struct PurposePart: Encodable {
        let key: String
        let label: String
        let description: String
        @ExplicitNull var legalBasis: ArticleValue?
        let dataCategories: String
        let recipients: [EntryReference]
        let retention: String
        @ExplicitNull var transfersOutsideEU: String?
        @ExplicitNull var automatedDecisionMaking: String?
        let directMarketing: Bool
        let rightToObject: String
        @ExplicitNull var consentStatus: CodedValue?
        let consentSummary: String
        let consentText: String
        @ExplicitNull var privacyStatementURL: String?
    }

    func purpose(_ entry: PurposeInDossier) throws -> PurposePart {
        let purpose = entry.purpose
        return PurposePart(
            key: purpose.key, label: purpose.name[language], description: purpose.description[language],
            legalBasis: try entry.basis.map { try basis($0.key) }, dataCategories: purpose.dataCategories[language],
            recipients: entry.recipients.map { EntryReference(key: $0.key, label: $0.name) }, retention: purpose.retention[language],
            transfersOutsideEU: purpose.transfersOutsideEU?[language], automatedDecisionMaking: purpose.automatedDecisionMaking?[language],
            directMarketing: purpose.isDirectMarketing, rightToObject: content.rightToObject(entry),
            consentStatus: entry.consent.map { coded($0.status) }, consentSummary: content.consentSummary(entry),
            consentText: purpose.consentText[language], privacyStatementURL: purpose.privacyStatementURL)
    }

    /// A consent without its events (the writer streams them into `events`).
    struct ConsentPart: Encodable {
        let consentID: Int64
        let purpose: EntryReference
        let legalBasis: ArticleValue
        let status: CodedValue
        let source: CodedValue
        @ExplicitNull var consentText: String?
        @ExplicitNull var comment: String?
        @ExplicitNull var givenAt: String?
        @ExplicitNull var withdrawnAt: String?
        let registeredAt: String
        let registeredBy: String
        let updatedAt: String
        let updatedBy: String
        let updateCount: Int
    }

    func consent(_ entry: PurposeInDossier, _ consent: Consent) throws -> ConsentPart {
        ConsentPart(
            consentID: consent.id, purpose: purposeReference(consent.purposeKey), legalBasis: try basis(consent.basisKey),
            status: coded(consent.status), source: sourceValue(consent.sourceKey), consentText: consent.consentText, comment: consent.comment,
            givenAt: consent.givenAt.map(content.time.iso8601), withdrawnAt: consent.withdrawnAt.map(content.time.iso8601),
            registeredAt: content.time.iso8601(consent.registeredAt), registeredBy: content.actor(consent.registeredBy, via: .cli),
            updatedAt: content.time.iso8601(consent.updatedAt), updatedBy: content.actor(consent.updatedBy, via: .cli),
            updateCount: consent.updateCount)
    }

    struct EventPart: Encodable {
        @ExplicitNull var eventID: Int64?
        let at: String
        let type: CodedValue
        @ExplicitNull var fromStatus: CodedValue?
        let toStatus: CodedValue
        @ExplicitNull var fromBasis: ArticleValue?
        let toBasis: ArticleValue
        @ExplicitNull var fromSource: CodedValue?
        let toSource: CodedValue
        let by: String
        let channel: CodedValue
        @ExplicitNull var requestReference: String?
        @ExplicitNull var evidence: String?
        @ExplicitNull var comment: String?
    }

    func event(_ event: ConsentEvent) throws -> EventPart {
        EventPart(
            eventID: event.id, at: content.time.iso8601(event.at), type: coded(event.type),
            fromStatus: event.fromStatus.map(coded), toStatus: coded(event.toStatus),
            fromBasis: try event.fromBasis.map(basis), toBasis: try basis(event.toBasis),
            fromSource: event.fromSource.map(sourceValue), toSource: sourceValue(event.toSource),
            by: content.actor(event.attribution), channel: coded(event.attribution.via),
            requestReference: event.attribution.requestReference, evidence: event.evidence, comment: event.comment)
    }

    // MARK: Sources, edits, recipients

    struct SourcePart: Encodable {
        let key: String
        let label: String
        let explanation: String
        let suppliedBy: CodedValue
    }

    func source(_ source: Source) -> SourcePart {
        SourcePart(key: source.key, label: source.name[language], explanation: source.description[language], suppliedBy: coded(source.sourceType))
    }

    struct EditPart: Encodable {
        @ExplicitNull var editID: Int64?
        let at: String
        let field: CodedValue
        @ExplicitNull var oldValue: String?
        @ExplicitNull var newValue: String?
        let by: String
        let channel: CodedValue
        @ExplicitNull var reason: String?
        @ExplicitNull var requestReference: String?
    }

    func edit(_ edit: PersonEdit) -> EditPart {
        EditPart(editID: edit.id, at: content.time.iso8601(edit.at), field: coded(edit.field), oldValue: edit.oldValue, newValue: edit.newValue,
             by: content.actor(edit.attribution), channel: coded(edit.attribution.via),
             reason: edit.attribution.reason, requestReference: edit.attribution.requestReference)
    }

    struct RecipientPart: Encodable {
        let key: String
        let name: String
        let role: CodedValue
        let country: String
        let purposes: [EntryReference]
    }

    func recipient(_ row: ExtractContent.RecipientRow) -> RecipientPart {
        RecipientPart(key: row.recipient.key, name: row.recipient.name, role: coded(row.recipient.role), country: row.recipient.country,
                  purposes: row.purposes.map { EntryReference(key: $0.key, label: $0.name[language]) })
    }

    // MARK: Rights and complaint

    struct RightsPart: Encodable {
        let howToUse: String
        let contactEmail: String
        let items: [ArticleValue]
    }

    func rights() throws -> RightsPart {
        RightsPart(howToUse: labels.word(.howToUseRights), contactEmail: content.dossier.organisation.contactEmail,
               items: DataSubjectRight.allCases.map { right in
                   let text = labels.right(right)
                   return ArticleValue(key: right.rawValue, label: text.label, explanation: text.explanation,
                                       gdprArticle: right.gdprArticle, dpvIRI: right.dpvIRI)
               })
    }

    struct ComplaintPart: Encodable {
        struct Authority: Encodable {
            let name: String
            let address: String
            let url: String
        }
        struct Court: Encodable {
            let explanation: String
            let gdprArticle: String
        }
        let supervisoryAuthority: Authority
        let explanation: String
        let gdprArticle: String
        let dpvIRI: String
        let court: Court
    }

    func complaint() throws -> ComplaintPart {
        let profile = content.dossier.organisation
        return ComplaintPart(
            supervisoryAuthority: .init(name: profile.supervisoryAuthorityName, address: profile.supervisoryAuthorityAddress,
                                        url: profile.supervisoryAuthorityURL),
            explanation: labels.word(.complaint), gdprArticle: GDPRReference.complaintArticle, dpvIRI: GDPRReference.complaintDPVIRI,
            court: .init(explanation: labels.word(.court), gdprArticle: GDPRReference.courtArticle))
    }
}

// MARK: - Streaming output

/// Emits the elements of a nested array, one by one, through the function it is given.
typealias NestedElements = (_ emit: (any Encodable) throws -> Void) throws -> Void

/// A JSON document written member by member to a file, with a buffer.
final class JSONStreamOutput {
    private let handle: FileHandle
    private let path: String
    private let encoder: JSONEncoder
    private var buffer = Data()
    private var needsComma = false
    private static let flushSize = 1 << 18

    init(handle: FileHandle, path: String) {
        self.handle = handle
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    private func raw(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        try flushIfFull()
    }

    private func raw(_ data: Data) throws {
        buffer.append(data)
        try flushIfFull()
    }

    private func flushIfFull() throws {
        if buffer.count >= Self.flushSize { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ExtractError.writeFailed(path: path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Encodes `value`; an error names where in the value it failed, never the value itself (personal data).
    private func encode<Value: Encodable>(_ value: Value) throws -> Data {
        do {
            return try encoder.encode(value)
        } catch let EncodingError.invalidValue(_, context) {
            let location = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ExtractError.writeFailed(path: path, reason: "the value at \(location) cannot be written as JSON")
        } catch {
            throw ExtractError.writeFailed(path: path, reason: "a value cannot be written as JSON")
        }
    }

    func openObject() throws { try raw("{") }

    func closeObject() throws { try raw("\n}\n") }

    /// Writes `"key":value` on a new line.
    func member<Value: Encodable>(_ key: String, _ value: Value) throws {
        try memberKey(key)
        try raw(encode(value))
    }

    private func memberKey(_ key: String) throws {
        try raw(needsComma ? ",\n" : "\n")
        needsComma = true
        try raw(encode(key))
        try raw(":")
    }

    /// Writes `"key":[…]` whose elements `body` emits one by one, each on a new line. An element may carry a
    /// nested array, `nestedKey`, whose elements its second argument emits (nil for none).
    func streamedArray<Element: Encodable>(
        _ key: String, of type: Element.Type, nestedKey: String = "events",
        _ body: (_ element: (Element, NestedElements?) throws -> Void) throws -> Void
    ) throws {
        try memberKey(key)
        try raw("[")
        var first = true
        try body { element, nested in
            try raw(first ? "\n" : ",\n")
            first = false
            var data = try encode(element)
            guard let nested else {
                try raw(data)
                return
            }
            guard data.count > 2, data.last == UInt8(ascii: "}") else {
                throw ExtractError.writeFailed(path: path, reason: "an element with nested \(nestedKey) must be a non-empty object")
            }
            data.removeLast()
            try raw(data)
            try raw(",")
            try raw(encode(nestedKey))
            try raw(":[")
            var firstNested = true
            try nested { value in
                try raw(firstNested ? "\n" : ",\n")
                firstNested = false
                try raw(encode(value))
            }
            try raw(firstNested ? "]}" : "\n]}")
        }
        try raw(first ? "]" : "\n]")
    }
}

/// A file written under a temporary name in its destination's folder and renamed over the destination when
/// complete, so that a reader never sees half a file; on failure the temporary file is removed and the error
/// rethrown (I/O errors as ``ExtractError/writeFailed(path:reason:)``, others, such as a database error while
/// streaming, unchanged).
enum AtomicFile {
    static func write(to destination: URL, _ body: (JSONStreamOutput) throws -> Void) throws {
        let directory = destination.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        func failure(_ reason: String) -> ExtractError { .writeFailed(path: destination.path, reason: reason) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary)
        else {
            try? FileManager.default.removeItem(at: temporary)
            throw failure("cannot create a file in \(directory.path); the folder must exist and be writable")
        }
        do {
            let output = JSONStreamOutput(handle: handle, path: destination.path)
            try body(output)
            try output.flush()
            do {
                try handle.synchronize()
                try handle.close()
            } catch {
                throw failure(error.localizedDescription)
            }
            guard rename(temporary.path, destination.path) == 0 else { throw failure(String(cString: strerror(errno))) }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
