import Foundation

/// Why a text is not JSON as RFC 8259 defines it, in words that say what is wrong and what is valid. The messages
/// never repeat what the file says, apart from a key, an escape or a well-known word that is not JSON (`NaN`).
enum JSONSyntaxProblem: Equatable, Sendable, CustomStringConvertible {
    /// Nothing but white space.
    case empty
    /// The text ends where `expected` was expected.
    case unexpectedEnd(expected: String)
    /// A character (as ``StrictJSONParser`` shows it) where `expected` was expected.
    case unexpectedCharacter(found: String, expected: String)
    /// A comma right before the array's or object's `closing` bracket.
    case trailingComma(closing: Character)
    /// A `/`, which starts a comment in JavaScript.
    case comment
    /// A word where a value was expected: a well-known one that JSON lacks (`NaN`, `Infinity`, `True`), or nil for
    /// another (not repeated: it may be someone's name written without quotes).
    case bareWord(String?)
    /// A number written with a leading zero (`07`).
    case leadingZero
    /// A number that lacks digits after `after` (`-`, `.`, or the exponent's `e`).
    case missingDigits(after: String)
    /// A control character (U+0000–U+001F) written as itself inside a string.
    case controlCharacter(UInt8)
    /// A backslash followed by a character that starts no escape, shown as `\x`, or nil when it is not printable ASCII.
    case invalidEscape(String?)
    /// `\u` not followed by four hexadecimal digits.
    case incompleteUnicodeEscape
    /// A `\uD800`–`\uDFFF` escape without its other half.
    case unpairedSurrogate(UInt16)
    /// A string not closed before the end of the text.
    case unterminatedString
    /// Arrays and objects nested more than `limit` deep.
    case tooDeep(limit: Int)
    /// The same key twice in one object.
    case duplicateKey(String)
    /// More text after the value.
    case textAfterValue
    /// A NUL byte outside any string, as in UTF-16 text read as UTF-8.
    case nulOutsideString

    /// What is wrong and what is valid.
    var description: String {
        switch self {
        case .empty:
            return "the file holds no JSON value (it is empty or only white space); a request file is one JSON object {…}"
        case .unexpectedEnd(let expected):
            return "the text ends where \(expected) was expected; is the end of the file missing?"
        case .unexpectedCharacter(let found, let expected):
            return "\(found) where \(expected) was expected"
        case .trailingComma(let closing):
            let last = closing == "}" ? "member" : "element"
            return "a comma before '\(closing)' (trailing commas are not JSON); remove the comma after the last \(last)"
        case .comment:
            return "a '/': JSON has no comments (neither // nor /* */); remove the comment"
        case .bareWord(let word?):
            return "\(word) is not a JSON value; valid values: a string in double quotes, a number, an object, an array, true, false or null"
        case .bareWord(nil):
            return "a word without double quotes where a value was expected; write text as a string in double quotes "
                + "(the only words JSON knows are true, false and null)"
        case .leadingZero:
            return "a number with a leading zero, which JSON does not allow; write 7, not 07"
        case .missingDigits(let after):
            return "a number needs a digit after '\(after)', such as 1.5 or 1e3"
        case .controlCharacter(let byte):
            return "an unescaped control character (\(Self.codePoint(UInt16(byte)))) inside a string, which JSON forbids; "
                + "remove it, or write it as an escape such as \\n, \\t or \\u\(Self.hex(UInt16(byte)))"
        case .invalidEscape(let escape):
            let shown = escape.map { "\($0) is not a JSON escape" } ?? "a backslash before a character that starts no JSON escape"
            return shown + "; valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hexadecimal digits (write a lone backslash as \\\\)"
        case .incompleteUnicodeEscape:
            return "\\u must be followed by four hexadecimal digits, such as \\u00E9"
        case .unpairedSurrogate(let unit):
            let half = unit < 0xDC00 ? "a high surrogate, which must be followed at once by a low one (\\uDC00–\\uDFFF)"
                : "a low surrogate, which must follow a high one (\\uD800–\\uDBFF)"
            return "\\u\(Self.hex(unit)) is an unpaired surrogate escape: \(half); write the character itself, or both halves of its UTF-16 pair"
        case .unterminatedString:
            return "a string is not closed with '\"' before the end of the file"
        case .tooDeep(let limit):
            return "nested too deeply: more than \(limit) arrays and objects inside each other (the limit is \(limit))"
        case .duplicateKey(let key):
            return "the key \"\(key)\" appears twice in this object; give each key once"
        case .textAfterValue:
            return "more text after the end of the JSON value; a file holds one value"
        case .nulOutsideString:
            return "a NUL byte (U+0000) outside any string: the file is not UTF-8 text (UTF-16 text looks like this); save it as UTF-8"
        }
    }

