import Foundation
import Synchronization

/// The templates of the extracts: per language a label file (`extract/labels.<language>.json`, see
/// ``ExtractLabels``) and the read-me text (`extract/readme.<language>.mustache`, see `extract/README.md`), each taken
/// from the organisation's folder when it has the file and from the shipped templates otherwise.
public struct ExtractTemplates: Sendable {
    /// Where the files are looked up.
    public let files: TemplateFiles
    /// Parsed labels and read-me templates, read once per language: a worker answers many requests with them.
    private let cache = ParsedTemplates()

    /// Templates from `overrideDirectory` first (the `--templates DIR` or `INZAGE_TEMPLATES` folder), shipped otherwise.
    public init(overrideDirectory: URL? = nil) {
        self.files = TemplateFiles(overrideDirectory: overrideDirectory)
    }

    /// Templates looked up in `files`.
    public init(files: TemplateFiles) {
        self.files = files
    }

    /// The relative path of the read-me template of `language`.
    public static func readMePath(for language: Language) -> String { "extract/readme.\(language.rawValue).mustache" }

    /// The checked labels of `language`: the organisation's file completed from the shipped one, or the shipped file.
    public func labels(_ language: Language) throws -> ExtractLabels {
        if let labels = cache.labels.withLock({ $0[language] }) { return labels }
        let path = ExtractLabels.path(for: language)
        let file = try files.file(path)
        let defaults = file.origin == .shipped ? nil : try files.shippedFile(path)
        let labels = try ExtractLabels(file, language: language, defaults: defaults)
        cache.labels.withLock { $0[language] = labels }
        return labels
    }

    /// The parsed read-me template of `language`.
    public func readMe(_ language: Language) throws -> TextTemplate {
        if let template = cache.readMe.withLock({ $0[language] }) { return template }
        let template = try TextTemplate(files.file(Self.readMePath(for: language)))
        cache.readMe.withLock { $0[language] = template }
        return template
    }

    /// What there is to say about the organisation's label file of `language`: keys Inzage does not use (misspelt ones)
    /// and keys it leaves out (the shipped texts are used for them), each as a sentence naming the file and the keys;
    /// empty for the shipped file or a complete one.
    public func notices(_ language: Language) throws -> [String] {
        let labels = try labels(language)
        guard case .override(let directory) = labels.origin else { return [] }
        var notices: [String] = []
        if !labels.unusedKeys.isEmpty {
            notices.append(Self.unusedKeysNotice(file: labels.file, directory: directory, keys: labels.unusedKeys))
        }
        if !labels.inheritedKeys.isEmpty {
            notices.append(Self.inheritanceNotice(file: labels.file, directory: directory, keys: labels.inheritedKeys))
        }
        return notices
    }

    /// "<file> in <folder> has no text for 2 keys (a, b); the shipped texts are used.": every key when there are a
    /// few (a file copied whole before an upgrade added them), the first few and a count otherwise (a file that holds
    /// only the texts an organisation changed).
    static func inheritanceNotice(file: String, directory: String, keys: [String]) -> String {
        "\(file) in \(directory) has no text for \(listed(keys)); the shipped \(keys.count == 1 ? "text is" : "texts are") used."
    }

    /// "<file> in <folder> has 1 key Inzage does not use (sheets.consent.name); …": most likely a misspelt key, whose
    /// text would otherwise be lost without a word.
    static func unusedKeysNotice(file: String, directory: String, keys: [String]) -> String {
        "\(file) in \(directory) has \(listed(keys)) that Inzage does not use, so \(keys.count == 1 ? "its text is" : "their texts are") "
            + "not shown; check the spelling against the shipped file (a key starting with _ is a comment)."
    }

    private static func listed(_ keys: [String]) -> String {
        let shown = keys.count <= 10 ? keys.joined(separator: ", ") : keys.prefix(5).joined(separator: ", ") + ", and \(keys.count - 5) more"
        return "\(keys.count == 1 ? "1 key" : "\(keys.count) keys") (\(shown))"
    }

