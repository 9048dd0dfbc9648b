import Foundation

/// Finds a key that appears twice in one JSON object of an import file. JSON parsers keep one of the two values
/// without a word (`JSONDecoder` the last), so an object saying `"email"` twice would be read as one of them; Inzage
/// refuses such an object instead. (Request files are read by ``StrictJSONParser``, which refuses them itself.) The text
/// must be valid JSON in UTF-8 (decode it first; other encodings are for the caller to refuse or convert): a byte of a
/// UTF-16 character could read as a quote or bracket.
enum JSONDuplicateKeys {
    /// The first repeated key and the JSON path of its object (`$`, `$.subject`, `$.rectification[1]`), or nil.
    static func first(in data: Data) -> (path: String, key: String)? {
        data.withUnsafeBytes { raw in first(in: raw.bindMemory(to: UInt8.self)) }
    }

    /// ``first(in:)-(Data)`` for bytes already in an array (an import's object), without copying them.
    static func first(in bytes: [UInt8]) -> (path: String, key: String)? {
        bytes.withUnsafeBufferPointer { first(in: $0) }
    }

    private struct Frame {
        /// The keys seen so far; nil for an array.
        var keys: Set<String>?
        /// The path of this object or array.
        var path: String
        /// In an object: the next string is a key. In an array: unused.
        var expectingKey = false
        /// The key whose value comes next (an object), or the index of the next element (an array).
        var member = ""
        var index = 0
    }

    private static func first(in bytes: UnsafeBufferPointer<UInt8>) -> (path: String, key: String)? {
        var stack: [Frame] = []
        var position = 0
        /// The path of the value that starts now, inside the innermost frame.
        func childPath() -> String {
            guard let top = stack.last else { return "$" }
            return top.keys == nil ? "\(top.path)[\(top.index)]" : "\(top.path).\(top.member)"
        }
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(Frame(keys: [], path: childPath(), expectingKey: true))
            case UInt8(ascii: "["):
                stack.append(Frame(keys: nil, path: childPath()))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                // Never empty for valid JSON; text that is not (or not UTF-8) ends the scan instead of trapping.
                guard stack.popLast() != nil else { return nil }
            case UInt8(ascii: ","):
                if stack.last?.keys != nil { stack[stack.count - 1].expectingKey = true } else if !stack.isEmpty { stack[stack.count - 1].index += 1 }
            case UInt8(ascii: "\""):
                let start = position + 1
                var end = start
                var escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
                    end += 1
                }
                position = end
                if let top = stack.last, top.keys != nil, top.expectingKey {
                    let key = decodedKey(UnsafeBufferPointer(rebasing: bytes[start..<min(end, bytes.count)]), escaped: escaped)
                    if stack[stack.count - 1].keys?.insert(key).inserted == false { return (top.path, key) }
                    stack[stack.count - 1].expectingKey = false
                    stack[stack.count - 1].member = key
                }
            default:
                break
            }
            position += 1
        }
        return nil
    }

    /// The key's text: its bytes, or with escapes (`\u0074`, `\"`) resolved by the JSON decoder.
    private static func decodedKey(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard escaped else { return text }
        return (try? JSONDecoder().decode(String.self, from: Data("\"\(text)\"".utf8))) ?? text
    }
}
