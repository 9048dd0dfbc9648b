import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Folders the archive creates are its owner's alone, as are its files: they hold personal data.
    static let folderPermissions = 0o700
    static let filePermissions: mode_t = 0o600

    /// An archive in `root`, created if missing (for its owner only).
    public init(root: URL) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Self.folderPermissions])
        } catch {
            throw ExtractArchiveError.cannotCreate(root.path, reason: ErrorText.reason(of: error))
        }
    }

    /// The archive that belongs to the database at `databasePath`: a folder beside it named `<file>.extracts`.
    public static func beside(databasePath: String) throws -> ExtractArchive {
        let archive = try ExtractArchive(root: URL(fileURLWithPath: databasePath + ".extracts"))
        // Also an archive made before folders were created for their owner only: its root closes all it holds.
        chmod(archive.root.path, mode_t(folderPermissions))
        return archive
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

    /// Writes a file: `produce` writes to the temporary path it is given (and flushes it), and returns the digest of
    /// the bytes it wrote when it computed one on the way (else nil, and the file is read back to checksum it); the
    /// file is then made readable by its owner only and renamed to `folder/name`, replacing an earlier file of that
    /// name, and the folder is flushed, so that the name survives a power loss before the database records the file.
    public func write(folder: String, name: String, _ produce: (URL) throws -> FileDigest?) throws -> WrittenFile {
        let directory = root.appendingPathComponent(folder, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Self.folderPermissions])
        } catch {
            throw ExtractArchiveError.cannotCreate(directory.path, reason: ErrorText.reason(of: error))
        }
        let final = directory.appendingPathComponent(name)
        Self.removeStalePartials(of: name, in: directory)
        let temporary = directory.appendingPathComponent(Self.temporaryName(for: name))
        do {
            let digest = try produce(temporary) ?? Self.sha256(of: temporary)
            // Readable by the archive's owner only, before the file gets its name.
            chmod(temporary.path, Self.filePermissions)
            guard rename(temporary.path, final.path) == 0 else {
                throw ExtractArchiveError.cannotRename(final.path, errno: errno)
            }
            DurableFiles.flushEntries(of: directory)
            return WrittenFile(relativePath: "\(folder)/\(name)", sha256: digest.sha256, size: digest.size)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Deletes everything in `folder` (a request's folder) but its entries `kept`: the files of earlier attempts at the
    /// request that were never recorded (a worker killed, or one whose lease lapsed), finished or half-written.
    public func clear(folder: String, keeping kept: Set<String>) {
        let directory = root.appendingPathComponent(folder, isDirectory: true)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for entry in entries where !kept.contains(entry) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(entry))
        }
    }

    /// Deletes the stored file at `relativePath`, and its folder when that is left empty. A file that is already gone
    /// counts as deleted.
    ///
    /// - Throws: ``ExtractArchiveError/cannotDelete(_:reason:)`` when the file is there but cannot be removed.
    public func delete(_ relativePath: String) throws {
        let file = url(of: relativePath)
        if unlink(file.path) != 0, errno != ENOENT {
            throw ExtractArchiveError.cannotDelete(file.path, reason: String(cString: strerror(errno)))
        }
        let folder = file.deletingLastPathComponent()
        // The removal must survive a power loss before the database records it, as a written file's name must.
        DurableFiles.flushEntries(of: folder)
        // Only an empty folder goes (rmdir refuses any other); the archive's root stays.
        if folder.standardizedFileURL.path != root.standardizedFileURL.path, rmdir(folder.path) == 0 {
            DurableFiles.flushEntries(of: folder.deletingLastPathComponent())
        }
    }

    /// The entry of the request's folder that holds a recorded extract: the attempt folder of `<reference>/<attempt>/<file>`,
    /// or the file itself in the layout before attempt folders (`<reference>/<file>`); nil for a path of another shape.
    public static func attemptFolder(of path: String) -> String? {
        let parts = path.split(separator: "/")
        return parts.count >= 2 ? String(parts[1]) : nil
    }

    /// Deletes a folder written by ``write(folder:name:_:)`` whose files will not be recorded, with what it holds.
    public func remove(folder: String) {
        try? FileManager.default.removeItem(at: root.appendingPathComponent(folder, isDirectory: true))
    }

    /// The absolute location of a stored file.
    public func url(of relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The bytes of the file at `relativePath`, checked against the SHA-256 and size recorded when it was written.
    ///
    /// - Throws: ``ExtractArchiveError/damaged(_:)`` when the file is missing, unreadable or not as recorded.
    public func read(_ relativePath: String, sha256: String, size: Int64) throws -> Data {
        guard let data = FileManager.default.contents(atPath: url(of: relativePath).path), Int64(data.count) == size else {
            throw ExtractArchiveError.damaged(relativePath)
        }
        var digest = FileDigest.Builder()
        data.withUnsafeBytes { digest.update($0) }
        guard digest.finish().sha256 == sha256 else { throw ExtractArchiveError.damaged(relativePath) }
        return data
    }

    /// Checks a stored file against its recorded checksum.
    public func verify(_ extract: StoredExtract) throws -> Bool {
        let url = url(of: extract.path)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        let digest = try Self.sha256(of: url)
        return digest.sha256 == extract.sha256 && digest.size == extract.size
    }

    /// Copies stored extracts out of the archive, each to its target, checking their bytes against the recorded
    /// SHA-256 and size on the way. Every copy is first written under a temporary name beside its target and flushed
    /// to disk; only when all of them are complete and intact are they renamed over their targets, so a damaged or
    /// unwritable extract leaves every target as it was. An existing regular file at a target is replaced; anything
    /// else there (a folder, a device, a link) is refused, never removed.
    ///
    /// - Throws: ``ExtractArchiveError/damaged(_:)`` when a stored file is missing or does not match its record,
    ///   ``ExtractArchiveError/notAFile(_:)`` for something other than a file at a target, and
    ///   ``ExtractArchiveError/cannotWrite(_:reason:)`` when a copy cannot be written; no temporary file is left then.
    public func export(_ copies: [(extract: StoredExtract, target: URL)]) throws {
        for copy in copies {
            if let deletedAt = copy.extract.deletedAt {
                throw ExtractArchiveError.deletedAfterRetention(copy.extract.path, on: deletedAt.formatted(.iso8601))
            }
        }
        for copy in copies { try Self.checkReplaceable(copy.target) }
        var staged: [(temporary: URL, target: URL)] = []
        do {
            for copy in copies { staged.append((try stage(copy.extract, for: copy.target), copy.target)) }
        } catch {
            for file in staged { unlink(file.temporary.path) }
            throw error
        }
        for (index, file) in staged.enumerated() where rename(file.temporary.path, file.target.path) != 0 {
            let reason = String(cString: strerror(errno))
            for later in staged[index...] { unlink(later.temporary.path) }
            throw ExtractArchiveError.cannotWrite(file.target.path, reason: reason)
        }
        for folder in Set(staged.map { $0.target.deletingLastPathComponent().path }) { DurableFiles.flushEntries(of: URL(fileURLWithPath: folder)) }
    }

    /// Refuses a `target` that holds anything but a regular file: renaming a finished file over it would replace a
    /// link (such as `/dev/stdout`) rather than write through it, and a folder or a device is not ours to replace.
    /// Nothing there is fine, and so is a regular file, which the finished file replaces.
    ///
    /// - Throws: ``ExtractArchiveError/notAFile(_:)``.
    public static func checkReplaceable(_ target: URL) throws {
        var status = stat()
        if lstat(target.path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw ExtractArchiveError.notAFile(target.path)
        }
    }

    /// Copies one stored extract to `target`, as ``export(_:)`` does.
    public func export(_ extract: StoredExtract, to target: URL) throws {
        try export([(extract, target)])
    }

    /// Writes a checked copy of `extract` under a temporary name beside `target`, flushed to disk, and returns that
    /// name; nothing is left when it throws.
    private func stage(_ extract: StoredExtract, for target: URL) throws -> URL {
        let source = url(of: extract.path)
        guard let input = FileHandle(forReadingAtPath: source.path) else { throw ExtractArchiveError.damaged(extract.path) }
        defer { try? input.close() }
        let folder = target.deletingLastPathComponent()
        Self.removeStalePartials(of: target.lastPathComponent, in: folder)
        let temporary = folder.appendingPathComponent(Self.temporaryName(for: target.lastPathComponent))
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ExtractArchiveError.cannotWrite(folder.path, reason: String(cString: strerror(errno)))
        }
        var finished = false
        defer {
            if !finished { unlink(temporary.path) }
        }
        do {
            var digest = FileDigest.Builder()
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { bytes in
                    guard let start = bytes.baseAddress else { return }
                    digest.update(bytes)
                    if let code = DurableFiles.writeFully(descriptor, start, count: bytes.count) {
                        throw ExtractArchiveError.cannotWrite(target.path, reason: String(cString: strerror(code)))
                    }
                }
            }
            let copied = digest.finish()
            guard copied.sha256 == extract.sha256, copied.size == extract.size else { throw ExtractArchiveError.damaged(extract.path) }
            guard fsync(descriptor) == 0 else { throw ExtractArchiveError.cannotWrite(target.path, reason: String(cString: strerror(errno))) }
        } catch let error as ExtractArchiveError {
            close(descriptor)
            throw error
        } catch {
            close(descriptor)
            throw ExtractArchiveError.damaged(extract.path)
        }
        guard close(descriptor) == 0 else { throw ExtractArchiveError.cannotWrite(target.path, reason: String(cString: strerror(errno))) }
        finished = true
        return temporary
    }

    /// A hidden, unique name for a file being written as `name`: the name shortened to 100 bytes' worth of
    /// characters, so that the marker and the UUID still fit in a file name (255 bytes), however long `name` is.
    static func temporaryName(for name: String) -> String {
        partialPrefix(for: name) + UUID().uuidString
    }

    /// What every temporary name of `name` starts with: a dot, the name shortened to 100 bytes' worth of characters,
    /// and ``partialMarker``; a UUID (36 characters) follows.
    static func partialPrefix(for name: String) -> String {
        var stem = Substring(name)
        while stem.utf8.count > 100 { stem = stem.dropLast() }
        return ".\(stem)\(partialMarker)"
    }

    /// How old a writer's temporary file must be before another writer of the same name removes it: far longer than
    /// writing the largest extract takes, so that two runs writing the same name at once never remove each other's.
    static let stalePartialAge: TimeInterval = 3600

    /// Removes the temporary files of `name` in `folder` that a writer killed while writing it left (hidden copies of
    /// personal data), older than ``stalePartialAge``; the next write of the same name does this.
    static func removeStalePartials(of name: String, in folder: URL, now: Date = Date()) {
        let prefix = partialPrefix(for: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) && entry.count == prefix.count + 36 {
            let url = folder.appendingPathComponent(entry)
            let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? now
            if now.timeIntervalSince(modified) > stalePartialAge { try? FileManager.default.removeItem(at: url) }
        }
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
    /// A stored extract is missing or does not match its recorded SHA-256 and size.
    case damaged(String)
    /// Something other than a regular file is where an extract is to be written.
    case notAFile(String)
    /// A copy of an extract could not be written there.
    case cannotWrite(String, reason: String)
    /// A stored extract whose retention passed could not be deleted.
    case cannotDelete(String, reason: String)
    /// The stored extract was deleted when its retention passed (at the ISO 8601 time given).
    case deletedAfterRetention(String, on: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "Cannot create the extract folder \(path): \(reason). Check the path and its permissions."
        case .cannotRename(let path, let code):
            "Cannot move the finished extract to \(path): \(String(cString: strerror(code)))."
        case .damaged(let path):
            "The stored extract \(path) is missing or does not match its SHA-256: it was changed or removed outside Inzage. Keep it for "
                + "your records and make a new extract of the person with `inzage extract person ID --format xlsx|json --out FILE`."
        case .notAFile(let path):
            "\(path) is not a file (a folder, a link or another special file is there); choose another --out or move it away. Nothing was written."
        case .cannotWrite(let path, let reason):
            "Cannot write the extract to \(path): \(reason). Check the folder and its permissions; nothing was written there."
        case .deletedAfterRetention(let path, let day):
            "The extract \(path) was deleted on \(day), after its retention (setting extract-retention-days), as the person was told. "
                + "Make a new extract of the person with `inzage extract person ID --format xlsx|json --out FILE`."
        case .cannotDelete(let path, let reason):
            "Cannot delete the extract \(path), whose retention has passed: \(reason). Check the folder's permissions; it is tried again next time."
        }
    }
}
