import Foundation
import Testing

/// A reader the tests need is missing or failed; the message says which and how to install it.
struct ReaderError: Error, CustomStringConvertible {
    let description: String
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.path
        let safe = label.filter { $0.isLetter || $0.isNumber }
        var template = Array("\(base)/xlsxwriter-\(safe)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let created else { throw ReaderError(description: "cannot create a temporary directory in \(base)") }
        path = String(cString: created)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the directory, retrying briefly: LibreOffice can still be writing into its profile just after it exits.
    func remove() {
        for _ in 0..<10 {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(100_000)
        }
    }

    /// The names in the directory, sorted.
    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// Finds and runs the external readers.
enum Readers {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The full path of `name` on `PATH`, or an error naming the package that provides it.
    static func executable(_ name: String, install: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ReaderError(description: "\(name) is not on PATH; these tests need it and do not skip: \(install)")
    }

    /// Runs a program to completion, capturing its output in files (no pipe can fill up and block).
    static func run(_ executable: String, _ arguments: [String], in directory: TemporaryDirectory) throws -> Output {
        let token = UUID().uuidString
        let outPath = directory.file("stdout-\(token)"), errPath = directory.file("stderr-\(token)")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Output(status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath))
    }

    /// Runs a Python script with arguments and returns its standard output; fails with the script's error.
    static func python(_ script: String, _ arguments: [String], in directory: TemporaryDirectory) throws -> String {
        let python = try executable("python3", install: "apt-get install python3")
        let scriptPath = directory.file("script-\(UUID().uuidString).py")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let output = try run(python, [scriptPath] + arguments, in: directory)
        guard output.status == 0 else {
            if output.stderr.contains("No module named") {
                throw ReaderError(description: "a Python reader is not installed (\(output.stderr.split(separator: "\n").last ?? "")); run: pip install openpyxl openxml-audit")
            }
            throw ReaderError(description: "python3 failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout
    }

    /// Decodes a JSON document printed by a reader script.
    static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }
}
