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
/// The producer fills fixed-size chunks; worker threads deflate them (``DeflateStream``, zlib or ISA-L as the
/// workbook's ``Compression`` says) while the producer goes on. Each chunk is primed with the last 32 KiB of the
/// chunk before it and ends with a sync flush (the last one with the final block), so the concatenated outputs form
/// one deflate stream nearly as small as a serial one, and identical whatever the thread timing. CRCs are computed
/// per chunk and combined with zlib's `crc32_combine`. At most `threads + 2` chunks per pipeline bound memory: the
/// producer fills one while the workers compress the others, and finished chunks are appended to the scratch file in
/// order. The threads are the process's (``DeflateWorkers/shared``), and a finished pipeline leaves its chunk buffers
/// and compressor for the next (``DeflateResources``), so a workbook starts no thread and faults in no fresh memory
/// once the process has written one.
///
/// The producer does not wait for a part to be compressed: ``finishPart(_:)`` hands out a ticket and the producer
/// goes on with the next part; ``finishAll()`` waits for the rest, after which ``location(of:)`` tells where each
/// part lies. A tiny workbook needs no threads at all: until the workbook has produced more than ``inlineLimit``
/// bytes, its chunks are deflated on the producer's own thread (the same call a worker would make, so the same
/// bytes), and the worker threads are taken only then.
final class DeflatePipeline: ByteSink {
    static let window = 32 * 1024

    /// A part handed to the pipeline, to look its location up once ``finishAll()`` returned.
    struct Ticket: Sendable, Equatable {
        fileprivate let index: Int
    }

    /// The chunk size unless a test asks for another.
    static let defaultChunkSize = 128 * 1024
    /// Up to this many bytes in all, a workbook is compressed on the producer's thread: a tiny workbook is done
    /// sooner than threads would be woken; beyond it, parts go to the threads while the producer goes on.
    static let inlineLimit = 16 * 1024

    /// The number of threads of a pipeline's own pool, or nil to use the process's shared one.
    private let ownWorkerCount: Int?
    /// How every part is compressed.
    let compression: Compression
    private let chunkSize: Int
    /// The most chunks in use at once (filled, in flight or being filled).
    private let jobLimit: Int
    /// The compression threads, taken once the workbook outgrows ``inlineLimit``: the process's shared pool, or (for
    /// tests that set a thread count) the pipeline's own, stopped with it.
    private var workers: DeflateWorkers?
    private var ownsWorkers = false
    /// The producer's own compressor, for the parts of a small workbook.
    private var inlineStream: DeflateStream?
    private let output: ScratchFile
    private var free: [DeflateJob] = []
    private var allocatedJobs = 0
    private var inFlight: [DeflateJob] = []
    private var current: DeflateJob?
    /// The bytes handed to the pipeline so far, over all parts.
    private var producedBytes = 0
    private let tail: UnsafeMutablePointer<UInt8>
    private var tailCount = 0
    /// Every part so far, by ticket; a part's location is complete once its last chunk is retired.
    private var parts: [DeflatedPart] = []

    /// A pipeline writing into `output`, compressing on the process's shared threads, or on `workerCount` threads of
    /// its own when given (tests use that to show that the thread count does not change the output).
    init(output: ScratchFile, compression: Compression = .standard, workerCount: Int? = nil,
         chunkSize: Int = DeflatePipeline.defaultChunkSize) throws {
        ownWorkerCount = workerCount.map { Swift.max(1, $0) }
        self.compression = compression
        jobLimit = (ownWorkerCount ?? processorCount()) + 2
        self.chunkSize = chunkSize
        self.output = output
        tail = .allocate(capacity: DeflatePipeline.window)
    }

    deinit {
        if ownsWorkers { workers?.stop() }
        // Chunks still in flight (after an error) stay with the threads until done and are then freed.
        let idle = free + (current.map { [$0] } ?? [])
        if chunkSize == Self.defaultChunkSize { DeflateResources.shared.keep(idle) }
        if let inlineStream { DeflateResources.shared.keep(inlineStream) }
        tail.deallocate()
    }

    /// Whether the compression threads were taken (the workbook outgrew ``inlineLimit``).
    var hasStartedWorkers: Bool { workers != nil }

    /// Starts a new deflate stream and returns the stream to write its bytes into.
    func beginPart() throws -> ByteStream {
        let job = try acquire()
        current = job
        tailCount = 0
        parts.append(DeflatedPart(offset: 0, compressedSize: 0, size: 0, crc: 0))
        job.partIndex = parts.count - 1
        job.isFirst = true
        return ByteStream(sink: self, buffer: job.input, capacity: job.inputCapacity)
    }

