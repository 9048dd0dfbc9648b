#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A finished worksheet, as the package parts that list it need it.
struct FinishedSheet {
    let name: String
    /// The worksheet part, still being compressed until the pipeline's ``DeflatePipeline/finishAll()``.
    let data: DeflatePipeline.Ticket
    /// The worksheet's relationships part (its hyperlinks), if it has any.
    let relationships: DeflatePipeline.Ticket?
    /// The autofilter range A1:(column, row), zero-based column and one-based row.
    let filter: (lastColumn: Int, lastRow: Int)?
}

/// The small parts of the package, built in memory at close.
enum PackageXML {
    static let declaration: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    static func worksheetPath(_ number: Int) -> String { "xl/worksheets/sheet\(number).xml" }
    static func worksheetRelationshipsPath(_ number: Int) -> String { "xl/worksheets/_rels/sheet\(number).xml.rels" }

    /// All entries in archive order, `[Content_Types].xml` first: the small parts built here and handed to `deflate`
    /// (which returns their ticket), then the worksheets and their relationships.
    static func entries(sheets: [FinishedSheet], styles: StyleTable, properties: DocumentProperties,
                        deflate: ([UInt8]) throws -> DeflatePipeline.Ticket) throws -> [(name: String, part: DeflatePipeline.Ticket)] {
        var entries = [
            (name: "[Content_Types].xml", part: try deflate(try contentTypes(sheetCount: sheets.count))),
            (name: "_rels/.rels", part: try deflate(try rootRelationships())),
            (name: "docProps/app.xml", part: try deflate(try app())),
            (name: "docProps/core.xml", part: try deflate(try core(properties))),
            (name: "xl/workbook.xml", part: try deflate(try workbook(sheets))),
            (name: "xl/_rels/workbook.xml.rels", part: try deflate(try workbookRelationships(sheetCount: sheets.count))),
            (name: "xl/styles.xml", part: try deflate(try styles.xml())),
            (name: "xl/theme/theme1.xml", part: try deflate(try theme())),
        ]
        for (index, sheet) in sheets.enumerated() {
            entries.append((name: worksheetPath(index + 1), part: sheet.data))
            if let relationships = sheet.relationships {
                entries.append((name: worksheetRelationshipsPath(index + 1), part: relationships))
            }
        }
        return entries
    }

