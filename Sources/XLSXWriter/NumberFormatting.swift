/// Fast ASCII formatting of numbers and cell references straight into a byte buffer.
enum DecimalFormat {
    /// "00" "01" … "99".
    private static let pairs: [UInt8] = {
        var table: [UInt8] = []
        for value in 0..<100 {
            table.append(UInt8(48 + value / 10))
            table.append(UInt8(48 + value % 10))
        }
        return table
    }()

    /// Writes `value` in decimal at `out` (20 bytes must be free) and returns the byte count.
    @inline(__always)
    static func write(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { raw -> Int in
            let digits = raw.bindMemory(to: UInt8.self)
            var position = digits.count
            pairs.withUnsafeBufferPointer { table in
                while magnitude >= 100 {
                    let pair = Int(magnitude % 100) * 2
                    magnitude /= 100
                    position -= 2
                    digits[position] = table[pair]
                    digits[position + 1] = table[pair + 1]
                }
                if magnitude >= 10 {
                    let pair = Int(magnitude) * 2
                    position -= 2
                    digits[position] = table[pair]
                    digits[position + 1] = table[pair + 1]
                } else {
                    position -= 1
                    digits[position] = UInt8(48 + magnitude)
                }
            }
            var written = 0
            if value < 0 {
                out[0] = UInt8(ascii: "-")
                written = 1
            }
            let n = digits.count - position
            for i in 0..<n { out[written + i] = digits[position + i] }
            return written + n
        }
    }

    private static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// Writes a finite `value` so that parsing the text gives back exactly `value`; returns the byte count.
    /// `out` must have 32 bytes free.
    static func write(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if value == 0 {
            out[0] = UInt8(ascii: "0")
            return 1
        }
        // Fast path: a value with at most six decimals. If round(v·10^k)/10^k == v, the decimal text of
        // round(v·10^k)·10^-k parses (correctly rounded) to the same double as that division gives: v.
        for (places, scale) in powersOfTen.enumerated() {
            let scaled = (value * scale).rounded()
            guard scaled.magnitude < 9.0e15 else { break }
            if scaled / scale == value {
                return writeFixed(Int64(scaled), places: places, to: out)
            }
        }
        // Rare: Swift's shortest round-trip representation (e.g. "1.2345678901234568e+17", "5e-324").
        let text = value.description
        var n = 0
        for byte in text.utf8 where n < 32 {
            out[n] = byte
            n += 1
        }
        return n
    }

    /// Writes `scaled / 10^places` with trailing fractional zeros removed.
    private static func writeFixed(_ scaled: Int64, places: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw -> Int in
            let buffer = raw.bindMemory(to: UInt8.self)
            guard let scratch = buffer.baseAddress else { return 0 }
            let length = write(Int64(scaled.magnitude), to: scratch)
            var fractionDigits = places
            var significant = length
            while fractionDigits > 0 && scratch[significant - 1] == UInt8(ascii: "0") {
                fractionDigits -= 1
                significant -= 1
            }
            var n = 0
            if scaled < 0 {
                out[n] = UInt8(ascii: "-")
                n += 1
            }
            let integerDigits = significant - fractionDigits
            if integerDigits <= 0 {
                out[n] = UInt8(ascii: "0")
                n += 1
            } else {
                for i in 0..<integerDigits { out[n + i] = scratch[i] }
                n += integerDigits
            }
            if fractionDigits > 0 {
                out[n] = UInt8(ascii: ".")
                n += 1
                for _ in 0..<Swift.max(0, -integerDigits) {
                    out[n] = UInt8(ascii: "0")
                    n += 1
                }
                for i in Swift.max(0, integerDigits)..<significant {
                    out[n] = scratch[i]
                    n += 1
                }
            }
            return n
        }
    }

    /// Writes the column letters of zero-based `column` (A, B, …, XFD) and returns the byte count.
    @inline(__always)
    static func writeColumnLetters(_ column: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if column < 26 {
            out[0] = UInt8(65 + column)
            return 1
        }
        if column < 702 {
            out[0] = UInt8(64 + column / 26)
            out[1] = UInt8(65 + column % 26)
            return 2
        }
        let rest = column - 702
        out[0] = UInt8(65 + rest / 676)
        out[1] = UInt8(65 + (rest / 26) % 26)
        out[2] = UInt8(65 + rest % 26)
        return 3
    }
}

extension ByteStream {
    /// Writes a finite double so that it reads back unchanged.
    func write(decimal value: Double) throws {
        try reserve(32)
        count += DecimalFormat.write(value, to: base + count)
    }

    /// Writes a cell reference such as `AB12` for zero-based `column` and one-based `row`.
    @inline(__always)
    func write(column: Int, row: Int) throws {
        try reserve(24)
        count += DecimalFormat.writeColumnLetters(column, to: base + count)
        count += DecimalFormat.write(Int64(row), to: base + count)
    }

    /// Writes an absolute reference such as `$AB$12`.
    func write(absoluteColumn column: Int, row: Int) throws {
        try write(byte: UInt8(ascii: "$"))
        try reserve(3)
        count += DecimalFormat.writeColumnLetters(column, to: base + count)
        try write(byte: UInt8(ascii: "$"))
        try write(integer: row)
    }
}
