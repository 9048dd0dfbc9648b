import Foundation

/// Writes the extracts of a dossier in the formats a request asks for: the XLSX workbook
/// (``XLSXExtractWriter``) and the JSON document (``JSONExtractWriter``), with the same templates.
public struct ExtractGenerator: ExtractRenderer {
    /// The labels and texts used.
    public let templates: ExtractTemplates

    /// A generator using `templates` (the shipped ones by default).
    public init(templates: ExtractTemplates = ExtractTemplates()) {
        self.templates = templates
    }

    /// Writes `dossier` as `format` into a new file at `url` (the archive's temporary name, which must not exist yet);
    /// nothing is left at `url` when it throws.
    ///
    /// - Returns: the digest of the JSON document, hashed as it was written; nil for the workbook, whose bytes
    ///   libzip writes (the archive reads it back).
    @discardableResult
    public func render(_ dossier: Dossier, as format: ExtractFormat, to url: URL) throws -> FileDigest? {
        switch format {
        case .xlsx:
            try XLSXExtractWriter(templates: templates).write(dossier, to: url)
            return nil
        case .json:
            return try JSONExtractWriter(templates: templates).write(dossier, toNewFile: url)
        }
    }
}
