import Foundation
import GRDB
import Testing
@testable import Inzage

/// A person with more edit records than a sheet holds: memory stays flat and the history continues on a second
/// sheet. Heavy (about a minute), so it runs only with `INZAGE_EXTRACT_LARGE=1`, alone:
/// `INZAGE_EXTRACT_LARGE=1 swift test --filter ExtractLarge`.
@Suite("Large extract", .enabled(if: ProcessInfo.processInfo.environment["INZAGE_EXTRACT_LARGE"] == "1"))
struct ExtractLargeTests {
    static let edits = 1_100_000

    /// The peak resident memory of this process so far, in MiB (VmHWM).
    private func peakMiB() throws -> Double {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Double(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes / 1024
    }

    @Test("1.1 million edit records: both extracts written with flat memory, the history continuing on a second sheet")
    func millionEdits() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try InzageDatabase(path: directory.appendingPathComponent("large.sqlite").path)
        let person = try Ledger(store: database).annaJansen()
        let start = Date(timeIntervalSince1970: 1_600_000_000)
        try database.dbWriter.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO person_edit (person_id, field, old_value, new_value, at, by, via, reason, request_reference)
                VALUES (?, 'job-title', ?, ?, ?, 'officer', 'cli', NULL, NULL)
                """)
            for index in 0..<Self.edits {
                try statement.execute(arguments: [person.id, "title \(index)", "title \(index + 1)", start.addingTimeInterval(Double(index))])
            }
        }
        let before = try peakMiB()
        let (xlsx, json) = try Resolver(store: database, clock: { Date(timeIntervalSince1970: 1_750_000_000) }).withDossier(personID: person.id) {
            try writeExtracts($0, into: directory, name: "large")
        }
        let growth = try peakMiB() - before
        #expect(growth < 200, "peak memory grew by \(Int(growth)) MiB while writing \(Self.edits) edit records")

        let names = try python("""
            import json, re, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                print(json.dumps(re.findall(r'<sheet [^>]*name="([^"]+)"', z.read("xl/workbook.xml").decode())))
            """, [xlsx.path], needs: "(nothing beyond python3)")
        let labels = try shippedLabels(.nl)
        let sheets = try JSONDecoder().decode([String].self, from: names)
        #expect(sheets.contains(labels.sheetName(.changeHistory) + " (2)"), "\(sheets)")

        var lines = 0
        let handle = try FileHandle(forReadingFrom: json)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            lines += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        #expect(lines > Self.edits, "one line per edit record")
    }
}
