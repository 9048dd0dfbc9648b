import CISAL
import CLibzip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a workbook's parts are compressed. Both give standard deflate streams that every reader opens.
public enum Compression: Sendable, Hashable, CaseIterable {
    /// zlib at its default level 6, as Excel, LibreOffice and most writers use: the smallest files.
    case standard
    /// ISA-L's igzip at level 1: on SpreadsheetML about ten times as fast as ``standard``, for files about a
    /// fifth larger (an extract's change-history sheet of 475 KB: 0.35 ms and 42.6 KB, against 3.7 ms and 35.2 KB).
    /// For workbooks made on demand, where the time to the finished file counts more than its size.
    ///
    /// ISA-L (`libisal.so.2`, Debian `libisal2`) is loaded when a workbook first asks for this; a process that only
    /// writes ``standard`` workbooks never maps it. Where it is missing, zlib at level 1 is used instead.
    case fast
}

/// One raw-deflate compressor of one ``Compression``: a zlib stream (level 6, or level 1 for ``Compression/fast``
/// without ISA-L) or an ISA-L stream at level 1 with its work buffer.
///
/// A chunk is compressed on its own: the stream is reset, primed with up to 32 KiB of the data before it and ends
/// with a sync flush, or, at the end of the part, with the final block; the outputs of a part's chunks, one after
/// another, form one deflate stream. Not thread-safe: each thread uses its own.
final class DeflateStream {
    let compression: Compression
    private let zlib: UnsafeMutablePointer<z_stream>?
    private let isal: (library: ISAL, stream: UnsafeMutablePointer<isal_zstream>, workBuffer: UnsafeMutablePointer<UInt8>)?
    private static let isalWorkBufferSize = Int(inzage_isal_level1_buffer_size)

    /// The return code reported when a chunk's output did not fit (it always should: the output buffer allows for
    /// incompressible input) or the stream did not end.
    static let incomplete: Int32 = -100

