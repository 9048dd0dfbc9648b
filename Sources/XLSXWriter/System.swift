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

/// An anonymous scratch file: created in a directory and unlinked at once, so it vanishes when closed
/// or when the process dies. Its pages live in the page cache, not in the process's memory.
final class ScratchFile {
    private let fd: Int32
    /// The path reported in errors (the workbook's target path).
    let reportedPath: String
    /// Bytes appended so far.
    private(set) var size: UInt64 = 0

    /// Creates a scratch file in `directory`; throws ``XLSXError/cannotCreate(path:reason:)``.
    init(directory: String, reportedPath: String) throws {
        self.reportedPath = reportedPath
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
        fd = descriptor
    }

    deinit { close(fd) }

    /// Appends bytes; throws ``XLSXError/writeFailed(path:reason:)`` (for example when the disk is full).
    func append(_ start: UnsafeRawPointer, count: Int) throws {
        var written = 0
        while written < count {
            let n = write(fd, start + written, count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw XLSXError.writeFailed(path: reportedPath, reason: systemErrorText(errno))
            }
            written += n
        }
        size += UInt64(count)
    }

    /// Reads up to `count` bytes at `offset`; returns the bytes read, or -1 with `errno` set.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
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

/// The number of processors online, at least 1.
func processorCount() -> Int {
    Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
