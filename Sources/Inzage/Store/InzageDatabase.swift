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

    /// Opens the database at `path` and migrates it to the current schema; a missing or empty file becomes a new
    /// database unless `mustExist` (commands other than `init` use an existing database only).
    ///
    /// A file that holds tables but no Inzage schema is another program's database: it is refused and left as it was,
    /// never given Inzage's tables.
    ///
    /// - Throws: ``StoreError/noDatabase(path:)`` or ``StoreError/empty(path:)`` with `mustExist`,
    ///   ``StoreError/notInzage(path:)`` for another program's database, ``StoreError/notADatabase(path:)`` for a file
    ///   that is not SQLite, and the other ``StoreError``s when the file cannot be opened.
    public init(path: String, connections: Connections = .pool, mustExist: Bool = false) throws {
        let exists = FileManager.default.fileExists(atPath: path)
        if mustExist, !exists { throw StoreError.noDatabase(path: path) }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw StoreError.directoryMissing(directory)
        }
        do {
            if exists {
                // What the file holds is checked on one plain connection first: opening a pool switches the file to WAL
                // mode, a write, before the check could refuse it.
                let queue = try DatabaseQueue(path: path, configuration: Self.makeConfiguration())
                // The journal mode is left as the file has it (`Configuration.journalMode` .default): asking for WAL
                // would make GRDB write the transaction that one connection per command avoids.
                let journalMode = try queue.inDatabase { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
                if connections == .single, journalMode?.lowercased() == "wal" {
                    try self.init(queue, mustExist: mustExist)
                    return
                }
                try Self.check(try queue.read(Self.contents), path: path, mustExist: mustExist)
            }
            try self.init(try DatabasePool(path: path, configuration: Self.makeConfiguration()), mustExist: mustExist)
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

    /// Wraps an existing writer (an in-memory queue in tests) and migrates it; another program's database is refused
    /// (``StoreError/notInzage(path:)``).
    public init(_ dbWriter: any DatabaseWriter) throws {
        try self.init(dbWriter, mustExist: false)
    }

    /// Wraps `dbWriter` and migrates it, refusing another program's database, and with `mustExist` one without tables.
    private init(_ dbWriter: any DatabaseWriter, mustExist: Bool) throws {
        self.dbWriter = dbWriter
        // A database at the current schema needs nothing: finding that out is a read, while migrating takes the
        // write lock and makes the writer connection load the schema, at every start of every command.
        let contents = try dbWriter.read(Self.contents)
        if contents == .current { return }
        try Self.check(contents, path: dbWriter.path, mustExist: mustExist)
        try Self.migrator.migrate(dbWriter)
    }

    /// What a database file holds, as far as opening it goes.
    enum Contents: Equatable {
        /// Inzage's schema as this build makes it.
        case current
        /// Inzage's schema of an earlier build: migrated on open.
        case older
        /// No tables at all (an empty file is an empty database to SQLite).
        case empty
        /// Tables, but not Inzage's: another program's database.
        case foreign
    }

    /// What the database of `db` holds. Only a database that is not current costs more than one read of the migration log.
    static func contents(_ db: Database) throws -> Contents {
        let migrator = Self.migrator
        if try migrator.hasCompletedMigrations(db) { return .current }
        if try !migrator.appliedMigrations(db).isEmpty { return .older }
        let objects = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") ?? 0
        return objects == 0 ? .empty : .foreign
    }

    /// Refuses what must not be migrated: another program's database, and with `mustExist` an empty one.
    private static func check(_ contents: Contents, path: String, mustExist: Bool) throws {
        switch contents {
        case .foreign: throw StoreError.notInzage(path: path)
        case .empty where mustExist: throw StoreError.empty(path: path)
        default: break
        }
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
        migrator.registerMigration("v9-consent-event-given-at", migrate: Schema.addConsentEventGivenAt)
        migrator.registerMigration("v10-extract-deleted-at", migrate: Schema.addExtractDeletedAt)
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
    /// The file is an SQLite database with tables, but not Inzage's: another program's database.
    case notInzage(path: String)
    /// The file is empty (or an SQLite database without tables) where an existing database was asked for.
    case empty(path: String)
    /// There is no file where an existing database was asked for.
    case noDatabase(path: String)
    /// The path names a folder, not a file.
    case isAFolder(path: String)

    /// Whether the error says that the path given names no database it can use (exit code 2 at the command line)
    /// rather than that the database could not be used (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .directoryMissing, .notADatabase, .notInzage, .empty, .noDatabase, .isAFolder: true
        case .cannotOpen, .corruptValue, .readOnly: false
        }
    }

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
        case .notInzage(let path):
            "The file at \(path) is not an Inzage database (an SQLite database of another program); nothing was changed. Pass "
                + "the Inzage database file with --database, or a new file name to create one with `inzage init`."
        case .empty(let path):
            "The file at \(path) is empty, not an Inzage database yet; nothing was changed. Run `inzage init --database \(path)` "
                + "to create the database in it, or pass the database file with --database."
        case .noDatabase(let path):
            "No database at \(path). Run `inzage init --database \(path)` first, or pass --database / set INZAGE_DATABASE."
        case .isAFolder(let path):
            "\(path) is a folder; pass the database file inside it with --database, such as \(path)/inzage.sqlite."
        case .readOnly(let path):
            "The database at \(path) is read-only for this user, so nothing was written. Give the user write permission "
                + "on the file, its -wal and -shm files and its folder, or run the command as a user who has it."
        }
    }
}
