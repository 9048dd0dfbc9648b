import Crypto
import Foundation

/// A problem in a request file: which file, where in it (a JSON path such as `$.rectification[1].field`), and why.
/// Nothing of the file was filed.
public struct RequestFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's name.
    public var file: String
    /// The JSON path of the value at fault: `$` for the whole document, `$.subject.email`, `$.formats[0]`.
    public var path: String
    /// What is wrong and what is valid.
    public var reason: String

    /// Creates an error.
    public init(file: String, path: String, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    /// "file: path: reason".
    public var description: String { FreeText.visible("\(file): \(path): \(reason)") }
}

/// Request files: JSON documents, one request each, described by `requests/request.schema.json` (draft 2020-12).
///
/// ```json
/// { "type": "access" | "rectification" | "objection",
///   "subject": { "email"?, "personId"?, "externalId"?, "name"? },   // at least one of email, personId, externalId
///   "channel"?, "language"?, "receivedAt"? (date or date-time), "formats"?,
///   "rectification"?: [ { "field", "value": string | null, "statement"? } ],   // required for, and only for, rectification
///   "objection"?: { "purposes": [..], "grounds"? } }                          // required for, and only for, objection
/// ```
///
/// ``parse(_:name:timeZone:)`` reads the file as strict JSON (RFC 8259: no trailing commas; each key once in an object),
/// checks exactly what the schema says and reports the first problem with its JSON path; the queue then checks what the
/// schema cannot know (that an e-mail address is one, that a purpose exists, that a person id names a person).
public enum RequestFile {
    /// The suffix of the schema's own file name; files ending in it are not request files.
    public static let schemaSuffix = ".schema.json"
    /// The largest request file read, in bytes; a request is a few hundred bytes.
    public static let maximumSize = 1 << 20
    /// The deepest nesting of arrays and objects read (the top-level object is 1); a request file needs 3
    /// (`$.rectification[0]`), and deeper text is refused before its keys are looked at.
    public static let maximumDepth = 32
    /// The keys of a request file's top level, in the order they are checked.
    public static let topLevelKeys = ["$schema", "type", "subject", "channel", "language", "receivedAt", "formats", "rectification", "objection"]
    /// The keys of `subject`.
    public static let subjectKeys = ["email", "personId", "externalId", "name"]
    /// The keys of one rectification item.
    public static let rectificationKeys = ["field", "value", "statement"]
    /// The keys of `objection`.
    public static let objectionKeys = ["purposes", "grounds"]
    /// The longest e-mail address or external id (characters).
    public static let maximumIdentifierLength = 254
    /// The longest name (characters).
    public static let maximumNameLength = 200
    /// The longest grounds or statement (characters).
    public static let maximumTextLength = 4000
    /// The longest purpose key, as the reference lists allow.
    public static let maximumPurposeKeyLength = 64
    /// The pattern of a purpose key, as the reference lists allow.
    public static let purposeKeyPattern = #"^[a-z0-9]+(-[a-z0-9]+)*$"#
    /// The pattern of `receivedAt`: a date, or a date and time with seconds and an offset (RFC 3339).
    public static let receivedAtPattern = #"^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$"#
    /// The forms a received date may take, for error messages.
    public static let receivedDateForms = "a date such as 2026-11-02 (the start of that day in the organisation's time zone) "
        + "or a date and time with an offset such as 2026-11-02T14:30:00+01:00, from the year \(earliestYear) on"

    /// The earliest year a received date is read in (``InputDates/earliestYear``).
    public static let earliestYear = InputDates.earliestYear

