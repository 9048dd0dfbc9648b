import Foundation

/// Writes a stored message as an RFC 5322 e-mail: a plain-text UTF-8 body in quoted-printable (RFC 2045), and
/// headers that are pure ASCII — a display name or subject with other characters is RFC 2047-encoded.
///
/// The bytes depend only on the stored message (the `Date` header is the time it was stored), so every delivery
/// attempt of one message produces the same e-mail with the same Message-ID.
public enum EmailComposer {
    /// How lines end in the output.
    public enum LineEnding: String, Sendable {
        /// CR LF, as RFC 5322 prescribes on the wire and `.eml` files use.
        case crlf = "\r\n"
        /// LF, as local programs such as `sendmail` expect on standard input.
        case lf = "\n"
    }

    /// The longest header line written where it can be folded (RFC 5322 §2.1.1 recommends 78 characters).
    static let foldWidth = 78

    /// The e-mail for `stored`, with `lineEnding` after every line.
    public static func compose(_ stored: StoredMessage, lineEnding: LineEnding = .crlf) -> Data {
        let message = stored.message
        var headers: [(String, String)] = [
            ("Date", dateHeader(stored.createdAt)),
            ("From", mailbox(message.sender)),
            ("To", mailbox(message.recipient)),
            ("Subject", unstructured(message.subject)),
            ("Message-ID", "<\(stored.messageID)>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
            ("Content-Language", message.language.rawValue),
            ("Auto-Submitted", "auto-generated"),
        ]
        if let reference = message.requestReference { headers.append(("X-Inzage-Request", reference)) }
        headers.append(("X-Inzage-Message-Kind", message.kind.rawValue))

        var text = ""
        for (name, value) in headers {
            text += fold("\(name): \(value)").joined(separator: lineEnding.rawValue + " ") + lineEnding.rawValue
        }
        text += lineEnding.rawValue
        text += quotedPrintable(message.body).joined(separator: lineEnding.rawValue) + lineEnding.rawValue
        return Data(text.utf8)
    }

    /// An RFC 5322 date-time in UTC, such as `Mon, 28 Apr 2025 08:00:00 +0000`.
    static func dateHeader(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// `Name <address>`, the name quoted when it has special characters and encoded when it is not ASCII;
    /// the bare address when there is no name.
    static func mailbox(_ address: MailAddress) -> String {
        guard let name = address.name else { return address.address }
        return "\(phrase(name)) <\(address.address)>"
    }

    /// A display name as an RFC 5322 phrase: atoms as they are, a quoted string when it has specials, encoded words
    /// when it is not printable ASCII.
    static func phrase(_ text: String) -> String {
        guard isPrintableASCII(text), !text.contains("=?") else { return encodedWords(text).joined(separator: " ") }
        let atext = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        if text.unicodeScalars.allSatisfy(atext.contains) { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// An unstructured header value (the subject): as it is when printable ASCII, else RFC 2047 encoded words.
    static func unstructured(_ text: String) -> String {
        isPrintableASCII(text) && !text.contains("=?") ? text : encodedWords(text).joined(separator: " ")
    }

    private static func isPrintableASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// `text` as RFC 2047 `B` encoded words of at most 75 characters each, never splitting a character, and split
    /// after a space where the text has one (a decoder that does not join adjacent encoded words as RFC 2047 §6.2
    /// asks then shows at worst a doubled space, never a word cut in two).
    static func encodedWords(_ text: String) -> [String] {
        // "=?utf-8?B?" + base64 + "?=" ≤ 75 characters leaves 63 for base64: at most 45 bytes (60 characters).
        let maximumBytes = 45
        var chunks: [[Character]] = []
        var chunk: [Character] = []
        var size = 0
        for character in text {
            let count = String(character).utf8.count
            if !chunk.isEmpty && size + count > maximumBytes {
                // Break after the chunk's last space when it has one; what follows it starts the next chunk.
                if let space = chunk.lastIndex(of: " "), space < chunk.count - 1,
                   String(chunk[(space + 1)...]).utf8.count + count <= maximumBytes {
                    chunks.append(Array(chunk[...space]))
                    chunk = Array(chunk[(space + 1)...])
                } else {
                    chunks.append(chunk)
                    chunk = []
                }
                size = String(chunk).utf8.count
            }
            chunk.append(character)
            size += count
        }
        if !chunk.isEmpty || chunks.isEmpty { chunks.append(chunk) }
        return chunks.map { "=?utf-8?B?\(Data(String($0).utf8).base64EncodedString())?=" }
    }

    /// Folds a header line at spaces into lines of at most ``foldWidth`` characters where possible; the caller
    /// joins them with a line ending and a space. A word longer than the width stays whole (up to 998 is allowed).
    static func fold(_ line: String) -> [String] {
        guard line.count > foldWidth else { return [line] }
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            // The header name ("Subject:") always keeps its first word on its line.
            let isHeaderName = lines.isEmpty && !current.contains(" ")
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= foldWidth || isHeaderName {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines
    }

    /// The body in quoted-printable (RFC 2045 §6.7): lines of at most 76 characters with soft breaks, `=` and
    /// non-ASCII bytes as `=XX`, a space or tab at the end of a line encoded so that no transport strips it.
    static func quotedPrintable(_ body: String) -> [String] {
        let maximum = 76
        var output: [String] = []
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let token: String
                switch byte {
                case 0x21...0x3C, 0x3E...0x7E:
                    token = String(UnicodeScalar(byte))
                case 0x20, 0x09:
                    token = isLast ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
                default:
                    token = String(format: "=%02X", byte)
                }
                // Keep room for the soft break "=" unless this token ends the line.
                let room = isLast ? maximum : maximum - 1
                if current.count + token.count > room {
                    output.append(current + "=")
                    current = ""
                }
                current += token
            }
            output.append(current)
        }
        return output
    }
}
