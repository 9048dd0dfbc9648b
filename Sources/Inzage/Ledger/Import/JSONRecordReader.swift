import Foundation

/// Reads a JSON import file element by element without loading it whole: either one top-level array of
/// objects (`.json`) or one object per line (`.jsonl`). A hand-written splitter finds each object's bytes
/// (tracking strings, escapes and nesting); each object alone is then decoded.
struct JSONRecordReader: ImportRecordReader {
    /// How the objects are laid out in the file.
    enum Layout {
        /// `[ {…}, {…} ]`
        case array
        /// `{…}` per line.
        case lines
    }

    /// Where the splitter is in the file's structure.
    private enum State {
        case start, firstElement, afterElement, end
    }

    /// The largest object accepted, so that one runaway element cannot exhaust memory.
    static let maximumElementSize = 16 << 20

    private var chunks: ByteChunks
    private let layout: Layout
    private let parser: ImportValueParser
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    private var line = 1
    /// How many objects were read so far.
    private var count = 0
    private var state = State.start
    private var element: [UInt8] = []
    private let decoder = JSONDecoder()

    /// Reads `chunks` laid out as `layout`.
    init(chunks: ByteChunks, layout: Layout, parser: ImportValueParser) {
        self.chunks = chunks
        self.layout = layout
        self.parser = parser
    }

    /// The next object mapped onto columns. Throws ``ImportError`` for malformed JSON or an unknown key.
    mutating func next() throws -> ImportRecord? {
        guard let startLine = try nextElement() else { return nil }
        count += 1
        let object: [String: JSONValue]
        do {
            object = try decoder.decode([String: JSONValue].self, from: Data(element))
        } catch {
            throw ImportError.malformedJSON(line: startLine, reason: "object \(count), starting on this line, is not valid JSON")
        }
        var record = try record(from: object, line: startLine)
        record.number = count
        // The decoder kept one of two equal keys; which e-mail address the row meant is anyone's guess, so it is refused.
        if let duplicate = JSONDuplicateKeys.first(in: element) {
            let place = duplicate.path == "$" ? "" : " (in \(duplicate.path.dropFirst(2)))"
            record.refuse(field: duplicate.key, reason: "the key appears twice in this object\(place); give each key once")
        }
        if record.problem != nil { record.problem?.record = count }
        return record
    }

    // MARK: Mapping

    /// The valid keys of a consent object, for error messages.
    static let consentKeys = "purpose, basis, givenAt, evidence, comment"

    /// Maps one decoded object onto columns; an unknown key stops the import.
    private func record(from object: [String: JSONValue], line: Int) throws -> ImportRecord {
        var record = ImportRecord(line: line)
        var seen = Set<ImportColumn>()
        for key in object.keys.sorted() {
            guard let value = object[key] else { continue }
            guard let column = ImportColumn(name: key) else {
                throw ImportError.unknownColumn(key, line: line, valid: ImportColumn.validNames)
            }
            guard seen.insert(column).inserted else {
                record.refuse(field: column.name, reason: "the object names \(column.name) twice (in different spellings)")
                continue
            }
            switch (column, value) {
            case (_, .null):
                continue
            case (_, .string(let text)), (.person, .number(let text)):
                record.set(column, text: text, parser: parser)
            case (.consents, .array(let entries)):
                for entry in entries {
                    switch entry {
                    case .string(let spec):
                        if let consent = parser.consent(fromSpec: spec, record: &record) { record.consents.append(consent) }
                    case .object(let fields):
                        if let consent = try consent(from: fields, line: line, record: &record) { record.consents.append(consent) }
                    default:
                        record.refuse(field: "consents", reason: "each consent is a text such as e-marketing:consent or an object {purpose, basis, givenAt, evidence, comment}")
                    }
                }
            case (.consents, _):
                record.refuse(field: "consents", reason: "consents is a text such as \"e-marketing:consent;sales-and-service\" or an array of consents")
            default:
                record.refuse(field: column.name, reason: "the value must be text\(column.isPersonField ? " or a number" : "")")
            }
        }
        return record
    }

