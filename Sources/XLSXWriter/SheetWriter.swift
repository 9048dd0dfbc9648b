#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Streams one worksheet part: its head on creation, rows as they come, its tail on `finish`.
final class SheetWriter {
    let name: String
    let options: SheetOptions
    private(set) var rowCount = 0
    private var widestRow = 0
    private let pipeline: DeflatePipeline
    private let scratchDirectory: String
    private let reportedPath: String
    private let out: ByteStream
    private let bodyStyles: [ColumnStyles]
    private let defaultBodyStyles: ColumnStyles
    private let headerStyles: [ColumnStyles]
    private let defaultHeaderStyles: ColumnStyles
    /// The current row number in ASCII, written into every cell reference.
    private let rowDigits = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    private var rowDigitCount = 0
    private var links: HyperlinkSpool?
    /// The offsets of the time zones of the sheet's date-time cells.
    private var offsets = TimeZoneOffsets()

    init(name: String, options: SheetOptions, selected: Bool, styles: inout StyleTable,
         pipeline: DeflatePipeline, scratchDirectory: String, reportedPath: String) throws {
        self.name = name
        self.options = options
        self.pipeline = pipeline
        self.scratchDirectory = scratchDirectory
        self.reportedPath = reportedPath
        bodyStyles = options.columns.map { styles.columnStyles(wrap: $0.wrap, header: nil) }
        defaultBodyStyles = styles.columnStyles(wrap: false, header: nil)
        headerStyles = options.columns.map { styles.columnStyles(wrap: $0.wrap, header: options.headerStyle) }
        defaultHeaderStyles = styles.columnStyles(wrap: false, header: options.headerStyle)
        out = try pipeline.beginPart()
        try writeHead(selected: selected)
    }

    deinit { rowDigits.deallocate() }

    // MARK: Head and tail

