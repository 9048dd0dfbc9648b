import Foundation
import Testing
@testable import Inzage

/// Runs `inzage work` as a real process, to prove crash safety by killing it rather than by reasoning.
@Suite("Worker processes", .serialized)
struct WorkerProcessTests {
    /// A database with one person whose history is long enough that processing takes a while,
    /// and `count` access requests for that person.
    private func prepare(_ sandbox: CLISandbox, requests count: Int, edits: Int) throws -> [String] {
        let database = try InzageDatabase(path: sandbox.database)
        let ledger = Ledger(store: database)
        let attribution = Attribution(by: "tester", via: .cli)
        let person = try ledger.addPerson(PersonDetails(firstName: "Lange", lastName: "Geschiedenis", email: "lang@example.nl"), attribution: attribution)
        try ledger.write { tx in
            for index in 0..<edits {
                try tx.updatePerson(id: person.id, changes: [.city: "Plaats \(index)"], attribution: attribution)
            }
        }
        let queue = RequestQueue(store: database)
        return try (0..<count).map { _ in
            try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(personID: person.id)), by: "tester").request.reference
        }
    }

    private func startWorker(_ sandbox: CLISandbox, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(InzageBinary.path))
        process.arguments = ["work", "--database", sandbox.database] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    private func waitForExit(_ process: Process, timeout: TimeInterval) throws -> Bool {
        try waitUntil(timeout: timeout) { !process.isRunning }
    }

    @Test("a worker killed with SIGKILL mid-request loses nothing: the request is taken again after its lease, done once")
    func killedWorker() throws {
        let sandbox = try CLISandbox()
        let references = try prepare(sandbox, requests: 3, edits: 40_000)
        let database = try InzageDatabase(path: sandbox.database)
        let queue = RequestQueue(store: database)
        let archive = try ExtractArchive.beside(databasePath: sandbox.database)

        let worker = try startWorker(sandbox, ["--lease", "2", "--retry-delay", "0"])
        let started = try waitUntil(timeout: 120) {
            try database.readRequests { try $0.requests(states: [.inProgress]) }.contains { $0.attempts == 1 }
        }
        try #require(started, "the worker never started a request")
        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        #expect(worker.terminationReason == .uncaughtSignal)

        // What the killed worker left: a request in progress, no extract rows, no half-written file under a final name.
        let interrupted = try #require(try database.readRequests { try $0.requests(states: [.inProgress]) }.first)
        #expect(try queue.details(interrupted.reference).extracts.isEmpty)
        // Each attempt writes into a folder of its own under the request's folder.
        let requestFolder = archive.url(of: interrupted.reference)
        let left = (FileManager.default.enumerator(atPath: requestFolder.path)?.allObjects as? [String]) ?? []
        for format in ExtractFormat.allCases {
            for path in left where URL(fileURLWithPath: path).lastPathComponent == "\(interrupted.reference).\(format.fileExtension)" {
                // A file under its final name is complete: renamed into place only after it was written.
                let final = requestFolder.appendingPathComponent(path)
                #expect(try Self.isComplete(final, format: format), "\(path) is half-written")
            }
        }

        Thread.sleep(forTimeInterval: 2.5) // the lease lapses
        let again = try sandbox.run(["work", "--once", "--lease", "2", "--retry-delay", "0"])
        #expect(again.status == 0, "\(again.stderr)")

        for reference in references {
            let details = try queue.details(reference)
            #expect(details.request.state == .completed, "\(reference) is \(details.request.state)")
            #expect(details.transitions.filter { $0.to == .completed }.count == 1)
            #expect(details.extracts.count == 2)
            for extract in details.extracts { #expect(try archive.verify(extract)) }
            // What the killed attempt left was removed by the next one: the request's folder holds the recorded files only.
            let files = try FileManager.default.subpathsOfDirectory(atPath: archive.url(of: reference).path)
                .filter { !$0.hasSuffix("/") && FileManager.default.fileExists(atPath: archive.url(of: "\(reference)/\($0)").path)
                    && !((try? FileManager.default.attributesOfItem(atPath: archive.url(of: "\(reference)/\($0)").path)[.type] as? FileAttributeType) == .typeDirectory) }
            #expect(Set(files.map { "\(reference)/\($0)" }) == Set(details.extracts.map(\.path)), "\(files)")
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: archive.root.path).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("SIGTERM lets the worker finish its current request, then it exits cleanly")
    func gracefulShutdown() throws {
        let sandbox = try CLISandbox()
        let references = try prepare(sandbox, requests: 4, edits: 20_000)
        let database = try InzageDatabase(path: sandbox.database)
        let worker = try startWorker(sandbox, ["--lease", "30"])
        let started = try waitUntil(timeout: 120) {
            !(try database.readRequests { try $0.requests(states: [.inProgress]) }.isEmpty)
        }
        try #require(started, "the worker never started a request")
        kill(worker.processIdentifier, SIGTERM)
        #expect(try waitForExit(worker, timeout: 120), "the worker did not stop after SIGTERM")
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)

        let states = try references.map { try RequestQueue(store: database).request($0).state }
        #expect(!states.contains(.inProgress), "a request was left half-done: \(states)")
        #expect(states.contains(.completed))
        #expect(try database.readRequests { reader in try references.compactMap { try reader.request(reference: $0) }.compactMap { try reader.lease(requestID: $0.id) } }.isEmpty)
    }

    @Test("two worker processes on one database never process the same request")
    func twoProcesses() throws {
        let sandbox = try CLISandbox()
        let database = try InzageDatabase(path: sandbox.database)
        let ledger = Ledger(store: database)
        let queue = RequestQueue(store: database)
        var references: [String] = []
        for index in 0..<16 {
            let person = try ledger.addPerson(PersonDetails(firstName: "P\(index)", lastName: "Twee", email: "p\(index)@example.nl"),
                                              attribution: Attribution(by: "tester", via: .cli))
            references.append(try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(personID: person.id)), by: "tester").request.reference)
        }
        let workers = try (0..<2).map { _ in try startWorker(sandbox, ["--once", "--concurrency", "2", "--lease", "30"]) }
        for worker in workers {
            #expect(try waitForExit(worker, timeout: 300))
            #expect(worker.terminationStatus == 0)
        }
        let archive = try ExtractArchive.beside(databasePath: sandbox.database)
        for reference in references {
            let details = try queue.details(reference)
            #expect(details.request.state == .completed)
            #expect(details.request.attempts == 1, "\(reference) was taken \(details.request.attempts) times")
            #expect(details.transitions.filter { $0.to == .completed }.count == 1)
            #expect(details.extracts.count == 2)
            for extract in details.extracts { #expect(try archive.verify(extract)) }
        }
    }

    @Test("a worker stalled after its claim until another completed the request removes nothing the other recorded")
    func stalledWorker() throws {
        let sandbox = try CLISandbox()
        let reference = try #require(try prepare(sandbox, requests: 1, edits: 10).first)
        // Worker A's standard error is a pipe that is already full: its first log line after the claim ("processing
        // request") blocks it, as a stopped process or a paused machine would be, until the pipe is read.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let flags = fcntl(ends[1], F_GETFL)
        _ = fcntl(ends[1], F_SETFL, flags | O_NONBLOCK)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        while write(ends[1], chunk, chunk.count) > 0 {}
        _ = fcntl(ends[1], F_SETFL, flags)
        let stalled = Process()
        stalled.executableURL = URL(fileURLWithPath: try #require(InzageBinary.path))
        stalled.arguments = ["work", "--once", "--lease", "1", "--database", sandbox.database]
        stalled.standardOutput = FileHandle.nullDevice
        stalled.standardError = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        try stalled.run()
        close(ends[1])
        let queue = RequestQueue(store: try InzageDatabase(path: sandbox.database))
        #expect(try waitUntil(timeout: 30) { try queue.details(reference).request.state == .inProgress }, "worker A claimed it")
        Thread.sleep(forTimeInterval: 1.5)

        // A's lease has lapsed: worker B takes the request and answers it.
        let taken = try sandbox.run(["work", "--once", "--lease", "30"])
        #expect(taken.status == 0 && taken.stdout.contains("\(reference)\tcompleted"), "\(taken.stdout)\(taken.stderr)")
        // A goes on once its log line is read, finds the request taken over, and leaves B's files alone.
        let readEnd = ends[0]
        let reader = Thread { var buffer = [UInt8](repeating: 0, count: 65_536); while read(readEnd, &buffer, buffer.count) > 0 {} }
        reader.start()
        #expect(try waitForExit(stalled, timeout: 60))
        close(readEnd)
        let details = try queue.details(reference)
        #expect(details.request.state == .completed && details.extracts.count == 2)
        let archive = try ExtractArchive.beside(databasePath: sandbox.database)
        for extract in details.extracts { #expect(try archive.verify(extract), "\(extract.path) is kept as recorded") }
    }

    static func isComplete(_ url: URL, format: ExtractFormat) throws -> Bool {
        let data = try Data(contentsOf: url)
        switch format {
        case .json: return (try? JSONSerialization.jsonObject(with: data)) != nil
        case .xlsx:
            // A complete zip ends with its end-of-central-directory record.
            let signature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
            let tail = [UInt8](data.suffix(22 + 1024))
            return tail.count >= 22 && (0...(tail.count - 4)).contains { Array(tail[$0..<$0 + 4]) == signature }
        }
    }
}
