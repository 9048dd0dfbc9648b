import Foundation

/// The bytes of an import file, handed out in chunks so that memory stays flat however large the file is.
struct ByteChunks {
    /// Where the bytes come from.
    private enum Origin {
        case file(FileHandle)
        case memory([UInt8], offset: Int)
    }

    /// The size of one chunk read from a file.
    static let fileChunkSize = 1 << 16

    private var origin: Origin
    private let chunkSize: Int
    private let path: String

    /// Opens the file at `path`, or throws ``ImportError/unreadableFile(path:reason:)``.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError.unreadableFile(path: path, reason: "there is no such file")
        }
        guard !isDirectory.boolValue else { throw ImportError.unreadableFile(path: path, reason: "it is a folder") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError.unreadableFile(path: path, reason: "it cannot be opened; check its permissions")
        }
        origin = .file(handle)
        chunkSize = Self.fileChunkSize
        self.path = path
    }

    /// Hands out `bytes` in chunks of `chunkSize` (small chunks test the readers' handling of chunk boundaries).
    init(bytes: [UInt8], chunkSize: Int = 1 << 16, name: String = "(memory)") {
        origin = .memory(bytes, offset: 0)
        self.chunkSize = max(1, chunkSize)
        path = name
    }

    /// The next chunk, never empty; nil at the end of the file.
    mutating func next() throws -> [UInt8]? {
        switch origin {
        case .file(let handle):
            let data: Data?
            do {
                data = try handle.read(upToCount: chunkSize)
            } catch {
                throw ImportError.readFailed(path: path, reason: ErrorText.reason(of: error))
            }
            guard let data, !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return [UInt8](data)
        case .memory(let bytes, let offset):
            guard offset < bytes.count else { return nil }
            let end = min(bytes.count, offset + chunkSize)
            origin = .memory(bytes, offset: end)
            return Array(bytes[offset..<end])
        }
    }
}

/// Byte values the readers look for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let backslash: UInt8 = 0x5C
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    /// The UTF-8 byte order mark.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
}

/// A source of import records, read one at a time.
protocol ImportRecordReader {
    /// The next record, or nil at the end of the file. Throws only when the file cannot be read on.
    mutating func next() throws -> ImportRecord?
}
