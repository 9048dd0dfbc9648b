import CLibzip

/// Where one deflated part lies in the scratch file, and what libzip needs to store it as is.
struct DeflatedPart: Sendable, Equatable {
    /// Offset of the raw deflate stream in the scratch file.
    var offset: UInt64
    /// Length of the raw deflate stream.
    var compressedSize: UInt64
    /// Length of the uncompressed data.
    var size: UInt64
    /// CRC-32 of the uncompressed data.
    var crc: UInt32
}

/// Parallel raw-deflate compression, pigz style.
///
/// The producer fills fixed-size chunks; worker threads deflate them while the producer goes on. Each
/// chunk is primed with the last 32 KiB of the chunk before it (`deflateSetDictionary`) and ends with
/// `Z_SYNC_FLUSH` (the last one with `Z_FINISH`), so the concatenated outputs form one deflate stream
/// nearly as small as a serial one, and identical whatever the thread timing. CRCs are computed per
/// chunk and combined with `crc32_combine`. A fixed pool of `workerCount + 2` chunks bounds memory: the
/// producer fills one while the workers compress the others, and finished chunks are appended to the
/// scratch file in order.
final class DeflatePipeline: ByteSink {
    static let window = 32 * 1024

    private let workers: DeflateWorkers
    private let output: ScratchFile
    private var free: [DeflateJob]
    private var inFlight: [DeflateJob] = []
    private var current: DeflateJob?
    private let tail: UnsafeMutablePointer<UInt8>
    private var tailCount = 0
    private var part = DeflatedPart(offset: 0, compressedSize: 0, size: 0, crc: 0)

    /// Starts `workerCount` compression threads writing into `output`.
    init(output: ScratchFile, workerCount: Int, chunkSize: Int = 128 * 1024, level: Int32 = 6) throws {
        workers = try DeflateWorkers(count: workerCount, level: level)
        self.output = output
        free = (0..<(workerCount + 2)).map { _ in DeflateJob(chunkSize: chunkSize) }
        tail = .allocate(capacity: DeflatePipeline.window)
    }

    deinit {
        workers.stop()
        tail.deallocate()
    }

    /// Starts a new deflate stream and returns the stream to write its bytes into.
    func beginPart() throws -> ByteStream {
        let job = try acquire()
        current = job
        tailCount = 0
        part = DeflatedPart(offset: output.size, compressedSize: 0, size: 0, crc: 0)
        return ByteStream(sink: self, buffer: job.input, capacity: job.inputCapacity)
    }

    /// Hands a full chunk to the workers and gives the stream an empty one.
    func drain(_ stream: ByteStream) throws {
        try submit(stream, isLast: false)
        let job = try acquire()
        current = job
        stream.replaceBuffer(job.input, capacity: job.inputCapacity)
    }

    /// Compresses what is left, waits for all chunks, and returns where the stream lies.
    func finishPart(_ stream: ByteStream) throws -> DeflatedPart {
        try submit(stream, isLast: true)
        while !inFlight.isEmpty { try retireOldest() }
        return part
    }

    private func submit(_ stream: ByteStream, isLast: Bool) throws {
        guard let job = current else { throw XLSXError.compressionFailed(code: Z_STREAM_ERROR) }
        current = nil
        job.inputCount = stream.count
        job.isLast = isLast
        job.dictionary.update(from: tail, count: tailCount)
        job.dictionaryCount = tailCount
        // The next chunk's dictionary: the last 32 KiB of the data so far.
        let fromChunk = Swift.min(job.inputCount, DeflatePipeline.window)
        let kept = Swift.min(tailCount, DeflatePipeline.window - fromChunk)
        tail.update(from: tail + (tailCount - kept), count: kept)
        (tail + kept).update(from: job.input + (job.inputCount - fromChunk), count: fromChunk)
        tailCount = kept + fromChunk
        inFlight.append(job)
        workers.enqueue(job)
    }

    private func acquire() throws -> DeflateJob {
        while free.isEmpty { try retireOldest() }
        return free.removeLast()
    }

    /// Waits for the oldest chunk and appends its output to the scratch file.
    private func retireOldest() throws {
        let job = inFlight.removeFirst()
        workers.waitUntilDone(job)
        free.append(job)
        if let failure = job.failure { throw XLSXError.compressionFailed(code: failure) }
        try output.append(job.output, count: job.outputCount)
        part.crc = UInt32(crc32_combine(uLong(part.crc), uLong(job.crc), off_t(job.inputCount)))
        part.size += UInt64(job.inputCount)
        part.compressedSize += UInt64(job.outputCount)
    }
}

