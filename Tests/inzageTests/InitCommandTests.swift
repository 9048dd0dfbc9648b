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
}
