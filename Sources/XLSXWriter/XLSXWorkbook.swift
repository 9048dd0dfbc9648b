#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A streaming Excel workbook (SpreadsheetML, `.xlsx`) written with libzip.
///
/// ```swift
/// let workbook = try XLSXWorkbook(path: "/tmp/out.xlsx", properties: DocumentProperties(created: date))
/// let sheet = try workbook.addSheet(named: "People", options: SheetOptions(headerRow: true, frozenRows: 1))
/// try sheet.append([.text("Name"), .text("Born")])
/// try sheet.append([.text("Ada"), .date(try CalendarDate(year: 1815, month: 12, day: 10))])
/// try workbook.close()
/// ```
///
/// - Sheets stream one after another: adding a sheet finishes the previous one, and appending to a
///   finished sheet throws ``XLSXError/sheetFinished(name:)``. Rows are compressed while they are
///   appended (on every core) into an anonymous scratch file next to the target, so memory stays flat
///   however many rows are written.
/// - A sheet holds at most ``XLSXLimits/rowsPerSheet`` rows; later rows continue on a sheet named
///   `Name (2)`, `Name (3)`, … with the same options, starting with the same header row.
/// - Nothing appears at `path` until ``close()`` succeeds: the archive is written under a temporary
///   name in the same directory and renamed over `path`. After any error the workbook is discarded,
///   no file is left at `path`, and every later call throws.
/// - The same calls give a byte-identical file: entries have a fixed time (1980-01-01 00:00) and the
///   document dates come from ``DocumentProperties/created``.
/// - Parts are deflated with zlib at level 6 by default, or with ISA-L for speed (``Compression``).
///
/// A workbook is not thread-safe; use it from one task at a time.
public final class XLSXWorkbook {
    private enum State {
        case open
        case closed
        case failed(String)
    }

    private let path: String
    private let properties: DocumentProperties
    private let rowLimit: Int
    /// The scratch file and the compression threads; released as soon as the workbook is closed or fails.
    private var output: (scratch: ScratchFile, pipeline: DeflatePipeline)?
    private let directory: String
    private var state = State.open
    private var styles = StyleTable()
    private var names = SheetNameRegistry()
    private var finished: [FinishedSheet] = []
    private var current: SheetWriter?
    /// Sheets handed out by `addSheet`; a continuation sheet keeps its first sheet's serial.
    private var currentSerial = 0
    private var currentBaseName = ""
    private var headerCells: [Cell]?

    /// Opens a workbook that will be written to `path` when closed.
    ///
    /// Throws ``XLSXError/cannotCreate(path:reason:)`` when the directory of `path` is not writable.
    public convenience init(path: String, properties: DocumentProperties, compression: Compression = .standard) throws {
        try self.init(path: path, properties: properties, compression: compression, rowLimit: XLSXLimits.rowsPerSheet,
                      workerCount: nil)
    }

    /// Opens a workbook with a smaller sheet row limit or a set number of compression threads of its own (for
    /// tests; nil shares the process's threads).
    init(path: String, properties: DocumentProperties, compression: Compression = .standard, rowLimit: Int,
         workerCount: Int?) throws {
        self.path = path
        self.properties = properties
        self.rowLimit = Swift.max(2, Swift.min(rowLimit, XLSXLimits.rowsPerSheet))
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let scratch = try ScratchFile(directory: directory, reportedPath: path)
        output = (scratch, try DeflatePipeline(output: scratch, compression: compression, workerCount: workerCount))
    }

    /// The names of the sheets written so far, continuation sheets included, in order.
    public var sheetNames: [String] {
        finished.map(\.name) + (current.map { [$0.name] } ?? [])
    }

    /// Finishes the previous sheet and starts a new one.
    ///
    /// The name is made valid: at most 31 UTF-16 code units, each of `[]:*?/\` and control characters
    /// replaced by `_`, no apostrophe at either end, not `History` (Excel reserves it), and unique
    /// regardless of case (a clash gets ` (2)`, ` (3)`, …; an empty name becomes `Sheet`). The sheet's
    /// ``XLSXSheet/name`` tells the result.
    public func addSheet(named name: String, options: SheetOptions = SheetOptions()) throws -> XLSXSheet {
        try guardOpen()
        try options.validate()
        return try failing {
            try finishCurrent()
            let sheet = try startSheet(named: names.claim(name), options: options)
            currentSerial += 1
            currentBaseName = sheet.name
            headerCells = nil
            return XLSXSheet(workbook: self, serial: currentSerial, name: sheet.name)
        }
    }

