import Foundation
import XLSXWriter

/// Writes the XLSX extract of a dossier: a workbook for the person to read, in their language, with the sheets
/// of ``ExtractSheet`` (design.md §5).
///
/// Every sheet has a bold, frozen header row with filters, set column widths and wrapped long texts; dates are
/// real date cells in the organisation's time zone; every code is shown in words and explained on the glossary
/// sheet. When no data is held about the person, the workbook holds only the read-me (which says so), the
/// requests and the glossary. The edit records and consent events are streamed from the database, so memory
/// stays flat however long the history is; a sheet beyond 1,048,576 rows continues on a sheet `Name (2)`.
/// The file appears at the destination only when it is complete. Parts are deflated with ``Compression/fast``.
public struct XLSXExtractWriter: Sendable {
    /// The labels and texts used.
    public let templates: ExtractTemplates

    /// A writer using `templates` (the shipped ones by default).
    public init(templates: ExtractTemplates = ExtractTemplates()) {
        self.templates = templates
    }

    /// Writes the workbook of `dossier` to `destination`, replacing a file that is there.
    ///
    /// - Throws: ``ExtractError`` for a template problem (before anything is written) and ``XLSXError`` when the
    ///   file cannot be written; nothing is left at `destination` then.
    public func write(_ dossier: Dossier, to destination: URL) throws {
        let content = try ExtractContent(dossier: dossier, templates: templates, format: .xlsx)
        let labels = content.labels
        // Fast compression: an extract is made on demand and small, so the time to the finished file counts more than
        // the size (about a fifth larger than with zlib's level 6; see ``Compression/fast``).
        let workbook = try XLSXWorkbook(path: destination.path, properties: DocumentProperties(
            title: "\(labels.documentTitle) — \(dossier.organisation.name)", subject: dossier.request?.reference,
            creator: dossier.organisation.name, created: dossier.generatedAt, language: labels.languageTag),
            compression: .fast)
        for sheet in content.sheets {
            switch sheet {
            case .readMe:
                try write(sheet, ExtractColumns.readMe, content, in: workbook) { emit in try content.readMe.forEach(emit) }
            case .details:
                try write(sheet, ExtractColumns.details, content, in: workbook) { emit in try content.fields.forEach(emit) }
            case .purposes:
                try write(sheet, ExtractColumns.purposes, content, in: workbook) { emit in try dossier.purposes.forEach(emit) }
            case .consents:
                try write(sheet, ExtractColumns.consents, content, in: workbook) { emit in
                    for entry in dossier.purposes { if let consent = entry.consent { try emit((entry, consent)) } }
                }
            case .consentHistory:
                try write(sheet, ExtractColumns.consentHistory, content, in: workbook) { emit in try dossier.forEachConsentEvent(emit) }
            case .sources:
                try write(sheet, ExtractColumns.sources, content, in: workbook) { emit in try dossier.sources.forEach(emit) }
            case .changeHistory:
                try write(sheet, ExtractColumns.changeHistory, content, in: workbook) { emit in try content.forEachEdit(emit) }
            case .recipients:
                try write(sheet, ExtractColumns.recipients, content, in: workbook) { emit in try content.recipients.forEach(emit) }
            case .requests:
                try write(sheet, ExtractColumns.requests, content, in: workbook) { emit in
                    for entry in dossier.requests { try emit((entry.request, entry.transitions)) }
                }
            case .glossary:
                try write(sheet, ExtractColumns.glossary, content, in: workbook) { emit in try content.glossary.forEach(emit) }
            }
        }
        try workbook.close()
    }

    /// Adds `sheet` with the header and layout of `columns`, then one row per row that `rows` emits.
    private func write<Row>(_ sheet: ExtractSheet, _ columns: [ExtractColumn<Row>], _ content: ExtractContent, in workbook: XLSXWorkbook,
                            rows: ((Row) throws -> Void) throws -> Void) throws {
        let headers = columns.map { content.labels.column(sheet, $0.key) }
        let layouts = zip(columns, headers).map { column, header in Self.layout(column.layout, fitting: header) }
        let options = SheetOptions(columns: layouts, headerRow: true, headerStyle: HeaderStyle(bold: true, fill: .lightGrey),
                                   frozenRows: 1, frozenColumns: 0, autoFilter: true)
        let output = try workbook.addSheet(named: content.labels.sheetName(sheet), options: options)
        try output.append(headers.map { .text($0) })
        try rows { row in try output.append(try columns.map { try $0.cell(row, content) }) }
    }
}

