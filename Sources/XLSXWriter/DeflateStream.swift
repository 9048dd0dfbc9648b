import CISAL
import CLibzip

/// How a workbook's parts are compressed. Both give standard deflate streams that every reader opens.
public enum Compression: Sendable, Hashable, CaseIterable {
    /// zlib at its default level 6, as Excel, LibreOffice and most writers use: the smallest files.
    case standard
    /// ISA-L's igzip at level 1: on SpreadsheetML about ten times as fast as ``standard``, for files about a
    /// fifth larger (an extract's change-history sheet of 475 KB: 0.35 ms and 42.6 KB, against 3.7 ms and 35.2 KB).
    /// For workbooks made on demand, where the time to the finished file counts more than its size.
    case fast
}

/// One raw-deflate compressor of one ``Compression``: a zlib stream at level 6 or an ISA-L stream at level 1 with
/// its work buffer.
///
/// A chunk is compressed on its own: the stream is reset, primed with up to 32 KiB of the data before it and ends
/// with a sync flush, or, at the end of the part, with the final block; the outputs of a part's chunks, one after
/// another, form one deflate stream. Not thread-safe: each thread uses its own.
final class DeflateStream {
    let compression: Compression
    private let zlib: UnsafeMutablePointer<z_stream>?
    private let isal: UnsafeMutablePointer<isal_zstream>?
    private let isalWorkBuffer: UnsafeMutablePointer<UInt8>?
    private static let isalWorkBufferSize = Int(inzage_isal_level1_buffer_size)

    /// The return code reported when a chunk's output did not fit (it always should: the output buffer allows for
    /// incompressible input) or the stream did not end.
    static let incomplete: Int32 = -100

    /// A compressor; throws zlib's return code when it cannot set one up (out of memory).
    init(_ compression: Compression) throws(CompressionFailure) {
        self.compression = compression
        switch compression {
        case .standard:
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let result = deflateInit2_(stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard result == Z_OK else {
                stream.deallocate()
                throw CompressionFailure(code: result)
            }
            zlib = stream
            isal = nil
            isalWorkBuffer = nil
        case .fast:
            let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.isalWorkBufferSize)
            isal_deflate_init(stream)
            stream.pointee.level = 1
            stream.pointee.level_buf = buffer
            stream.pointee.level_buf_size = UInt32(Self.isalWorkBufferSize)
            stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
            zlib = nil
            isal = stream
            isalWorkBuffer = buffer
        }
    }

    deinit {
        if let zlib {
            deflateEnd(zlib)
            zlib.deallocate()
        }
        isal?.deallocate()
        isalWorkBuffer?.deallocate()
    }

    /// Deflates `count` bytes of `input` into `output`, primed with the `dictionaryCount` bytes that came before
    /// them; the last chunk of a part ends the deflate stream. Returns the number of output bytes, or the library's
    /// return code.
    func compress(_ input: UnsafeMutablePointer<UInt8>, count: Int, dictionary: UnsafeMutablePointer<UInt8>,
                  dictionaryCount: Int, isLast: Bool, into output: UnsafeMutablePointer<UInt8>,
                  capacity: Int) -> Result<Int, CompressionFailure> {
        if let zlib {
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
        guard let isal else { return .failure(CompressionFailure(code: Self.incomplete)) }
        isal_deflate_reset(isal)
        if dictionaryCount > 0 {
            let result = isal_deflate_set_dict(isal, dictionary, UInt32(dictionaryCount))
            guard result == COMP_OK else { return .failure(CompressionFailure(code: result)) }
        }
        isal.pointee.flush = UInt16(isLast ? NO_FLUSH : SYNC_FLUSH)
        isal.pointee.end_of_stream = isLast ? 1 : 0
        isal.pointee.next_in = input
        isal.pointee.avail_in = UInt32(count)
        isal.pointee.next_out = output
        isal.pointee.avail_out = UInt32(capacity)
        let result = isal_deflate(isal)
        guard result == COMP_OK else { return .failure(CompressionFailure(code: result)) }
        let ended = !isLast || isal.pointee.internal_state.state == ZSTATE_END
        guard isal.pointee.avail_in == 0, ended else { return .failure(CompressionFailure(code: Self.incomplete)) }
        return .success(capacity - Int(isal.pointee.avail_out))
    }

    /// The CRC-32 of ZIP and gzip over `count` bytes, continuing `crc` (ISA-L's, several times as fast as zlib's
    /// and the same value).
    static func crc32(_ crc: UInt32, _ bytes: UnsafePointer<UInt8>, count: Int) -> UInt32 {
        crc32_gzip_refl(crc, bytes, UInt64(count))
    }

    /// A return code of zlib or ISA-L.
    struct CompressionFailure: Error {
        let code: Int32
    }
}
