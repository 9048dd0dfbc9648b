// Writes the benchmark workbook with XLSXWriter: `XLSXBenchmark ROWS OUTPUT.xlsx`.
// The rows come from the generator shared with the C and Python peers (see Benchmarks/xlsx/README.md).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import XLSXWriter
#if canImport(Glibc)
import Glibc
#endif

/// splitmix64, identical in generator.h and generator.py.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let statuses = ["open", "pending", "shipped", "delivered", "cancelled"]
let regions = ["Noord-Holland", "Zuid-Holland", "Utrecht", "Fryslân", "Île-de-France", "Bayern",
               "Zürich", "Kraków", "São Paulo", "Québec", "Málaga", "København"]
let words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
             "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
             "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
             "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit",
             "voluptate", "velit", "esse", "cillum", "fugiat", "nulla", "pariatur", "excepteur", "sint",
             "occaecat", "cupidatat", "non", "proident", "sunt", "culpa", "qui", "officia", "deserunt",
             "mollit", "anim", "id", "est", "laborum", "history", "request"]
let wordBytes = words.map { Array($0.utf8) }
let hexDigits = Array("0123456789ABCDEF".utf8)

/// Appends `value` as `digits` upper-case hex digits.
func appendHex(_ value: UInt64, digits: Int, to bytes: inout [UInt8]) {
    for i in stride(from: digits - 1, through: 0, by: -1) {
        bytes.append(hexDigits[Int((value >> UInt64(4 * i)) & 15)])
    }
}

/// Appends `value` in decimal, zero-padded to `width` digits.
func appendPadded(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
    var divisor: UInt64 = 1
    for _ in 1..<width { divisor *= 10 }
    while divisor > 0 {
        bytes.append(UInt8(48 + (value / divisor) % 10))
        divisor /= 10
    }
}

let epoch2020 = 18_262  // 2020-01-01 as days since 1970-01-01

/// Row `i`: the same draws, in the same order, as generator.h and generator.py.
func row(_ i: UInt64, _ random: inout SplitMix64, _ scratch: inout [UInt8]) -> [Cell] {
    let day = CalendarDate(daysSince1970: epoch2020 + Int(random.next() % 1826))
    let status = statuses[Int(random.next() % 5)]
    let region = regions[Int(random.next() % 12)]
    let amount = Double(random.next() % 10_000_000) / 100
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: "REF-".utf8)
    appendHex(random.next(), digits: 16, to: &scratch)
    scratch.append(UInt8(ascii: "-"))
    appendHex(random.next() >> 16, digits: 12, to: &scratch)
    scratch.append(UInt8(ascii: "-"))
    appendPadded(i % 1_000_000, width: 6, to: &scratch)
    let reference = String(decoding: scratch, as: UTF8.self)
    let length = 180 + Int(random.next() % 41)
    scratch.removeAll(keepingCapacity: true)
    while scratch.count < length {
        if !scratch.isEmpty { scratch.append(UInt8(ascii: " ")) }
        scratch.append(contentsOf: wordBytes[Int(random.next() % 64)])
    }
    let text = String(decoding: scratch, as: UTF8.self)
    let small = Int64(random.next() % 100)
    return [.integer(Int64(i)), day.map(Cell.date) ?? .empty, .text(status), .text(region), .decimal(amount),
            .text(reference), .text(text), .integer(small)]
}

let arguments = CommandLine.arguments
let rows = arguments.count > 1 ? UInt64(arguments[1]) ?? 200_000 : 200_000
let output = arguments.count > 2 ? arguments[2] : "xlsxwriter-swift.xlsx"

do {
    let workbook = try XLSXWorkbook(path: output, properties: DocumentProperties(
        title: "Benchmark", creator: "XLSXBenchmark", created: Date(timeIntervalSince1970: 1_700_000_000)))
    let widths: [Double] = [10, 12, 12, 16, 12, 42, 60, 8]
    let sheet = try workbook.addSheet(named: "Data", options: SheetOptions(
        columns: widths.map { Column(width: $0) }, headerRow: true,
        headerStyle: HeaderStyle(bold: true, fill: .lightGrey), frozenRows: 1, autoFilter: true))
    try sheet.append(["id", "date", "status", "region", "amount", "reference", "text", "count"].map(Cell.text))
    var random = SplitMix64(state: 42)
    var scratch: [UInt8] = []
    scratch.reserveCapacity(512)
    for i in 1...max(rows, 1) {
        try sheet.append(row(i, &random, &scratch))
    }
    try workbook.close()
} catch {
    print("XLSXBenchmark failed: \(error)")
    exit(1)
}
