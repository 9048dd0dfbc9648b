import Foundation
import Testing
@testable import Inzage

/// A known dossier for the extract tests: Anna with details (a formula-like value and odd Unicode among them),
/// a consent for e-marketing that was given, withdrawn, given again and objected to through a request, a
/// registration for sales and service, a named recipient per purpose, and an access request.
struct ExtractFixture {
    let database: InzageDatabase
    let ledger: Ledger
    let personID: Int64
    let request: DataSubjectRequest

    /// When the dossier is gathered: 2025-06-16 22:40:00 UTC, 00:40 on the 17th in Amsterdam (a date that differs by zone).
    static let generatedAt = Date(timeIntervalSince1970: 1_750_113_600)
    static let formulaLike = ["=1+1", "@x", "-5", "+31"]
    static let oddUnicode = "Zoë Łódź 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩🏽‍💻 مرحبا 漢字 e\u{301}"
    static let objectionReference = "DSR-2025-000777"
    static let organisationPrivacyStatement = "https://example.nl/privacyverklaring"
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt
    /// The details the mail house receives that Anna has (no secondary e-mail address), in the details' order.
    static let mailHouseData: [PersonField] = [.firstName, .lastName, .email, .language]
    /// Every detail Anna has, which the hosting company (all fields) receives.
    static let heldData: [PersonField] = [.firstName, .namePrefix, .lastName, .email, .phone, .street, .city, .organisation, .jobTitle,
                                          .language, .source]

    static func make(language: Language) throws -> ExtractFixture {
        let (ledger, database) = try makeLedger()
        try ledger.addRecipient(Recipient(key: "mail-house", name: "Mail House Inc.", role: .processor, country: "US",
                                          fields: [.email, .firstName, .secondaryEmail, .lastName, .language], rank: 10), by: "officer")
        try ledger.addRecipient(Recipient(key: "crm-hosting", name: "CRM Hosting B.V.", role: .processor, country: "NL", rank: 20), by: "officer")
        try ledger.setRecipients(["mail-house"], forPurpose: "e-marketing", by: "officer")
        try ledger.setRecipients(["crm-hosting"], forPurpose: "sales-and-service", by: "officer")
        try ledger.updateEntry(.purpose, key: "e-marketing", changes: [
            (field: "privacy-statement-url", value: "https://example.nl/privacy"),
            (field: "transfers-outside-eu-en", value: "To the United States, under the EU-US Data Privacy Framework."),
            (field: "transfers-outside-eu-nl", value: "Naar de Verenigde Staten, onder het EU-VS Data Privacy Framework."),
        ], by: "officer")
        // The organisation's statement covers the purposes without one of their own.
        try ledger.setSetting(SettingKey.privacyStatementURL.rawValue, value: organisationPrivacyStatement, by: "officer")

        let person = try ledger.addPerson(PersonDetails(
            firstName: "Anna", lastName: "Jansen", email: "anna.jansen@example.nl", phone: "+31 20 123 4567", city: "Amsterdam",
            language: language.rawValue, sourceKey: "business-card"), attribution: officer)
        let fields: [PersonField] = [.jobTitle, .organisation, .street, .namePrefix]
        for (field, value) in zip(fields, formulaLike) {
            _ = try ledger.updatePerson(id: person.id, changes: [field: value], attribution: Attribution(by: "officer", via: .cli, reason: "typed in"))
        }
        _ = try ledger.updatePerson(id: person.id, changes: [.lastName: oddUnicode],
                                    attribution: Attribution(by: "privacy-officer", via: .request, reason: "rectified", requestReference: objectionReference))

        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: "business-card"), attribution: officer)
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-4711"),
                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        _ = try ledger.withdrawConsent(personID: person.id, purposeKey: "e-marketing",
                                       attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        _ = try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: "web-form", evidence: "form-4712", fromPerson: true),
                                   attribution: Attribution(by: Attribution.dataSubject, via: .preferencePage))
        _ = try ledger.recordObjection(personID: person.id, purposeKey: "e-marketing",
                                       attribution: Attribution(by: "privacy-officer", via: .request, requestReference: objectionReference),
                                       comment: "Objected by letter")

        let queue = RequestQueue(store: database, clock: { generatedAt.addingTimeInterval(-3600) })
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl"), language: language,
                                                     receivedAt: Date(timeIntervalSince1970: 1_750_100_000)), by: "officer")
        let request = try queue.transition(filed.request.reference, to: .inProgress, by: "worker", note: nil)
        return ExtractFixture(database: database, ledger: ledger, personID: person.id, request: request)
    }

    /// An access request from someone nobody matches, on a fresh database.
    static func makeNoMatch(language: Language) throws -> (InzageDatabase, DataSubjectRequest) {
        let (_, database) = try makeLedger()
        let queue = RequestQueue(store: database, clock: { generatedAt.addingTimeInterval(-3600) })
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "nobody@example.nl"), language: language,
                                                     receivedAt: Date(timeIntervalSince1970: 1_750_100_000)), by: "officer")
        #expect(filed.request.personID == nil)
        return (database, filed.request)
    }

    func withDossier<T>(_ body: (Dossier) throws -> T) throws -> T {
        try Resolver(store: database, clock: { Self.generatedAt }).withDossier(personID: personID, request: request, body)
    }
}

