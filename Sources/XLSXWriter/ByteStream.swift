/// Receives the bytes of a ``ByteStream`` whenever its buffer is full.
protocol ByteSink: AnyObject {
    /// Takes `stream`'s bytes and leaves it with an empty buffer (the same one or another).
    func drain(_ stream: ByteStream) throws
}

/// A byte buffer that XML is written into. Without a sink it grows; with one, a full buffer is drained.
final class ByteStream {
    /// The largest number of bytes one `reserve` call may ask for.
    static let largestReservation = 64 * 1024

    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0
    private let ownsBuffer: Bool
    private let sink: ByteSink?

    /// A growing in-memory stream.
    init(initialCapacity: Int = 4096) {
        capacity = Swift.max(initialCapacity, 64)
        base = .allocate(capacity: capacity)
        ownsBuffer = true
        sink = nil
    }

    /// A stream writing into a buffer that the sink owns and drains.
    init(sink: ByteSink, buffer: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.sink = sink
        self.base = buffer
        self.capacity = capacity
        ownsBuffer = false
    }

    /// A stream with its own fixed buffer that the sink empties.
    init(sink: ByteSink, capacity: Int) {
        self.sink = sink
        self.capacity = capacity
        base = .allocate(capacity: capacity)
        ownsBuffer = true
    }

    deinit {
        if ownsBuffer { base.deallocate() }
    }

    /// Points the stream at an empty buffer the sink owns.
    func replaceBuffer(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) {
        base = buffer
        self.capacity = capacity
        count = 0
    }

    /// The written bytes (only for growing streams, whose bytes all stay in memory).
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Makes room for `n` more bytes, `n <= largestReservation`.
    @inline(__always)
    func reserve(_ n: Int) throws {
        if count + n > capacity { try makeRoom(n) }
    }

    private func makeRoom(_ n: Int) throws {
        if let sink {
            try sink.drain(self)
            if count + n <= capacity { return }
        }
        if ownsBuffer {
            var newCapacity = capacity * 2
            while newCapacity < count + n { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
    }

    /// Writes ASCII known at compile time.
    @inline(__always)
    func write(_ s: StaticString) throws {
        let n = s.utf8CodeUnitCount
        try reserve(n)
        (base + count).update(from: s.utf8Start, count: n)
        count += n
    }

    /// Writes one byte.
    @inline(__always)
    func write(byte: UInt8) throws {
        try reserve(1)
        base[count] = byte
        count += 1
    }

    /// Writes raw bytes of any length.
    func write(raw: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < raw.count {
            let n = Swift.min(raw.count - offset, ByteStream.largestReservation)
            try reserve(n)
            if let source = raw.baseAddress {
                UnsafeMutableRawPointer(base + count).copyMemory(from: source + offset, byteCount: n)
            }
            count += n
            offset += n
        }
    }

    /// Writes a string's UTF-8 without escaping (for text known to be safe).
    func write(unescaped text: String) throws {
        var text = text
        try text.withUTF8 { try write(raw: UnsafeRawBufferPointer($0)) }
    }

    /// Writes an integer in decimal.
    @inline(__always)
    func write(integer value: Int64) throws {
        try reserve(20)
        count += DecimalFormat.write(value, to: base + count)
    }

    /// Writes an integer in decimal.
    @inline(__always)
    func write(integer value: Int) throws {
        try write(integer: Int64(value))
    }
}
