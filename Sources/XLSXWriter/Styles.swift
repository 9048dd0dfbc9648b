/// One cell format (an `xf` in `styles.xml`).
struct StyleKey: Hashable {
    enum NumberFormat: Int {
        case general = 0
        case date = 164
        case dateTime = 165
    }

    enum Font: Int {
        case regular = 0
        case bold = 1
        case hyperlink = 2
    }

    var numberFormat: NumberFormat = .general
    var font: Font = .regular
    var fill: RGBColor?
    var wrap = false
}

/// The `xf` indices a column's cells use, by kind of value.
struct ColumnStyles {
    var general: Int
    var date: Int
    var dateTime: Int
    var hyperlink: Int
}

/// The workbook's cell formats, numbered in the order they are first needed.
struct StyleTable {
    private(set) var keys: [StyleKey] = [StyleKey()]
    private var indices: [StyleKey: Int] = [StyleKey(): 0]
    private var fills: [RGBColor] = []

    mutating func index(of key: StyleKey) -> Int {
        if let index = indices[key] { return index }
        if let fill = key.fill, !fills.contains(fill) { fills.append(fill) }
        keys.append(key)
        indices[key] = keys.count - 1
        return keys.count - 1
    }

    /// The formats of a column: body cells, or header cells drawn in `header`.
    mutating func columnStyles(wrap: Bool, header: HeaderStyle?) -> ColumnStyles {
        var key = StyleKey(wrap: wrap)
        if let header {
            key.font = header.bold ? .bold : .regular
            key.fill = header.fill
        }
        let general = index(of: key)
        key.numberFormat = .date
        let date = index(of: key)
        key.numberFormat = .dateTime
        let dateTime = index(of: key)
        key.numberFormat = .general
        key.font = .hyperlink
        return ColumnStyles(general: general, date: date, dateTime: dateTime, hyperlink: index(of: key))
    }

    /// `xl/styles.xml`.
    func xml() throws -> [UInt8] {
        let out = ByteStream()
        try out.write(PackageXML.declaration)
        try out.write("<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
        try out.write("<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/>")
        try out.write("<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>")
        try out.write("<fonts count=\"3\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>")
        try out.write("<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>")
        try out.write("<font><u/><sz val=\"11\"/><color rgb=\"FF0563C1\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>")
        try out.write("<fills count=\"")
        try out.write(integer: 2 + fills.count)
        try out.write("\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>")
        for fill in fills {
            try out.write("<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FF")
            try out.write(unescaped: hex(fill))
            try out.write("\"/><bgColor indexed=\"64\"/></patternFill></fill>")
        }
        try out.write("</fills><borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>")
        try out.write("<cellStyleXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>")
        try out.write("<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" applyNumberFormat=\"0\" applyFill=\"0\" applyBorder=\"0\" applyAlignment=\"0\" applyProtection=\"0\"/></cellStyleXfs>")
        try out.write("<cellXfs count=\"")
        try out.write(integer: keys.count)
        try out.write("\">")
        for key in keys { try write(key, to: out) }
        try out.write("</cellXfs><cellStyles count=\"2\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>")
        try out.write("<cellStyle name=\"Hyperlink\" xfId=\"1\" builtinId=\"8\"/></cellStyles>")
        try out.write("<dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>")
        return out.bytes
    }

    private func write(_ key: StyleKey, to out: ByteStream) throws {
        let fillID = key.fill.flatMap { fill in fills.firstIndex(of: fill).map { $0 + 2 } } ?? 0
        try out.write("<xf numFmtId=\"")
        try out.write(integer: key.numberFormat.rawValue)
        try out.write("\" fontId=\"")
        try out.write(integer: key.font.rawValue)
        try out.write("\" fillId=\"")
        try out.write(integer: fillID)
        try out.write("\" borderId=\"0\" xfId=\"")
        try out.write(integer: key.font == .hyperlink ? 1 : 0)
        try out.write("\"")
        if key.numberFormat != .general { try out.write(" applyNumberFormat=\"1\"") }
        if key.font != .regular { try out.write(" applyFont=\"1\"") }
        if fillID != 0 { try out.write(" applyFill=\"1\"") }
        if key.wrap {
            try out.write(" applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf>")
        } else {
            try out.write("/>")
        }
    }

    private func hex(_ color: RGBColor) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([color.red, color.green, color.blue].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
