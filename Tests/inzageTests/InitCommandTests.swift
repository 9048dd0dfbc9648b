import Foundation
import GRDB
import Testing

@Suite("inzage init")
struct InitCommandTests {
    @Test("Creates the database, and running it again is harmless")
    func initTwice() throws {
        let sandbox = try CLISandbox(initialise: false)
        let first = try sandbox.run(["init"])
        #expect(first.status == 0)
        #expect(first.lines.first == URL(fileURLWithPath: sandbox.database).standardizedFileURL.path)
        #expect(first.stdout.contains("Created"))
        #expect(FileManager.default.fileExists(atPath: sandbox.database))

        let id = try sandbox.addPerson()
        let second = try sandbox.run(["init"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("already current"))
        // The data survives a second init.
        let card = try JSON.object(JSON.object(try sandbox.json("person", "show", String(id)))["person"])
        #expect(card["email"] as? String == "anna.jansen@example.nl")
    }

    @Test("A command on a missing database says to run inzage init, exit 2")
    func missingDatabase() throws {
        let sandbox = try CLISandbox(initialise: false)
        let result = try sandbox.run(["person", "find", "--email", "x@example.nl"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("inzage init"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.database), "a read command must not create the database")
    }

    @Test("A path that is not a database file is refused in words, exit 2, and nothing is changed")
    func notADatabase() throws {
        let sandbox = try CLISandbox(initialise: false)
        let text = sandbox.directory.appendingPathComponent("notes.sqlite")
        try Data("not a database\n".utf8).write(to: text)
        let refused = try sandbox.run(["init", "--database", text.path], global: false)
        #expect(refused.status == 2 && refused.stderr.contains("is not an Inzage database"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SQLite error") && !refused.stderr.contains("PRAGMA"))
        #expect(try Data(contentsOf: text) == Data("not a database\n".utf8))

        let folder = try sandbox.run(["init", "--database", sandbox.directory.path], global: false)
        #expect(folder.status == 2 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        // The option names no database, for a read command as for a missing file: exit 2.
        let listed = try sandbox.run(["request", "list", "--database", sandbox.directory.path], global: false)
        #expect(listed.status == 2 && listed.stderr.contains("is a folder"), "\(listed.stderr)")
        let corrupt = try sandbox.run(["person", "find", "--name", "x", "--database", text.path], global: false)
        #expect(corrupt.status == 2 && corrupt.stderr.contains("is not an Inzage database"), "\(corrupt.stderr)")
        let empty = try sandbox.run(["person", "find", "--email", "x@example.nl", "--database", ""], global: false)
        #expect(empty.status == 2 && empty.stderr.contains("--database cannot be empty"), "\(empty.stderr)")

        // An empty file, as `touch` makes it, is a new database.
        FileManager.default.createFile(atPath: sandbox.database, contents: nil)
        #expect(try sandbox.run(["init"]).stdout.contains("Created a new database."))
    }

    @Test("Another program's SQLite database is refused by every command, init included, exit 2, and left as it was")
    func foreignDatabase() throws {
        let sandbox = try CLISandbox(initialise: false)
        // One in SQLite's default journal mode, one in WAL mode (which a one-shot command opens on one connection).
        let other = sandbox.directory.appendingPathComponent("other.sqlite")
        try DatabaseQueue(path: other.path).write { try $0.execute(sql: "CREATE TABLE foo (x); INSERT INTO foo VALUES (1);") }
        let wal = sandbox.directory.appendingPathComponent("wal.sqlite")
        try DatabasePool(path: wal.path).write { try $0.execute(sql: "CREATE TABLE foo (x); INSERT INTO foo VALUES (1);") }
        for file in [other, wal] {
            let before = try Data(contentsOf: file)
            for arguments in [["request", "list"], ["person", "find", "--name", "x"], ["person", "add", "--first-name", "A", "--last-name", "B",
                              "--email", "a@example.nl"], ["work", "--once"], ["init"]] {
                let result = try sandbox.run(arguments + ["--database", file.path], global: false)
                #expect(result.status == 2, "inzage \(arguments.joined(separator: " ")): \(result.status) \(result.stdout) \(result.stderr)")
                #expect(result.stderr.contains("\(file.path) is not an Inzage database (an SQLite database of another program)"), "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
            #expect(try Data(contentsOf: file) == before, "not a byte changed: no Inzage tables, not even WAL mode")
            #expect(try DatabaseQueue(path: file.path).read { try String.fetchOne($0, sql: "SELECT group_concat(name) FROM sqlite_master") } == "foo")
        }
    }

    @Test("An empty file is refused by the commands that use a database, with a hint to run init, and left empty; init creates it")
    func emptyFile() throws {
        let sandbox = try CLISandbox(initialise: false)
        FileManager.default.createFile(atPath: sandbox.database, contents: nil)
        for arguments in [["person", "find", "--name", "x"], ["request", "list"], ["settings", "show"]] {
            let result = try sandbox.run(arguments)
            #expect(result.status == 2 && result.stderr.contains("is empty, not an Inzage database yet")
                    && result.stderr.contains("inzage init --database \(sandbox.database)"), "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.database)).isEmpty)
        #expect(try sandbox.run(["init"]).stdout.contains("Created a new database."))
        #expect(try sandbox.run(["person", "find", "--name", "x"]).status == 0)
    }
}
