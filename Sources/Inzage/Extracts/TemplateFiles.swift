import Foundation
import Mustache

/// The template files Inzage writes people with, found file by file: in the organisation's own folder when the
/// file is there, among the templates shipped with the binary otherwise.
///
/// The shipped templates are a SwiftPM resource (`Sources/Inzage/Resources/templates`), so they are found from
/// any working directory. A file in the organisation's folder replaces the shipped file of the same relative
/// path; only a label file is completed key by key from the shipped one (``ExtractLabels``), so that a text added
/// by an upgrade does not stop an organisation's extracts.
public struct TemplateFiles: Sendable {
    /// The organisation's folder, or nil to use only the shipped templates.
    public let overrideDirectory: URL?
    /// The folder holding the shipped templates; nil when the resources are missing.
    let shippedDirectory: URL?

    /// The environment variable naming the organisation's templates folder.
    public static let environmentVariable = "INZAGE_TEMPLATES"

    /// Templates from `overrideDirectory` first (the `--templates DIR` or `INZAGE_TEMPLATES` folder), shipped otherwise.
    public init(overrideDirectory: URL? = nil) {
        self.overrideDirectory = overrideDirectory
        self.shippedDirectory = Bundle.module.url(forResource: "templates", withExtension: nil)
    }

    /// The organisation's folder: the `--templates` option when given, else `INZAGE_TEMPLATES`, else none.
    /// A relative path is taken from the current directory.
    public static func overrideDirectory(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        let chosen = [option, environment[environmentVariable]].compactMap { $0 }.first { !$0.isEmpty }
        return chosen.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The text of the file at `relativePath` (such as `extract/labels.nl.json`) and where it came from.
    public func file(_ relativePath: String) throws -> TemplateFile {
        let candidates: [(URL?, TemplateOrigin)] = [
            (overrideDirectory, .override(directory: overrideDirectory?.path ?? "")),
            (shippedDirectory, .shipped),
        ]
        for case let (directory?, origin) in candidates {
            if let file = try read(relativePath, in: directory, origin: origin) { return file }
        }
        throw ExtractError.templateNotFound(file: relativePath, overrideDirectory: overrideDirectory?.path)
    }

    /// The shipped file at `relativePath`, whatever the organisation's folder holds; nil when it ships no such file.
    public func shippedFile(_ relativePath: String) throws -> TemplateFile? {
        guard let shippedDirectory else { return nil }
        return try read(relativePath, in: shippedDirectory, origin: .shipped)
    }

    private func read(_ relativePath: String, in directory: URL, origin: TemplateOrigin) throws -> TemplateFile? {
        let url = directory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let data = try Data(contentsOf: url)
            guard let text = String(data: data, encoding: .utf8) else {
                throw ExtractError.unreadableTemplate(file: relativePath, origin: origin, reason: "it is not UTF-8 text")
            }
            return TemplateFile(path: relativePath, origin: origin, contents: text)
        } catch let error as ExtractError {
            throw error
        } catch {
            throw ExtractError.unreadableTemplate(file: relativePath, origin: origin, reason: ErrorText.reason(of: error))
        }
    }
}

/// The text of one template file and where it was found.
public struct TemplateFile: Sendable, Hashable {
    /// The path relative to the templates folder, such as `extract/readme.en.mustache`.
    public let path: String
    /// Whether it came from the organisation's folder or the shipped set.
    public let origin: TemplateOrigin
    /// The file's text.
    public let contents: String

    /// Creates a file (for tests and callers that hold template text themselves).
    public init(path: String, origin: TemplateOrigin, contents: String) {
        self.path = path
        self.origin = origin
        self.contents = contents
    }
}

/// The values a text template may use: named texts, yes/no flags and lists of rows of texts.
///
/// Every name is declared, including those whose value is absent (nil): an absent value renders as nothing and
/// counts as false in `{{#name}}`, while a name that was never declared is an error when the template uses it.
public struct TemplateVariables: Sendable {
    fileprivate enum Value: Sendable {
        case text(String)
        case flag(Bool)
        case list([[String: String]])

        var mustacheValue: Any {
            switch self {
            case .text(let text): text
            case .flag(let flag): flag
            case .list(let rows): rows
            }
        }
    }

    fileprivate var values: [String: Value] = [:]
    /// Every name declared, present or absent.
    public private(set) var names: Set<String> = []

    /// No variables.
    public init() {}

    /// Declares `name` with a text; nil declares it absent.
    public mutating func set(_ name: String, _ text: String?) {
        names.insert(name)
        values[name] = text.map(Value.text)
    }

    /// Declares `name` with a flag for `{{#name}}…{{/name}}` and `{{^name}}…{{/name}}`.
    public mutating func set(_ name: String, flag: Bool) {
        names.insert(name)
        values[name] = .flag(flag)
    }

    /// Declares `name` with a list of rows for `{{#name}}…{{/name}}`; inside, a row's keys are variables too.
    public mutating func set(_ name: String, list rows: [[String: String]]) {
        names.insert(name)
        values[name] = .list(rows)
    }
}