/// Writes both extracts of a dossier into `directory` and returns their URLs.
func writeExtracts(_ dossier: Dossier, into directory: URL, name: String, templates: ExtractTemplates = ExtractTemplates()) throws -> (xlsx: URL, json: URL) {
    let xlsx = directory.appendingPathComponent("\(name).xlsx")
    let json = directory.appendingPathComponent("\(name).json")
    try XLSXExtractWriter(templates: templates).write(dossier, to: xlsx)
    try JSONExtractWriter(templates: templates).write(dossier, to: json)
    return (xlsx, json)
}

/// The shipped labels of a language (the tests compare the workbook against them).
func shippedLabels(_ language: Language) throws -> ExtractLabels { try ExtractTemplates().labels(language) }

/// The local date-time text openpyxl gives for an instant in Amsterdam: `2025-06-15T17:07:40`.
func amsterdamLocal(_ date: Date) -> String {
    let time = ExtractTime(timeZone: ExtractFixture.amsterdam).iso8601(date)
    return String(time.prefix(19))
}

// MARK: - Real readers

/// A missing reader or a failing one: the tests fail with this message, they never skip.
struct ReaderFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs a program and returns its standard output; throws with standard error when it fails.
@discardableResult
func run(_ executable: String, _ arguments: [String], hint: String) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
        try process.run()
    } catch {
        throw ReaderFailure(description: "cannot start \(executable): \(error). \(hint)")
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = String(decoding: errorData, as: UTF8.self)
        throw ReaderFailure(description: "\(executable) failed (exit \(process.terminationStatus)): \(message.suffix(2000)) \(hint)")
    }
    return outputData
}

/// Runs a Python snippet with `python3 -c`.
func python(_ script: String, _ arguments: [String], needs module: String) throws -> Data {
    try run("python3", ["-c", script] + arguments,
            hint: "The extract tests read the files with real readers: install python3 and `pip install \(module)` (the test script does).")
}

/// A value of a cell as openpyxl reads it.
enum SheetValue: Decodable, Equatable, CustomStringConvertible {
    case text(String)
    case number(Double)
    case bool(Bool)
    case none

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .none }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else { self = .text(try container.decode(String.self)) }
    }

    var text: String? { if case .text(let text) = self { text } else { nil } }
    var description: String {
        switch self {
        case .text(let text): text
        case .number(let number): String(number)
        case .bool(let bool): String(bool)
        case .none: "∅"
        }
    }
}

/// A workbook as openpyxl reads it.
struct ReadWorkbook: Decodable {
    struct Properties: Decodable {
        let title: String?
        let subject: String?
        let creator: String?
        let language: String?
        let created: String?
    }
    struct ReadCell: Decodable {
        /// The value (dates as ISO text).
        let v: SheetValue
        /// The Python type of the value: str, int, float, bool, datetime, NoneType.
        let t: String
        /// openpyxl's data type: s, n, b, d, f (formula), …
        let dt: String
        let bold: Bool
        let wrap: Bool
        let fmt: String
        let link: String?
    }
    struct Sheet: Decodable {
        let title: String
        let freeze: String?
        let filter: String?
        let widths: [String: Double]
        let rows: [[ReadCell]]