    /// Writes the package and renames it to the target path; the workbook is closed afterwards.
    ///
    /// A workbook without sheets gets one empty sheet named `Sheet1`.
    public func close() throws {
        try guardOpen()
        try failing {
            if current == nil && finished.isEmpty {
                _ = try startSheet(named: names.claim("Sheet1"), options: SheetOptions())
            }
            try finishCurrent()
            let output = try openOutput()
            let pipeline = output.pipeline
            // The small parts go through the pipeline too, compressed alongside the last sheet.
            let parts = try PackageXML.entries(sheets: finished, styles: styles, properties: properties) { bytes in
                let stream = try pipeline.beginPart()
                try bytes.withUnsafeBytes { try stream.write(raw: $0) }
                return try pipeline.finishPart(stream)
            }
            try pipeline.finishAll()
            let entries = parts.map { PackageEntry(name: $0.name, part: pipeline.location(of: $0.part)) }
            try ZipAssembler.write(entries, to: path, directory: directory, scratch: output.scratch)
        }
        state = .closed
        output = nil
    }

    func append(_ cells: [Cell], toSheet serial: Int, name: String) throws {
        try guardOpen()
        guard serial == currentSerial, let sheet = current else { throw XLSXError.sheetFinished(name: name) }
        guard cells.count <= XLSXLimits.columnsPerSheet else {
            throw XLSXError.tooManyColumns(count: cells.count, limit: XLSXLimits.columnsPerSheet)
        }
        try failing {
            var writer = sheet
            if writer.rowCount >= rowLimit {
                try finishCurrent()
                writer = try startSheet(named: names.claimContinuation(of: currentBaseName), options: sheet.options)
                if let headerCells { try writer.append(headerCells, isHeader: true) }
            }
            let isHeader = writer.options.headerRow && headerCells == nil
            if isHeader { headerCells = cells }
            try writer.append(cells, isHeader: isHeader)
        }
    }

    private func startSheet(named name: String, options: SheetOptions) throws -> SheetWriter {
        let writer = try SheetWriter(name: name, options: options, selected: finished.isEmpty, styles: &styles,
                                     pipeline: try openOutput().pipeline, scratchDirectory: directory, reportedPath: path)
        current = writer
        return writer
    }

    private func finishCurrent() throws {
        guard let sheet = current else { return }
        current = nil
        finished.append(try sheet.finish())
    }

    private func openOutput() throws -> (scratch: ScratchFile, pipeline: DeflatePipeline) {
        try guardOpen()
        guard let output else { throw XLSXError.workbookClosed }
        return output
    }

    private func guardOpen() throws {
        switch state {
        case .open: return
        case .closed: throw XLSXError.workbookClosed
        case .failed(let reason): throw XLSXError.workbookFailed(reason: reason)
        }
    }

    /// Runs `body`; on error the workbook is discarded and the error rethrown.
    private func failing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            state = .failed(String(describing: error))
            current = nil
            output = nil
            throw error
        }
    }
}

/// A sheet of an ``XLSXWorkbook``, to append rows to until the next sheet is added.
public struct XLSXSheet {
    private let workbook: XLSXWorkbook
    private let serial: Int
    /// The sheet's name as written (made valid and unique); continuation sheets add ` (2)`, ` (3)`, ….
    public let name: String

    init(workbook: XLSXWorkbook, serial: Int, name: String) {
        self.workbook = workbook
        self.serial = serial
        self.name = name
    }

    /// Appends a row of cells from column A on.
    ///
    /// With ``SheetOptions/headerRow`` the first row is the header. Throws
    /// ``XLSXError/tooManyColumns(count:limit:)`` for more than 16,384 cells and
    /// ``XLSXError/sheetFinished(name:)`` once a later sheet was added.
    public func append(_ cells: [Cell]) throws {
        try workbook.append(cells, toSheet: serial, name: name)
    }
}
