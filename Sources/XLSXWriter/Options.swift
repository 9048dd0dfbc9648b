#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Document properties stored in `docProps/core.xml`.
public struct DocumentProperties: Sendable, Hashable {
    /// The document title.
    public var title: String?
    /// The document subject.
    public var subject: String?
    /// The document's author.
    public var creator: String?
    /// The creation (and modification) date; the caller chooses it so that output is deterministic.
    public var created: Date
    /// The content language as an RFC 5646 tag, for example `nl-NL`.
    public var language: String?

    /// Creates document properties.
    public init(title: String? = nil, subject: String? = nil, creator: String? = nil,
                created: Date, language: String? = nil) {
        self.title = title
        self.subject = subject
        self.creator = creator
        self.created = created
        self.language = language
    }
}

/// An sRGB colour.
public struct RGBColor: Sendable, Hashable {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// Creates a colour from its components.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The light grey Excel offers as "White, Background 1, Darker 15%" (#D9D9D9).
    public static let lightGrey = RGBColor(red: 0xD9, green: 0xD9, blue: 0xD9)
}

/// How the header row of a sheet looks.
public struct HeaderStyle: Sendable, Hashable {
    /// Whether the header text is bold.
    public var bold: Bool
    /// A solid background fill, or `nil` for none.
    public var fill: RGBColor?

    /// Creates a header style; the default is bold without a fill.
    public init(bold: Bool = true, fill: RGBColor? = nil) {
        self.bold = bold
        self.fill = fill
    }
}

/// Layout of one column.
public struct Column: Sendable, Hashable {
    /// The width in characters of the default font (the number Excel's column-width dialog shows),
    /// 0...255, or `nil` for the default width.
    public var width: Double?
    /// Whether text in this column wraps.
    public var wrap: Bool

    /// Creates a column layout.
    public init(width: Double? = nil, wrap: Bool = false) {
        self.width = width
        self.wrap = wrap
    }
}

/// Layout of one sheet.
public struct SheetOptions: Sendable, Hashable {
    /// Column layouts from column A on; columns beyond the list use the defaults.
    public var columns: [Column]
    /// Whether the first appended row is a header, drawn in ``headerStyle`` and repeated at the top of
    /// every continuation sheet.
    public var headerRow: Bool
    /// How the header row looks.
    public var headerStyle: HeaderStyle
    /// How many rows from the top stay visible when scrolling, 0..<1048576.
    public var frozenRows: Int
    /// How many columns from the left stay visible when scrolling, 0..<16384.
    public var frozenColumns: Int
    /// Whether an autofilter covers the written range (from A1 to the last written row and the widest row).
    public var autoFilter: Bool

    /// Creates sheet options.
    public init(columns: [Column] = [], headerRow: Bool = false, headerStyle: HeaderStyle = HeaderStyle(),
                frozenRows: Int = 0, frozenColumns: Int = 0, autoFilter: Bool = false) {
        self.columns = columns
        self.headerRow = headerRow
        self.headerStyle = headerStyle
        self.frozenRows = frozenRows
        self.frozenColumns = frozenColumns
        self.autoFilter = autoFilter
    }

    /// Throws when an option is outside what a worksheet accepts.
    func validate() throws {
        guard (0..<XLSXLimits.rowsPerSheet).contains(frozenRows),
              (0..<XLSXLimits.columnsPerSheet).contains(frozenColumns)
        else { throw XLSXError.invalidFrozenPane(rows: frozenRows, columns: frozenColumns) }
        for (index, column) in columns.enumerated() {
            if let width = column.width, !(0...255).contains(width) {
                throw XLSXError.invalidColumnWidth(column: index + 1, width: width)
            }
        }
        guard columns.count <= XLSXLimits.columnsPerSheet else {
            throw XLSXError.tooManyColumns(count: columns.count, limit: XLSXLimits.columnsPerSheet)
        }
    }
}