extension XLSXExtractWriter {
    /// `layout` widened, when needed, so that the whole of `header` shows in bold beside the filter button (the
    /// header row does not wrap): a header the organisation wrote longer than the column is not cut off. At most 60
    /// characters wide.
    static func layout(_ layout: Column, fitting header: String) -> Column {
        var fitted = layout
        let needed = min(Double(header.count) * 1.15 + 3, 60)
        if needed > (layout.width ?? 8.43) { fitted.width = needed.rounded(.up) }
        return fitted
    }
}

/// A column of an extract sheet: its key in the label file (`columns.<sheet>.<key>`), its layout, and how a row
/// fills it. One table per sheet gives both the header and the rows.
struct ExtractColumn<Row> {
    let key: String
    let layout: Column
    let cell: (Row, ExtractContent) throws -> Cell

    /// Text; nil and empty text leave the cell empty.
    static func text(_ key: String, width: Double, wrap: Bool = false, _ value: @escaping (Row, ExtractContent) throws -> String?) -> Self {
        ExtractColumn(key: key, layout: Column(width: width, wrap: wrap)) { row, content in
            guard let text = try value(row, content), !text.isEmpty else { return .empty }
            return .text(text)
        }
    }

    /// A date and time in the organisation's zone.
    static func dateTime(_ key: String, _ value: @escaping (Row, ExtractContent) -> Date?) -> Self {
        ExtractColumn(key: key, layout: Column(width: 19)) { row, content in content.time.cell(value(row, content)) }
    }

    /// A calendar date.
    static func date(_ key: String, _ value: @escaping (Row) -> CivilDate?) -> Self {
        ExtractColumn(key: key, layout: Column(width: 13)) { row, _ in ExtractTime.cell(value(row)) }
    }

    /// A whole number.
    static func number(_ key: String, width: Double, _ value: @escaping (Row) -> Int) -> Self {
        ExtractColumn(key: key, layout: Column(width: width)) { row, _ in .integer(Int64(value(row))) }
    }

    /// A link showing its address.
    static func link(_ key: String, width: Double, _ value: @escaping (Row, ExtractContent) -> String?) -> Self {
        ExtractColumn(key: key, layout: Column(width: width)) { row, content in
            guard let url = value(row, content), !url.isEmpty else { return .empty }
            return .hyperlink(url: url, text: url)
        }
    }
}

/// The columns of every sheet.
enum ExtractColumns {
    /// The label keys of a sheet's columns, in order.
    static func keys(of sheet: ExtractSheet) -> [String] {
        switch sheet {
        case .readMe: readMe.map(\.key)
        case .details: details.map(\.key)
        case .purposes: purposes.map(\.key)
        case .consents: consents.map(\.key)
        case .consentHistory: consentHistory.map(\.key)
        case .sources: sources.map(\.key)
        case .changeHistory: changeHistory.map(\.key)
        case .recipients: recipients.map(\.key)
        case .requests: requests.map(\.key)
        case .glossary: glossary.map(\.key)
        }
    }

    static var readMe: [ExtractColumn<ReadMeRow>] {
        [
            .text("topic", width: 34, wrap: true) { row, _ in row.heading },
            .text("text", width: 110, wrap: true) { row, _ in row.text },
        ]
    }

    static var details: [ExtractColumn<ExtractContent.FieldRow>] {
        [
            .text("field", width: 24, wrap: true) { row, content in content.labels.code(row.field).label },
            .text("value", width: 40, wrap: true) { row, _ in row.display },
            .text("source", width: 26, wrap: true) { row, content in content.source(of: row) },
            .dateTime("lastChanged") { row, _ in row.lastEdit?.at },
            .text("changedBy", width: 24, wrap: true) { row, content in row.lastEdit.map { content.actor($0.attribution) } },
            .text("changedVia", width: 24, wrap: true) { row, content in row.lastEdit.map { content.labels.code($0.attribution.via).label } },
            .text("statement", width: 40, wrap: true) { row, _ in row.statements.isEmpty ? nil : row.statements.joined(separator: "\n") },
        ]
    }

