import Foundation
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

    @Test("A path that is not a database file is refused in words, and nothing is changed")
    func notADatabase() throws {
        let sandbox = try CLISandbox(initialise: false)
        let text = sandbox.directory.appendingPathComponent("notes.sqlite")
        try Data("not a database\n".utf8).write(to: text)
        let refused = try sandbox.run(["init", "--database", text.path], global: false)
        #expect(refused.status == 1 && refused.stderr.contains("is not an Inzage database"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SQLite error") && !refused.stderr.contains("PRAGMA"))
        #expect(try Data(contentsOf: text) == Data("not a database\n".utf8))

        let folder = try sandbox.run(["init", "--database", sandbox.directory.path], global: false)
        #expect(folder.status == 1 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let empty = try sandbox.run(["person", "find", "--email", "x@example.nl", "--database", ""], global: false)
        #expect(empty.status == 2 && empty.stderr.contains("--database cannot be empty"), "\(empty.stderr)")

        // An empty file, as `touch` makes it, is a new database.
        FileManager.default.createFile(atPath: sandbox.database, contents: nil)
        #expect(try sandbox.run(["init"]).stdout.contains("Created a new database."))
    }
}