    /// `unit` as four upper-case hexadecimal digits: `00E9`.
    private static func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `unit` as Unicode writes a code point: `U+0000`.
    private static func codePoint(_ unit: UInt16) -> String { "U+" + hex(unit) }
}

/// Where JSON text is not JSON: the JSON path of the value at fault, the line and column (from 1, in characters),
/// and the problem.
struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON path of the value at fault: `$`, `$.subject`, `$.formats[1]`.
    var path: String
    /// The line of the fault, from 1.
    var line: Int
    /// The column of the fault on its line, from 1, in characters.
    var column: Int
    /// What is wrong.
    var problem: JSONSyntaxProblem

    /// The problem and where it is: "… (line 3, column 14)".
    var description: String { "\(problem) (line \(line), column \(column))" }
}

/// JSON paths as the request files' messages write them.
enum JSONPath {
    /// The path of member `name` of the value at `path`: `$.subject.email`, or `$["$schema"]` for a key that is not a
    /// plain name (control characters in it shown as `<U+0001>`).
    static func member(_ path: String, _ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" }
        if plain { return "\(path).\(name)" }
        let escaped = FreeText.visible(name).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(path)[\"\(escaped)\"]"
    }

    /// The path of element `index` of the array at `path`: `$.formats[1]`.
    static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }
}

/// Reads JSON text exactly as RFC 8259 defines it, which `JSONDecoder` and `JSONSerialization` do not quite do: they
/// take a comma before `]` or `}`. It also refuses what JSON allows but a request file cannot mean: a key twice in one
/// object (parsers keep one of the values without a word), and nesting deeper than a limit. The first problem is
/// reported with its JSON path and place; numbers keep the text they were written as (`9223372036854775808` is not
/// rounded to a `Double`).
///
/// The text must be UTF-8 (check it first); a UTF-8 byte order mark at the start is skipped, as RFC 8259 §8.1 allows.
struct StrictJSONParser {
    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var position = 0

    /// The value `data` holds, with arrays and objects nested at most `maximumDepth` deep (the top-level value is 1).
    static func parse(_ data: Data, maximumDepth: Int) throws(JSONSyntaxError) -> JSONValue {
        var parser = StrictJSONParser(bytes: [UInt8](data), maximumDepth: maximumDepth)
        return try parser.document()
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    // MARK: Grammar

    /// The one value of the text, with nothing but white space around it.
    private mutating func document() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        skipWhiteSpace()
        guard position < bytes.count else { throw fault(.empty, at: "$") }
        let value = try value(at: "$", depth: 0)
        skipWhiteSpace()
        guard let byte = current else { return value }
        throw fault(byte == 0 ? .nulOutsideString : byte == UInt8(ascii: "/") ? .comment : .textAfterValue, at: "$")
    }

