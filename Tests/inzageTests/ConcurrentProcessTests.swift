import Foundation
import Testing
@testable import Inzage

@Suite("Two processes on one database")
struct ConcurrentProcessTests {
    @Test("two inzage processes writing at once both succeed: no 'database is locked'")
    func twoWriters() throws {
        let sandbox = try CLISandbox()
        var processes: [(Process, URL)] = []
        for writer in 0..<2 {
            let csv = sandbox.directory.appendingPathComponent("batch-\(writer).csv")
            var lines = ["first_name,last_name,email,consents"]
            for index in 0..<1_500 {
                lines.append("Writer\(writer),Row\(index),w\(writer).r\(index)@example.nl,e-marketing:consent")
            }
            try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(InzageBinary.path))
            // Small batches: many short write transactions interleave between the two processes.
            process.arguments = ["import", csv.path, "--source", "import", "--batch-size", "50", "--database", sandbox.database, "--by", "tester"]
            let errors = sandbox.directory.appendingPathComponent("batch-\(writer).err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardOutput = FileHandle.nullDevice
            processes.append((process, errors))
        }
        for (process, _) in processes { try process.run() }
        for (process, errors) in processes {
            process.waitUntilExit()
            let message = try String(contentsOf: errors, encoding: .utf8)
            #expect(process.terminationStatus == 0, "\(message)")
            #expect(!message.contains("locked"))
        }
        let database = try InzageDatabase(path: sandbox.database)
        #expect(try Ledger(store: database).read { try $0.personCount() } == 3_000)
    }
}
