import Foundation
import Testing
@testable import XLSXWriter

/// splitmix64: a small seeded generator, so a failing case can be reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Random Unicode")
struct PropertyTests {
    /// Pieces that are hard for XML, for OOXML's `_xHHHH_` escapes, for bidirectional text and for spreadsheets.
    static let fragments: [String] = [
        "😀", "👩‍👩‍👧", "🇳🇱", "👍🏽", "𝕏", "漢字", "مرحبا", "שלום", "\u{200F}", "\u{202E}", "\u{FEFF}",
        "e\u{301}", "\u{301}", "a\u{20DD}", "\u{0}", "\u{1}", "\u{8}", "\u{B}", "\u{C}", "\u{1B}", "\u{1F}",
        "\u{7F}", "\u{85}", "\u{2028}", "\u{FFFD}", "\u{FFFE}", "\u{FFFF}", "_x0041_", "_x00", "41_", "_xFFFF_",
        "__x0041__", "_x005F_", "_x", "_", "=1+1", "+x", "-3", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "<", "&",
        ">", "]]>", "\"", "'", " ", "\t", "\n", "\r", "\r\n", "\u{A0}", "word", "Île", "x",
    ]

    static func randomText(_ generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...8, using: &generator)
        return (0..<count).map { _ in fragments.randomElement(using: &generator) ?? "" }.joined()
    }

    /// `text` with every line end (CR LF, LF CR, CR or LF) as one LF, as LibreOffice stores cell text.
    static func unifiedLineBreaks(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pending: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            let isBreak = scalar == "\r" || scalar == "\n"
            if isBreak, let first = pending, first != scalar {
                pending = nil
                continue
            }
            pending = isBreak ? scalar : nil
            scalars.append(isBreak ? "\n" : scalar)
        }
        return String(scalars)
    }

    @Test("random Unicode round-trips through openpyxl and LibreOffice", arguments: [UInt64(1), 2024])
    func randomTextRoundTrips(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("random.xlsx")
        var generator = SeededGenerator(state: seed)
        let texts = (0..<400).map { _ in PropertyTests.randomText(&generator) }
        let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties)
        let sheet = try workbook.addSheet(named: "Random")
        for text in texts {
            try sheet.append([.text(text), .text("end")])
        }
        try workbook.close()

        // openpyxl returns cell text raw; the reader script decodes `_xHHHH_` as Excel does.
        let book = try OpenPyXLWorkbook.read(path, in: directory)
        let rows = try #require(book.sheets.first?.rows)
        #expect(rows.count == texts.count)
        for (index, (text, row)) in zip(texts, rows).enumerated() {
            let cell = try #require(row.first)
            #expect(cell.decoded == text, "seed \(seed) row \(index + 1): \(text.debugDescription)")
            #expect(cell.dataType == "s", "seed \(seed) row \(index + 1) must be text")
            #expect(row.last?.value == "end")
        }

        // LibreOffice decodes `_xHHHH_` itself and keeps every character, but stores each line end
        // (CR LF, LF CR, CR or LF) as one LF; openpyxl above checks that CR is stored exactly.
        let csv = try #require(try LibreOffice.sheets(of: path, expecting: 1, in: directory)["Random"])
        #expect(csv.count == texts.count)
        for (index, (text, row)) in zip(texts, csv).enumerated() {
            #expect(row.first.map(PropertyTests.unifiedLineBreaks) == PropertyTests.unifiedLineBreaks(text),
                    "seed \(seed) row \(index + 1): \(text.debugDescription)")
        }
    }
}
