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

    /// Writes `dossier` as `format` to `url`; nothing is left at `url` when it throws.
    public func render(_ dossier: Dossier, as format: ExtractFormat, to url: URL) throws {
        switch format {
        case .xlsx: try XLSXExtractWriter(templates: templates).write(dossier, to: url)
        case .json: try JSONExtractWriter(templates: templates).write(dossier, to: url)
        }
    }
}
