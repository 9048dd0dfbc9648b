import Foundation
import Testing
import CLibzip
@testable import XLSXWriter

@Suite("Formatting and rules")
struct UnitTests {
    static func formatted(_ value: Double) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { DecimalFormat.write(value, to: $0) } ?? 0
        }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    @Test("doubles are written so that they parse back to the same value")
    func decimalsRoundTrip() {
        let fixed: [(Double, String)] = [(0, "0"), (-0.0, "0"), (1, "1"), (-42.5, "-42.5"), (82557.64, "82557.64"),
                                         (0.05, "0.05"), (0.1, "0.1"), (1234567.000001, "1234567.000001"),
                                         (1e22, "1e+22"), (.leastNonzeroMagnitude, "5e-324")]
        for (value, text) in fixed {
            #expect(UnitTests.formatted(value) == text)
        }
        var generator = SeededGenerator(state: 99)
        for _ in 0..<20_000 {
            let bits = Double(bitPattern: generator.next())
            let cents = Double(Int64(bitPattern: generator.next()) % 1_000_000_000_000) / 100
            for value in [bits, cents] where value.isFinite {
                #expect(Double(UnitTests.formatted(value)) == value, "\(value)")
            }
        }
    }

    @Test("integers and column letters")
    func integersAndColumns() {
        func text(_ body: (UnsafeMutablePointer<UInt8>) -> Int) -> String {
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = bytes.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map(body) ?? 0 }
            return String(decoding: bytes.prefix(count), as: UTF8.self)
        }
        for value in [Int64.min, Int64.max, 0, -1, 9, 10, 99, 100, 1_048_576] {
            #expect(text { DecimalFormat.write(value, to: $0) } == String(value))
        }
        let columns = [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")]
        for (column, letters) in columns {
            #expect(text { DecimalFormat.writeColumnLetters(column, to: $0) } == letters)
        }
    }

    @Test("sheet names are made valid and unique")
    func sheetNames() {
        var names = SheetNameRegistry()
        #expect(names.claim("a/b:c*d?[e]\\f") == "a_b_c_d__e__f")
        #expect(names.claim("'quoted'") == "quoted")
        #expect(names.claim("") == "Sheet")
        #expect(names.claim("History") == "History (2)")
        #expect(names.claim("Data") == "Data")
        #expect(names.claim("DATA") == "DATA (2)")
        #expect(names.claim("tab\tname\u{1}") == "tab_name_")
        let long = String(repeating: "x", count: 40)
        #expect(names.claim(long) == String(repeating: "x", count: 31))
        #expect(names.claim(long) == String(repeating: "x", count: 27) + " (2)")
        let emoji = String(repeating: "a", count: 30) + "😀"
        #expect(names.claim(emoji) == String(repeating: "a", count: 30))
        #expect(names.claimContinuation(of: "Data") == "Data (3)")
    }

    @Test("text beyond Excel's limit is cut with a visible marker")
    func longTextIsTruncated() {
        for filler in ["a", "😀"] {
            let text = String(repeating: filler, count: 40_000)
            let fitted = SheetWriter.fitted(text)
            #expect(fitted.utf16.count <= XLSXLimits.maximumTextLength)
            #expect(fitted.utf16.count >= XLSXLimits.maximumTextLength - 1)
            guard let marker = fitted.firstRange(of: SheetWriter.truncationMarkerStart) else {
                Issue.record("no truncation marker")
                continue
            }
            let kept = fitted[..<marker.lowerBound]
            let cut = text.utf16.count - kept.utf16.count
            #expect(fitted.hasSuffix("… [truncated: \(cut) more characters]"))
            #expect(text.hasPrefix(kept))
        }
        let exact = String(repeating: "b", count: XLSXLimits.maximumTextLength)
        #expect(SheetWriter.fitted(exact) == exact)
    }

    @Test("the same input gives a byte-identical file, however many threads compress it", arguments: Compression.allCases)
    func deterministic(compression: Compression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var files: [Data] = []
        for (index, workers) in [1, 2, 3].enumerated() {
            let path = directory.file("run\(index).xlsx")
            let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties, compression: compression,
                                            rowLimit: XLSXLimits.rowsPerSheet, workerCount: workers)
            let sheet = try workbook.addSheet(named: "Data", options: Fixture.options)
            var generator = SeededGenerator(state: 5)
            for n in 0..<20_000 {
                try sheet.append([.integer(Int64(n)), .text(PropertyTests.randomText(&generator)),
                                  .decimal(Double(generator.next() % 100_000) / 100)])
            }
            try workbook.close()
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0].count > 400_000, "the sheet spans many compression chunks")
        #expect(files[0] == files[1])
        #expect(files[1] == files[2])
        let layout = try ZipLayout.read(directory.file("run1.xlsx"), in: directory)
        #expect(layout.testzip == nil, "every CRC and deflate stream checks out")
    }

    @Test("hyperlinks beyond Excel's per-sheet limit, or with unusable URLs, become text")
    func hyperlinkLimits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("links.xlsx")
        let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties)
        let sheet = try workbook.addSheet(named: "Links")
        try sheet.append([.hyperlink(url: "https://example.org/\u{1}", text: "bad")])
        try sheet.append([.hyperlink(url: "https://example.org/" + String(repeating: "x", count: 2100), text: "")])
        for n in 0..<XLSXLimits.maximumHyperlinksPerSheet {
            try sheet.append([.hyperlink(url: "https://example.org/\(n)", text: "")])
        }
        try sheet.append([.hyperlink(url: "https://example.org/over", text: "over")])
        try workbook.close()
        let script = #"""
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
texts = re.findall(r"<t[^>]*>([^<]*)</t>", sheet)
print(json.dumps({"links": sheet.count("<hyperlink "), "rels": rels.count("<Relationship "),
                  "first": texts[0], "second": texts[1][:25], "last": texts[-1], "lastRef": re.findall(r'<hyperlink ref="([A-Z0-9]+)"', sheet)[-1]}))