    /// Whether a file called `name` is a request file: it ends in `.json`, is not hidden and is not the schema.
    public static func isRequestFileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".json") && !lower.hasSuffix(schemaSuffix) && !name.hasPrefix(".")
    }

    /// The lower-case hex SHA-256 of `data`.
    public static func digest(of data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// What recognises a request file filed before: the SHA-256 of its name, a NUL byte and its bytes. The same folder
    /// ingested twice files nothing twice; a file with other content, or the same content under another name (a web
    /// form that writes the same bytes for a repeated request, each under a name of its own), is a request of its own.
    public static func digest(of data: Data, name: String) -> String {
        digest(of: Data(name.utf8) + Data([0]) + data)
    }

    /// The JSON path of a field named by ``RequestError/invalidSubmission(field:reason:)``, such as
    /// `$.rectification[1].value` for `rectification[1].value`.
    public static func path(forSubmissionField field: String) -> String {
        "$." + field
    }

    /// Whether `pattern` (anchored with `^` and `$`) matches all of `text`: as in JSON Schema (ECMA-262), `$` does not
    /// match before a final line break.
    static func matchesWhole(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) == text.startIndex..<text.endIndex
    }

    /// Parses `text` as a received date: `YYYY-MM-DD` means the start of that day in `timeZone`;
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` is that instant. Nil for anything else, a date that does not exist,
    /// or one before ``earliestYear``.
    public static func receivedDate(_ text: String, timeZone: TimeZone) -> Date? {
        guard matchesWhole(text, receivedAtPattern) else { return nil }
        let datePart = String(text.prefix(10))
        guard let date = CivilDate(datePart), date.year >= earliestYear else { return nil }
        guard text.count > 10 else {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))
        }
        // The pattern guarantees "THH:MM:SS" at 10, an optional ".digits", then "Z" or "±HH:MM".
        let bytes = Array(text.utf8)
        /// The decimal number written in `range` of the text.
        func number(_ range: Range<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        let hour = number(11..<13), minute = number(14..<16), second = number(17..<19)
        guard hour < 24, minute < 60, second < 60 else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            let digits = bytes[(index + 1)...].prefix { $0 != UInt8(ascii: "Z") && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }
            fraction = Double("0." + String(decoding: digits, as: UTF8.self)) ?? 0
            index += 1 + digits.count
        }
        var offset = 0
        if bytes[index] != UInt8(ascii: "Z") {
            let offsetHours = number((index + 1)..<(index + 3)), offsetMinutes = number((index + 4)..<(index + 6))
            guard offsetHours < 24, offsetMinutes < 60 else { return nil }
            offset = (bytes[index] == UInt8(ascii: "-") ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60)
        }
        let seconds = date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Parses and checks a request file's bytes against the schema and returns the submission it describes, with
    /// `origin` = `name` and `originDigest` = ``digest(of:name:)``.
    ///
    /// - Parameters:
    ///   - timeZone: the organisation's time zone, in which a `receivedAt` date without a time starts.
    /// - Throws: ``RequestFileError`` with the JSON path and the reason of the first problem found: not UTF-8, not JSON
    ///   (with the line and column), a key twice in one object, nesting deeper than ``maximumDepth``, an unknown key, a
    ///   missing key, a wrong type, an unknown value (with the valid ones), a value out of bounds.
    public static func parse(_ data: Data, name: String, timeZone: TimeZone) throws(RequestFileError) -> RequestSubmission {
        var submission = try RequestFileParser(file: name, timeZone: timeZone).submission(from: data)
        submission.origin = name
        submission.originDigest = digest(of: data, name: name)
        submission.legacyOriginDigest = digest(of: data)
        return submission
    }
}

/// Checks one request file's JSON against the schema, one value at a time, and stops at the first problem.
private struct RequestFileParser {
    let file: String
    let timeZone: TimeZone

    /// The submission `data` describes, checked key by key in the order of ``RequestFile/topLevelKeys``.
    func submission(from data: Data) throws(RequestFileError) -> RequestSubmission {
        guard data.count <= RequestFile.maximumSize else {
            throw problem("$", "the file is larger than \(RequestFile.maximumSize >> 20) MiB; a request file holds one request")
        }
        // JSON between systems is UTF-8 (RFC 8259 §8.1). UTF-16 without a byte order mark is UTF-8 too, as bytes; the
        // parser says so at its first NUL outside a string.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw problem("$", "the file is not UTF-8 text; save it as UTF-8 (without a byte order mark is best)")
        }
        // Strictly as RFC 8259 (JSONDecoder takes trailing commas), a key twice in one object refused, numbers as written.
        let document: JSONValue
        do {
            document = try StrictJSONParser.parse(data, maximumDepth: RequestFile.maximumDepth)
        } catch {
            throw problem(error.path, error.description)
        }
        let root = try object(document, at: "$", keys: RequestFile.topLevelKeys)
        if let schema = root["$schema"] { _ = try string(schema, at: key("$", "$schema")) }
        let type: RequestType = try choice(try required(root, "type", in: "$", hint: "give one of \(RequestType.validKeys)"),
                                           at: "$.type")
        var submission = RequestSubmission(type: type, subject: try subject(try required(root, "subject", in: "$",
                                           hint: "give the person's email, personId or externalId")))
        if let channel = root["channel"] { submission.channel = try choice(channel, at: "$.channel") }
        if let language = root["language"] { submission.language = try choice(language, at: "$.language") }
        if let received = root["receivedAt"] { submission.receivedAt = try receivedAt(received, at: "$.receivedAt") }
        if let formats = root["formats"] { submission.formats = try self.formats(formats, at: "$.formats") }
        if let items = root["rectification"] { submission.rectification = try rectification(items, at: "$.rectification") }
        if let objection = root["objection"] { submission.objection = try self.objection(objection, at: "$.objection") }
        try checkContent(type: type, root: root)
        return submission
    }

    /// The schema's conditions per type: rectification items for and only for rectification, an objection for and only for objection.
    private func checkContent(type: RequestType, root: [String: JSONValue]) throws(RequestFileError) {
        let has = (rectification: root["rectification"] != nil, objection: root["objection"] != nil)
        switch type {
        case .access:
            if has.rectification { throw problem("$.rectification", "an access request has no rectification items; use \"type\": \"rectification\" to ask for corrections") }
            if has.objection { throw problem("$.objection", "an access request has no objection; use \"type\": \"objection\" to object") }
        case .rectification:
            if !has.rectification { throw problem("$.rectification", "required key is missing: a rectification request needs at least one item {\"field\", \"value\"}") }
            if has.objection { throw problem("$.objection", "a rectification request has no objection; file the objection as a request of its own") }
        case .objection:
            if !has.objection { throw problem("$.objection", "required key is missing: an objection request needs {\"purposes\": [..]}") }
            if has.rectification { throw problem("$.rectification", "an objection request has no rectification items; file them as a request of their own") }
        }
    }

    /// `$.subject`: its keys, their types, and at least one identifier to match by.
    private func subject(_ value: JSONValue) throws(RequestFileError) -> SubjectIdentifiers {
        let path = "$.subject"
        let fields = try object(value, at: path, keys: RequestFile.subjectKeys)
        var subject = SubjectIdentifiers()
        if let email = fields["email"] { subject.email = try identifier(email, at: key(path, "email")) }
        if let personID = fields["personId"] { subject.personID = try positiveInteger(personID, at: key(path, "personId")) }
        if let externalID = fields["externalId"] { subject.externalID = try identifier(externalID, at: key(path, "externalId")) }
        if let name = fields["name"] { subject.name = try text(name, at: key(path, "name"), maximumLength: RequestFile.maximumNameLength) }
        guard subject.email != nil || subject.personID != nil || subject.externalID != nil else {
            throw problem(path, "give at least one of email, personId and externalId to find the person by")
        }
        return subject
    }

    /// `$.receivedAt`: a date or a date-time with an offset (``RequestFile/receivedDate(_:timeZone:)``).
    private func receivedAt(_ value: JSONValue, at path: String) throws(RequestFileError) -> Date {
        let text = try string(value, at: path)
        guard let date = RequestFile.receivedDate(text, timeZone: timeZone) else {
            throw problem(path, "\"\(text)\" is not a date or date-time; give \(RequestFile.receivedDateForms)")
        }
        return date
    }

    /// `$.formats`: at least one format, each once.
    private func formats(_ value: JSONValue, at path: String) throws(RequestFileError) -> [ExtractFormat] {
        let items = try array(value, at: path, minimumCount: 1, what: "format (\(ExtractFormat.validKeys))")
        var formats: [ExtractFormat] = []
        for (index, item) in items.enumerated() {
            let format: ExtractFormat = try choice(item, at: "\(path)[\(index)]")
            guard !formats.contains(format) else { throw problem("\(path)[\(index)]", "\"\(format.rawValue)\" is listed twice; list each format once") }
            formats.append(format)
        }
        return formats
    }

    /// `$.rectification`: at least one item, each with a known field, a value (string or null) and an optional statement.
    private func rectification(_ value: JSONValue, at path: String) throws(RequestFileError) -> [RectificationItem] {
        let items = try array(value, at: path, minimumCount: 1, what: "item {\"field\", \"value\"}")
        var result: [RectificationItem] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            let fields = try object(item, at: itemPath, keys: RequestFile.rectificationKeys)
            let field: PersonField = try choice(try required(fields, "field", in: itemPath, hint: "give one of \(PersonField.validKeys)"),
                                                at: key(itemPath, "field"))
            let requested = try required(fields, "value", in: itemPath, hint: "give the value asked for, or null to ask for removal")
            let valuePath = key(itemPath, "value")
            var requestedValue: String?
            if case .null = requested { requestedValue = nil } else { requestedValue = try string(requested, at: valuePath, expected: "a string or null") }
            var statement: String?
            if let given = fields["statement"] {
                statement = try text(given, at: key(itemPath, "statement"), maximumLength: RequestFile.maximumTextLength)
            }
            result.append(RectificationItem(field: field, requestedValue: requestedValue, statement: statement))
        }
        return result
    }

    /// `$.objection`: at least one purpose key, each once, and optional grounds.
    private func objection(_ value: JSONValue, at path: String) throws(RequestFileError) -> ObjectionContent {
        let fields = try object(value, at: path, keys: RequestFile.objectionKeys)
        let purposesPath = key(path, "purposes")
        let items = try array(try required(fields, "purposes", in: path, hint: "list the keys of the purposes objected to, such as e-marketing"),
                              at: purposesPath, minimumCount: 1, what: "purpose key, such as e-marketing")
        var keys: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(purposesPath)[\(index)]"
            let purpose = try string(item, at: itemPath)
            guard purpose.count <= RequestFile.maximumPurposeKeyLength,
                  RequestFile.matchesWhole(purpose, RequestFile.purposeKeyPattern) else {
                throw problem(itemPath, "\"\(purpose)\" is not a purpose key: lower-case letters, digits and single hyphens, at most \(RequestFile.maximumPurposeKeyLength) characters, such as e-marketing")
            }
            guard !keys.contains(purpose) else { throw problem(itemPath, "\"\(purpose)\" is listed twice; list each purpose once") }
            keys.append(purpose)
        }
        var grounds: String?
        if let given = fields["grounds"] { grounds = try text(given, at: key(path, "grounds"), maximumLength: RequestFile.maximumTextLength) }
        return ObjectionContent(purposeKeys: keys, grounds: grounds)
    }

    // MARK: Values

    /// The object's members after checking that every key is one of `keys` (the first unknown one, by name, is reported).
    private func object(_ value: JSONValue, at path: String, keys: [String]) throws(RequestFileError) -> [String: JSONValue] {
        guard case .object(let members) = value else { throw wrongType(value, at: path, expected: "an object") }
        if let unknown = members.keys.filter({ !keys.contains($0) }).sorted().first {
            throw problem(key(path, unknown), "unknown key \"\(unknown)\"; valid keys here: \(keys.joined(separator: ", "))")
        }
        return members
    }

    /// The member `name`, or an error at its path saying that it is required and `hint`.
    private func required(_ members: [String: JSONValue], _ name: String, in path: String, hint: String) throws(RequestFileError) -> JSONValue {
        guard let value = members[name] else { throw problem(key(path, name), "required key is missing; \(hint)") }
        return value
    }

    /// The items of an array of at least `minimumCount` items; `what` names an item for the message.
    private func array(_ value: JSONValue, at path: String, minimumCount: Int, what: String) throws(RequestFileError) -> [JSONValue] {
        guard case .array(let items) = value else { throw wrongType(value, at: path, expected: "an array") }
        guard items.count >= minimumCount else { throw problem(path, "the array is empty; give at least one \(what)") }
        return items
    }

    /// The text of a string; `expected` says what was expected when the value is of another type.
    private func string(_ value: JSONValue, at path: String, expected: String = "a string") throws(RequestFileError) -> String {
        guard case .string(let text) = value else { throw wrongType(value, at: path, expected: expected) }
        return text
    }

    /// A string of at most `maximumLength` characters (Unicode code points, as JSON Schema counts).
    private func text(_ value: JSONValue, at path: String, maximumLength: Int) throws(RequestFileError) -> String {
        let text = try string(value, at: path)
        guard text.unicodeScalars.count <= maximumLength else {
            throw problem(path, "the text is longer than \(maximumLength) characters")
        }
        return text
    }

    /// An e-mail address or external id: a string with a character other than white space, at most 254 characters.
    private func identifier(_ value: JSONValue, at path: String) throws(RequestFileError) -> String {
        let text = try text(value, at: path, maximumLength: RequestFile.maximumIdentifierLength)
        guard text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw problem(path, "the value is empty; leave the key out instead")
        }
        return text
    }

    /// A whole number from 1 that fits a person id (written as the file writes it: `12`, `12.0` or `1.2e1`).
    private func positiveInteger(_ value: JSONValue, at path: String) throws(RequestFileError) -> Int64 {
        guard case .number(let text) = value else { throw wrongType(value, at: path, expected: "a whole number") }
        if let number = Int64(text) {
            guard number >= 1 else { throw problem(path, "\(text) is not a person id; person ids start at 1") }
            return number
        }
        // Beyond Int64, or written with a fraction or an exponent. (The JSON grammar was checked: Double reads it,
        // as infinity when it is beyond Double too.)
        let real = Double(text) ?? .nan
        guard real.rounded() == real else { throw problem(path, "\(text) is not a whole number; give a person id such as 42") }
        guard real >= 1 else { throw problem(path, "\(text) is not a person id; person ids start at 1") }
        guard let number = Int64(exactly: real) else {
            throw problem(path, "\(text) is out of range: larger than the largest person id, \(Int64.max)")
        }
        return number
    }

    /// One of `Choice`'s keys, exactly as written.
    private func choice<Choice: RawRepresentable & CaseIterable>(_ value: JSONValue, at path: String) throws(RequestFileError) -> Choice
    where Choice.RawValue == String {
        let valid = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        let text = try string(value, at: path, expected: "one of \(valid)")
        guard let result = Choice(rawValue: text) else {
            throw problem(path, "unknown value \"\(text)\"; valid values: \(valid)")
        }
        return result
    }

    // MARK: Errors

    /// The error at `path` for `reason`, in this file.
    private func problem(_ path: String, _ reason: String) -> RequestFileError {
        RequestFileError(file: file, path: path, reason: reason)
    }

    /// The error for a value of the wrong JSON type, naming what was expected and what was found.
    private func wrongType(_ value: JSONValue, at path: String, expected: String) -> RequestFileError {
        let found = switch value {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
        return problem(path, "expected \(expected), found \(found)")
    }

    /// The path of member `name` of the value at `path`: `$.subject.email`, or `$["$schema"]` for a key that is not a plain name.
    private func key(_ path: String, _ name: String) -> String {
        JSONPath.member(path, name)
    }

}

// MARK: - Ingesting a folder

/// What ingesting a folder of request files did, file by file.
public struct RequestIngestReport: Sendable {
    /// What became of one file.
    public enum Outcome: Sendable {
        /// Filed now as this request.
        case filed(DataSubjectRequest)
        /// Filed before (the same bytes) as this request; nothing was filed again.
        case alreadyFiled(DataSubjectRequest)
        /// Not filed: the file is not a valid request.
        case invalid(RequestFileError)
        /// Not filed although the file is valid: filing it failed (a message template that cannot be rendered, the
        /// database); the reason is kept, and the next ingest tries again.
        case notFiled(reason: String)
    }

    /// One file and its outcome.
    public struct Entry: Sendable {
        /// The file's name within the folder.
        public var file: String
        /// What became of it.
        public var outcome: Outcome
    }

    /// The folder ingested.
    public var directory: String
    /// The request files, sorted by name.
    public var entries: [Entry]

    /// How many files were filed now.
    public var filedCount: Int { entries.filter { if case .filed = $0.outcome { true } else { false } }.count }
    /// How many files had been filed before.
    public var alreadyFiledCount: Int { entries.filter { if case .alreadyFiled = $0.outcome { true } else { false } }.count }
    /// How many files were invalid.
    public var invalidCount: Int { entries.filter { if case .invalid = $0.outcome { true } else { false } }.count }
    /// How many valid files could not be filed.
    public var notFiledCount: Int { entries.filter { if case .notFiled = $0.outcome { true } else { false } }.count }
}

extension RequestQueue {
    /// Files every request file (``RequestFile/isRequestFileName(_:)``) in `directory`, sorted by name, each in its own
    /// transaction. A file filed before (same bytes) is not filed again; an invalid file is reported with its JSON path and
    /// nothing of it is filed, and the other files still are. Invalid is what ``RequestFile/parse(_:name:timeZone:)``
    /// refuses and what ``file(_:by:)`` refuses as the command line would: an invalid value, a received date in the
    /// future, a person id that names nobody.
    ///
    /// - Throws: when the folder cannot be listed or the settings cannot be read. A valid file that cannot be filed
    ///   (a broken message template, the database) is reported as `notFiled`, and the other files are still tried.
    public func ingest(directory: URL, by actor: String) throws -> RequestIngestReport {
        let timeZone = try OrganisationProfile(settings: try store.read { try $0.settings() }).deadlineCalendar().timeZone
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter(RequestFile.isRequestFileName).sorted()
        var entries: [RequestIngestReport.Entry] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                // A link to nothing is named like a request file but cannot be read: reported as such, not passed over
                // in silence. (A file removed since the folder was listed is simply gone.)
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
                    entries.append(RequestIngestReport.Entry(file: name, outcome: .invalid(RequestFileError(
                        file: name, path: "$", reason: "the file cannot be read (it is a link to \(FreeText.visible(target)), which does not exist)"))))
                }
                continue
            }
            guard !isDirectory.boolValue else {
                // Named like a request file, so reported rather than passed over in silence.
                entries.append(RequestIngestReport.Entry(file: name, outcome: .invalid(RequestFileError(
                    file: name, path: "$", reason: "this is a folder, not a request file; move it out of the folder to ingest"))))
                continue
            }
            entries.append(RequestIngestReport.Entry(file: name, outcome: try ingest(url, name: name, timeZone: timeZone, by: actor)))
        }
        return RequestIngestReport(directory: directory.path, entries: entries)
    }

    /// Files one request file; a file or submission that is invalid becomes an `.invalid` outcome.
    private func ingest(_ url: URL, name: String, timeZone: TimeZone, by actor: String) throws -> RequestIngestReport.Outcome {
        let data: Data
        do {
            let size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
            guard size <= RequestFile.maximumSize else {
                return .invalid(RequestFileError(file: name, path: "$", reason: "the file is larger than \(RequestFile.maximumSize >> 20) MiB; a request file holds one request"))
            }
            data = try Data(contentsOf: url)
        } catch {
            return .invalid(RequestFileError(file: name, path: "$", reason: "the file cannot be read (\(ErrorText.reason(of: error)))"))
        }
        do {
            let filing = try file(try RequestFile.parse(data, name: name, timeZone: timeZone), by: actor)
            return filing.alreadyFiled ? .alreadyFiled(filing.request) : .filed(filing.request)
        } catch let error as RequestFileError {
            return .invalid(error)
        } catch RequestError.invalidSubmission(let field, let reason) {
            return .invalid(RequestFileError(file: name, path: RequestFile.path(forSubmissionField: field), reason: reason))
        } catch let error as RequestError {
            switch error {
            case .receivedInFuture:
                return .invalid(RequestFileError(file: name, path: "$.receivedAt", reason: error.description))
            case .unknownPerson:
                // As `request file --person` refuses it: the message is the same.
                return .invalid(RequestFileError(file: name, path: "$.subject.personId", reason: error.description))
            default:
                return .notFiled(reason: error.description)
            }
        } catch {
            // Each file is filed in a transaction of its own: this one wrote nothing, those before stay filed, and the
            // rest are still tried (and reported), rather than the whole folder stopping at one error.
            return .notFiled(reason: ErrorText.describe(error))
        }
    }
}