    /// The value that starts at the read position; `depth` arrays and objects enclose it.
    private mutating func value(at path: String, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw fault(.unexpectedEnd(expected: "a value"), at: path) }
        switch byte {
        case UInt8(ascii: "{"): return try object(at: path, depth: depth + 1)
        case UInt8(ascii: "["): return try array(at: path, depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string(at: path))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number(at: path))
        case UInt8(ascii: "/"): throw fault(.comment, at: path)
        case 0: throw fault(.nulOutsideString, at: path)
        default:
            guard Self.isWordByte(byte) else {
                throw fault(.unexpectedCharacter(found: shownCharacter(), expected: "a value (a string, a number, an object, an array, true, false or null)"), at: path)
            }
            return try literal(at: path)
        }
    }

    /// `{ "key": value, … }`, its keys each once.
    private mutating func object(at path: String, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw fault(.tooDeep(limit: maximumDepth), at: path) }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhiteSpace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhiteSpace()
            guard current == UInt8(ascii: "\"") else {
                throw fault(expectation("a key in double quotes"), at: path)
            }
            let keyStart = position
            let key = try string(at: path)
            guard members[key] == nil else { throw fault(.duplicateKey(key), at: path, offset: keyStart) }
            skipWhiteSpace()
            guard current == UInt8(ascii: ":") else { throw fault(expectation("':' after the key"), at: path) }
            position += 1
            skipWhiteSpace()
            members[key] = try value(at: JSONPath.member(path, key), depth: depth)
            skipWhiteSpace()
            guard try separator(closing: UInt8(ascii: "}"), after: "a member", at: path) else { return .object(members) }
        }
    }

    /// `[ value, … ]`.
    private mutating func array(at path: String, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw fault(.tooDeep(limit: maximumDepth), at: path) }
        position += 1
        var elements: [JSONValue] = []
        skipWhiteSpace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhiteSpace()
            elements.append(try value(at: JSONPath.element(path, elements.count), depth: depth))
            skipWhiteSpace()
            guard try separator(closing: UInt8(ascii: "]"), after: "an element", at: path) else { return .array(elements) }
        }
    }

    /// After a member or element: true after a comma (another follows), false after the closing bracket.
    private mutating func separator(closing: UInt8, after what: String, at path: String) throws(JSONSyntaxError) -> Bool {
        let closingText = Character(Unicode.Scalar(closing))
        switch current {
        case UInt8(ascii: ","):
            let comma = position
            position += 1
            skipWhiteSpace()
            if current == closing { throw fault(.trailingComma(closing: closingText), at: path, offset: comma) }
            return true
        case closing:
            position += 1
            return false
        default:
            throw fault(expectation("',' or '\(closingText)' after \(what)"), at: path)
        }
    }

    /// A string's text, with its escapes resolved; `path` is where the string is (its object's for a key).
    private mutating func string(at path: String) throws(JSONSyntaxError) -> String {
        let start = position
        position += 1
        var text: [UInt8] = []
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // The bytes are UTF-8 (checked before) and every escape was resolved to a whole scalar.
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text, at: path)
            case 0..<0x20:
                throw fault(.controlCharacter(byte), at: path)
            default:
                text.append(byte)
                position += 1
            }
        }
        throw fault(.unterminatedString, at: path, offset: start)
    }

    /// The escape at the read position (a backslash), appended to `text` as UTF-8.
    private mutating func escape(into text: inout [UInt8], at path: String) throws(JSONSyntaxError) {
        let start = position
        guard position + 1 < bytes.count else { throw fault(.unterminatedString, at: path) }
        let letter = bytes[position + 1]
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let resolved = simple[letter] {
            text.append(resolved)
            position += 2
            return
        }
        guard letter == UInt8(ascii: "u") else {
            let printable = (0x21...0x7E).contains(letter) ? "\\" + String(Unicode.Scalar(letter)) : nil
            throw fault(.invalidEscape(printable), at: path)
        }
        let unit = try unicodeEscape(at: path)
        var scalar: Unicode.Scalar?
        switch unit {
        case 0xD800...0xDBFF:
            // A high surrogate counts only with the low surrogate escape right after it.
            let high = unit
            guard bytes.count >= position + 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                  let low = Self.hexValue(bytes[(position + 2)..<(position + 6)]), (0xDC00...0xDFFF).contains(low) else {
                throw fault(.unpairedSurrogate(high), at: path, offset: start)
            }
            position += 6
            scalar = Unicode.Scalar(0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
        case 0xDC00...0xDFFF:
            throw fault(.unpairedSurrogate(unit), at: path, offset: start)
        default:
            scalar = Unicode.Scalar(UInt32(unit))
        }
        // Every value outside the surrogates is a scalar; the fallback is never taken.
        text.append(contentsOf: Array(String(scalar ?? "\u{FFFD}").utf8))
    }

    /// The four hexadecimal digits after `\u` at the read position, which moves past them.
    private mutating func unicodeEscape(at path: String) throws(JSONSyntaxError) -> UInt16 {
        guard bytes.count >= position + 6, let unit = Self.hexValue(bytes[(position + 2)..<(position + 6)]) else {
            throw fault(.incompleteUnicodeEscape, at: path)
        }
        position += 6
        return unit
    }

    /// A number's text as written: `-`? int (`.` digits)? (`e` sign? digits)?.
    private mutating func number(at path: String) throws(JSONSyntaxError) -> String {
        let start = position
        if current == UInt8(ascii: "-") {
            position += 1
            if let byte = current, Self.isWordByte(byte), !Self.isDigit(byte) {
                // -Infinity
                let word = self.word()
                throw fault(.bareWord(Self.knownNonJSONWords.contains("-" + word) ? "-" + word : nil), at: path, offset: start)
            }
        }
        guard let first = current, Self.isDigit(first) else { throw fault(.missingDigits(after: "-"), at: path) }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, Self.isDigit(next) { throw fault(.leadingZero, at: path, offset: start) }
        skipDigits()
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, Self.isDigit(digit) else { throw fault(.missingDigits(after: "."), at: path) }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            let letter = String(Unicode.Scalar(bytes[position]))
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, Self.isDigit(digit) else { throw fault(.missingDigits(after: letter), at: path) }
            skipDigits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `true`, `false` or `null`; any other word is refused.
    private mutating func literal(at path: String) throws(JSONSyntaxError) -> JSONValue {
        let start = position
        switch word() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case let word: throw fault(.bareWord(Self.knownNonJSONWords.contains(word) ? word : nil), at: path, offset: start)
        }
    }

    // MARK: Reading

    /// Words that other languages write where JSON has none, or other words: repeated in a message as they are no one's data.
    private static let knownNonJSONWords: Set<String> = [
        "NaN", "Infinity", "-Infinity", "True", "False", "TRUE", "FALSE", "None", "Null", "NULL", "nil", "undefined",
    ]

    /// The byte at the read position, or nil at the end.
    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Moves past JSON white space: space, tab, line feed, carriage return (no other).
    private mutating func skipWhiteSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// Moves past decimal digits.
    private mutating func skipDigits() {
        while let byte = current, Self.isDigit(byte) { position += 1 }
    }

    /// The ASCII letters, digits and underscores at the read position, which moves past them.
    private mutating func word() -> String {
        let start = position
        while let byte = current, Self.isWordByte(byte) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    /// The value of four hexadecimal digits, or nil when they are not.
    private static func hexValue(_ digits: ArraySlice<UInt8>) -> UInt16? {
        guard digits.count == 4 else { return nil }
        var value: UInt16 = 0
        for byte in digits {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    // MARK: Faults

    /// The character at the read position for a message: `'x'`, a quote with a hint, or its code point; "the end".
    private func shownCharacter() -> String {
        guard let byte = current else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "'"): return "a single quote (JSON writes strings and keys in double quotes)"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let scalar = String(decoding: bytes[position..<min(bytes.count, position + 4)], as: UTF8.self).unicodeScalars.first
            return scalar.map { "the character \(FreeText.codePoint($0))" } ?? "a byte that is not UTF-8"
        }
    }

    /// The problem of finding something else where `expected` should be: the end, a comment, a NUL or a character.
    private func expectation(_ expected: String) -> JSONSyntaxProblem {
        switch current {
        case nil: .unexpectedEnd(expected: expected)
        case UInt8(ascii: "/"): .comment
        case 0: .nulOutsideString
        default: .unexpectedCharacter(found: shownCharacter(), expected: expected)
        }
    }

    /// `problem` at `path`, placed at byte `offset` (default: the read position) as a line and a column.
    private func fault(_ problem: JSONSyntaxProblem, at path: String, offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
        let column = bytes[lineStart..<end].filter { $0 & 0xC0 != 0x80 }.count + 1
        return JSONSyntaxError(path: path, line: line, column: column, problem: problem)
    }
}
