/// An error raised while writing a workbook.
///
/// Once a workbook has thrown an I/O or archive error it is unusable: every later call throws
/// ``workbookFailed(reason:)`` and nothing is ever left at the target path.
public enum XLSXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The workbook cannot be created at `path` (for example the directory does not exist or is not writable).
    case cannotCreate(path: String, reason: String)
    /// Writing the workbook's data failed (for example the disk is full).
    case writeFailed(path: String, reason: String)
    /// libzip could not assemble the archive.
    case archiveFailed(path: String, reason: String)
    /// The deflate compressor (zlib or ISA-L) reported an error; `code` is its return code.
    case compressionFailed(code: Int32)
    /// The system refused to start a compression thread.
    case threadUnavailable
    /// The workbook was already closed; a closed workbook accepts no more calls.
    case workbookClosed
    /// An earlier call failed, so the workbook was discarded.
    case workbookFailed(reason: String)
    /// Rows were appended to a sheet after the next sheet was added; sheets are written one after another.
    case sheetFinished(name: String)
    /// A row has more cells than a worksheet has columns.
    case tooManyColumns(count: Int, limit: Int)
    /// A column width is outside what a spreadsheet accepts.
    case invalidColumnWidth(column: Int, width: Double)
    /// A frozen pane is larger than a worksheet.
    case invalidFrozenPane(rows: Int, columns: Int)
    /// A calendar date does not exist.
    case invalidDate(year: Int, month: Int, day: Int)

    /// A sentence saying what went wrong and what would be valid.
    public var description: String {
        switch self {
        case let .cannotCreate(path, reason):
            return "cannot create the workbook at \(path): \(reason); the directory must exist and be writable"
        case let .writeFailed(path, reason):
            return "writing the workbook \(path) failed: \(reason); nothing was left at that path"
        case let .archiveFailed(path, reason):
            return "libzip could not write the workbook \(path): \(reason); nothing was left at that path"
        case let .compressionFailed(code):
            return "compressing a part of the workbook failed (zlib or ISA-L return code \(code)); nothing was left at the target path"
        case .threadUnavailable:
            return "the system refused to start a compression thread (too many threads or too little memory); try again when fewer workbooks are written at once"
        case .workbookClosed:
            return "the workbook is closed; create a new XLSXWorkbook to write another file"
        case let .workbookFailed(reason):
            return "the workbook was discarded after an earlier error (\(reason)); create a new XLSXWorkbook"
        case let .sheetFinished(name):
            return "sheet '\(name)' is finished because a later sheet was added; sheets are written one after another"
        case let .tooManyColumns(count, limit):
            return "a row has \(count) cells but a worksheet holds at most \(limit) columns"
        case let .invalidColumnWidth(column, width):
            return "column \(column) has width \(width); a width must be between 0 and 255 characters"
        case let .invalidFrozenPane(rows, columns):
            return "cannot freeze \(rows) rows and \(columns) columns; frozen rows must be 0..<1048576 and frozen columns 0..<16384"
        case let .invalidDate(year, month, day):
            return "\(year)-\(month)-\(day) is not a calendar date; the year must be 1...9999, the month 1...12 and the day exist in that month"
        }
    }
}
