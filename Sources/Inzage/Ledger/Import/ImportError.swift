import Foundation

/// Why an import did not start or could not go on. Messages name the file, line or column, the reason and the
/// valid choices, never a personal data value.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// The file's extension is not one the import reads.
    case unsupportedFileType(path: String)
    /// The file does not exist or cannot be opened; nothing was read.
    case unreadableFile(path: String, reason: String)
    /// Reading the file failed part-way; the batches committed before stay.
    case readFailed(path: String, reason: String)
    /// The CSV file has no header row.
    case missingHeader(path: String)
    /// A column (or JSON key) that the import does not know; nothing was written.
    case unknownColumn(String, line: Int, valid: String)
    /// A column named twice in the header.
    case duplicateColumn(String, first: Int, second: Int)
    /// A header cell without a name.
    case unnamedColumn(position: Int)
    /// A key of a consent object in JSON that the import does not know.
    case unknownConsentKey(String, line: Int, valid: String)
    /// The JSON file is not one array of objects (or, for JSON Lines, one object per line); nothing was written.
    case malformedJSON(line: Int, reason: String)
    /// `--batch-size` below 1.
    case invalidBatchSize(Int)
    /// A `--purpose` option that is not `KEY` or `KEY:BASIS`.
    case invalidPurposeOption(String)
    /// A purpose given twice with `--purpose`.
    case duplicatePurposeOption(String)

    /// Whether the error is about how the command was called or the file's shape (exit code 2), found before anything
    /// was written, rather than a failure part-way (exit code 1). Malformed JSON is the file's shape, as a CSV file
    /// without a header row is: the whole file is read before a batch commits, so nothing was written.
    public var isUsageError: Bool {
        switch self {
        case .readFailed: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .unsupportedFileType(let path):
            "Cannot import \(path): the import reads files ending in \(ImportFormat.validExtensions)."
        case .unreadableFile(let path, let reason):
            "Cannot read \(path): \(reason)."
        case .readFailed(let path, let reason):
            "Reading \(path) failed: \(reason). The batches committed before the failure stay imported."
        case .missingHeader(let path):
            "\(path) has no header row; the first line must name the columns (valid columns: \(ImportColumn.validNames))."
        case .unknownColumn(let name, let line, let valid):
            "Unknown column '\(name)' on line \(line); nothing was imported. Valid columns: \(valid) (kebab-case and camelCase are accepted too)."
        case .duplicateColumn(let name, let first, let second):
            "The column '\(name)' appears twice in the header (columns \(first) and \(second)); nothing was imported."
        case .unnamedColumn(let position):
            "Column \(position) of the header has no name; name it or remove it. Nothing was imported."
        case .unknownConsentKey(let key, let line, let valid):
            "Unknown key '\(key)' in a consent object on line \(line); nothing was imported. Valid keys: \(valid)."
        case .malformedJSON(let line, let reason):
            "The JSON is malformed at line \(line): \(reason); nothing was imported."
        case .invalidBatchSize(let size):
            "Invalid --batch-size \(size): use a whole number of 1 or more (default \(ImportOptions.defaultBatchSize))."
        case .invalidPurposeOption(let option):
            "Invalid --purpose '\(option)': use KEY or KEY:BASIS, such as e-marketing:consent."
        case .duplicatePurposeOption(let purpose):
            "The purpose '\(purpose)' is given twice with --purpose; give each purpose once, as KEY or KEY:BASIS."
        }
    }
}
