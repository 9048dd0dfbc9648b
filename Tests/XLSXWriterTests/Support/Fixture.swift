import Foundation
@testable import XLSXWriter

/// A workbook with every kind of cell, and what each reader should see.
enum Fixture {
    struct Sample {
        let label: String
        let cell: Cell
        /// openpyxl's Python type and value text (see `OpenPyXLWorkbook.Cell`).
        let kind: String
        let value: String?
        /// The number format openpyxl reports.
        let format: String
        /// LibreOffice's CSV text with cells as shown.
        let shown: String
    }

    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(secondsFromGMT: 3600) ?? .current
    static let created = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z
    static let properties = DocumentProperties(title: "Überblick & <test>", subject: "Fixture", creator: "XLSXWriterTests",
                                               created: created, language: "nl-NL")
    static let options = SheetOptions(columns: [Column(width: 14), Column(width: 40, wrap: true)], headerRow: true,
                                      headerStyle: HeaderStyle(bold: true, fill: .lightGrey),
                                      frozenRows: 1, frozenColumns: 1, autoFilter: true)

    static func date(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate {
        (try? CalendarDate(year: y, month: m, day: d)) ?? CalendarDate(Date(timeIntervalSince1970: 0), in: amsterdam)
    }

    static func instant(_ iso: String) -> Date {
        (try? Date(iso, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0)
    }

    static let general = "General"
    static let dateFormat = "yyyy-mm-dd"
    static let dateTimeFormat = "yyyy-mm-dd hh:mm:ss"

    static let samples: [Sample] = [
        Sample(label: "text", cell: .text("plain text"), kind: "str", value: "plain text", format: general, shown: "plain text"),
        Sample(label: "accents", cell: .text("Île-de-France, Zürich, København"), kind: "str",
               value: "Île-de-France, Zürich, København", format: general, shown: "Île-de-France, Zürich, København"),
        Sample(label: "integer", cell: .integer(-42), kind: "int", value: "-42", format: general, shown: "-42"),
        Sample(label: "largest exact", cell: .integer(9_007_199_254_740_992), kind: "int", value: "9007199254740992",
               format: general, shown: "9.00719925474099E+015"),
        Sample(label: "beyond 2^53", cell: .integer(9_007_199_254_740_993), kind: "str", value: "9007199254740993",
               format: general, shown: "9007199254740993"),
        Sample(label: "decimal", cell: .decimal(82557.64), kind: "float", value: "82557.64", format: general, shown: "82557.64"),
        Sample(label: "third", cell: .decimal(1.0 / 3), kind: "float", value: "0.3333333333333333", format: general,
               shown: "0.333333333333333"),
        Sample(label: "tiny", cell: .decimal(-2.5e-300), kind: "float", value: "-2.5e-300", format: general, shown: "-2.5E-300"),
        Sample(label: "NaN", cell: .decimal(.nan), kind: "str", value: "NaN", format: general, shown: "NaN"),
        Sample(label: "infinity", cell: .decimal(-.infinity), kind: "str", value: "-Infinity", format: general, shown: "-Infinity"),
        Sample(label: "true", cell: .boolean(true), kind: "bool", value: "True", format: general, shown: "TRUE"),
        Sample(label: "false", cell: .boolean(false), kind: "bool", value: "False", format: general, shown: "FALSE"),
        Sample(label: "date", cell: .date(date(2024, 2, 29)), kind: "datetime", value: "2024-02-29T00:00:00",
               format: dateFormat, shown: "2024-02-29"),
        Sample(label: "first exact date", cell: .date(date(1900, 3, 1)), kind: "datetime", value: "1900-03-01T00:00:00",
               format: dateFormat, shown: "1900-03-01"),
        Sample(label: "last date", cell: .date(date(9999, 12, 31)), kind: "datetime", value: "9999-12-31T00:00:00",
               format: dateFormat, shown: "9999-12-31"),
        Sample(label: "old date", cell: .date(date(1899, 12, 31)), kind: "str", value: "1899-12-31", format: general,
               shown: "1899-12-31"),
        Sample(label: "summer time", cell: .dateTime(instant("2024-07-01T10:00:00Z"), amsterdam), kind: "datetime",
               value: "2024-07-01T12:00:00", format: dateTimeFormat, shown: "2024-07-01 12:00:00"),
        Sample(label: "winter time", cell: .dateTime(instant("2024-01-15T23:30:45Z"), amsterdam), kind: "datetime",
               value: "2024-01-16T00:30:45", format: dateTimeFormat, shown: "2024-01-16 00:30:45"),
        Sample(label: "west", cell: .dateTime(instant("2024-03-01T02:15:00Z"), TimeZone(secondsFromGMT: -5 * 3600) ?? amsterdam),
               kind: "datetime", value: "2024-02-29T21:15:00", format: dateTimeFormat, shown: "2024-02-29 21:15:00"),
        Sample(label: "far past", cell: .dateTime(Date(timeIntervalSince1970: -1e15), amsterdam), kind: "str",
               value: "0001-01-01 00:00:00", format: general, shown: "0001-01-01 00:00:00"),
        Sample(label: "undefined", cell: .dateTime(Date(timeIntervalSince1970: .nan), amsterdam), kind: "str",
               value: "0001-01-01 00:00:00", format: general, shown: "0001-01-01 00:00:00"),
        Sample(label: "empty", cell: .empty, kind: "none", value: nil, format: general, shown: ""),
        Sample(label: "link", cell: .hyperlink(url: "https://example.org/a?b=1&c=2", text: "Example"), kind: "str",
               value: "Example", format: general, shown: "Example"),
        Sample(label: "formula", cell: .text("=1+1"), kind: "str", value: "=1+1", format: general, shown: "=1+1"),
        Sample(label: "at", cell: .text("@SUM(A1:A2)"), kind: "str", value: "@SUM(A1:A2)", format: general, shown: "@SUM(A1:A2)"),
        Sample(label: "minus", cell: .text("-3"), kind: "str", value: "-3", format: general, shown: "-3"),
        Sample(label: "plus", cell: .text("+x"), kind: "str", value: "+x", format: general, shown: "+x"),
        Sample(label: "spaces", cell: .text("  padded  "), kind: "str", value: "  padded  ", format: general, shown: "  padded  "),
        Sample(label: "markup", cell: .text("<b>&amp;</b> \"quoted\" 'single'"), kind: "str",
               value: "<b>&amp;</b> \"quoted\" 'single'", format: general, shown: "<b>&amp;</b> \"quoted\" 'single'"),
        Sample(label: "xstring", cell: .text("_x0041_ and _X1234_ and _x004G_"), kind: "str",
               value: "_x005F_x0041_ and _X1234_ and _x005F_x004G_", format: general, shown: "_x0041_ and _X1234_ and _x004G_"),
        Sample(label: "lines", cell: .text("one\ntwo\r\nthree\tfour"), kind: "str", value: "one\ntwo\r\nthree\tfour",
               format: general, shown: "one\ntwo\nthree\tfour"),
        Sample(label: "emoji", cell: .text("👩‍👩‍👧 مرحبا שלום é"), kind: "str", value: "👩‍👩‍👧 مرحبا שלום é",
               format: general, shown: "👩‍👩‍👧 مرحبا שלום é"),
    ]

    /// The header row.
    static let header: [Cell] = [.text("Kind"), .text("Value")]

    /// Writes the fixture: sheet "Data" with the samples, and a second sheet with an awkward name.
    static func write(to path: String, compression: Compression = .standard) throws {
        let workbook = try XLSXWorkbook(path: path, properties: properties, compression: compression)
        let sheet = try workbook.addSheet(named: "Data", options: options)
        try sheet.append(header)
        for sample in samples {
            try sheet.append([.text(sample.label), sample.cell])
        }
        let second = try workbook.addSheet(named: "history")
        try second.append([.text("second"), .integer(2)])
        try workbook.close()
    }
}
