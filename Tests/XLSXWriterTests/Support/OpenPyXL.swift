import Foundation

/// A workbook as openpyxl reads it.
struct OpenPyXLWorkbook: Decodable {
    struct Properties: Decodable {
        let title: String?
        let subject: String?
        let creator: String?
        let language: String?
        let created: String?
    }

    struct Cell: Decodable {
        /// openpyxl's data type: `n`, `s`, `b`, `d`, `f`, …
        let dataType: String
        /// The Python type of the value: `int`, `float`, `str`, `bool`, `datetime`, `none`.
        let kind: String
        /// The value as text (`repr` for floats, ISO 8601 for datetimes).
        let value: String?
        /// For strings: the value with OOXML `_xHHHH_` escapes decoded as Excel decodes them (openpyxl does not).
        let decoded: String?
        let bold: Bool
        let fill: String?
        let wrap: Bool
        let numberFormat: String
        let link: String?
    }

    struct Sheet: Decodable {
        let title: String
        let freeze: String?
        let filter: String?
        let widths: [String: Double]
        let rows: [[Cell]]
    }

    let properties: Properties
    let sheets: [Sheet]

    static let script = #"""
import datetime, json, re, sys
import openpyxl

ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")

def describe(cell):
    v = cell.value
    if v is None: kind, text = "none", None
    elif isinstance(v, bool): kind, text = "bool", str(v)
    elif isinstance(v, int): kind, text = "int", str(v)
    elif isinstance(v, float): kind, text = "float", repr(v)
    elif isinstance(v, datetime.datetime): kind, text = "datetime", v.isoformat()
    elif isinstance(v, str): kind, text = "str", v
    else: kind, text = type(v).__name__, str(v)
    fill = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
    return {
        "dataType": cell.data_type, "kind": kind, "value": text,
        "decoded": ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if kind == "str" else None,
        "bold": bool(cell.font.b), "fill": fill, "wrap": bool(cell.alignment.wrap_text),
        "numberFormat": cell.number_format,
        "link": cell.hyperlink.target if cell.hyperlink is not None else None,
    }

wb = openpyxl.load_workbook(sys.argv[1])
p = wb.properties
out = {
    "properties": {"title": p.title, "subject": p.subject, "creator": p.creator, "language": p.language,
                   "created": p.created.isoformat() if p.created else None},
    "sheets": [{
        "title": ws.title, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
        "rows": [[describe(c) for c in row] for row in ws.iter_rows()],
    } for ws in wb.worksheets],
}
print(json.dumps(out))
"""#

    /// Reads `path` with openpyxl.
    static func read(_ path: String, in directory: TemporaryDirectory) throws -> OpenPyXLWorkbook {
        try Readers.decode(OpenPyXLWorkbook.self, from: Readers.python(script, [path], in: directory))
    }
}

/// The ZIP container as Python's zipfile sees it, with each entry's local header extra field.
struct ZipLayout: Decodable {
    struct Entry: Decodable {
        let name: String
        let method: Int
        let date: [Int]
        let centralExtra: Int
        let localExtra: Int
        let size: Int
    }

    let entries: [Entry]
    let testzip: String?

    static let script = #"""
import json, struct, sys, zipfile
path = sys.argv[1]
z = zipfile.ZipFile(path)
raw = open(path, "rb").read()
entries = []
for info in z.infolist():
    header = raw[info.header_offset:info.header_offset + 30]
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    entries.append({"name": info.filename, "method": info.compress_type, "date": list(info.date_time),
                    "centralExtra": len(info.extra), "localExtra": extra_length, "size": info.file_size})
print(json.dumps({"entries": entries, "testzip": z.testzip()}))
"""#

    static func read(_ path: String, in directory: TemporaryDirectory) throws -> ZipLayout {
        try Readers.decode(ZipLayout.self, from: Readers.python(script, [path], in: directory))
    }
}