    /// Loads and checks every template of both languages, so that a mistake in an organisation's folder shows
    /// before the first request is answered; the read-me is rendered with sample values, with and without a
    /// request, with and without personal data, for the workbook and for the JSON document, so that every branch is checked.
    ///
    /// - Returns: a sentence for each of the organisation's label files that holds keys Inzage does not use (misspelt
    ///   ones), and for each that leaves keys out (the shipped texts are used for them), naming the file and the keys,
    ///   for the caller to show; empty when there is nothing to say.
    @discardableResult
    public func validate() throws -> [String] {
        var notices: [String] = []
        for language in Language.allCases {
            let labels = try labels(language)
            notices += try self.notices(language)
            let template = try readMe(language)
            for hasRequest in [true, false] {
                for dataHeld in [true, false] {
                    for workbook in [true, false] {
                        _ = try ReadMe.render(template, variables: ReadMe.sampleVariables(labels: labels, hasRequest: hasRequest,
                                                                                          dataHeld: dataHeld, workbook: workbook))
                    }
                }
            }
        }
        return notices
    }
}

/// One row of the "Read me first" sheet: a heading and its text.
public struct ReadMeRow: Sendable, Hashable, Codable {
    /// The heading (column A).
    public let heading: String
    /// The text under it; lines are separated by line feeds.
    public let text: String
}

/// The read-me text of an extract, rendered from `extract/readme.<language>.mustache`.
///
/// The template is plain text. A line that starts with `## ` starts a new row and is its heading; the lines
/// after it, up to the next heading, are its text (runs of empty lines become one, leading and trailing empty
/// lines are dropped). The variables are listed by ``variableNames``.
enum ReadMe {
    /// Renders `template` and splits the text into rows.
    static func render(_ template: TextTemplate, variables: TemplateVariables) throws -> [ReadMeRow] {
        rows(from: try template.render(variables))
    }

