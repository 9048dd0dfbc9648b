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

    /// A compressor; throws zlib's return code when it cannot set one up (out of memory).
    init(_ compression: Compression) throws(CompressionFailure) {
        self.compression = compression
        if compression == .fast, let library = ISAL.shared {
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

    /// The library's functions, or nil when it is not installed.
    static let shared: ISAL? = load()

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
}
