#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of an `errno` value.
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// Scratch storage: memory up to a limit, then an anonymous file (created in a directory and unlinked at once, so
/// it vanishes when closed or when the process dies; its pages live in the page cache, not in the process's memory).
///
/// A small workbook (an extract) so creates no file at all; a large one moves to the file once it outgrows the limit,
/// so memory stays flat however large the workbook is.
final class ScratchFile {
    /// The memory a scratch file uses before it moves to a file.
    static let defaultMemoryLimit = 128 * 1024

    private let directory: String
    private let memoryLimit: Int
    /// The bytes while they fit in memory (``memoryLimit`` bytes, taken at the first append).
    private var memory: UnsafeMutableRawPointer?
    /// The file once the bytes outgrew memory, else -1.
    private var fd: Int32 = -1
    /// The path reported in errors (the workbook's target path).
    let reportedPath: String
    /// Bytes appended so far.
    private(set) var size: UInt64 = 0

    /// Scratch storage for a workbook in `directory`; throws ``XLSXError/cannotCreate(path:reason:)`` when files
    /// cannot be created there (checked now, so that the workbook fails at once rather than when it grows).
    init(directory: String, reportedPath: String, memoryLimit: Int = ScratchFile.defaultMemoryLimit) throws {
        self.directory = directory
        self.reportedPath = reportedPath
        self.memoryLimit = memoryLimit
        guard access(directory, W_OK | X_OK) == 0 else {
            throw XLSXError.cannotCreate(path: reportedPath, reason: systemErrorText(errno))
        }
    }

    deinit {
        memory?.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Appends bytes; throws ``XLSXError/writeFailed(path:reason:)`` (for example when the disk is full) or
    /// ``XLSXError/cannotCreate(path:reason:)`` when the file it moves to cannot be created.
    func append(_ start: UnsafeRawPointer, count: Int) throws {
        if fd < 0 {
            let needed = Int(size) + count
            if needed <= memoryLimit {
                // The whole limit at once: growing step by step would leave each smaller buffer behind in the heap
                // (only the pages written to count against memory).
                let memory = self.memory ?? UnsafeMutableRawPointer.allocate(byteCount: memoryLimit, alignment: 16)
                self.memory = memory
                (memory + Int(size)).copyMemory(from: start, byteCount: count)
                size += UInt64(count)
                return
            }
            try moveToFile()
        }
        try writeAll(start, count: count, to: fd)
        size += UInt64(count)
    }

    /// Reads up to `count` bytes at `offset`; returns the bytes read, or -1 with `errno` set.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        if fd < 0 {
            let available = Swift.max(0, Swift.min(count, Int(size) - Int(offset)))
            if available > 0, let memory { buffer.copyMemory(from: memory + Int(offset), byteCount: available) }
            return available
        }
        while true {
            let n = pread(fd, buffer, count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Copies `length` bytes from `offset` into `stream`.
    func copy(from offset: UInt64, length: UInt64, into stream: ByteStream) throws {
        let blockSize = ByteStream.largestReservation
        var done: UInt64 = 0
        while done < length {
            let want = Int(Swift.min(UInt64(blockSize), length - done))
            try stream.reserve(want)
            let n = read(at: offset + done, into: stream.base + stream.count, count: want)
            guard n > 0 else {
                throw XLSXError.writeFailed(path: reportedPath, reason: n < 0 ? systemErrorText(errno) : "scratch file ended early")
            }
            stream.count += n
            done += UInt64(n)
        }
    }

    /// Creates the file, writes what memory holds into it and frees the memory.
    private func moveToFile() throws {
        var template = Array((directory + "/.xlsxwriter-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let start = buffer.baseAddress else { return -1 }
            let fd = mkstemp(start)
            if fd >= 0 {
                unlink(start)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            return fd
        }
        guard descriptor >= 0 else {
            throw XLSXError.cannotCreate(path: reportedPath, reason: systemErrorText(errno))
        }
        if let memory {
            do {
                try writeAll(memory, count: Int(size), to: descriptor)
            } catch {
                // Still in memory, whole: the file is dropped.
                close(descriptor)
                throw error
            }
            memory.deallocate()
            self.memory = nil
        }
        fd = descriptor
    }

    private func writeAll(_ start: UnsafeRawPointer, count: Int, to fd: Int32) throws {
        if let code = writeFully(fd, start, count: count) {
            throw XLSXError.writeFailed(path: reportedPath, reason: systemErrorText(code))
        }
    }
}

/// Writes all `count` bytes at `fd`'s position, going on after interrupted and short writes; returns the `errno` of
/// the failure, or nil. A write that writes nothing would loop forever, so it counts as a full disk (`ENOSPC`).
func writeFully(_ fd: Int32, _ start: UnsafeRawPointer, count: Int) -> Int32? {
    var written = 0
    while written < count {
        let n = write(fd, start + written, count - written)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return n < 0 ? errno : ENOSPC }
        written += n
    }
    return nil
}

/// A byte sink that appends a stream's bytes to a scratch file.
final class ScratchSink: ByteSink {
    let file: ScratchFile

    init(file: ScratchFile) { self.file = file }

    func drain(_ stream: ByteStream) throws {
        try file.append(stream.base, count: stream.count)
        stream.count = 0
    }
}

/// A pthread mutex with one condition variable.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for a broadcast; call only while holding the lock.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes every waiter; call while holding the lock.
    func broadcast() { pthread_cond_broadcast(condition) }
}

/// A joinable OS thread running a closure.
struct OSThread {
    private final class Start: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let handle: pthread_t

    /// Starts a thread; `nil` when the system refuses.
    init?(_ body: @escaping @Sendable () -> Void) {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(Start(body)).toOpaque()
        let result = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Start>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            return nil
        }
        self.handle = handle
    }

    /// Waits for the thread to end.
    func join() { pthread_join(handle, nil) }
}

/// The number of processors online when the process first asked, at least 1 (read once: `sysconf` reads a file in
/// `/sys` on every call).
func processorCount() -> Int {
    onlineProcessors
}

private let onlineProcessors = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