    /// A compressor; throws zlib's return code when it cannot set one up (out of memory). `library` is ISA-L for
    /// ``Compression/fast`` (nil: zlib at level 1, as on a machine without it).
    init(_ compression: Compression, library: ISAL? = ISAL.shared) throws(CompressionFailure) {
        self.compression = compression
        if compression == .fast, let library {
            let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.isalWorkBufferSize)
            library.deflateInit(stream)
            stream.pointee.level = 1
            stream.pointee.level_buf = buffer
            stream.pointee.level_buf_size = UInt32(Self.isalWorkBufferSize)
            stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
            zlib = nil
            isal = (library, stream, buffer)
            return
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = deflateInit2_(stream, compression == .fast ? 1 : 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard result == Z_OK else {
            stream.deallocate()
            throw CompressionFailure(code: result)
        }
        zlib = stream
        isal = nil
    }

    deinit {
        if let zlib {
            deflateEnd(zlib)
            zlib.deallocate()
        }
        if let isal {
            isal.stream.deallocate()
            isal.workBuffer.deallocate()
        }
    }

    /// Deflates `count` bytes of `input` into `output`, primed with the `dictionaryCount` bytes that came before
    /// them; the last chunk of a part ends the deflate stream. Returns the number of output bytes, or the library's
    /// return code.
    func compress(_ input: UnsafeMutablePointer<UInt8>, count: Int, dictionary: UnsafeMutablePointer<UInt8>,
                  dictionaryCount: Int, isLast: Bool, into output: UnsafeMutablePointer<UInt8>,
                  capacity: Int) -> Result<Int, CompressionFailure> {
        if let (library, stream, _) = isal {
            library.deflateReset(stream)
            if dictionaryCount > 0 {
                let result = library.setDictionary(stream, dictionary, UInt32(dictionaryCount))
                guard result == COMP_OK else { return .failure(CompressionFailure(code: result)) }
            }
            stream.pointee.flush = UInt16(isLast ? NO_FLUSH : SYNC_FLUSH)
            stream.pointee.end_of_stream = isLast ? 1 : 0
            stream.pointee.next_in = input
            stream.pointee.avail_in = UInt32(count)
            stream.pointee.next_out = output
            stream.pointee.avail_out = UInt32(capacity)
            let result = library.deflate(stream)
            guard result == COMP_OK else { return .failure(CompressionFailure(code: result)) }
            // Done means: the final block written (last chunk), or the sync flush written and the stream waiting for
            // a new block (any other chunk); ISA-L may have taken input into its own buffer without compressing it.
            let state = stream.pointee.internal_state.state
            let done = isLast ? state == ZSTATE_END : state == ZSTATE_NEW_HDR
            guard stream.pointee.avail_in == 0, done else { return .failure(CompressionFailure(code: Self.incomplete)) }
            return .success(capacity - Int(stream.pointee.avail_out))
        }
        guard let zlib else { return .failure(CompressionFailure(code: Self.incomplete)) }
        var result = deflateReset(zlib)
        if result == Z_OK && dictionaryCount > 0 {
            result = deflateSetDictionary(zlib, dictionary, uInt(dictionaryCount))
        }
        guard result == Z_OK else { return .failure(CompressionFailure(code: result)) }
        zlib.pointee.next_in = input
        zlib.pointee.avail_in = uInt(count)
        zlib.pointee.next_out = output
        zlib.pointee.avail_out = uInt(capacity)
        result = deflate(zlib, isLast ? Z_FINISH : Z_SYNC_FLUSH)
        let complete = isLast ? result == Z_STREAM_END : (result == Z_OK && zlib.pointee.avail_out > 0)
        guard complete, zlib.pointee.avail_in == 0 else {
            return .failure(CompressionFailure(code: complete ? Self.incomplete : result))
        }
        return .success(capacity - Int(zlib.pointee.avail_out))
    }

    /// The CRC-32 of ZIP and gzip over `count` bytes: ISA-L's (several times as fast, the same value) when
    /// `compression` loaded it, else zlib's.
    static func crc32(_ bytes: UnsafePointer<UInt8>, count: Int, for compression: Compression) -> UInt32 {
        if compression == .fast, let library = ISAL.shared {
            return library.crc32(0, bytes, UInt64(count))
        }
        return UInt32(CLibzip.crc32(0, bytes, uInt(count)))
    }

    /// A return code of zlib or ISA-L.
    struct CompressionFailure: Error {
        let code: Int32
    }
}

/// The ISA-L functions fast compression calls, looked up in `libisal.so.2` the first time they are needed (the
/// headers give the types; the library is not linked, so that it costs a process nothing until then).
struct ISAL: @unchecked Sendable {
    let deflateInit: @convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Void
    let deflateReset: @convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Void
    let setDictionary: @convention(c) (UnsafeMutablePointer<isal_zstream>?, UnsafeMutablePointer<UInt8>?, UInt32) -> Int32
    let deflate: @convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Int32
    let crc32: @convention(c) (UInt32, UnsafePointer<UInt8>?, UInt64) -> UInt32

    /// The library's functions, or nil when it is not installed or fails ``worksWithHeaderLayout()``.
    static let shared: ISAL? = load().flatMap { $0.worksWithHeaderLayout() ? $0 : nil }

