import ArgumentParser
import Foundation
import Inzage

/// Options every command that touches the database takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file. Default: $INZAGE_DATABASE, else ./inzage.sqlite.", valueName: "path"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("The acting user, recorded in every history entry. Default: the OS user.", valueName: "name"))
    var by: String?

    /// The database path in force (an empty `INZAGE_DATABASE` counts as unset).
    var databasePath: String {
        database ?? ProcessInfo.processInfo.environment["INZAGE_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "./inzage.sqlite"
    }

    func validate() throws {
        if let database, database.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--database cannot be empty; give the path of the database file, such as ./inzage.sqlite.")
        }
    }

    /// The acting user in force.
    var actor: String {
        if let by, !by.trimmingCharacters(in: .whitespaces).isEmpty { return by }
        let environment = ProcessInfo.processInfo.environment
        return environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
    }

    /// Opens the existing database; a missing or empty file is an error that says to run `inzage init`, and a file
    /// that is not an Inzage database is refused and left as it was (``StoreError``, exit code 2).
    ///
    /// A command that runs once and exits takes one connection (`.single`); the long-running ones (`work`,
    /// `deliver`) take a pool.
    func openDatabase(connections: InzageDatabase.Connections = .single) throws -> InzageDatabase {
        try InzageDatabase(path: databasePath, connections: connections, mustExist: true)
    }

    /// Opens the ledger on the existing database.
    func openLedger() throws -> Ledger {
        Ledger(store: try openDatabase())
    }

    /// An attribution for a change made at the command line by the acting user.
    func attribution(reason: String? = nil) -> Attribution {
        Attribution(by: actor, via: .cli, reason: reason)
    }
}

/// The `--json` flag of read commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}