/// One chunk: its input, the dictionary it is primed with, and its compressed output.
final class DeflateJob: @unchecked Sendable {
    let input: UnsafeMutablePointer<UInt8>
    let inputCapacity: Int
    var inputCount = 0
    let dictionary: UnsafeMutablePointer<UInt8>
    var dictionaryCount = 0
    let output: UnsafeMutablePointer<UInt8>
    let outputCapacity: Int
    var outputCount = 0
    var crc: UInt32 = 0
    var isLast = false
    var done = false
    var failure: Int32?

    init(chunkSize: Int) {
        inputCapacity = Swift.max(chunkSize, 2 * ByteStream.largestReservation)
        input = .allocate(capacity: inputCapacity)
        dictionary = .allocate(capacity: DeflatePipeline.window)
        outputCapacity = inputCapacity + inputCapacity / 8 + 1024
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        input.deallocate()
        dictionary.deallocate()
        output.deallocate()
    }

    /// Deflates the input with `stream`, recording the output size, CRC or failure.
    func compress(with stream: UnsafeMutablePointer<z_stream>) {
        crc = UInt32(crc32(0, input, uInt(inputCount)))
        var result = deflateReset(stream)
        if result == Z_OK && dictionaryCount > 0 {
            result = deflateSetDictionary(stream, dictionary, uInt(dictionaryCount))
        }
        guard result == Z_OK else {
            failure = result
            return
        }
        stream.pointee.next_in = input
        stream.pointee.avail_in = uInt(inputCount)
        stream.pointee.next_out = output
        stream.pointee.avail_out = uInt(outputCapacity)
        result = deflate(stream, isLast ? Z_FINISH : Z_SYNC_FLUSH)
        let complete = isLast ? result == Z_STREAM_END : (result == Z_OK && stream.pointee.avail_out > 0)
        failure = complete && stream.pointee.avail_in == 0 ? nil : result
        outputCount = outputCapacity - Int(stream.pointee.avail_out)
    }
}

/// The worker threads and the queue they share with the producer.
final class DeflateWorkers: @unchecked Sendable {
    private let lock = ConditionLock()
    private var pending: [DeflateJob] = []
    private var stopping = false
    private let streams: [UnsafeMutablePointer<z_stream>]
    private var threads: [OSThread] = []

    init(count: Int, level: Int32) throws {
        var streams: [UnsafeMutablePointer<z_stream>] = []
        for _ in 0..<count {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let result = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard result == Z_OK else {
                stream.deallocate()
                DeflateWorkers.release(streams)
                throw XLSXError.compressionFailed(code: result)
            }
            streams.append(stream)
        }
        self.streams = streams
        for index in 0..<count {
            guard let thread = OSThread({ [self] in run(index) }) else {
                stop()
                throw XLSXError.compressionFailed(code: Z_MEM_ERROR)
            }
            threads.append(thread)
        }
    }

    private static func release(_ streams: [UnsafeMutablePointer<z_stream>]) {
        for stream in streams {
            deflateEnd(stream)
            stream.deallocate()
        }
    }

    func enqueue(_ job: DeflateJob) {
        lock.withLock {
            job.done = false
            job.failure = nil
            pending.append(job)
            lock.broadcast()
        }
    }

    func waitUntilDone(_ job: DeflateJob) {
        lock.withLock {
            while !job.done { lock.wait() }
        }
    }

    /// Lets the threads finish queued work, joins them and frees the zlib streams.
    func stop() {
        let stoppedBefore = lock.withLock { () -> Bool in
            defer { stopping = true }
            lock.broadcast()
            return stopping
        }
        guard !stoppedBefore else { return }
        for thread in threads { thread.join() }
        threads = []
        DeflateWorkers.release(streams)
    }

    private func run(_ index: Int) {
        let stream = streams[index]
        while true {
            let next: DeflateJob? = lock.withLock {
                while pending.isEmpty && !stopping { lock.wait() }
                return pending.isEmpty ? nil : pending.removeFirst()
            }
            guard let job = next else { return }
            job.compress(with: stream)
            lock.withLock {
                job.done = true
                lock.broadcast()
            }
        }
    }
}
