import Foundation

/// LibreOffice headless, converting every sheet of a workbook to CSV.
enum LibreOffice {
    /// CSV filter: comma, double quote, UTF-8, from line 1, cells as shown (so dates read as formatted),
    /// and -1 for "every sheet", which writes one `NAME-SHEET.csv` per sheet.
    static let filter = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,true,false,false,-1"

    private static let parser = #"""
import csv, json, os, sys
directory, stem = sys.argv[1], sys.argv[2]
sheets = {}
for name in sorted(os.listdir(directory)):
    if name.startswith(stem + "-") and name.endswith(".csv"):
        with open(os.path.join(directory, name), newline="", encoding="utf-8") as f:
            sheets[name[len(stem) + 1:-4]] = list(csv.reader(f))
print(json.dumps(sheets))
"""#

    /// Converts `path` and returns each sheet's rows of cells, by sheet name.
    ///
    /// LibreOffice exits 0 even when it cannot load a file, so a missing CSV is an error here.
    static func sheets(of path: String, expecting sheetCount: Int, in directory: TemporaryDirectory) throws -> [String: [[String]]] {
        let soffice = try Readers.executable("soffice", install: "apt-get install libreoffice-calc-nogui")
        let outDirectory = directory.file("csv")
        try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true)
        let profile = URL(fileURLWithPath: directory.file("lo-profile")).absoluteString
        let output = try Readers.run(soffice, ["-env:UserInstallation=\(profile)", "--headless", "--norestore",
                                               "--convert-to", filter, "--outdir", outDirectory, path], in: directory)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let json = try Readers.python(parser, [outDirectory, stem], in: directory)
        let sheets = try Readers.decode([String: [[String]]].self, from: json)
        guard sheets.count == sheetCount else {
            throw ReaderError(description: "LibreOffice wrote \(sheets.count) CSV files for \(sheetCount) sheets (exit \(output.status)); stdout: \(output.stdout) stderr: \(output.stderr)")
        }
        return sheets
    }
}