    /// Hands a full chunk to the workers and gives the stream an empty one.
    func drain(_ stream: ByteStream) throws {
        let partIndex = current?.partIndex ?? 0
        try submit(stream, isLast: false)
        let job = try acquire()
        job.partIndex = partIndex
        job.isFirst = false
        current = job
        stream.replaceBuffer(job.input, capacity: job.inputCapacity)
    }

    /// Ends the part written into `stream` and returns its ticket; the producer does not wait for it.
    func finishPart(_ stream: ByteStream) throws -> Ticket {
        guard let job = current else { throw XLSXError.compressionFailed(code: DeflateStream.incomplete) }
        let ticket = Ticket(index: job.partIndex)
        try submit(stream, isLast: true)
        return ticket
    }

    /// Waits until every part is compressed and in the scratch file.
    func finishAll() throws {
        while !inFlight.isEmpty { try retireOldest() }
    }

    /// Where the part of `ticket` lies in the scratch file; valid after ``finishAll()``.
    func location(of ticket: Ticket) -> DeflatedPart {
        parts[ticket.index]
    }

    /// Deflates the current chunk here while the workbook is small (nothing is in flight then), else hands it to the
    /// workers, starting them the first time.
    private func submit(_ stream: ByteStream, isLast: Bool) throws {
        if workers == nil && producedBytes + stream.count <= Self.inlineLimit {
            let compressor = try producerStream()
            let job = try take(stream, isLast: isLast)
            job.compress(with: compressor)
            try retire(job)
            return
        }
        // Threads first: once taken, the chunk must be in flight (or a failure would lose it).
        let workers = try self.workers ?? startWorkers()
        let job = try take(stream, isLast: isLast)
        inFlight.append(job)
        workers.enqueue(job)
    }

    /// The shared threads (when no thread count was asked for), else threads of the pipeline's own.
    private func startWorkers() throws -> DeflateWorkers {
        let started: DeflateWorkers
        if ownWorkerCount == nil, let shared = DeflateWorkers.shared {
            started = shared
        } else {
            started = try DeflateWorkers(count: ownWorkerCount ?? processorCount())
            ownsWorkers = true
        }
        workers = started
        return started
    }

    /// The compressor for parts deflated on the producer's thread: one a finished workbook left, or a new one.
    private func producerStream() throws -> DeflateStream {
        if let inlineStream { return inlineStream }
        let stream: DeflateStream
        if let kept = DeflateResources.shared.takeStream(compression) {
            stream = kept
        } else {
            do throws(DeflateStream.CompressionFailure) {
                stream = try DeflateStream(compression)
            } catch {
                throw XLSXError.compressionFailed(code: error.code)
            }
        }
        inlineStream = stream
        return stream
    }

    /// Takes the current chunk from `stream` with the dictionary it is primed with, and remembers the last 32 KiB
    /// of the data as the next chunk's dictionary.
    private func take(_ stream: ByteStream, isLast: Bool) throws -> DeflateJob {
        guard let job = current else { throw XLSXError.compressionFailed(code: DeflateStream.incomplete) }
        current = nil
        job.compression = compression
        job.inputCount = stream.count
        job.isLast = isLast
        producedBytes += stream.count
        job.dictionary.update(from: tail, count: tailCount)
        job.dictionaryCount = tailCount
        // The next chunk's dictionary: the last 32 KiB of the data so far.
        let fromChunk = Swift.min(job.inputCount, DeflatePipeline.window)
        let kept = Swift.min(tailCount, DeflatePipeline.window - fromChunk)
        tail.update(from: tail + (tailCount - kept), count: kept)
        (tail + kept).update(from: job.input + (job.inputCount - fromChunk), count: fromChunk)
        tailCount = kept + fromChunk
        return job
    }

    /// A free chunk: a returned one, one a finished workbook left, or a new one while fewer than the limit are in use;
    /// else the oldest in flight once it is done.
    private func acquire() throws -> DeflateJob {
        if let job = free.popLast() { return job }
        if allocatedJobs < jobLimit {
            allocatedJobs += 1
            let reused = chunkSize == Self.defaultChunkSize ? DeflateResources.shared.takeJob() : nil
            return reused ?? DeflateJob(chunkSize: chunkSize)
        }
        while free.isEmpty { try retireOldest() }
        return free.removeLast()
    }

    /// Waits for the oldest chunk and appends its output to the scratch file.
    private func retireOldest() throws {
        let job = inFlight.removeFirst()
        workers?.waitUntilDone(job)
        try retire(job)
    }