    /// Reads a consent object `{purpose, basis, givenAt, evidence, comment}`; an unknown key stops the import.
    private func consent(from fields: [String: JSONValue], line: Int, record: inout ImportRecord) throws -> ImportConsent? {
        var consent = ImportConsent(purposeKey: "")
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let name = ImportColumn.normalisedKey(key)
            guard ["purpose", "basis", "given-at", "evidence", "comment"].contains(name) else {
                throw ImportError.unknownConsentKey(key, line: line, valid: Self.consentKeys)
            }
            let text: String?
            switch value {
            case .null: text = nil
            case .string(let string): text = ImportRecord.nonBlank(string)
            default:
                record.refuse(field: "consents", reason: "the \(key) of a consent must be text")
                return nil
            }
            switch name {
            case "purpose": consent.purposeKey = text?.lowercased() ?? ""
            case "basis": consent.basisKey = text?.lowercased()
            case "given-at": consent.givenAt = text.flatMap { parser.date($0, field: "consents", record: &record) }
            case "evidence": consent.evidence = text
            default: consent.comment = text
            }
        }
        guard !consent.purposeKey.isEmpty else {
            record.refuse(field: "consents", reason: "a consent object needs a purpose, such as {\"purpose\": \"e-marketing\"}")
            return nil
        }
        return consent
    }

    // MARK: Splitting

    /// The byte at the read position, reading the next chunk when the buffer is used up; nil at the end.
    @inline(__always)
    private mutating func currentByte() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        guard !exhausted else { return nil }
        while let chunk = try chunks.next() {
            buffer = chunk
            position = 0
            return buffer[0]
        }
        exhausted = true
        return nil
    }

    /// Skips JSON white space (and a byte order mark at the very start), counting lines.
    private mutating func skipWhiteSpace() throws {
        while let byte = try currentByte() {
            switch byte {
            case ASCII.lineFeed: line += 1
            case 0x20, 0x09, ASCII.carriageReturn: break
            case 0xEF where line == 1 && state == .start:
                for expected in ASCII.byteOrderMark {
                    guard try currentByte() == expected else {
                        throw ImportError.malformedJSON(line: line, reason: "the file starts with bytes that are not UTF-8 JSON")
                    }
                    position += 1
                }
                continue
            default: return
            }
            position += 1
        }
    }

    /// Finds the next element's bytes and puts them in `element`; returns the line it starts on, or nil at the end.
    private mutating func nextElement() throws -> Int? {
        try skipWhiteSpace()
        switch (layout, state) {
        case (.array, .start):
            guard try currentByte() == ASCII.openBracket else {
                throw ImportError.malformedJSON(line: line, reason: "a .json import file holds one array of objects: [ {…}, {…} ] (use .jsonl for one object per line)")
            }
            position += 1
            state = .firstElement
            try skipWhiteSpace()
            if try currentByte() == ASCII.closeBracket {
                position += 1
                try finish()
                return nil
            }
        case (.array, .afterElement):
            let byte = try currentByte()
            if byte == ASCII.closeBracket {
                position += 1
                try finish()
                return nil
            }
            guard byte == ASCII.comma else {
                throw ImportError.malformedJSON(line: line, reason: byte == nil ? "the array is not closed with ]" : "expected , or ] after an object")
            }
            position += 1
            try skipWhiteSpace()
        case (_, .end):
            return nil
        default:
            state = .firstElement
        }
        guard let first = try currentByte() else {
            if layout == .lines { return nil }
            throw ImportError.malformedJSON(line: line, reason: "the array is not closed with ]")
        }
        guard first == ASCII.openBrace else {
            throw ImportError.malformedJSON(line: line, reason: "every element must be an object {…} with one person's columns")
        }
        let startLine = line
        try readObject()
        state = .afterElement
        return startLine
    }

    /// After the closing bracket only white space may follow.
    private mutating func finish() throws {
        state = .end
        try skipWhiteSpace()
        if try currentByte() != nil {
            throw ImportError.malformedJSON(line: line, reason: "there is more after the array's closing ]")
        }
    }

    /// Copies one object, from `{` to its matching `}`, into `element`.
    private mutating func readObject() throws {
        element.removeAll(keepingCapacity: true)
        var depth = 0
        var inString = false
        var escaped = false
        // The last byte outside strings that is not white space: a comma right before a closing bracket is a
        // trailing comma, which Foundation's decoder accepts but JSON (RFC 8259) does not.
        var lastSignificant: UInt8 = 0
        let startLine = line
        while try currentByte() != nil {
            let start = position
            let end = buffer.count
            var index = position
            var done = false
            while index < end {
                let byte = buffer[index]
                index += 1
                if byte == ASCII.lineFeed { line += 1 }
                let previous = lastSignificant
                if !inString, byte != ASCII.space, byte != ASCII.tab, byte != ASCII.lineFeed, byte != ASCII.carriageReturn {
                    lastSignificant = byte
                }
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == ASCII.backslash {
                        escaped = true
                    } else if byte == ASCII.quote {
                        inString = false
                    }
                } else if byte == ASCII.quote {
                    inString = true
                } else if byte == ASCII.openBrace || byte == ASCII.openBracket {
                    depth += 1
                } else if byte == ASCII.closeBrace || byte == ASCII.closeBracket {
                    if previous == ASCII.comma {
                        throw ImportError.malformedJSON(line: line, reason: "a comma before '\(byte == ASCII.closeBrace ? "}" : "]")' "
                            + "(trailing commas are not JSON); remove the comma after the last \(byte == ASCII.closeBrace ? "member" : "element")")
                    }
                    depth -= 1
                    if depth == 0 {
                        done = true
                        break
                    }
                }
            }
            element.append(contentsOf: buffer[start..<index])
            position = index
            if done { return }
            guard element.count <= Self.maximumElementSize else {
                throw ImportError.malformedJSON(line: startLine, reason: "the object starting here is larger than \(Self.maximumElementSize >> 20) MiB")
            }
        }
        throw ImportError.malformedJSON(line: startLine, reason: "the object starting here is not closed before the end of the file")
    }
}

/// A JSON value, decoded without Foundation's untyped `Any`.
enum JSONValue: Decodable {
    case string(String)
    /// A number, kept as its text (an external id or phone number written as a number).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes whichever kind of value is there.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else if let number = try? container.decode(Double.self) {
            self = .number(String(number))
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

extension ImportColumn {
    /// Whether the column is a person field (which also accepts JSON numbers).
    var isPersonField: Bool {
        if case .person = self { return true }
        return false
    }
}