    /// Splits rendered text into rows at lines starting with `## `.
    static func rows(from text: String) -> [ReadMeRow] {
        var rows: [ReadMeRow] = []
        var heading: String?
        var lines: [String] = []
        func finish() {
            while lines.last?.isEmpty == true { lines.removeLast() }
            var collapsed: [String] = []
            for line in lines where !(line.isEmpty && (collapsed.last?.isEmpty ?? true)) { collapsed.append(line) }
            if heading != nil || !collapsed.isEmpty {
                rows.append(ReadMeRow(heading: heading ?? "", text: collapsed.joined(separator: "\n")))
            }
            lines = []
        }
        func take(_ rawLine: Substring.UnicodeScalarView) {
            let line = trimmed(rawLine)
            if line.hasPrefix("## ") {
                finish()
                heading = trimmed(String(line.dropFirst(3)).unicodeScalars[...])
            } else {
                lines.append(line)
            }
        }
        // Lines end at a line feed that is a character of its own: not at one after a carriage return, which
        // together are one character (as splitting the text's characters at "\n" does).
        let scalars = text.unicodeScalars
        var lineStart = scalars.startIndex
        var previous: Unicode.Scalar?
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\n" && previous != "\r" {
                take(scalars[lineStart..<index])
                lineStart = scalars.index(after: index)
            }
            previous = scalar
            index = scalars.index(after: index)
        }
        take(scalars[lineStart...])
        finish()
        return rows
    }

    private static let whitespace = CharacterSet.whitespaces

    /// `text` without the whitespace (`CharacterSet.whitespaces`) at either end, as `trimmingCharacters(in:)` gives.
    static func trimmed(_ text: Substring.UnicodeScalarView) -> String {
        var start = text.startIndex, end = text.endIndex
        while start < end, whitespace.contains(text[start]) { start = text.index(after: start) }
        while end > start, whitespace.contains(text[text.index(before: end)]) { end = text.index(before: end) }
        return String(text[start..<end])
    }

    // The variables, for the documentation of organisations that edit the template:
    // Texts: `organisationName`, `organisationAddress`, `contactEmail`, `dpoName`, `dpoEmail`, `authorityName`,
    // `authorityAddress`, `authorityURL`, `timeZone`, `generatedOn`, `requestReference`, `requestType`,
    // `receivedOn`, `dueOn`, `extendedDueOn` (absent unless extended), `complaintArticle`, `courtArticle`,
    // `privacyStatementURL` (absent unless set), and the name of every sheet as `<sheet>Sheet` (`readMeSheet`,
    // `detailsSheet`, …, `glossarySheet`).
    // Flags: `hasRequest`, `dataHeld`, `answeredLate` (the file is made after the request's last day).
    // Lists: `sheets` (rows with `name`, `about`) and `rights` (rows with `label`, `article`, `explanation`).

    /// The variables of an extract.
    static func variables(organisation: OrganisationProfile, labels: ExtractLabels, generatedOn: CivilDate,
                          timeZone: String, request: DataSubjectRequest?, dataHeld: Bool, sheets: [ExtractSheet],
                          workbook: Bool = true, jsonIncluded: Bool) throws -> TemplateVariables {
        var variables = TemplateVariables()
        let texts: [(String, String)] = [
            ("organisationName", organisation.name), ("organisationAddress", organisation.address),
            ("contactEmail", organisation.contactEmail), ("dpoName", organisation.dpoName), ("dpoEmail", organisation.dpoEmail),
            ("authorityName", organisation.supervisoryAuthorityName), ("authorityAddress", organisation.supervisoryAuthorityAddress),
            ("authorityURL", organisation.supervisoryAuthorityURL), ("timeZone", timeZone),
            ("generatedOn", labels.longDate(generatedOn)),
            ("complaintArticle", try labels.articleCitation(GDPRReference.complaintArticle)),
            ("courtArticle", try labels.articleCitation(GDPRReference.courtArticle)),
        ]
        for (name, value) in texts { variables.set(name, value) }
        for sheet in ExtractSheet.allCases { variables.set("\(sheet.rawValue)Sheet", labels.sheetName(sheet)) }
        variables.set("hasRequest", flag: request != nil)
        variables.set("requestReference", request?.reference)
        variables.set("requestType", request.map { labels.code($0.type).label })
        variables.set("receivedOn", request.map { labels.longDate($0.receivedOn) })
        variables.set("dueOn", request.map { labels.longDate($0.dueOn) })
        variables.set("extendedDueOn", request?.extendedDueOn.map(labels.longDate))
        variables.set("answeredLate", flag: request.map { generatedOn > ($0.extendedDueOn ?? $0.dueOn) } ?? false)
        variables.set("privacyStatementURL", organisation.privacyStatementURL.isEmpty ? nil : organisation.privacyStatementURL)
        variables.set("dataHeld", flag: dataHeld)
        // The workbook has sheets; the JSON document has parts with names, and the read-me says which it describes.
        variables.set("workbook", flag: workbook)
        variables.set("sheets", list: sheets.map { ["name": labels.sheetName($0), "about": labels.sheetAbout($0)] })
        variables.set("rights", list: try DataSubjectRight.allCases.map { right in
            let text = labels.right(right)
            return ["label": text.label, "article": try labels.articleCitation(right.gdprArticle),
                    "explanation": labels.rightExplanation(right, jsonIncluded: jsonIncluded)]
        })
        return variables
    }

    /// Variables with sample values (every name declared), to check a template without a dossier.
    static func sampleVariables(labels: ExtractLabels, hasRequest: Bool, dataHeld: Bool, workbook: Bool = true) throws -> TemplateVariables {
        let organisation = OrganisationProfile(settings: [.privacyStatementURL: "https://example.nl/privacy"])
        let sample = CivilDate(uncheckedYear: 2026, month: 1, day: 31)
        let epoch = Date(timeIntervalSince1970: 0)
        let request = DataSubjectRequest(
            id: 1, reference: "DSR-2026-000001", type: .access, state: .inProgress, subject: SubjectIdentifiers(email: "sample@example.nl"),
            channel: .email, language: nil, formats: ExtractFormat.allCases, rectification: [], objection: nil,
            receivedAt: epoch, receivedOn: sample, dueOn: sample, extendedDueOn: sample, extensionReason: nil, personID: nil,
            candidateIDs: [], origin: nil, createdAt: epoch, createdBy: "system", updatedAt: epoch, attempts: 0, lastError: nil)
        return try variables(organisation: organisation, labels: labels, generatedOn: sample, timeZone: organisation.timeZone,
                             request: hasRequest ? request : nil, dataHeld: dataHeld,
                             sheets: dataHeld ? ExtractSheet.allCases : ExtractSheet.withoutPersonalData, workbook: workbook,
                             jsonIncluded: true)
    }
}

/// The parsed templates of one ``ExtractTemplates``, shared by its copies.
private final class ParsedTemplates: Sendable {
    let labels = Mutex<[Language: ExtractLabels]>([:])
    let readMe = Mutex<[Language: TextTemplate]>([:])
}
