import Foundation
import GRDB

/// The SQLite database that holds Inzage's data: owns the connection (or the pool of them) and the schema.
///
/// Opened in WAL mode with a busy timeout, so that several processes (the CLI, workers) can write
/// to one file without failing with "database is locked".
public struct InzageDatabase: Sendable {
    /// The connection or the pool (GRDB serialises writes within a process; SQLite's busy timeout across processes).
    let dbWriter: any DatabaseWriter

    /// How long a writer waits for another process's write transaction before giving up.
    public static let busyTimeout: TimeInterval = 30

    /// How a process connects to the database file.
    public enum Connections: Sendable {
        /// A pool of one writer and concurrent readers: for processes that run for long or read in parallel (the
        /// worker, delivery, the demo).
        case pool
        /// One connection, for a process that runs one command and exits. Opening a pool on a WAL database whose
        /// `-wal` file the last process removed makes GRDB write a transaction to recreate it (two `fsync`s), which
        /// the close then copies back into the database (one more); one connection reads without writing. A file
        /// that is new or not yet in WAL mode is opened as a pool, which sets WAL mode.
        case single
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String, connections: Connections = .pool) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw StoreError.directoryMissing(directory)
        }
        do {
            if connections == .single, let queue = try Self.openSingleConnection(path: path) {
                try self.init(queue)
            } else {
                try self.init(try DatabasePool(path: path, configuration: Self.makeConfiguration()))
            }
        } catch let error as DatabaseError {
            throw StoreError(opening: path, error)
        }
    }

    /// Runs `body` in one write transaction; a refusal because the file is read-only becomes ``StoreError/readOnly(path:)``
    /// (with one connection per command, a read-only file is found at the first write instead of at open).
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try dbWriter.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw StoreError.readOnly(path: dbWriter.path)
        }
    }

    /// One connection to the existing WAL database at `path`; nil when the file is missing or not in WAL mode.
    private static func openSingleConnection(path: String) throws -> DatabaseQueue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // The journal mode is left as the file has it (`Configuration.journalMode` .default): asking for WAL
        // would make GRDB write the transaction this mode avoids.
        let queue = try DatabaseQueue(path: path, configuration: makeConfiguration())
        let journalMode = try queue.inDatabase { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        return journalMode?.lowercased() == "wal" ? queue : nil
    }

    /// Wraps an existing writer (an in-memory queue in tests) and migrates it.
    public init(_ dbWriter: any DatabaseWriter) throws {
        self.dbWriter = dbWriter
        let migrator = Self.migrator
        // A database at the current schema needs nothing: finding that out is a read, while migrating takes the
        // write lock and makes the writer connection load the schema, at every start of every command.
        if try dbWriter.read({ try migrator.hasCompletedMigrations($0) }) { return }
        try migrator.migrate(dbWriter)
    }

    /// An in-memory database, for tests and previews.
    public static func inMemory() throws -> InzageDatabase {
        try InzageDatabase(DatabaseQueue(configuration: makeConfiguration()))
    }

    /// Whether the file at `path` holds a schema older than this build (it is migrated on open).
    public static func needsMigration(path: String) throws -> Bool {
        do {
            let queue = try DatabaseQueue(path: path, configuration: makeConfiguration())
            return try queue.read { try !migrator.hasCompletedMigrations($0) }
        } catch let error as DatabaseError {
            throw StoreError(opening: path, error)
        }
    }

    /// The configuration every connection uses.
    static func makeConfiguration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // Durable enough for a ledger in WAL mode, and much faster than FULL.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    /// The schema, one migration per released change. Never erased on change.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-ledger", migrate: Schema.createLedger)
        migrator.registerMigration("v2-requests", migrate: Schema.createRequests)
        migrator.registerMigration("v3-outbox", migrate: Schema.createOutbox)
        migrator.registerMigration("v4-decisions", migrate: Schema.createDecisions)
        migrator.registerMigration("v5-already-correct", migrate: Schema.allowAlreadyCorrect)
        migrator.registerMigration("v6-recipient-fields", migrate: Schema.addRecipientFields)
        migrator.registerMigration("v7-request-refusal", migrate: Schema.addRequestRefusal)
        migrator.registerMigration("v8-outbox-attachments", migrate: Schema.createOutboxAttachments)
        return migrator
    }
}

/// Errors of the storage layer.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The folder for the database file does not exist.
    case directoryMissing(String)
    /// SQLite could not open the file.
    case cannotOpen(path: String, reason: String)
    /// A stored value could not be read back.
    case corruptValue(table: String, column: String, value: String)
    /// A write was refused because the file (or its folder) is read-only for this process.
    case readOnly(path: String)
    /// The file exists but is not an SQLite database (or is encrypted or damaged).
    case notADatabase(path: String)
    /// The path names a folder, not a file.
    case isAFolder(path: String)

    /// The error for SQLite's refusal to open (or set up) the database at `path`, in words: SQLite's own text
    /// names neither the file nor what to do.
    init(opening path: String, _ error: DatabaseError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            self = .isAFolder(path: path)
            return
        }
        switch error.resultCode {
        case .SQLITE_NOTADB: self = .notADatabase(path: path)
        case .SQLITE_READONLY: self = .readOnly(path: path)
        default: self = .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    public var description: String {
        switch self {
        case .directoryMissing(let directory):
            "The folder \(directory) does not exist; create it or pass another --database path."
        case .cannotOpen(let path, let reason):
            "Cannot open the database at \(path): \(reason). Check the path and its permissions."
        case .corruptValue(let table, let column, let value):
            "The database holds an unreadable value '\(value)' in \(table).\(column); it was changed outside Inzage."
        case .notADatabase(let path):
            "The file at \(path) is not an Inzage database (not SQLite, or damaged); nothing was changed. Pass the database "
                + "file with --database, or a new file name to create one with `inzage init`."
        case .isAFolder(let path):
            "\(path) is a folder; pass the database file inside it with --database, such as \(path)/inzage.sqlite."
        case .readOnly(let path):
            "The database at \(path) is read-only for this user, so nothing was written. Give the user write permission "
                + "on the file, its -wal and -shm files and its folder, or run the command as a user who has it."
        }
    }
}
