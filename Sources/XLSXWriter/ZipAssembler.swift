import CLibzip
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of the package, in archive order: its name and its raw deflate stream in the scratch file, which
/// libzip copies without recompressing.
struct PackageEntry {
    let name: String
    let part: DeflatedPart
}

/// Writes the package with libzip.
///
/// The archive is written into a temporary file next to `path` (created by ``ArchiveFileSource``) and
/// renamed over `path` only when libzip has written all of it, so a failure never leaves a half-written
/// file at `path`. Every entry gets the same fixed modification time (1980-01-01 00:00, the first DOS
/// date), so equal input gives equal bytes.
enum ZipAssembler {
    /// DOS date 1980-01-01 and time 00:00:00.
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    private static let dosTime: UInt16 = 0

    static func write(_ entries: [PackageEntry], to path: String, directory: String, scratch: ScratchFile) throws {
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        let target = ArchiveFileSource(path: path, directory: directory)
        let context = Unmanaged.passRetained(target as LibzipSource).toOpaque()
        guard let source = zip_source_function_create(libzipSourceCallback, context, &error) else {
            Unmanaged<LibzipSource>.fromOpaque(context).release()
            throw XLSXError.archiveFailed(path: path, reason: String(cString: zip_error_strerror(&error)))
        }
        guard let archive = zip_open_from_source(source, ZIP_CREATE | ZIP_TRUNCATE, &error) else {
            zip_source_free(source)
            throw XLSXError.cannotCreate(path: path, reason: String(cString: zip_error_strerror(&error)))
        }
        do {
            for entry in entries {
                try add(entry, to: archive, scratch: scratch, path: path)
            }
        } catch {
            zip_discard(archive)
            throw error
        }
        guard zip_close(archive) == 0 else {
            let reason = target.failure ?? String(cString: zip_strerror(archive))
            zip_discard(archive)
            throw XLSXError.writeFailed(path: path, reason: reason)
        }
    }

    private static func add(_ entry: PackageEntry, to archive: OpaquePointer, scratch: ScratchFile, path: String) throws {
        let context = Unmanaged.passRetained(PrecompressedSource(scratch: scratch, part: entry.part) as LibzipSource).toOpaque()
        guard let source = zip_source_function(archive, libzipSourceCallback, context) else {
            Unmanaged<LibzipSource>.fromOpaque(context).release()
            throw archiveError(archive, path)
        }
        let index = zip_file_add(archive, entry.name, source, zip_flags_t(ZIP_FL_ENC_UTF_8))
        guard index >= 0 else {
            zip_source_free(source)
            throw archiveError(archive, path)
        }
        let position = zip_uint64_t(index)
        guard zip_set_file_compression(archive, position, ZIP_CM_DEFLATE, 6) == 0,
              zip_file_set_dostime(archive, position, dosTime, dosDate, 0) == 0
        else { throw archiveError(archive, path) }
    }

    private static func archiveError(_ archive: OpaquePointer, _ path: String) -> XLSXError {
        .archiveFailed(path: path, reason: String(cString: zip_strerror(archive)))
    }
}

/// A libzip source implemented in Swift; subclasses answer the commands they support.
class LibzipSource {
    var error = zip_error_t()

    init() { zip_error_init(&error) }

    deinit { zip_error_fini(&error) }

    /// The commands this source answers, as libzip's bitmask.
    class var supported: [zip_source_cmd_t] { [] }

    func handle(_ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t, _ command: zip_source_cmd_t) -> zip_int64_t {
        fail(ZIP_ER_OPNOTSUPP, 0)
    }

    final func answer(_ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t, _ command: zip_source_cmd_t) -> zip_int64_t {
        switch command {
        case ZIP_SOURCE_SUPPORTS:
            return Self.supported.reduce(0) { $0 | (zip_int64_t(1) << zip_int64_t($1.rawValue)) }
        case ZIP_SOURCE_ERROR:
            guard let data else { return -1 }
            return zip_error_to_data(&error, data, length)
        default:
            return handle(data, length, command)
        }
    }

    final func fail(_ code: Int32, _ system: Int32) -> zip_int64_t {
        zip_error_set(&error, code, system)
        return -1
    }
}

private let libzipSourceCallback: zip_source_callback = { userdata, data, length, command in
    guard let userdata else { return -1 }
    let unmanaged = Unmanaged<LibzipSource>.fromOpaque(userdata)
    if command == ZIP_SOURCE_FREE {
        unmanaged.release()
        return 0
    }
    return unmanaged.takeUnretainedValue().answer(data, length, command)
}

