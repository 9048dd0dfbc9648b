import Crypto
import Foundation

/// The folder where extract files are kept, one subfolder per request.
///
/// A file is written under a temporary name and renamed into place only when complete, so a reader never
/// sees a half-written extract; the database row that makes it part of a request is written afterwards,
/// in the transaction that completes the request.
public struct ExtractArchive: Sendable {
    /// The archive's root folder.
    public let root: URL

    /// The suffix of files being written; a crashed writer's leftovers carry it and are removed by ``removeLeftovers(olderThan:)``.
    static let partialMarker = ".partial-"

    /// An archive in `root`, created if missing.
    public init(root: URL) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw ExtractArchiveError.cannotCreate(root.path, reason: error.localizedDescription)
        }
    }

    /// The archive that belongs to the database at `databasePath`: a folder beside it named `<file>.extracts`.
    public static func beside(databasePath: String) throws -> ExtractArchive {
        try ExtractArchive(root: URL(fileURLWithPath: databasePath + ".extracts"))
    }

    /// A file written into the archive.
    public struct WrittenFile: Sendable, Hashable {
        /// Path relative to the archive root.
        public var relativePath: String
        /// Lower-case hex SHA-256.
        public var sha256: String
        /// Size in bytes.
        public var size: Int64
    }

    /// Writes a file: `produce` writes to the temporary path it is given, and returns the digest of the bytes it
    /// wrote when it computed one on the way (else nil, and the file is read back to checksum it); the file is then
    /// renamed to `folder/name`, replacing an earlier file of that name.
    public func write(folder: String, name: String, _ produce: (URL) throws -> FileDigest?) throws -> WrittenFile {
        let directory = root.appendingPathComponent(folder, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name)\(Self.partialMarker)\(UUID().uuidString)")
        do {
            let digest = try produce(temporary) ?? Self.sha256(of: temporary)
            guard rename(temporary.path, final.path) == 0 else {
                throw ExtractArchiveError.cannotRename(final.path, errno: errno)
            }
            return WrittenFile(relativePath: "\(folder)/\(name)", sha256: digest.sha256, size: digest.size)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Deletes a file written by ``write(folder:name:_:)`` that will not be recorded.
    public func remove(_ file: WrittenFile) {
        try? FileManager.default.removeItem(at: url(of: file.relativePath))
    }

    /// The absolute location of a stored file.
    public func url(of relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Checks a stored file against its recorded checksum.
    public func verify(_ extract: StoredExtract) throws -> Bool {
        let url = url(of: extract.path)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        let digest = try Self.sha256(of: url)
        return digest.sha256 == extract.sha256 && digest.size == extract.size
    }

    /// Removes temporary files that a crashed writer left, older than `age` seconds.
    @discardableResult
    public func removeLeftovers(olderThan age: TimeInterval, now: Date = Date()) -> Int {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.contentModificationDateKey]) else { return 0 }
        var removed = 0
        for case let url as URL in enumerator where url.lastPathComponent.contains(Self.partialMarker) {
            let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? .distantPast
            if now.timeIntervalSince(modified) > age, (try? FileManager.default.removeItem(at: url)) != nil {
                removed += 1
            }
        }
        return removed
    }

    /// Streams a file through SHA-256.
    static func sha256(of url: URL) throws -> FileDigest {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var digest = FileDigest.Builder()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer($0)) }
        }
        return digest.finish()
    }
}

/// The SHA-256 and size of a file's bytes.
public struct FileDigest: Sendable, Hashable {
    /// Lower-case hex SHA-256.
    public var sha256: String
    /// Size in bytes.
    public var size: Int64

    /// Builds a digest from the bytes of a file as they are written or read, in order.
    struct Builder {
        private var hasher = SHA256()
        private var size: Int64 = 0

        /// Adds the next bytes.
        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: bytes)
            size += Int64(bytes.count)
        }

        /// The digest of all bytes added.
        func finish() -> FileDigest {
            let hexDigits = Array("0123456789abcdef".utf8)
            var hex: [UInt8] = []
            hex.reserveCapacity(64)
            for byte in hasher.finalize() {
                hex.append(hexDigits[Int(byte >> 4)])
                hex.append(hexDigits[Int(byte & 0x0F)])
            }
            return FileDigest(sha256: String(decoding: hex, as: UTF8.self), size: size)
        }
    }
}

/// Why the extract archive could not store a file.
public enum ExtractArchiveError: Error, CustomStringConvertible, Equatable {
    case cannotCreate(String, reason: String)
    case cannotRename(String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "Cannot create the extract folder \(path): \(reason). Check the path and its permissions."
        case .cannotRename(let path, let code):
            "Cannot move the finished extract to \(path): \(String(cString: strerror(code)))."
        }
    }
}