        /// The cells of the column whose header is `header`, below the header.
        func column(_ header: String) throws -> [ReadCell] {
            let index = try #require(rows.first?.firstIndex { $0.v.text == header }, "sheet \(title) has no column \(header)")
            return rows.dropFirst().map { $0.count > index ? $0[index] : ReadCell(v: .none, t: "NoneType", dt: "n", bold: false, wrap: false, fmt: "General", link: nil) }
        }

        /// The text values of a column.
        func texts(_ header: String) throws -> [String?] { try column(header).map(\.v.text) }
    }
    let properties: Properties
    let sheets: [Sheet]

    func sheet(_ title: String) throws -> Sheet { try #require(sheets.first { $0.title == title }, "no sheet \(title) in \(sheets.map(\.title))") }

    static let script = """
    import json, sys, datetime
    import openpyxl
    out = {}
    for path in sys.argv[1:]:
        wb = openpyxl.load_workbook(path)
        p = wb.properties
        book = {"properties": {"title": p.title, "subject": p.subject, "creator": p.creator, "language": p.language,
                               "created": p.created.isoformat() if p.created else None}, "sheets": []}
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows():
                cells = []
                for c in row:
                    v = c.value
                    kind = type(v).__name__
                    if isinstance(v, (datetime.datetime, datetime.date)):
                        v = v.isoformat()
                    cells.append({"v": v, "t": kind, "dt": c.data_type, "bold": bool(c.font is not None and c.font.b),
                                  "wrap": bool(c.alignment is not None and c.alignment.wrap_text), "fmt": c.number_format,
                                  "link": c.hyperlink.target if c.hyperlink is not None else None})
                rows.append(cells)
            book["sheets"].append({"title": ws.title, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                                   "widths": {k: d.width for k, d in ws.column_dimensions.items()}, "rows": rows})
        out[path] = book
    json.dump(out, sys.stdout)
    """

    /// Reads workbooks with openpyxl.
    static func read(_ urls: [URL]) throws -> [URL: ReadWorkbook] {
        let data = try python(script, urls.map(\.path), needs: "openpyxl")
        let books = try JSONDecoder().decode([String: ReadWorkbook].self, from: data)
        return try Dictionary(uniqueKeysWithValues: urls.map { ($0, try #require(books[$0.path])) })
    }

    static func read(_ url: URL) throws -> ReadWorkbook { try #require(read([url])[url]) }
}

/// Validates JSON files against the repository's schema with python-jsonschema (draft 2020-12, formats checked);
/// returns the error messages per file (empty when valid).
func validateAgainstSchema(_ files: [URL]) throws -> [String: [String]] {
    let script = """
    import json, sys
    from jsonschema import Draft202012Validator, FormatChecker
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    checker = FormatChecker()
    if "date-time" not in checker.checkers:
        sys.exit("the date-time format is not checked: pip install rfc3339-validator")
    validator = Draft202012Validator(schema, format_checker=checker)
    out = {}
    for path in sys.argv[2:]:
        document = json.load(open(path))
        out[path] = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message) for e in validator.iter_errors(document)]
    json.dump(out, sys.stdout)
    """
    let data = try python(script, [schemaURL.path] + files.map(\.path), needs: "jsonschema rfc3339-validator")
    return try JSONDecoder().decode([String: [String]].self, from: data)
}

/// `schemas/inzage-extract-1.schema.json` in the repository.
let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("schemas/inzage-extract-1.schema.json")

/// Converts workbooks with LibreOffice in one run and returns the converted files, in the order given.
/// LibreOffice exits 0 even when it cannot load a file, so every output is checked to exist and not be empty.
func convertWithLibreOffice(_ files: [URL], to format: String, in directory: URL) throws -> [URL] {
    let profile = FileManager.default.temporaryDirectory.appendingPathComponent("lo-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: profile) }
    let output = directory.appendingPathComponent("converted-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    try run("soffice", ["--headless", "--norestore", "-env:UserInstallation=\(profile.absoluteString)", "--convert-to", format,
                        "--outdir", output.path] + files.map(\.path),
            hint: "The extract tests open the workbooks in LibreOffice: install it (apt-get install libreoffice-calc-nogui).")
    return try files.map { file in
        let converted = output.appendingPathComponent(file.deletingPathExtension().lastPathComponent + "." + format)
        let attributes = try? FileManager.default.attributesOfItem(atPath: converted.path)
        let size = attributes?[.size] as? Int ?? 0
        try #require(size > 0, "LibreOffice did not convert \(file.lastPathComponent)")
        return converted
    }
}