/// A libzip source handing out an already-deflated stream from the scratch file.
///
/// Its stat reports method deflate with both sizes and the CRC, and the entry's method is deflate too,
/// so libzip's `add_data` copies the bytes as they are (it only recompresses when the two differ).
private final class PrecompressedSource: LibzipSource {
    let scratch: ScratchFile
    let part: DeflatedPart
    var position: UInt64 = 0

    init(scratch: ScratchFile, part: DeflatedPart) {
        self.scratch = scratch
        self.part = part
    }

    override class var supported: [zip_source_cmd_t] {
        [ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
         ZIP_SOURCE_SUPPORTS]
    }

    override func handle(_ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t, _ command: zip_source_cmd_t) -> zip_int64_t {
        switch command {
        case ZIP_SOURCE_OPEN:
            position = 0
            return 0
        case ZIP_SOURCE_READ:
            guard let data else { return fail(ZIP_ER_INVAL, 0) }
            let want = Int(Swift.min(length, part.compressedSize - position))
            guard want > 0 else { return 0 }
            let n = scratch.read(at: part.offset + position, into: data, count: want)
            guard n > 0 else { return fail(ZIP_ER_READ, n < 0 ? errno : EIO) }
            position += UInt64(n)
            return zip_int64_t(n)
        case ZIP_SOURCE_CLOSE:
            return 0
        case ZIP_SOURCE_STAT:
            guard let data, length >= zip_uint64_t(MemoryLayout<zip_stat_t>.size) else { return fail(ZIP_ER_INVAL, 0) }
            let stat = data.assumingMemoryBound(to: zip_stat_t.self)
            zip_stat_init(stat)
            stat.pointee.valid = zip_uint64_t(ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC)
            stat.pointee.size = part.size
            stat.pointee.comp_size = part.compressedSize
            stat.pointee.comp_method = zip_uint16_t(ZIP_CM_DEFLATE)
            stat.pointee.crc = part.crc
            return zip_int64_t(MemoryLayout<zip_stat_t>.size)
        default:
            return fail(ZIP_ER_OPNOTSUPP, 0)
        }
    }
}

/// The archive's output file: libzip writes into a temporary file in the target's directory, which is
/// renamed over the target on commit and removed on rollback or when the source is freed unfinished.
///
/// It reports that no archive exists yet, so libzip starts a new one without reading the target. (libzip's
/// own file source would name its temporary file with OpenSSL's random generator, whose start-up alone
/// costs about 2 MiB of resident memory.)
///
/// libzip writes an archive in small pieces and asks for the position or seeks back around every entry (some
/// 300 system calls for a workbook of 20 parts). Up to ``memoryLimit`` bytes the archive is therefore built in
/// memory and written with one call at commit; a larger one moves to the file as soon as it outgrows the limit.
private final class ArchiveFileSource: LibzipSource {
    /// Archives up to this size are built in memory (an extract workbook of 1,000 edit records is about 60 KiB).
    static let memoryLimit = 128 * 1024

    let path: String
    let directory: String
    private var temporaryPath: [CChar]?
    private var fd: Int32 = -1
    /// The archive while it fits in memory; nil once it went to the file.
    private var memory: [UInt8]? = []
    /// The write position in `memory`.
    private var position = 0
    /// Why the last write step failed, for the error message.
    private(set) var failure: String?

    init(path: String, directory: String) {
        self.path = path
        self.directory = directory
    }

    deinit { discardTemporary() }

    override class var supported: [zip_source_cmd_t] {
        [ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
         ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS, ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE,
         ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE]
    }