/// A Mustache text template that refuses to render a variable it is not given, instead of printing nothing.
///
/// Output is plain text (nothing is HTML-escaped). Names are plain (`{{organisationName}}`): dotted names,
/// partials and delimiter changes are refused when the template is loaded.
public struct TextTemplate: Sendable {
    /// The template file's relative path, for error messages.
    public let file: String
    /// Where the file came from.
    public let origin: TemplateOrigin
    private let template: MustacheTemplate

    /// Parses `file`.
    ///
    /// - Throws: ``ExtractError/invalidTemplate(file:origin:reason:)`` when the text is not a valid template.
    public init(_ file: TemplateFile) throws {
        self.file = file.path
        self.origin = file.origin
        if let problem = Self.unsupportedTag(in: file.contents) {
            throw ExtractError.invalidTemplate(file: file.path, origin: file.origin, reason: problem)
        }
        do {
            template = try MustacheTemplate(string: Self.textMode + file.contents)
        } catch {
            throw ExtractError.invalidTemplate(file: file.path, origin: file.origin, reason: Self.describe(error))
        }
    }

    /// Plain text as a letter: line feeds only, no trailing spaces, at most one empty line in a row, none at
    /// the start or the end, and a final line feed.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        for rawLine in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var line = rawLine
            while line.last?.isWhitespace == true { line.removeLast() }
            if line.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Put in front of every template: output is plain text. It has no line break, so line numbers stay the file's.
    private static let textMode = "{{% CONTENT_TYPE: TEXT}}"

    /// A Mustache parse error in words, with the place in the file (swift-mustache describes it as a dump of its
    /// internal types).
    static func describe(_ error: any Error) -> String {
        guard let parserError = error as? MustacheTemplate.ParserError else { return String(describing: error) }
        let context = parserError.context
        let column = context.lineNumber == 1 ? context.columnNumber - textMode.count : context.columnNumber
        let reason: String = switch parserError.error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect:
            "a section is closed with another name than it was opened with ({{#name}} … {{/name}})"
        case MustacheTemplate.Error.unfinishedName:
            "a tag is not finished: write {{name}}, {{#name}} … {{/name}} or {{^name}} … {{/name}}"
        case MustacheTemplate.Error.expectedSectionEnd:
            "a section is not closed: every {{#name}} or {{^name}} needs its {{/name}}"
        default:
            "the text ends inside a tag or a section: check the {{ and }} pairs and that every {{#name}} has its {{/name}}"
        }
        return "line \(context.lineNumber), column \(max(column, 1)): \(reason)"
    }

    /// Renders the template with `variables`.
    ///
    /// - Throws: ``ExtractError/unknownTemplateVariables(file:origin:names:available:)`` naming every variable the
    ///   template uses but `variables` does not declare.
    public func render(_ variables: TemplateVariables) throws -> String {
        let root = StrictRoot(variables)
        let text = template.render(root)
        let unknown = root.unknown
        guard unknown.isEmpty else {
            throw ExtractError.unknownTemplateVariables(file: file, origin: origin, names: unknown, available: variables.names.sorted())
        }
        return text
    }

    /// A description of the first tag the strict renderer does not support, or nil.
    ///
    /// Scans the UTF-8 bytes: Foundation's `range(of:)` on Linux bridges the whole text to `NSString` for every
    /// tag, which made loading the read-me templates cost about a millisecond of every command that renders one.
    static func unsupportedTag(in text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        while let open = firstPair(of: UInt8(ascii: "{"), in: bytes, from: index) {
            guard let close = firstPair(of: UInt8(ascii: "}"), in: bytes, from: open + 2) else { return nil }
            index = close + 2
            // Blanks as `CharacterSet.whitespaces` has them: tab and the space separators.
            let inner = trimming(String(decoding: bytes[(open + 2)..<close], as: UTF8.self)) {
                $0 == "\t" || $0.properties.generalCategory == .spaceSeparator
            }
            guard let sigil = inner.first else { continue }
            switch sigil {
            case "!", "%": continue
            case ">", "<", "$": return "partials and blocks ({{\(inner)}}) are not supported; write the text in this file"
            case "=": return "changing the delimiters ({{\(inner)}}) is not supported"
            default: break
            }
            let name = trimming(inner) { "#^/&{} ".unicodeScalars.contains($0) }
            if name != ".", name.contains(".") {
                return "{{\(inner)}} uses a dotted name; variables are plain names such as {{organisationName}}"
            }
        }
        return nil
    }

    /// The position of the first two `byte`s in a row at or after `start`, or nil.
    private static func firstPair(of byte: UInt8, in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == byte, bytes[index + 1] == byte { return index }
            index += 1
        }
        return nil
    }

    /// `text` without the leading and trailing scalars that `drop` picks.
    private static func trimming(_ text: String, _ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}

/// The outermost rendering context: Mustache looks here last, so a name missing here is missing everywhere.
private final class StrictRoot: MustacheParent {
    private let values: [String: Any]
    private let declared: Set<String>
    private var missing: [String] = []

    init(_ variables: TemplateVariables) {
        values = variables.values.mapValues(\.mustacheValue)
        declared = variables.names
    }

    func child(named name: String) -> Any? {
        if let value = values[name] { return value }
        if !declared.contains(name) && !missing.contains(name) { missing.append(name) }
        return nil
    }

    var unknown: [String] { missing }
}