    static var purposes: [ExtractColumn<PurposeInDossier>] {
        [
            .text("purpose", width: 24, wrap: true) { entry, content in entry.purpose.name[content.language] },
            .text("description", width: 50, wrap: true) { entry, content in entry.purpose.description[content.language] },
            .text("inUse", width: 16) { entry, content in content.labels.yesNo(ExtractContent.inUse(entry)) },
            .text("basis", width: 22, wrap: true) { entry, content in entry.basis?.name[content.language] },
            .text("basisArticle", width: 18) { entry, content in try entry.basis.map { try content.labels.articleCitation($0.article) } },
            .text("basisExplanation", width: 50, wrap: true) { entry, content in entry.basis?.description[content.language] },
            .text("dataCategories", width: 40, wrap: true) { entry, content in entry.purpose.dataCategories[content.language] },
            .text("recipients", width: 30, wrap: true) { entry, content in content.recipientNames(entry) },
            .text("retention", width: 40, wrap: true) { entry, content in entry.purpose.retention[content.language] },
            .text("transfers", width: 36, wrap: true) { entry, content in
                content.transfersOutsideEEA(entry) ?? content.labels.word(.transfersNone)
            },
            .text("automatedDecisions", width: 36, wrap: true) { entry, content in
                entry.purpose.automatedDecisionMaking?[content.language] ?? content.labels.word(.automatedDecisionsNone)
            },
            .text("directMarketing", width: 16) { entry, content in content.labels.yesNo(entry.purpose.isDirectMarketing) },
            .text("rightToObject", width: 50, wrap: true) { entry, content in content.rightToObject(entry) },
            .text("consentStatus", width: 30, wrap: true) { entry, content in content.consentSummaryWithObjection(entry) },
            .dateTime("objectionRecorded") { entry, content in content.objectionRecordedAt(entry) },
            .link("privacyStatement", width: 34) { entry, content in content.privacyStatementURL(entry) },
        ]
    }

    typealias ConsentRow = (entry: PurposeInDossier, consent: Consent)

    static var consents: [ExtractColumn<ConsentRow>] {
        [
            .text("purpose", width: 24, wrap: true) { row, content in row.entry.purpose.name[content.language] },
            .text("basis", width: 22, wrap: true) { row, content in content.basisName(row.consent.basisKey) },
            .text("status", width: 18, wrap: true) { row, content in content.labels.code(row.consent.status).label },
            .text("statusExplanation", width: 50, wrap: true) { row, content in content.labels.code(row.consent.status).explanation },
            .text("source", width: 22, wrap: true) { row, content in content.sourceName(row.consent.sourceKey) },
            .dateTime("givenAt") { row, _ in row.consent.givenAt },
            .dateTime("withdrawnAt") { row, _ in row.consent.withdrawnAt },
            .dateTime("registeredAt") { row, _ in row.consent.registeredAt },
            .text("registeredBy", width: 22, wrap: true) { row, content in content.actor(row.consent.registeredBy, via: row.consent.registeredVia) },
            .dateTime("updatedAt") { row, _ in row.consent.updatedAt },
            .text("updatedBy", width: 22, wrap: true) { row, content in content.actor(row.consent.updatedBy, via: row.consent.updatedVia) },
            .number("updateCount", width: 12) { row in row.consent.updateCount },
            .text("consentText", width: 50, wrap: true) { row, _ in row.consent.consentText },
            .text("comment", width: 40, wrap: true) { row, _ in row.consent.comment },
        ]
    }

    static var consentHistory: [ExtractColumn<ConsentEvent>] {
        [
            .dateTime("at") { event, _ in event.at },
            .text("purpose", width: 24, wrap: true) { event, content in content.purposeName(event.purposeKey) },
            .text("event", width: 28, wrap: true) { event, content in content.labels.code(event.type).label },
            .dateTime("givenAt") { event, _ in event.givenAt },
            .text("status", width: 26, wrap: true) { event, content in
                ExtractContent.change(event.fromStatus.map { content.labels.code($0).label }, content.labels.code(event.toStatus).label)
            },
            .text("basis", width: 26, wrap: true) { event, content in
                ExtractContent.change(event.fromBasis.map(content.basisName), content.basisName(event.toBasis))
            },
            .text("source", width: 26, wrap: true) { event, content in
                ExtractContent.change(event.fromSource.map(content.sourceName), content.sourceName(event.toSource))
            },
            .text("by", width: 22, wrap: true) { event, content in content.actor(event.attribution) },
            .text("channel", width: 22, wrap: true) { event, content in content.labels.code(event.attribution.via).label },
            .text("request", width: 18) { event, _ in event.attribution.requestReference },
            .text("evidence", width: 24, wrap: true) { event, _ in event.evidence },
            .text("comment", width: 40, wrap: true) { event, _ in event.comment },
        ]
    }

