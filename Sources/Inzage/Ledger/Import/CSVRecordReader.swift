import Foundation

/// Reads an RFC 4180 CSV file record by record, at the byte level: a header row naming the columns, fields
/// optionally quoted (a quoted field may hold the delimiter, `""` for a quote, and line breaks), records ended
/// by CRLF, LF or CR. The file is UTF-8 with or without a byte order mark; the delimiter is `,` or `;`,
/// whichever the header holds more of outside quotes.
struct CSVRecordReader: ImportRecordReader {
    private var chunks: ByteChunks
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    /// The physical line the reader is on (1-based).
    private var line = 1
    /// Whether the last byte counted as a line break was a CR, so that a following LF does not count again.
    private var previousWasCR = false
    /// The bytes of the field being read (reused).
    private var field: [UInt8] = []
    /// The values of the record being read (reused).
    private var values: [String] = []

    /// The delimiter detected from the header.
    private(set) var delimiter: UInt8 = ASCII.comma
    /// The columns named by the header, in order.
    private(set) var columns: [ImportColumn] = []
    private let parser: ImportValueParser

    /// Reads the header from `chunks`, or throws ``ImportError`` naming the unknown, unnamed or repeated column.
    init(chunks: ByteChunks, parser: ImportValueParser, path: String) throws {
        self.chunks = chunks
        self.parser = parser
        try skipByteOrderMark()
        try detectDelimiter()
        guard let header = try readRawRecord() else { throw ImportError.missingHeader(path: path) }
        if let problem = header.problem {
            throw ImportError.unreadableFile(path: path, reason: "the header on line \(header.line) is malformed: \(problem.reason)")
        }
        var seen: [ImportColumn: Int] = [:]
        for (index, name) in values.enumerated() {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ImportError.unnamedColumn(position: index + 1) }
            guard let column = ImportColumn(name: trimmed) else {
                throw ImportError.unknownColumn(trimmed, line: header.line, valid: ImportColumn.validNames)
            }
            if let first = seen[column] { throw ImportError.duplicateColumn(trimmed, first: first, second: index + 1) }
            seen[column] = index + 1
            columns.append(column)
        }
    }

    /// The next record mapped onto the header's columns; a malformed record comes back with its problem set.
    mutating func next() throws -> ImportRecord? {
        while let raw = try readRawRecord() {
            var record = ImportRecord(line: raw.line)
            if let problem = raw.problem {
                let field = columns.indices.contains(problem.column) ? columns[problem.column].name : "row"
                record.refuse(field: field, reason: problem.reason)
                return record
            }
            if values.allSatisfy({ $0.isEmpty }) { continue }  // a line of delimiters only, as spreadsheets write
            guard values.count == columns.count else {
                record.refuse(field: "row", reason: "the row has \(values.count) values but the header names \(columns.count) columns; quote values that contain the delimiter")
                return record
            }
            for index in values.indices {
                record.set(columns[index], text: values[index], parser: parser)
            }
            return record
        }
        return nil
    }

    // MARK: Bytes

    /// The byte at the read position, reading the next chunk when the buffer is used up; nil at the end.
    @inline(__always)
    private mutating func currentByte() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        return try refill() ? buffer[position] : nil
    }

    /// Replaces the used-up buffer with the next chunk; false at the end of the file.
    private mutating func refill() throws -> Bool {
        guard !exhausted else { return false }
        guard let chunk = try chunks.next() else {
            exhausted = true
            return false
        }
        buffer = chunk
        position = 0
        return true
    }

    /// Appends chunks to the buffer until it holds `count` bytes from the read position or the file ends.
    private mutating func fill(atLeast count: Int) throws {
        while buffer.count - position < count, !exhausted {
            guard let chunk = try chunks.next() else {
                exhausted = true
                return
            }
            buffer.removeFirst(position)
            position = 0
            buffer += chunk
        }
    }

    /// Skips a UTF-8 byte order mark at the start of the file.
    private mutating func skipByteOrderMark() throws {
        try fill(atLeast: 3)
        if buffer.count >= 3, Array(buffer[0..<3]) == ASCII.byteOrderMark { position = 3 }
    }

    /// Chooses `;` when the header line holds more semicolons than commas outside quotes, else `,`.
    private mutating func detectDelimiter() throws {
        var index = position
        var inQuotes = false
        var commas = 0
        var semicolons = 0
        let limit = 1 << 20
        while index - position < limit {
            if index >= buffer.count {
                let before = buffer.count - position
                try fill(atLeast: before + 1)
                index = position + before
                if index >= buffer.count { break }
            }
            let byte = buffer[index]
            if byte == ASCII.quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == ASCII.lineFeed || byte == ASCII.carriageReturn { break }
                if byte == ASCII.comma { commas += 1 } else if byte == ASCII.semicolon { semicolons += 1 }
            }
            index += 1
        }
        delimiter = semicolons > commas ? ASCII.semicolon : ASCII.comma
    }

    /// Counts line breaks in `buffer[from..<to]` (CRLF, LF and CR each count once).
    @inline(__always)
    private mutating func countLineBreaks(from start: Int, to end: Int) {
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte == ASCII.lineFeed {
                if !previousWasCR { line += 1 }
                previousWasCR = false
            } else if byte == ASCII.carriageReturn {
                line += 1
                previousWasCR = true
            } else {
                previousWasCR = false
            }
            index += 1
        }
    }

    /// Consumes a record's line break (CRLF, LF or CR) at the read position.
    private mutating func consumeLineBreak() throws {
        let byte = try currentByte()
        position += 1
        line += 1
        previousWasCR = false
        if byte == ASCII.carriageReturn, try currentByte() == ASCII.lineFeed { position += 1 }
    }

    // MARK: Records

    /// Reads the next record's fields into `values`; nil at the end of the file. Blank lines are not records.
    private mutating func readRawRecord() throws -> (line: Int, problem: (column: Int, reason: String)?)? {
        values.removeAll(keepingCapacity: true)
        while let byte = try currentByte(), byte == ASCII.lineFeed || byte == ASCII.carriageReturn {
            try consumeLineBreak()
        }
        guard try currentByte() != nil else { return nil }
        let startLine = line
        var problem: (column: Int, reason: String)?
        /// Keeps the first problem of the record, with the column it is in.
        func note(_ reason: String) {
            if problem == nil { problem = (values.count, reason) }
        }
        while true {
            field.removeAll(keepingCapacity: true)
            if try currentByte() == ASCII.quote {
                position += 1
                if !(try readQuotedField()) {
                    note("a quoted value (column \(values.count + 1)) is not closed before the end of the file; a quote inside a quoted value is written as two quotes")
                } else if let next = try currentByte(), next != delimiter, next != ASCII.lineFeed, next != ASCII.carriageReturn {
                    note("column \(values.count + 1) has text after its closing quote; a quote inside a quoted value is written as two quotes")
                    try readUnquotedField()
                }
            } else {
                try readUnquotedField()
            }
            if let value = String(validating: field, as: UTF8.self) {
                values.append(value)
            } else {
                note("column \(values.count + 1) is not valid UTF-8; save the file as UTF-8")
                values.append(String(decoding: field, as: UTF8.self))
            }
            guard let terminator = try currentByte() else { break }
            if terminator == delimiter {
                position += 1
                continue
            }
            try consumeLineBreak()
            break
        }
        return (startLine, problem)
    }

    /// Appends bytes up to the next delimiter or line break (or the end) to `field`.
    private mutating func readUnquotedField() throws {
        while try position < buffer.count || refill() {
            var index = position
            let end = buffer.count
            let delimiter = self.delimiter
            while index < end {
                let byte = buffer[index]
                if byte == delimiter || byte == ASCII.lineFeed || byte == ASCII.carriageReturn { break }
                index += 1
            }
            field.append(contentsOf: buffer[position..<index])
            position = index
            if index < end { return }
        }
    }

    /// Appends the content of a quoted field (the opening quote already consumed) to `field`, consuming the closing
    /// quote. Returns false when the file ends before the closing quote.
    private mutating func readQuotedField() throws -> Bool {
        while try position < buffer.count || refill() {
            var index = position
            let end = buffer.count
            while index < end, buffer[index] != ASCII.quote { index += 1 }
            countLineBreaks(from: position, to: index)
            field.append(contentsOf: buffer[position..<index])
            position = index
            guard index < end else { continue }
            position += 1  // the quote
            if try currentByte() == ASCII.quote {
                field.append(ASCII.quote)
                position += 1
                continue
            }
            previousWasCR = false
            return true
        }
        return false
    }
}