"""#
        let result = try Readers.decode([String: AnyCodableValue].self, from: Readers.python(script, [path], in: directory))
        #expect(result["links"] == .int(XLSXLimits.maximumHyperlinksPerSheet))
        #expect(result["rels"] == .int(XLSXLimits.maximumHyperlinksPerSheet))
        #expect(result["first"] == .string("bad (https://example.org/_x0001_)"))
        #expect(result["second"] == .string("https://example.org/xxxxx"))
        #expect(result["last"] == .string("over (https://example.org/over)"))
        #expect(result["lastRef"] == .string("A\(XLSXLimits.maximumHyperlinksPerSheet + 2)"))
    }
}

/// A JSON scalar.
enum AnyCodableValue: Decodable, Equatable {
    case int(Int)
    case string(String)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}

/// The deflate pipeline's two paths: a part within one chunk on the producer's thread, a larger one on the workers.
@Suite("Deflate pipeline")
struct DeflatePipelineTests {
    /// Deflates `input` as one part through `pipeline` and returns the raw deflate bytes and the part.
    private func deflate(_ input: [UInt8], through pipeline: DeflatePipeline, scratch: ScratchFile) throws -> ([UInt8], DeflatedPart) {
        let stream = try pipeline.beginPart()
        try input.withUnsafeBufferPointer { try stream.write(raw: UnsafeRawBufferPointer($0)) }
        let ticket = try pipeline.finishPart(stream)
        try pipeline.finishAll()
        let part = pipeline.location(of: ticket)
        var bytes = [UInt8](repeating: 0, count: Int(part.compressedSize))
        let read = bytes.withUnsafeMutableBytes { scratch.read(at: part.offset, into: $0.baseAddress!, count: $0.count) }
        #expect(read == bytes.count)
        return (bytes, part)
    }

    /// Inflates raw deflate bytes with Python's zlib (an independent implementation of the reading side).
    private func inflate(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> [UInt8] {
        let input = directory.file("part.deflate"), output = directory.file("part.raw")
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, zlib
            open(sys.argv[2], "wb").write(zlib.decompress(open(sys.argv[1], "rb").read(), -15))
            """, input, output]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    @Test("workbooks written at the same time share the process's threads and kept buffers, and come out the same",
          arguments: Compression.allCases)
    func sharedThreads(compression: Compression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        @Sendable func write(_ path: String, workerCount: Int?) throws {
            let workbook = try XLSXWorkbook(path: path, properties: Fixture.properties, compression: compression,
                                            rowLimit: XLSXLimits.rowsPerSheet, workerCount: workerCount)
            for sheetNumber in 0..<3 {
                let sheet = try workbook.addSheet(named: "Data \(sheetNumber)", options: Fixture.options)
                var generator = SeededGenerator(state: UInt64(sheetNumber + 1))
                for n in 0..<(sheetNumber == 1 ? 8_000 : 200) {
                    try sheet.append([.integer(Int64(n)), .text(PropertyTests.randomText(&generator))])
                }
            }
            try workbook.close()
        }
        try write(directory.file("own.xlsx"), workerCount: 3)
        let expected = try Data(contentsOf: URL(fileURLWithPath: directory.file("own.xlsx")))
        #expect(expected.count > 131_072, "even compressed the workbook is larger than one chunk, so it uses the threads")
        #expect(try ZipLayout.read(directory.file("own.xlsx"), in: directory).testzip == nil)
        // Four rounds of four workbooks at once: later rounds reuse the buffers and streams earlier ones left.
        for round in 0..<4 {
            let failures = ConcurrentErrors()
            DispatchQueue.concurrentPerform(iterations: 4) { index in
                do { try write(directory.file("shared-\(round)-\(index).xlsx"), workerCount: nil) } catch { failures.add(error) }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            for index in 0..<4 {
                #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("shared-\(round)-\(index).xlsx"))) == expected)
            }
        }
        #expect(DeflateWorkers.shared != nil)
    }

    @Test("fast compression: ISA-L passes its load-time check, and without it zlib at level 1 makes the same text")
    func fastWithAndWithoutISAL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(ISAL.shared?.worksWithHeaderLayout() == true)
        var generator = SeededGenerator(state: 5)
        var text = ""
        while text.utf8.count < 150_000 { text += "<c r=\"B\(generator.next() % 5000)\" t=\"s\"><v>\(generator.next() % 211)</v></c>" }
        var input = Array(text.utf8)
        // Two chunks as the pipeline makes them: the first ends with a sync flush, the second is primed with the
        // first as its dictionary and ends the stream.
        for library in [ISAL.shared, nil] {
            let stream = try DeflateStream(.fast, library: library)
            var output = [UInt8](repeating: 0, count: input.count + 4096)
            let split = 70_000
            let (first, second) = try input.withUnsafeMutableBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { output in
                    let base = try #require(input.baseAddress), out = try #require(output.baseAddress)
                    let first = try stream.compress(base, count: split, dictionary: base, dictionaryCount: 0, isLast: false,
                                                    into: out, capacity: output.count).get()
                    let second = try stream.compress(base + split, count: input.count - split, dictionary: base + split - 32_768,
                                                     dictionaryCount: 32_768, isLast: true, into: out + first,
                                                     capacity: output.count - first).get()
                    return (first, second)
                }
            }
            #expect(try inflate(Array(output.prefix(first + second)), in: directory) == input,
                    "\(library == nil ? "zlib level 1" : "ISA-L") output does not inflate to the input")
        }
    }

    @Test("a small workbook's parts start no thread; more data does; every part reads back with the right size and CRC",
          arguments: Compression.allCases)
    func inlineAndParallel(compression: Compression) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scratch = try ScratchFile(directory: directory.path, reportedPath: directory.file("x.xlsx"))
        let chunk = 64 * 1024
        let pipeline = try DeflatePipeline(output: scratch, compression: compression, workerCount: 2, chunkSize: chunk)
        if compression == .fast {
            #expect(ISAL.shared != nil, "ISA-L (libisal.so.2) is installed by scripts/setup; without it .fast falls back to zlib level 1")
        }
        var generator = SeededGenerator(state: 11)
        func sample(_ count: Int) -> [UInt8] {
            var text = ""
            while text.utf8.count < count { text += "<c r=\"A\(generator.next() % 1000)\"><v>\(generator.next() % 97)</v></c>" }
            return Array(text.utf8.prefix(count))
        }
        for size in [0, 1, 300, DeflatePipeline.inlineLimit - 400] {
            let input = sample(size)
            let (bytes, part) = try deflate(input, through: pipeline, scratch: scratch)
            #expect(!pipeline.hasStartedWorkers, "a part of \(size) bytes was handed to a thread")
            #expect(part.size == UInt64(size))
            #expect(part.crc == input.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) })
            #expect(try inflate(bytes, in: directory) == input)
        }
        let large = sample(5 * chunk + 123)
        let (bytes, part) = try deflate(large, through: pipeline, scratch: scratch)
        #expect(pipeline.hasStartedWorkers)
        #expect(part.size == UInt64(large.count))
        #expect(part.crc == large.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) })
        #expect(try inflate(bytes, in: directory) == large)
        // After the workers started, a small part goes to them, and is deflated to the same bytes as on the producer.
        let small = sample(1000)
        let first = try deflate(small, through: pipeline, scratch: scratch).0
        let fresh = try DeflatePipeline(output: scratch, compression: compression, workerCount: 1, chunkSize: chunk)
        #expect(try deflate(small, through: fresh, scratch: scratch).0 == first)
        #expect(!fresh.hasStartedWorkers)

        // Parts handed over without waiting (several in flight at once) each read back whole, in their own place.
        let many = (0..<12).map { sample(3000 + $0 * 7000) }
        let tickets = try many.map { input -> DeflatePipeline.Ticket in
            let stream = try pipeline.beginPart()
            try input.withUnsafeBufferPointer { try stream.write(raw: UnsafeRawBufferPointer($0)) }
            return try pipeline.finishPart(stream)
        }
        try pipeline.finishAll()
        for (input, ticket) in zip(many, tickets) {
            let part = pipeline.location(of: ticket)
            var bytes = [UInt8](repeating: 0, count: Int(part.compressedSize))
            _ = bytes.withUnsafeMutableBytes { scratch.read(at: part.offset, into: $0.baseAddress!, count: $0.count) }
            #expect(part.size == UInt64(input.count))
            #expect(try inflate(bytes, in: directory) == input)
        }
    }
}

/// Errors collected from concurrent work.
final class ConcurrentErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []

    func add(_ error: any Error) { lock.withLock { errors.append(error) } }
    var all: [any Error] { lock.withLock { errors } }
}

