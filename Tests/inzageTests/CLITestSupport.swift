import Foundation
import Testing

/// What one run of the `inzage` binary produced.
struct CLIResult {
    /// The exit code.
    let status: Int32
    /// Standard output.
    let stdout: String
    /// Standard error.
    let stderr: String

    /// The lines of standard output.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

/// Where the tests find the `inzage` binary: `$INZAGE_BINARY`, else next to the test bundle (the products directory
/// is the parent of the `.xctest` bundle), searching upward from the running test binary.
enum InzageBinary {
    /// The binary's path, or nil when it is not built.
    static let path: String? = {
        if let explicit = ProcessInfo.processInfo.environment["INZAGE_BINARY"] { return explicit }
        let starts = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")]
        for start in starts {
            var directory = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = directory.appendingPathComponent("inzage").path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }()
}

/// A temporary database that one test drives through the `inzage` binary; removed when the sandbox goes away.
final class CLISandbox {
    /// The temporary directory.
    let directory: URL
    /// The database file in it.
    let database: String
    /// The acting user every command is run as.
    static let actor = "tester"

    /// Creates the directory and, unless `initialise` is false, the database.
    init(initialise: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("inzage-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = directory.appendingPathComponent("inzage.sqlite").path
        if initialise {
            let result = try run(["init"])
            try #require(result.status == 0, "inzage init failed: \(result.stderr)")
        }
    }

    /// Removes the directory with the database.
    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `inzage` with `arguments`, followed by `--database` and `--by` unless `global` is false.
    func run(_ arguments: [String], global: Bool = true) throws -> CLIResult {
        let binary = try #require(InzageBinary.path, """
            The inzage binary was not found next to the test bundle (\(Bundle.main.bundleURL.path)). \
            Build it with `swift build --product inzage` (same scratch path), or set INZAGE_BINARY.
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + (global ? ["--database", database, "--by", Self.actor] : [])
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "INZAGE_DATABASE")
        process.environment = environment
        return try launch(process)
    }

    /// Runs `process` to its end with standard output and error captured, and returns what it printed.
    func launch(_ process: Process) throws -> CLIResult {
        // Files rather than pipes: no deadlock however much a command prints.
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("\(id).out")
        let errURL = directory.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs `inzage` with `arguments`; a failure fails the test with its standard error.
    @discardableResult
    func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let result = try run(arguments)
        try #require(result.status == 0, "inzage \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)",
                     sourceLocation: sourceLocation)
        return result
    }

    /// Runs `inzage` with `arguments` and `--json` and parses its output.
    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let result = try run(arguments + ["--json"])
        try #require(result.status == 0, "inzage \(arguments.joined(separator: " ")) --json failed (\(result.status)): \(result.stderr)",
                     sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Registers a person and returns the id printed on the first line.
    func addPerson(first: String = "Anna", last: String = "Jansen", email: String = "anna.jansen@example.nl", _ more: String...) throws -> Int {
        let result = try run(["person", "add", "--first-name", first, "--last-name", last, "--email", email] + more)
        try #require(result.status == 0, "person add failed: \(result.stderr)")
        return try #require(Int(result.lines[0]), "the first line of person add is the id: \(result.stdout)")
    }

    /// Runs a command that must fail with `status`, print nothing on standard output, and name every one of
    /// `phrases` in its message; the output of the read commands `unchanged` must be the same before and after.
    /// (To check several refusals against one state, wrap them in ``expectNothingWritten(_:sourceLocation:_:)``.)
    func refuse(_ arguments: [String], status: Int32, mentioning phrases: [String], unchanged: [[String]] = [],
                sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectNothingWritten(unchanged, sourceLocation: sourceLocation) {
            let result = try run(arguments)
            #expect(result.status == status, "inzage \(arguments.joined(separator: " ")): exit \(result.status), stderr: \(result.stderr)",
                    sourceLocation: sourceLocation)
            for phrase in phrases {
                #expect(result.stderr.contains(phrase), "stderr lacks '\(phrase)': \(result.stderr)", sourceLocation: sourceLocation)
            }
            #expect(result.stdout.isEmpty, "a refused command prints nothing on stdout: \(result.stdout)", sourceLocation: sourceLocation)
        }
    }

    /// Runs `body` (refused commands) and checks that the output of the read commands `unchanged` is the same
    /// before and after it: nothing was written.
    func expectNothingWritten(_ unchanged: [[String]], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let before = try unchanged.map { try run($0) }
        try #require(before.allSatisfy { $0.status == 0 }, "the read commands \(unchanged) must succeed", sourceLocation: sourceLocation)
        try body()
        let after = try unchanged.map { try run($0).stdout }
        for (command, (old, new)) in zip(unchanged, zip(before.map(\.stdout), after)) {
            #expect(old == new, "a refused command changed the output of inzage \(command.joined(separator: " "))", sourceLocation: sourceLocation)
        }
    }
}

/// Reading parsed JSON in tests.
enum JSON {
    /// `value` as an object, or a test failure.
    static func object(_ value: Any?, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(value as? [String: Any], "expected a JSON object, got \(String(describing: value))", sourceLocation: sourceLocation)
    }

    /// `value` as an array, or a test failure.
    static func array(_ value: Any?, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Any] {
        try #require(value as? [Any], "expected a JSON array, got \(String(describing: value))", sourceLocation: sourceLocation)
    }

    /// `value` as an array of objects, or a test failure.
    static func objects(_ value: Any?, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(value as? [[String: Any]], "expected an array of JSON objects, got \(String(describing: value))", sourceLocation: sourceLocation)
    }

    /// Whether `value` is JSON null.
    static func isNull(_ value: Any?) -> Bool { value is NSNull }

    /// Whether `text` is an ISO 8601 date-time with an offset.
    static func isISO8601(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return ISO8601DateFormatter().date(from: text) != nil
    }
}
