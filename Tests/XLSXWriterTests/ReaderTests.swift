import Foundation
import Testing
@testable import XLSXWriter

/// Real readers (openpyxl, LibreOffice, openxml-audit, Python's zipfile) read what XLSXWriter writes.
/// A missing reader fails these tests with a message saying how to install it; they never skip.
@Suite("Readers")
struct ReaderTests {
    @Test("openpyxl reads every value, type, date, style, pane, filter and property", arguments: Compression.allCases)
    func openpyxlReadsTheFixture(compression: Compression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("fixture.xlsx")
        try Fixture.write(to: path, compression: compression)
        let book = try OpenPyXLWorkbook.read(path, in: directory)

        #expect(book.properties.title == "Überblick & <test>")
        #expect(book.properties.subject == "Fixture")
        #expect(book.properties.creator == "XLSXWriterTests")
        #expect(book.properties.language == "nl-NL")
        #expect(book.properties.created == "2023-11-14T22:13:20")
        #expect(book.sheets.map(\.title) == ["Data", "history (2)"])

        let sheet = try #require(book.sheets.first)
        #expect(sheet.freeze == "B2")
        #expect(sheet.filter == "A1:B\(Fixture.samples.count + 1)")
        #expect(sheet.widths["A"] == 14.7109375)
        #expect(sheet.widths["B"] == 40.7109375)
        #expect(sheet.rows.count == Fixture.samples.count + 1)

        let header = try #require(sheet.rows.first)
        for cell in header {
            #expect(cell.bold)
            #expect(cell.fill == "FFD9D9D9")
            #expect(cell.kind == "str")
        }
        #expect(header.map(\.value) == ["Kind", "Value"])

        for (sample, row) in zip(Fixture.samples, sheet.rows.dropFirst()) {
            #expect(row.first?.value == sample.label)
            #expect(row.first?.bold == false)
            let cell = try #require(row.count > 1 ? row[1] : nil, "row \(sample.label) has no value cell")
            #expect(cell.kind == sample.kind, "\(sample.label)")
            #expect(cell.value == sample.value, "\(sample.label)")
            #expect(cell.numberFormat == sample.format, "\(sample.label)")
            #expect(cell.dataType != "f", "\(sample.label) must never be a formula")
            if case .text(let text) = sample.cell {
                #expect(cell.decoded == text, "\(sample.label) reads back unchanged")
            }
            if sample.kind != "none" {
                #expect(cell.wrap, "column B wraps")
                #expect(!cell.bold)
            }
            if case .hyperlink(let url, _) = sample.cell {
                #expect(cell.link == url)
            } else {
                #expect(cell.link == nil)
            }
        }
        let second = try #require(book.sheets.last)
        #expect(second.freeze == nil)
        #expect(second.filter == nil)
        #expect(second.rows.first?.map(\.value) == ["second", "2"])
    }

    @Test("LibreOffice converts every sheet to CSV with the same rows and values", arguments: Compression.allCases)
    func libreOfficeReadsEverySheet(compression: Compression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("fixture.xlsx")
        try Fixture.write(to: path, compression: compression)
        let sheets = try LibreOffice.sheets(of: path, expecting: 2, in: directory)

        let data = try #require(sheets["Data"])
        #expect(data.count == Fixture.samples.count + 1)
        #expect(data.first == ["Kind", "Value"])
        for (sample, row) in zip(Fixture.samples, data.dropFirst()) {
            #expect(row.first == sample.label)
            #expect((row.count > 1 ? row[1] : "") == sample.shown, "\(sample.label)")
        }
        #expect(sheets["history (2)"] == [["second", "2"]])
    }

    @Test("rows beyond a sheet's limit continue on numbered sheets that repeat the header")
    func continuationSheets() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("continued.xlsx")
        let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties, rowLimit: 4, workerCount: 2)
        let sheet = try workbook.addSheet(named: "Rows", options: SheetOptions(headerRow: true, frozenRows: 1, autoFilter: true))
        try sheet.append([.text("n"), .text("square")])
        for n in 1...7 {
            try sheet.append([.integer(Int64(n)), .integer(Int64(n * n))])
        }
        #expect(workbook.sheetNames == ["Rows", "Rows (2)", "Rows (3)"])
        try workbook.close()

        let expected = [
            "Rows": [["n", "square"], ["1", "1"], ["2", "4"], ["3", "9"]],
            "Rows (2)": [["n", "square"], ["4", "16"], ["5", "25"], ["6", "36"]],
            "Rows (3)": [["n", "square"], ["7", "49"]],
        ]
        let book = try OpenPyXLWorkbook.read(path, in: directory)
        #expect(book.sheets.map(\.title) == ["Rows", "Rows (2)", "Rows (3)"])
        for sheet in book.sheets {
            #expect(sheet.rows.map { $0.map { $0.value ?? "" } } == expected[sheet.title])
            #expect(sheet.rows.first?.allSatisfy(\.bold) == true)
            #expect(sheet.freeze == "A2")
            #expect(sheet.filter == "A1:B\(expected[sheet.title]?.count ?? 0)")
        }
        #expect(try LibreOffice.sheets(of: path, expecting: 3, in: directory) == expected)
    }

    @Test("openxml-audit in permissive mode reports no errors")
    func openxmlAuditFindsNoErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("fixture.xlsx")
        try Fixture.write(to: path)
        let audit = try Readers.executable("openxml-audit", install: "pip install openxml-audit")
        let output = try Readers.run(audit, ["--policy", "permissive", "--output", "json", "--max-errors", "0", path], in: directory)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]],
                                   "openxml-audit printed no JSON report: \(output.stdout) \(output.stderr)")
        let report = try #require(reports.first)
        let findings = report["errors"] as? [[String: Any]] ?? []
        #expect(output.status == 0, "openxml-audit exited \(output.status): \(output.stderr)")
        #expect(report["error_count"] as? Int == 0, "openxml-audit found errors: \(findings)")
        // Schema findings are warnings in permissive mode; there must be none either. The one expected
        // finding is semantic: inline strings instead of a shared-strings table, which streaming requires.
        #expect(findings.filter { $0["type"] as? String != "semantic" }.isEmpty, "\(findings)")
    }

    @Test("the container: [Content_Types].xml first, deflate, fixed times, no extra fields, valid CRCs")
    func zipLayout() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("fixture.xlsx")
        try Fixture.write(to: path)
        let layout = try ZipLayout.read(path, in: directory)
        #expect(layout.testzip == nil)
        #expect(layout.entries.first?.name == "[Content_Types].xml")
        #expect(Set(layout.entries.map(\.name)) == [
            "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/theme/theme1.xml", "xl/worksheets/sheet1.xml",
            "xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets/sheet2.xml",
        ])
        for entry in layout.entries {
            #expect(entry.method == 8, "\(entry.name) is deflated")
            #expect(entry.date == [1980, 1, 1, 0, 0, 0], "\(entry.name) has the fixed time")
            #expect(entry.centralExtra == 0 && entry.localExtra == 0, "\(entry.name) has no Zip64 or other extra field")
        }
    }
}