    /// Appends a compressed chunk to the scratch file and its part, and returns it to the free chunks. Chunks are
    /// retired in the order they were taken, so each part's chunks lie one after another.
    private func retire(_ job: DeflateJob) throws {
        free.append(job)
        if let failure = job.failure { throw XLSXError.compressionFailed(code: failure) }
        if job.isFirst { parts[job.partIndex].offset = output.size }
        try output.append(job.output, count: job.outputCount)
        var part = parts[job.partIndex]
        part.crc = UInt32(crc32_combine(uLong(part.crc), uLong(job.crc), off_t(job.inputCount)))
        part.size += UInt64(job.inputCount)
        part.compressedSize += UInt64(job.outputCount)
        parts[job.partIndex] = part
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
    /// How the chunk is compressed (its workbook's compression).
    var compression = Compression.standard
    /// The part the chunk belongs to (its index in the pipeline's parts), and whether it is the part's first chunk.
    var partIndex = 0
    var isFirst = true
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
    func compress(with stream: DeflateStream) {
        crc = DeflateStream.crc32(input, count: inputCount, for: compression)
        switch stream.compress(input, count: inputCount, dictionary: dictionary, dictionaryCount: dictionaryCount,
                               isLast: isLast, into: output, capacity: outputCapacity) {
        case .success(let count):
            outputCount = count
            failure = nil
        case .failure(let error):
            outputCount = 0
            failure = error.code
        }
    }
}

/// The worker threads and the queue they share with the producer.
final class DeflateWorkers: @unchecked Sendable {
    /// The process's compression threads, one per processor, started the first time a workbook needs them and
    /// kept (waiting on a condition variable when idle) for the life of the process; shared by every workbook,
    /// also by workbooks written at the same time. Nil when the system refused to start them (each pipeline then
    /// tries threads of its own, and reports the failure).
    static let shared: DeflateWorkers? = try? DeflateWorkers(count: processorCount())

    private let lock = ConditionLock()
    private var pending: [DeflateJob] = []
    private var stopping = false
    private var threads: [OSThread] = []

    /// Starts `count` threads; each makes its compressors when it first needs them. Throws when the system refuses
    /// a thread.
    init(count: Int) throws {
        for _ in 0..<count {
            guard let thread = OSThread({ [self] in run() }) else {
                stop()
                throw XLSXError.threadUnavailable
            }
            threads.append(thread)
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

    /// Lets the threads finish queued work and joins them.
    func stop() {
        let stoppedBefore = lock.withLock { () -> Bool in
            defer { stopping = true }
            lock.broadcast()
            return stopping
        }
        guard !stoppedBefore else { return }
        for thread in threads { thread.join() }
        threads = []
    }

    private func run() {
        // The thread's own compressors, one per kind of compression it was asked for.
        var compressors: [Compression: DeflateStream] = [:]
        while true {
            let next: DeflateJob? = lock.withLock {
                while pending.isEmpty && !stopping { lock.wait() }
                return pending.isEmpty ? nil : pending.removeFirst()
            }
            guard let job = next else { return }
            do throws(DeflateStream.CompressionFailure) {
                if compressors[job.compression] == nil { compressors[job.compression] = try DeflateStream(job.compression) }
                compressors[job.compression].map(job.compress(with:))
            } catch {
                job.failure = error.code
            }
            lock.withLock {
                job.done = true
                lock.broadcast()
            }
        }
    }
}

/// Chunk buffers and compressors of finished pipelines (at the default chunk size), kept for the next workbook: a
/// process writing many workbooks then neither allocates and faults in fresh memory nor initialises a compressor
/// for each. At most ``keptJobs`` buffers and ``keptStreams`` compressors are kept; the rest are freed.
final class DeflateResources: @unchecked Sendable {
    /// The process's store.
    static let shared = DeflateResources()

    /// Enough chunks for two workbooks written at once, but at most 16 (about 5 MiB) on machines with many cores.
    let keptJobs = Swift.min(2 * (processorCount() + 2), 16)
    /// One compressor of each kind per workbook written at once, at most 8 of each.
    let keptStreams = Swift.min(2 * processorCount(), 8)

    private let lock = ConditionLock()
    private var jobs: [DeflateJob] = []
    private var streams: [Compression: [DeflateStream]] = [:]

    /// A kept chunk buffer, if any.
    func takeJob() -> DeflateJob? {
        lock.withLock { jobs.popLast() }
    }

    /// Keeps idle chunk buffers (of the default chunk size) for later pipelines.
    func keep(_ idle: [DeflateJob]) {
        lock.withLock {
            jobs.append(contentsOf: idle.prefix(Swift.max(0, keptJobs - jobs.count)))
        }
    }

    /// A kept compressor of `compression`, if any.
    func takeStream(_ compression: Compression) -> DeflateStream? {
        lock.withLock { streams[compression]?.popLast() }
    }

    /// Keeps a compressor for later pipelines, unless enough of its kind are kept.
    func keep(_ stream: DeflateStream) {
        lock.withLock {
            if streams[stream.compression, default: []].count < keptStreams { streams[stream.compression, default: []].append(stream) }
        }
    }
}