    private func writeHead(selected: Bool) throws {
        try out.write(PackageXML.declaration)
        try out.write("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">")
        try out.write("<sheetViews><sheetView")
        if selected { try out.write(" tabSelected=\"1\"") }
        try out.write(" workbookViewId=\"0\"")
        let rows = options.frozenRows, columns = options.frozenColumns
        if rows == 0 && columns == 0 {
            try out.write("/>")
        } else {
            let pane: StaticString = rows > 0 && columns > 0 ? "bottomRight" : (rows > 0 ? "bottomLeft" : "topRight")
            try out.write("><pane")
            if columns > 0 {
                try out.write(" xSplit=\"")
                try out.write(integer: columns)
                try out.write("\"")
            }
            if rows > 0 {
                try out.write(" ySplit=\"")
                try out.write(integer: rows)
                try out.write("\"")
            }
            try out.write(" topLeftCell=\"")
            try out.write(column: columns, row: rows + 1)
            try out.write("\" activePane=\"")
            try out.write(pane)
            try out.write("\" state=\"frozen\"/><selection pane=\"")
            try out.write(pane)
            try out.write("\" activeCell=\"")
            try out.write(column: columns, row: rows + 1)
            try out.write("\" sqref=\"")
            try out.write(column: columns, row: rows + 1)
            try out.write("\"/></sheetView>")
        }
        try out.write("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
        let sized = options.columns.enumerated().compactMap { index, column in column.width.map { (index, $0) } }
        if !sized.isEmpty {
            try out.write("<cols>")
            for (index, width) in sized {
                try out.write("<col min=\"")
                try out.write(integer: index + 1)
                try out.write("\" max=\"")
                try out.write(integer: index + 1)
                try out.write("\" width=\"")
                try out.write(decimal: SheetWriter.storedWidth(width))
                try out.write("\" customWidth=\"1\"/>")
            }
            try out.write("</cols>")
        }
        try out.write("<sheetData>")
    }

    /// Excel's stored width for a width in characters (the conversion Excel's dialog applies:
    /// 7-pixel digits plus 5 pixels of padding, in 1/256 steps).
    static func storedWidth(_ characters: Double) -> Double {
        guard characters > 0 else { return 0 }
        let pixels = characters < 1 ? Double(Int(characters * 12 + 0.5)) : Double(Int(characters * 7 + 0.5) + 5)
        return Double(Int(pixels / 7 * 256)) / 256
    }

    /// Writes the tail, ends the deflate stream and returns the finished sheet.
    func finish() throws -> FinishedSheet {
        try out.write("</sheetData>")
        var filter: (lastColumn: Int, lastRow: Int)?
        if options.autoFilter && rowCount > 0 && widestRow > 0 {
            filter = (widestRow - 1, rowCount)
            try out.write("<autoFilter ref=\"")
            try out.write(column: 0, row: 1)
            try out.write(":")
            try out.write(column: widestRow - 1, row: rowCount)
            try out.write("\"/>")
        }
        if let links {
            try out.write("<hyperlinks>")
            try links.copyElements(into: out)
            try out.write("</hyperlinks>")
        }
        try out.write("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>")
        let data = try pipeline.finishPart(out)
        var relationships: DeflatePipeline.Ticket?
        if let links {
            let rels = try pipeline.beginPart()
            try rels.write(PackageXML.declaration)
            try rels.write("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">")
            try links.copyRelationships(into: rels)
            try rels.write("</Relationships>")
            relationships = try pipeline.finishPart(rels)
        }
        return FinishedSheet(name: name, data: data, relationships: relationships, filter: filter)
    }

    // MARK: Rows

    /// Appends a row of at most ``XLSXLimits/columnsPerSheet`` cells; `isHeader` draws it in the header style.
    func append(_ cells: [Cell], isHeader: Bool) throws {
        rowCount += 1
        var used = cells.count
        while used > 0, case .empty = cells[used - 1] { used -= 1 }
        guard used > 0 else { return }
        widestRow = Swift.max(widestRow, used)
        rowDigitCount = DecimalFormat.write(Int64(rowCount), to: rowDigits)
        try out.write("<row r=\"")
        try out.write(raw: UnsafeRawBufferPointer(start: rowDigits, count: rowDigitCount))
        try out.write("\">")
        let styles = isHeader ? headerStyles : bodyStyles
        let defaults = isHeader ? defaultHeaderStyles : defaultBodyStyles
        for column in 0..<used {
            let style = column < styles.count ? styles[column] : defaults
            try write(cells[column], column: column, styles: style)
        }
        try out.write("</row>")
    }

    private func write(_ cell: Cell, column: Int, styles: ColumnStyles) throws {
        switch cell {
        case .empty:
            return
        case .text(let text):
            try writeText(text, column: column, style: styles.general)
        case .integer(let value):
            if value.magnitude <= XLSXLimits.largestExactInteger {
                try writeInteger(value, column: column, style: styles.general)
            } else {
                try writeText(String(value), column: column, style: styles.general)
            }
        case .decimal(let value):
            try writeNumber(value, column: column, style: styles.general)
        case .boolean(let value):
            try startCell(column: column, style: styles.general, kind: .boolean)
            try out.write(value ? "1</v></c>" : "0</v></c>")
        case .date(let date):
            let days = date.daysSince1970
            if days >= CivilCalendar.firstSerialDay {
                try writeInteger(Int64(days + CivilCalendar.serialOf1970), column: column, style: styles.date)
            } else {
                try writeText(SheetWriter.isoText(days: days, millisecondOfDay: nil), column: column, style: styles.general)
            }
        case .dateTime(let date, let timeZone):
            let offset = offsets.seconds(at: date, in: timeZone)
            let local = CivilCalendar.localMilliseconds(date, offsetSeconds: offset)
            let days = local.floorDivided(by: CivilCalendar.millisecondsPerDay)
            let millisecond = local - days * CivilCalendar.millisecondsPerDay
            if days >= CivilCalendar.firstSerialDay {
                let serial = Double(days + Int64(CivilCalendar.serialOf1970)) + Double(millisecond) / Double(CivilCalendar.millisecondsPerDay)
                try writeNumber(serial, column: column, style: styles.dateTime)
            } else {
                try writeText(SheetWriter.isoText(days: Int(days), millisecondOfDay: millisecond), column: column, style: styles.general)
            }
        case .hyperlink(let url, let text):
            try writeHyperlink(url: url, text: text, column: column, styles: styles)
        }
    }

    private enum CellKind {
        case number, boolean, inlineString
    }

    /// Writes `<c r="…" s="…" t="…">` and opens the value: `<v>`, or `<is>` for inline strings.
    @inline(__always)
    private func startCell(column: Int, style: Int, kind: CellKind) throws {
        try out.reserve(64)
        var p = out.base + out.count
        p = put("<c r=\"", p)
        p += DecimalFormat.writeColumnLetters(column, to: p)
        p.update(from: rowDigits, count: rowDigitCount)
        p += rowDigitCount
        if style != 0 {
            p = put("\" s=\"", p)
            p += DecimalFormat.write(Int64(style), to: p)
        }
        switch kind {
        case .number: p = put("\"><v>", p)
        case .boolean: p = put("\" t=\"b\"><v>", p)
        case .inlineString: p = put("\" t=\"inlineStr\"><is>", p)
        }
        out.count = p - out.base
    }

    @inline(__always)
    private func put(_ s: StaticString, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return p + s.utf8CodeUnitCount
    }

    private func writeInteger(_ value: Int64, column: Int, style: Int) throws {
        try startCell(column: column, style: style, kind: .number)
        try out.write(integer: value)
        try out.write("</v></c>")
    }

    private func writeNumber(_ value: Double, column: Int, style: Int) throws {
        guard value.isFinite else {
            try writeText(value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity"), column: column, style: style)
            return
        }
        try startCell(column: column, style: style, kind: .number)
        try out.write(decimal: value)
        try out.write("</v></c>")
    }

    private func writeText(_ text: String, column: Int, style: Int) throws {
        var text = SheetWriter.fitted(text)
        try startCell(column: column, style: style, kind: .inlineString)
        try text.withUTF8 { utf8 in
            try out.write(needsPreservedSpace(utf8) ? "<t xml:space=\"preserve\">" : "<t>")
            try out.write(escaped: utf8, mode: .cellText)
        }
        try out.write("</t></is></c>")
    }

    private func writeHyperlink(url: String, text: String, column: Int, styles: ColumnStyles) throws {
        let shown = text.isEmpty ? url : text
        guard SheetWriter.isLinkable(url), (links?.count ?? 0) < XLSXLimits.maximumHyperlinksPerSheet else {
            try writeText(shown == url ? url : "\(shown) (\(url))", column: column, style: styles.general)
            return
        }
        try writeText(shown, column: column, style: styles.hyperlink)
        if links == nil {
            links = try HyperlinkSpool(directory: scratchDirectory, reportedPath: reportedPath)
        }
        try links?.add(url: url, column: column, row: rowCount)
    }

    /// Whether `url` can be a hyperlink target: not empty, short enough and only characters XML allows.
    static func isLinkable(_ url: String) -> Bool {
        guard !url.isEmpty, url.utf16.count <= XLSXLimits.maximumURLLength else { return false }
        return !url.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{FFFE}" || $0 == "\u{FFFF}" }
    }

    // MARK: Text rules

    static let truncationMarkerStart = "… [truncated: "

    /// `text`, or, when longer than Excel's cell limit, its start with a visible truncation marker.
    static func fitted(_ text: String) -> String {
        let limit = XLSXLimits.maximumTextLength
        guard text.utf8.count > limit else { return text }
        let total = text.utf16.count
        guard total > limit else { return text }
        var kept = text
        var marker = ""
        var keep = limit
        repeat {
            marker = "\(truncationMarkerStart)\(total - keep) more characters]"
            let budget = limit - marker.utf16.count
            kept = text.prefix(utf16Count: budget)
            let previous = keep
            keep = kept.utf16.count
            if keep == previous { break }
        } while true
        return kept + marker
    }

    /// ISO 8601 text for dates a spreadsheet cannot hold as serial numbers.
    static func isoText(days: Int, millisecondOfDay: Int64?) -> String {
        let (y, m, d) = CivilCalendar.civil(fromDays: days)
        let date = "\(PackageXML.pad(y, 4))-\(PackageXML.pad(m, 2))-\(PackageXML.pad(d, 2))"
        guard let millisecondOfDay else { return date }
        let seconds = Int(millisecondOfDay / 1000)
        return date + " \(PackageXML.pad(seconds / 3600, 2)):\(PackageXML.pad(seconds / 60 % 60, 2)):\(PackageXML.pad(seconds % 60, 2))"
    }
}

/// Hyperlinks of one sheet, kept in two scratch files while rows stream: the `<hyperlink>` elements
/// that follow the sheet data and the relationships that hold their URLs.
final class HyperlinkSpool {
    /// Each of the two keeps up to 64 KiB in memory (some 300 links) before it moves to a file.
    static let memoryLimit = 64 * 1024

    private let elementFile: ScratchFile
    private let relationshipFile: ScratchFile
    private let elements: ByteStream
    private let relationships: ByteStream
    private(set) var count = 0

    init(directory: String, reportedPath: String) throws {
        elementFile = try ScratchFile(directory: directory, reportedPath: reportedPath, memoryLimit: Self.memoryLimit)
        relationshipFile = try ScratchFile(directory: directory, reportedPath: reportedPath, memoryLimit: Self.memoryLimit)
        elements = ByteStream(sink: ScratchSink(file: elementFile), capacity: 2 * ByteStream.largestReservation)
        relationships = ByteStream(sink: ScratchSink(file: relationshipFile), capacity: 2 * ByteStream.largestReservation)
    }

    func add(url: String, column: Int, row: Int) throws {
        count += 1
        try elements.write("<hyperlink ref=\"")
        try elements.write(column: column, row: row)
        try elements.write("\" r:id=\"rId")
        try elements.write(integer: count)
        try elements.write("\"/>")
        try relationships.write("<Relationship Id=\"rId")
        try relationships.write(integer: count)
        try relationships.write("\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"")
        try relationships.write(escaped: url, mode: .attribute)
        try relationships.write("\" TargetMode=\"External\"/>")
    }

    func copyElements(into stream: ByteStream) throws {
        try HyperlinkSpool.copy(elements, elementFile, into: stream)
    }

    func copyRelationships(into stream: ByteStream) throws {
        try HyperlinkSpool.copy(relationships, relationshipFile, into: stream)
    }

    private static func copy(_ buffer: ByteStream, _ file: ScratchFile, into stream: ByteStream) throws {
        try ScratchSink(file: file).drain(buffer)
        try file.copy(from: 0, length: file.size, into: stream)
    }
}