    static var sources: [ExtractColumn<Source>] {
        [
            .text("source", width: 26, wrap: true) { source, content in source.name[content.language] },
            .text("suppliedBy", width: 20, wrap: true) { source, content in content.labels.code(source.sourceType).label },
            .text("suppliedByExplanation", width: 45, wrap: true) { source, content in content.labels.code(source.sourceType).explanation },
            .text("explanation", width: 50, wrap: true) { source, content in source.description[content.language] },
        ]
    }

    static var changeHistory: [ExtractColumn<PersonEdit>] {
        [
            .dateTime("at") { edit, _ in edit.at },
            .text("field", width: 24, wrap: true) { edit, content in content.labels.code(edit.field).label },
            .text("oldValue", width: 36, wrap: true) { edit, content in content.display(edit.oldValue, of: edit.field) },
            .text("newValue", width: 36, wrap: true) { edit, content in content.display(edit.newValue, of: edit.field) },
            .text("by", width: 22, wrap: true) { edit, content in content.actor(edit.attribution) },
            .text("channel", width: 22, wrap: true) { edit, content in content.labels.code(edit.attribution.via).label },
            .text("reason", width: 36, wrap: true) { edit, content in content.reason(edit.attribution) },
            .text("request", width: 18) { edit, _ in edit.attribution.requestReference },
        ]
    }

    static var recipients: [ExtractColumn<ExtractContent.RecipientRow>] {
        [
            .text("recipient", width: 30, wrap: true) { row, _ in row.recipient.name },
            .text("role", width: 24, wrap: true) { row, content in content.labels.code(row.recipient.role).label },
            .text("roleExplanation", width: 45, wrap: true) { row, content in content.labels.code(row.recipient.role).explanation },
            .text("country", width: 26, wrap: true) { row, content in content.labels.countryName(row.recipient.country) },
            .text("purposes", width: 36, wrap: true) { row, content in
                // A purpose that does not use the person's data now is marked, so the present tense stays true.
                row.purposes.map { purpose in
                    let name = purpose.name[content.language]
                    return row.purposesNotInUse.contains(purpose.key) ? "\(name) (\(content.labels.word(.purposeNotNow)))" : name
                }.joined(separator: "\n")
            },
            .text("data", width: 30, wrap: true) { row, content in row.data.map { content.labels.code($0).label }.joined(separator: "\n") },
        ]
    }

    typealias RequestRow = (request: DataSubjectRequest, transitions: [RequestTransition])

    static var requests: [ExtractColumn<RequestRow>] {
        [
            .text("reference", width: 18) { row, _ in row.request.reference },
            .text("type", width: 16, wrap: true) { row, content in content.labels.code(row.request.type).label },
            .date("received") { row in row.request.receivedOn },
            .date("due") { row in row.request.dueOn },
            .date("extendedDue") { row in row.request.extendedDueOn },
            .text("extensionReason", width: 40, wrap: true) { row, _ in ExtractContent.extensionReason(of: row.request) },
            .text("state", width: 24, wrap: true) { row, content in content.labels.code(content.shownState(of: row.request)).label },
            .text("stateExplanation", width: 50, wrap: true) { row, content in
                content.labels.code(content.shownState(of: row.request)).explanation
            },
            .dateTime("lastChange") { row, content in content.shownLastStateChange(of: row.request, transitions: row.transitions) },
            .text("formats", width: 26, wrap: true) { row, content in
                let files = content.filesMade(for: row.request)
                return files.isEmpty ? nil : files.map { content.labels.code($0).label }.joined(separator: "\n")
            },
            .text("givenDetails", width: 40, wrap: true) { row, content in
                content.givenDetails(of: row.request).map { "\($0.label): \($0.value)" }.joined(separator: "\n")
            },
            .text("asked", width: 50, wrap: true) { row, content in content.asked(in: row.request) },
            .text("outcome", width: 60, wrap: true) { row, content in content.outcome(of: row.request) },
        ]
    }

    static var glossary: [ExtractColumn<ExtractContent.GlossaryRow>] {
        [
            .text("category", width: 28, wrap: true) { row, _ in row.category },
            .text("term", width: 30, wrap: true) { row, _ in row.term },
            .text("meaning", width: 80, wrap: true) { row, _ in row.meaning },
            .text("code", width: 22) { row, _ in row.key },
        ]
    }
}
