import Foundation
import Testing
@testable import XLSXWriter

@Suite("Errors")
struct ErrorTests {
    @Test("a path in a missing directory or under a file cannot be created")
    func unwritablePath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plainFile = directory.file("plain.txt")
        try "x".write(toFile: plainFile, atomically: true, encoding: .utf8)
        for path in [directory.file("missing/out.xlsx"), "\(plainFile)/out.xlsx"] {
            #expect {
                _ = try XLSXWorkbook(path: path, properties: Fixture.properties)
            } throws: { error in
                guard case XLSXError.cannotCreate(let reported, _)? = error as? XLSXError else { return false }
                return reported == path
            }
        }
        #expect(directory.contents() == ["plain.txt"])
    }

    @Test("a closed workbook and a finished sheet throw")
    func closedWorkbookThrows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let workbook = try XLSXWorkbook(path: directory.file("a.xlsx"), properties: Fixture.properties)
        let first = try workbook.addSheet(named: "First")
        try first.append([.integer(1)])
        let second = try workbook.addSheet(named: "Second")
        #expect(throws: XLSXError.sheetFinished(name: "First")) { try first.append([.integer(2)]) }
        try second.append([.integer(3)])
        try workbook.close()
        #expect(throws: XLSXError.workbookClosed) { try workbook.close() }
        #expect(throws: XLSXError.workbookClosed) { try second.append([.integer(4)]) }
        #expect(throws: XLSXError.workbookClosed) { _ = try workbook.addSheet(named: "Third") }
        #expect(directory.contents() == ["a.xlsx"])
    }

    @Test("invalid input throws and leaves the workbook usable")
    func invalidInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("a.xlsx")
        let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties)
        #expect(throws: XLSXError.invalidFrozenPane(rows: -1, columns: 0)) {
            _ = try workbook.addSheet(named: "x", options: SheetOptions(frozenRows: -1))
        }
        #expect(throws: XLSXError.invalidColumnWidth(column: 2, width: 300)) {
            _ = try workbook.addSheet(named: "x", options: SheetOptions(columns: [Column(), Column(width: 300)]))
        }
        #expect(throws: XLSXError.invalidDate(year: 2023, month: 2, day: 29)) {
            _ = try CalendarDate(year: 2023, month: 2, day: 29)
        }
        let sheet = try workbook.addSheet(named: "Data")
        #expect(throws: XLSXError.tooManyColumns(count: 16_385, limit: 16_384)) {
            try sheet.append(Array(repeating: .integer(1), count: 16_385))
        }
        try sheet.append(Array(repeating: .integer(1), count: 16_384))
        try workbook.close()
        let book = try OpenPyXLWorkbook.read(path, in: directory)
        #expect(book.sheets.first?.rows.first?.count == 16_384)
    }

    /// Mounts a tmpfs of `kilobytes` (the tests run as root, as CI does) and unmounts it afterwards.
    static func withSmallDisk(kilobytes: Int, in directory: TemporaryDirectory, _ body: (String) throws -> Void) throws {
        let mountPoint = directory.file("small-disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try Readers.executable("mount", install: "apt-get install mount")
        let result = try Readers.run(mount, ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", mountPoint], in: directory)
        guard result.status == 0 else {
            throw ReaderError(description: "the full-disk test mounts a small tmpfs and needs root: \(result.stderr)")
        }
        defer { _ = try? Readers.run(try Readers.executable("umount", install: "apt-get install mount"), [mountPoint], in: directory) }
        try body(mountPoint)
    }

    /// Text that deflate cannot shrink much: random letters from a 64-character alphabet.
    static func incompressibleRows(_ kilobytes: Int) -> [[Cell]] {
        var generator = SeededGenerator(state: 7)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return (0..<(kilobytes / 2)).map { _ in
            [.text(String((0..<2048).map { _ in alphabet[Int(generator.next() % 64)] }))]
        }
    }

    @Test("a full disk throws and leaves neither a file at the target nor a temporary file",
          arguments: [(disk: 96, data: 600), (disk: 640, data: 600), (disk: 48, data: 64)])
    func fullDisk(disk: Int, data: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ErrorTests.withSmallDisk(kilobytes: disk, in: directory) { mountPoint in
            let path = "\(mountPoint)/out.xlsx"
            let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties)
            var thrown: Error?
            do {
                let sheet = try workbook.addSheet(named: "Data")
                for row in ErrorTests.incompressibleRows(data) { try sheet.append(row) }
                try workbook.close()
            } catch {
                thrown = error
            }
            let error = try #require(thrown as? XLSXError, "writing \(data) KiB to a \(disk) KiB disk must fail")
            switch error {
            case .writeFailed(let reported, _): #expect(reported == path)
            default: Issue.record("expected writeFailed, got \(error)")
            }
            #expect(throws: XLSXError.self) { try workbook.close() }
            #expect((try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) == [])
        }
    }

    @Test("a failed write keeps the file that was at the target")
    func failedWriteKeepsOldFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ErrorTests.withSmallDisk(kilobytes: 640, in: directory) { mountPoint in
            let path = "\(mountPoint)/out.xlsx"
            try "previous".write(toFile: path, atomically: false, encoding: .utf8)
            let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties)
            let sheet = try workbook.addSheet(named: "Data")
            #expect(throws: XLSXError.self) {
                for row in ErrorTests.incompressibleRows(600) { try sheet.append(row) }
                try workbook.close()
            }
            #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "previous")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) == ["out.xlsx"])
        }
    }
}