    private static func load() -> ISAL? {
        #if os(Linux)
        let names = ["libisal.so.2", "libisal.so"]
        #else
        let names = ["libisal.2.dylib", "libisal.dylib"]
        #endif
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let deflateInit = symbol("isal_deflate_init", as: (@convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Void).self),
              let deflateReset = symbol("isal_deflate_reset", as: (@convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Void).self),
              let setDictionary = symbol("isal_deflate_set_dict",
                                         as: (@convention(c) (UnsafeMutablePointer<isal_zstream>?, UnsafeMutablePointer<UInt8>?, UInt32) -> Int32).self),
              let deflate = symbol("isal_deflate", as: (@convention(c) (UnsafeMutablePointer<isal_zstream>?) -> Int32).self),
              let crc32 = symbol("crc32_gzip_refl", as: (@convention(c) (UInt32, UnsafePointer<UInt8>?, UInt64) -> UInt32).self)
        else {
            dlclose(handle)
            return nil
        }
        return ISAL(deflateInit: deflateInit, deflateReset: deflateReset, setDictionary: setDictionary, deflate: deflate,
                    crc32: crc32)
    }

    /// Whether the loaded library agrees with the installed header on `isal_zstream`: the library is found by name
    /// at run time, and one built with another layout would write past the stream or read the wrong fields. Deflates
    /// a known text through a stream followed by a guard area, which must stay untouched, and checks that zlib
    /// inflates the output back to the text and that ISA-L's CRC-32 equals zlib's. About 0.1 ms, once per process.
    func worksWithHeaderLayout() -> Bool {
        let streamSize = MemoryLayout<isal_zstream>.stride, guardSize = 4096, guardByte: UInt8 = 0xA5
        let memory = UnsafeMutableRawPointer.allocate(byteCount: streamSize + guardSize, alignment: MemoryLayout<isal_zstream>.alignment)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: guardByte, count: streamSize + guardSize)
        let stream = memory.bindMemory(to: isal_zstream.self, capacity: 1)
        let workBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(inzage_isal_level1_buffer_size))
        defer { workBuffer.deallocate() }

        // 16 KiB of XML-like bytes, part repeated at a distance of 64 (matches) and part random (literals).
        let alphabet = Array("<row r=\"1\"><c t=\"s\"><v>0123456789</v></c></row>".utf8)
        var text = [UInt8](repeating: 0, count: 16_384)
        var seed: UInt32 = 2_463_534_242
        for index in text.indices {
            if index >= 64, index % 64 < 40 {
                text[index] = text[index - 64]
            } else {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                text[index] = alphabet[Int(seed >> 24) % alphabet.count]
            }
        }
        var output = [UInt8](repeating: 0, count: text.count + 1024)
        let (result, state, unread, written) = text.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                deflateInit(stream)
                stream.pointee.level = 1
                stream.pointee.level_buf = workBuffer
                stream.pointee.level_buf_size = inzage_isal_level1_buffer_size
                stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
                stream.pointee.flush = UInt16(NO_FLUSH)
                stream.pointee.end_of_stream = 1
                stream.pointee.next_in = input.baseAddress
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = output.baseAddress
                stream.pointee.avail_out = UInt32(output.count)
                let result = deflate(stream)
                return (result, stream.pointee.internal_state.state, stream.pointee.avail_in,
                        output.count - Int(stream.pointee.avail_out))
            }
        }
        let guardIntact = UnsafeRawBufferPointer(start: memory + streamSize, count: guardSize).allSatisfy { $0 == guardByte }
        guard guardIntact, result == COMP_OK, state == ZSTATE_END, unread == 0, written > 0 else { return false }
        let zlibCRC = text.withUnsafeBufferPointer { UInt32(CLibzip.crc32(0, $0.baseAddress, uInt($0.count))) }
        let isalCRC = text.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt64($0.count)) }
        return isalCRC == zlibCRC && Self.inflate(Array(output.prefix(written)), expectedCount: text.count) == text
    }

    /// The bytes of a raw deflate stream, through zlib; nil when it is not one, or does not hold `expectedCount` bytes.
    private static func inflate(_ deflated: [UInt8], expectedCount: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var deflated = deflated
        var output = [UInt8](repeating: 0, count: expectedCount + 1)
        let result = deflated.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = uInt(output.count)
                return CLibzip.inflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END, Int(stream.total_out) == expectedCount else { return nil }
        return Array(output.prefix(expectedCount))
    }
}
