import Foundation

/// A file to send with a message: its description from the outbox and its bytes, read from the extract archive and
/// checked against that description (see ``MessageDelivery``).
public struct AttachedFile: Sendable {
    /// What the outbox recorded about the file.
    public let attachment: MessageAttachment
    /// Its bytes.
    public let data: Data

    /// Pairs a recorded attachment with its bytes.
    public init(attachment: MessageAttachment, data: Data) {
        self.attachment = attachment
        self.data = data
    }
}

/// Writes a stored message as an RFC 5322 e-mail: a plain-text UTF-8 body in quoted-printable (RFC 2045), and
/// headers that are pure ASCII — a display name or subject with other characters is RFC 2047-encoded. A message with
/// attached files is `multipart/mixed` (RFC 2046): the text first, then each file in base64.
///
/// The bytes depend only on the stored message and its files (the `Date` header is the time it was stored, the
/// multipart boundary comes from the Message-ID), so every delivery attempt of one message produces the same e-mail
/// with the same Message-ID.
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

    /// The e-mail for `stored` with `files` attached (the message's ``OutgoingMessage/attachments``, read by
    /// ``MessageDelivery``, in order), with `lineEnding` after every line. A message with attachments is multipart
    /// whatever `files` holds, so that its headers can be shown without reading the files.
    public static func compose(_ stored: StoredMessage, files: [AttachedFile] = [], lineEnding: LineEnding = .crlf) -> Data {
        let message = stored.message
        let boundary = self.boundary(for: stored)
        let textType: [(String, String)] = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "quoted-printable")]
        var headers: [(String, String)] = [
            ("Date", dateHeader(stored.createdAt)),
            ("From", mailbox(message.sender)),
            ("To", mailbox(message.recipient)),
            ("Subject", unstructured(message.subject)),
            ("Message-ID", "<\(stored.messageID)>"),
            ("MIME-Version", "1.0"),
        ]
        let multipart = !message.attachments.isEmpty
        headers += multipart ? [("Content-Type", "multipart/mixed; boundary=\"\(boundary)\"")] : textType
        headers += [("Content-Language", message.language.rawValue), ("Auto-Submitted", "auto-generated")]
        if let reference = message.requestReference { headers.append(("X-Inzage-Request", reference)) }
        headers.append(("X-Inzage-Message-Kind", message.kind.rawValue))

        let end = lineEnding.rawValue
        var output = Data()
        func append(_ text: String) { output.append(contentsOf: text.utf8) }
        func appendHeaders(_ headers: [(String, String)]) {
            for (name, value) in headers { append(fold("\(name): \(value)").joined(separator: end + " ") + end) }
            append(end)
        }
        appendHeaders(headers)
        let body = quotedPrintable(message.body).joined(separator: end) + end
        guard multipart else {
            append(body)
            return output
        }
        // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1): each part's own last line
        // break is kept by writing one more.
        append("--\(boundary)\(end)")
        appendHeaders(textType)
        append(body)
        for file in files {
            append("\(end)--\(boundary)\(end)")
            let name = file.attachment.fileName
            appendHeaders([
                ("Content-Type", "\(file.attachment.contentType); \(fileParameter("name", name))"),
                ("Content-Disposition", "attachment; \(fileParameter("filename", name)); size=\(file.data.count)"),
                ("Content-Transfer-Encoding", "base64"),
            ])
            let lineBreaks: Data.Base64EncodingOptions = lineEnding == .crlf ? [.endLineWithCarriageReturn, .endLineWithLineFeed] : .endLineWithLineFeed
            append(file.data.base64EncodedString(options: lineBreaks.union(.lineLength76Characters)) + end)
        }
        append("\(end)--\(boundary)--\(end)")
        return output
    }

    /// The multipart boundary of `stored`: `=_` cannot occur in quoted-printable or base64 text, and the Message-ID
    /// makes it the same on every attempt and unguessable to whoever typed the text of the message.
    static func boundary(for stored: StoredMessage) -> String {
        let letters = stored.messageID.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }
        return "=_inzage_" + String(String.UnicodeScalarView(letters.prefix(40)))
    }

    /// A file name parameter: quoted when it is printable ASCII without quotes or backslashes, else RFC 2231
    /// percent-encoded UTF-8 (`filename*=utf-8''…`).
    static func fileParameter(_ name: String, _ value: String) -> String {
        if isPrintableASCII(value), !value.contains("\""), !value.contains("\\") { return "\(name)=\"\(value)\"" }
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = value.utf8.map { byte in
            unreserved.contains(Unicode.Scalar(byte)) && byte < 0x80 ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        return "\(name)*=utf-8''\(encoded)"
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
