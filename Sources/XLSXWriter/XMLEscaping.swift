/// How text is escaped for XML.
enum EscapeMode {
    /// Cell text (`ST_Xstring`): characters XML forbids become `_xHHHH_`, and the underscore of every
    /// literal `_x` is escaped as `_x005F_`, so that text like `_x0041_` reads back unchanged. (Escaping
    /// every `_x`, not only `_x` + four hex digits + `_`, also protects against LibreOffice, which decodes
    /// shorter forms such as `_x00_`.)
    case cellText
    /// Element text outside cells: characters XML forbids become U+FFFD.
    case text
    /// An attribute value in double quotes: as `text`, and tab, newline and `"` are escaped too.
    case attribute

    /// For each byte: 0 copies it, 1 needs a look.
    fileprivate var table: [UInt8] {
        switch self {
        case .cellText: return EscapeTables.cellText
        case .text: return EscapeTables.text
        case .attribute: return EscapeTables.attribute
        }
    }
}

private enum EscapeTables {
    static func make(_ extra: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in 0..<32 where byte != 9 && byte != 10 { table[byte] = 1 }
        for byte in [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), 0xEF] + extra { table[Int(byte)] = 1 }
        return table
    }
    static let cellText = make([UInt8(ascii: "_")])
    static let text = make([])
    static let attribute = make([9, 10, UInt8(ascii: "\"")])
}

extension ByteStream {
    /// Writes `text` escaped for `mode`.
    func write(escaped text: String, mode: EscapeMode) throws {
        var text = text
        try text.withUTF8 { try write(escaped: $0, mode: mode) }
    }

    /// Writes UTF-8 bytes escaped for `mode`.
    func write(escaped input: UnsafeBufferPointer<UInt8>, mode: EscapeMode) throws {
        let n = input.count
        var i = 0
        try mode.table.withUnsafeBufferPointer { table in
            while i < n {
                // Every input byte becomes at most 7 output bytes.
                let segmentEnd = Swift.min(n, i + ByteStream.largestReservation / 8)
                try reserve((segmentEnd - i) * 7)
                var out = base + count
                while i < segmentEnd {
                    let byte = input[i]
                    if table[Int(byte)] == 0 {
                        out.pointee = byte
                        out += 1
                        i += 1
                    } else {
                        let (written, consumed) = Self.escape(input, at: i, mode: mode, to: out)
                        out += written
                        i += consumed
                    }
                }
                count = out - base
            }
        }
    }

    /// Escapes the special byte at `input[i]`; returns the bytes written and the input bytes consumed.
    private static func escape(_ input: UnsafeBufferPointer<UInt8>, at i: Int, mode: EscapeMode,
                               to out: UnsafeMutablePointer<UInt8>) -> (written: Int, consumed: Int) {
        let byte = input[i]
        switch byte {
        case UInt8(ascii: "&"): return (put("&amp;", out), 1)
        case UInt8(ascii: "<"): return (put("&lt;", out), 1)
        case UInt8(ascii: ">"): return (put("&gt;", out), 1)
        case UInt8(ascii: "\""): return (put("&quot;", out), 1)
        case 9: return (put("&#9;", out), 1)
        case 10: return (put("&#10;", out), 1)
        case 13: return (put("&#13;", out), 1)
        case UInt8(ascii: "_"):
            guard i + 1 < input.count, input[i + 1] == UInt8(ascii: "x") else {
                out.pointee = byte
                return (1, 1)
            }
            return (put("_x005F_", out), 1)
        case 0xEF:
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            guard i + 2 < input.count, input[i + 1] == 0xBF, input[i + 2] >= 0xBE else {
                out.pointee = byte
                return (1, 1)
            }
            return (forbidden(UInt32(0xFF00) | UInt32(input[i + 2] - 0xBE + 0xFE), mode: mode, to: out), 3)
        default:
            return (forbidden(UInt32(byte), mode: mode, to: out), 1)
        }
    }

    /// Writes a character XML cannot hold: `_xHHHH_` in cell text, U+FFFD elsewhere.
    private static func forbidden(_ scalar: UInt32, mode: EscapeMode, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard case .cellText = mode else { return put("\u{FFFD}", out) }
        let hex: StaticString = "0123456789ABCDEF"
        _ = put("_x", out)
        for position in 0..<4 {
            let nibble = Int((scalar >> UInt32(12 - 4 * position)) & 0xF)
            out[2 + position] = hex.utf8Start[nibble]
        }
        out[6] = UInt8(ascii: "_")
        return 7
    }

    @inline(__always)
    private static func put(_ s: StaticString, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        out.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }
}

/// Whether XML would drop or change leading or trailing whitespace of this text without `xml:space`.
@inline(__always)
func needsPreservedSpace(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = utf8.first, let last = utf8.last else { return false }
    return isXMLSpace(first) || isXMLSpace(last)
}

@inline(__always)
private func isXMLSpace(_ byte: UInt8) -> Bool {
    byte == 32 || byte == 9 || byte == 10 || byte == 13
}