    override func handle(_ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t, _ command: zip_source_cmd_t) -> zip_int64_t {
        switch command {
        case ZIP_SOURCE_STAT:
            // No archive to read: libzip creates a new one.
            return fail(ZIP_ER_READ, ENOENT)
        case ZIP_SOURCE_BEGIN_WRITE:
            return beginWrite()
        case ZIP_SOURCE_WRITE:
            guard let data else { return fail(ZIP_ER_INVAL, 0) }
            let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
            if memory != nil, position + bytes.count > Self.memoryLimit, !moveToFile() {
                return systemFailure(ZIP_ER_WRITE, "writing")
            }
            if memory != nil {
                writeToMemory(bytes)
                return zip_int64_t(bytes.count)
            }
            return writeAll(bytes) ? zip_int64_t(bytes.count) : systemFailure(ZIP_ER_WRITE, "writing")
        case ZIP_SOURCE_SEEK_WRITE:
            guard let data, length >= zip_uint64_t(MemoryLayout<zip_source_args_seek_t>.size) else { return fail(ZIP_ER_INVAL, 0) }
            let seek = data.assumingMemoryBound(to: zip_source_args_seek_t.self).pointee
            if let memory {
                let base = seek.whence == SEEK_SET ? 0 : (seek.whence == SEEK_CUR ? position : memory.count)
                let target = base + Int(seek.offset)
                guard seek.whence == SEEK_SET || seek.whence == SEEK_CUR || seek.whence == SEEK_END,
                      target >= 0, target <= memory.count
                else { return fail(ZIP_ER_INVAL, 0) }
                position = target
                return 0
            }
            return lseek(fd, off_t(seek.offset), seek.whence) < 0 ? systemFailure(ZIP_ER_SEEK, "seeking") : 0
        case ZIP_SOURCE_TELL_WRITE:
            if memory != nil { return zip_int64_t(position) }
            let offset = lseek(fd, 0, SEEK_CUR)
            return offset < 0 ? systemFailure(ZIP_ER_TELL, "seeking") : zip_int64_t(offset)
        case ZIP_SOURCE_COMMIT_WRITE:
            return commit()
        case ZIP_SOURCE_ROLLBACK_WRITE:
            discardTemporary()
            return 0
        case ZIP_SOURCE_REMOVE:
            return unlink(path) == 0 || errno == ENOENT ? 0 : systemFailure(ZIP_ER_REMOVE, "removing")
        default:
            return fail(ZIP_ER_OPNOTSUPP, 0)
        }
    }

    private func beginWrite() -> zip_int64_t {
        var template = Array((directory + "/.xlsxwriter-archive-XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { return systemFailure(ZIP_ER_TMPOPEN, "creating a temporary file") }
        temporaryPath = template
        // All the memory an archive may take here, at once: growing by doubling would overshoot the limit.
        memory?.reserveCapacity(Self.memoryLimit)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        // mkstemp creates the file private (0600); give it the permissions a new file normally gets.
        _ = fchmod(fd, 0o666 & ~processUmask)
        return 0
    }

    /// Writes `bytes` at the position in memory, over what is there and beyond.
    private func writeToMemory(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, var buffer = memory else { return }
        // Taken out of the property while it changes, so that it is not copied.
        memory = nil
        let overlap = Swift.min(bytes.count, buffer.count - position)
        if overlap > 0 {
            buffer.withUnsafeMutableBytes { target in
                target.baseAddress.map { ($0 + position).copyMemory(from: source, byteCount: overlap) }
            }
        }
        if overlap < bytes.count {
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[overlap...]))
        }
        position += bytes.count
        memory = buffer
    }

    /// Writes what memory holds to the file and goes on there, at the same position; false when writing failed.
    private func moveToFile() -> Bool {
        guard let buffer = memory else { return true }
        memory = nil
        let written = buffer.withUnsafeBytes { writeAll($0) }
        return written && lseek(fd, off_t(position), SEEK_SET) >= 0
    }

    /// Writes all of `bytes` at the file's position; false with `errno` set when it failed.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, let code = writeFully(fd, base, count: bytes.count) else { return true }
        errno = code
        return false
    }

    private func commit() -> zip_int64_t {
        guard let temporaryPath else { return fail(ZIP_ER_INTERNAL, 0) }
        guard moveToFile() else { return systemFailure(ZIP_ER_WRITE, "writing") }
        // Flush before the rename, so that after a crash the target holds the old file or the whole new one.
        guard fsync(fd) == 0 else { return systemFailure(ZIP_ER_WRITE, "flushing") }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { return systemFailure(ZIP_ER_CLOSE, "closing") }
        let renamed = temporaryPath.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { rename($0, path) } ?? -1
        }
        guard renamed == 0 else { return systemFailure(ZIP_ER_RENAME, "renaming the temporary file to the target") }
        self.temporaryPath = nil
        return 0
    }

    private func discardTemporary() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        temporaryPath?.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { unlink(base) }
        }
        temporaryPath = nil
    }

    private func systemFailure(_ code: Int32, _ action: String) -> zip_int64_t {
        let system = errno
        failure = "\(action) failed: \(systemErrorText(system))"
        return fail(code, system)
    }
}

/// The process's file-creation mask when the first workbook was written (a process rarely changes it; reading it
/// costs opening a file).
private let processUmask = currentUmask()

/// The process's file-creation mask, read without changing it (Linux `/proc/self/status`); 022 otherwise.
private func currentUmask() -> mode_t {
    guard let file = fopen("/proc/self/status", "r") else { return 0o022 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("Umask:"), let mask = mode_t(text.dropFirst(6).filter { !$0.isWhitespace }, radix: 8) {
            return mask
        }
    }
    return 0o022
}