    private static func contentTypes(sheetCount: Int) throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">")
        try out.write("<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>")
        try out.write("<Default Extension=\"xml\" ContentType=\"application/xml\"/>")
        try out.write("<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>")
        try out.write("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>")
        try out.write("<Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>")
        for number in 1...Swift.max(1, sheetCount) {
            try out.write("<Override PartName=\"/")
            try out.write(unescaped: worksheetPath(number))
            try out.write("\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>")
        }
        try out.write("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>")
        try out.write("<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>")
        try out.write("</Types>")
        return out.bytes
    }

    private static func rootRelationships() throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">")
        try out.write("<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>")
        try out.write("<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>")
        try out.write("<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>")
        try out.write("</Relationships>")
        return out.bytes
    }

    private static func app() throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">")
        try out.write("<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>")
        try out.write("<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>")
        try out.write("<AppVersion>12.0000</AppVersion></Properties>")
        return out.bytes
    }

    private static func core(_ properties: DocumentProperties) throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">")
        let fields: [(StaticString, StaticString, String?)] = [
            ("<dc:title>", "</dc:title>", properties.title),
            ("<dc:subject>", "</dc:subject>", properties.subject),
            ("<dc:creator>", "</dc:creator>", properties.creator),
            ("<dc:language>", "</dc:language>", properties.language),
        ]
        for (open, close, value) in fields {
            guard let value else { continue }
            try out.write(open)
            try out.write(escaped: value, mode: .text)
            try out.write(close)
        }
        let stamp = w3cTimestamp(properties.created)
        for (open, close) in [("<dcterms:created xsi:type=\"dcterms:W3CDTF\">", "</dcterms:created>"),
                              ("<dcterms:modified xsi:type=\"dcterms:W3CDTF\">", "</dcterms:modified>")] as [(StaticString, StaticString)] {
            try out.write(open)
            try out.write(unescaped: stamp)
            try out.write(close)
        }
        try out.write("</cp:coreProperties>")
        return out.bytes
    }

    /// `YYYY-MM-DDThh:mm:ssZ` in UTC.
    static func w3cTimestamp(_ date: Date) -> String {
        let milliseconds = CivilCalendar.localMilliseconds(date, nil)
        let days = milliseconds.floorDivided(by: CivilCalendar.millisecondsPerDay)
        let seconds = Int((milliseconds - days * CivilCalendar.millisecondsPerDay) / 1000)
        let (y, m, d) = CivilCalendar.civil(fromDays: Int(days))
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))Z"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }

    private static func workbook(_ sheets: [FinishedSheet]) throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">")
        try out.write("<workbookPr/><bookViews><workbookView/></bookViews><sheets>")
        for (index, sheet) in sheets.enumerated() {
            try out.write("<sheet name=\"")
            try out.write(escaped: sheet.name, mode: .attribute)
            try out.write("\" sheetId=\"")
            try out.write(integer: index + 1)
            try out.write("\" r:id=\"rId")
            try out.write(integer: index + 1)
            try out.write("\"/>")
        }
        try out.write("</sheets>")
        let filtered = sheets.enumerated().compactMap { index, sheet in sheet.filter.map { (index, sheet.name, $0) } }
        if !filtered.isEmpty {
            try out.write("<definedNames>")
            for (index, name, filter) in filtered {
                try out.write("<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"")
                try out.write(integer: index)
                try out.write("\" hidden=\"1\">'")
                try out.write(escaped: name.replacing("'", with: "''"), mode: .text)
                try out.write("'!")
                try out.write(absoluteColumn: 0, row: 1)
                try out.write(":")
                try out.write(absoluteColumn: filter.lastColumn, row: filter.lastRow)
                try out.write("</definedName>")
            }
            try out.write("</definedNames>")
        }
        try out.write("</workbook>")
        return out.bytes
    }

    private static func workbookRelationships(sheetCount: Int) throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">")
        for number in 1...Swift.max(1, sheetCount) {
            try out.write("<Relationship Id=\"rId")
            try out.write(integer: number)
            try out.write("\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet")
            try out.write(integer: number)
            try out.write(".xml\"/>")
        }
        try out.write("<Relationship Id=\"rId")
        try out.write(integer: sheetCount + 1)
        try out.write("\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>")
        try out.write("<Relationship Id=\"rId")
        try out.write(integer: sheetCount + 2)
        try out.write("\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/>")
        try out.write("</Relationships>")
        return out.bytes
    }

    /// `xl/theme/theme1.xml`: the smallest complete Office theme (Excel expects a workbook to have one).
    private static func theme() throws -> [UInt8] {
        let out = ByteStream()
        try out.write(declaration)
        try out.write("<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" name=\"Office Theme\"><a:themeElements>")
        try out.write("<a:clrScheme name=\"Office\"><a:dk1><a:sysClr val=\"windowText\" lastClr=\"000000\"/></a:dk1>")
        try out.write("<a:lt1><a:sysClr val=\"window\" lastClr=\"FFFFFF\"/></a:lt1><a:dk2><a:srgbClr val=\"44546A\"/></a:dk2>")
        try out.write("<a:lt2><a:srgbClr val=\"E7E6E6\"/></a:lt2><a:accent1><a:srgbClr val=\"4472C4\"/></a:accent1>")
        try out.write("<a:accent2><a:srgbClr val=\"ED7D31\"/></a:accent2><a:accent3><a:srgbClr val=\"A5A5A5\"/></a:accent3>")
        try out.write("<a:accent4><a:srgbClr val=\"FFC000\"/></a:accent4><a:accent5><a:srgbClr val=\"5B9BD5\"/></a:accent5>")
        try out.write("<a:accent6><a:srgbClr val=\"70AD47\"/></a:accent6><a:hlink><a:srgbClr val=\"0563C1\"/></a:hlink>")
        try out.write("<a:folHlink><a:srgbClr val=\"954F72\"/></a:folHlink></a:clrScheme>")
        try out.write("<a:fontScheme name=\"Office\"><a:majorFont><a:latin typeface=\"Calibri Light\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:majorFont>")
        try out.write("<a:minorFont><a:latin typeface=\"Calibri\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:minorFont></a:fontScheme>")
        try out.write("<a:fmtScheme name=\"Office\"><a:fillStyleLst>")
        for _ in 0..<3 { try out.write("<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>") }
        try out.write("</a:fillStyleLst><a:lnStyleLst>")
        for width: StaticString in ["6350", "12700", "19050"] {
            try out.write("<a:ln w=\"")
            try out.write(width)
            try out.write("\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>")
        }
        try out.write("</a:lnStyleLst><a:effectStyleLst>")
        for _ in 0..<3 { try out.write("<a:effectStyle><a:effectLst/></a:effectStyle>") }
        try out.write("</a:effectStyleLst><a:bgFillStyleLst>")
        for _ in 0..<3 { try out.write("<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>") }
        try out.write("</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>")
        return out.bytes
    }
}
