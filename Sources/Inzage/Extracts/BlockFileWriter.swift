import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file's blocks on a background queue while the producer fills the next one: each block is hashed into
/// the file's SHA-256, written, and (on Linux) handed to the kernel for write-back at once with
/// `sync_file_range`, so that the `fsync` at the end finds most of the file already on disk.
///
/// Two buffers take turns: the producer fills one while the queue writes the other, and waits only when it is
/// ahead by a whole block. The first write error is kept and thrown by the next ``submit(_:count:)`` or by
/// ``finish()``; nothing is written after it.
final class BlockFileWriter: @unchecked Sendable {
    /// A buffer the producer fills; handed between the producer and the queue, never used by both at once.
    struct Buffer: @unchecked Sendable {
        let bytes: UnsafeMutablePointer<UInt8>
        let capacity: Int

        /// A buffer of at least `capacity` bytes: one an earlier file left in ``BufferPool/shared``, else a new one.
        static func make(capacity: Int) -> Buffer {
            BufferPool.shared.take(capacity: capacity)
                ?? Buffer(bytes: .allocate(capacity: capacity), capacity: capacity)
        }

        /// Gives the buffer back: kept for a later file while the pool has room, else freed.
        func release() {
            BufferPool.shared.keep(self)
        }
    }

    /// Buffers of finished files, kept for the next: a 256 KiB buffer freshly allocated for every extract cost page
    /// faults on every one of its pages (a tenth of an extract's time). At most ``limit`` buffers of at most
    /// ``largestKept`` bytes each are kept.
    final class BufferPool: @unchecked Sendable {
        static let shared = BufferPool()
        let limit = 8
        /// A buffer that grew beyond this (for one very long value) is freed rather than kept.
        let largestKept = 1 << 20
        private let lock = NSLock()
        private var buffers: [Buffer] = []

        /// A kept buffer of at least `capacity` bytes (one that grew for a long value serves as well).
        func take(capacity: Int) -> Buffer? {
            lock.withLock {
                guard let index = buffers.lastIndex(where: { $0.capacity >= capacity }) else { return nil }
                return buffers.remove(at: index)
            }
        }

        func keep(_ buffer: Buffer) {
            let kept = lock.withLock { () -> Bool in
                guard buffers.count < limit, buffer.capacity <= largestKept else { return false }
                buffers.append(buffer)
                return true
            }
            if !kept { buffer.bytes.deallocate() }
        }
    }

    private let descriptor: Int32
    private let path: String
    private let queue = DispatchQueue(label: "inzage.block-file-writer")
    /// Signalled when the queue is done with a block, so the producer may fill its buffer again.
    private let blockWritten = DispatchSemaphore(value: 0)
    /// The buffer of the last block handed over (the queue's while ``blockInFlight``).
    private var spare: Buffer?
    /// Whether the queue may still be writing the last block handed over (its ``blockWritten`` not yet waited for).
    private var blockInFlight = false
    /// Touched only on the queue, or after waiting for it (``blockWritten``, ``finish()``).
    private var digest = FileDigest.Builder()
    private var offset: Int64 = 0
    private var failure: ExtractError?

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        // Every block on the queue holds this writer, so none is in flight any more (and this may run on the queue's
        // own thread, where waiting for the queue would deadlock).
        spare?.release()
    }

    /// Hands the first `count` bytes of `buffer` to the queue and returns the buffer to fill next: the one of the
    /// block before, once written, or nil after the first block (the producer then makes one). The writer owns
    /// `buffer` from then on, unless this throws the error of a block written before (the caller keeps it then).
    func submit(_ buffer: Buffer, count: Int) throws -> Buffer? {
        if blockInFlight {
            // The block before is the queue's until it has been written.
            blockWritten.wait()
            blockInFlight = false
        }
        // Nothing is in flight now, so the queue's error (if any) can be read here.
        if let failure { throw failure }
        let free = spare
        spare = buffer
        blockInFlight = true
        queue.async { [self] in
            defer { blockWritten.signal() }
            writeBlock(buffer.bytes, count: count)
        }
        return free
    }

    /// Waits until the queue has written or given up every block handed over; call before closing the descriptor.
    func waitUntilIdle() {
        queue.sync {}
    }

    /// Waits for every block to be written; returns the digest of all bytes, or throws the first write error.
    func finish() throws -> FileDigest {
        try queue.sync {
            if let failure { throw failure }
            return digest.finish()
        }
    }

    /// On the queue: hashes and writes a block, and starts its write-back.
    private func writeBlock(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        guard failure == nil else { return }
        digest.update(UnsafeRawBufferPointer(start: bytes, count: count))
        if let code = DurableFiles.writeFully(descriptor, bytes, count: count) {
            failure = .writeFailed(path: path, reason: String(cString: strerror(code)))
            return
        }
        startWriteBack(from: offset, count: count)
        offset += Int64(count)
    }

    /// Asks the kernel to start writing the range to disk without waiting (Linux `sync_file_range` with
    /// `SYNC_FILE_RANGE_WRITE`); a hint only, so its result is not checked: the final `fsync` is what guarantees.
    private func startWriteBack(from offset: Int64, count: Int) {
        _ = syncFileRange?(descriptor, offset, Int64(count), Self.syncFileRangeWrite)
    }

    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    /// `SYNC_FILE_RANGE_WRITE` of `<fcntl.h>`.
    private static let syncFileRangeWrite: UInt32 = 2
    /// glibc's `sync_file_range`, looked up once (Swift's Glibc module does not declare it); nil elsewhere.
    private let syncFileRange: SyncFileRange? = BlockFileWriter.lookUpSyncFileRange

    private static let lookUpSyncFileRange: SyncFileRange? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: SyncFileRange.self)
        #else
        return nil
        #endif
    }()
}
