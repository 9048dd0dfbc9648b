import ArgumentParser
import Foundation
import Inzage

/// `inzage init`: creates the database, or migrates an existing one to the current schema.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database, or migrate it to the current schema.",
        discussion: """
            A new database starts with the default legal bases, purposes and sources, and the default organisation \
            settings. Running init again is harmless: an existing database is migrated if it is older than this \
            version of inzage, and left alone otherwise. An empty file becomes a new database; another program's SQLite \
            database is refused and left as it was (exit 2). Prints the database path, then whether it was created, \
            migrated or already current.
            """
    )

    @OptionGroup var global: GlobalOptions

    /// Opens (and so creates or migrates) the database and says which of the three happened.
    func run() throws {
        let path = global.databasePath
        // An empty file (made by `touch`, say) is new to SQLite as well.
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        let existed = (size ?? 0) > 0
        let outdated = try existed && InzageDatabase.needsMigration(path: path)
        _ = try InzageDatabase(path: path)
        print(URL(fileURLWithPath: path).standardizedFileURL.path)
        print(!existed ? "Created a new database." : outdated ? "Migrated the database to the current schema." : "The database is already current.")
    }
}
