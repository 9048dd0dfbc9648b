import Foundation

/// Why an extract could not be made. Messages name the template file and the key or variable at fault;
/// they never contain personal data.
public enum ExtractError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A template file exists neither in the organisation's folder nor among the shipped templates.
    case templateNotFound(file: String, overrideDirectory: String?)
    /// A template file could not be read.
    case unreadableTemplate(file: String, origin: TemplateOrigin, reason: String)
    /// A label file is not a JSON object of texts.
    case malformedLabels(file: String, origin: TemplateOrigin, reason: String)
    /// A label file lacks a key the extract needs.
    case missingLabel(file: String, origin: TemplateOrigin, key: String)
    /// A label file has a value that is not text where text is needed.
    case labelNotText(file: String, origin: TemplateOrigin, key: String)
    /// A text template cannot be parsed.
    case invalidTemplate(file: String, origin: TemplateOrigin, reason: String)
    /// A text template refers to variables the extract does not supply.
    case unknownTemplateVariables(file: String, origin: TemplateOrigin, names: [String], available: [String])
    /// Writing the extract file failed; nothing was left at `path`.
    case writeFailed(path: String, reason: String)

    /// What went wrong, which file and key, and what to do about it.
    public var description: String {
        switch self {
        case .templateNotFound(let file, let overrideDirectory):
            let searched = overrideDirectory.map { "neither in \($0) nor among the shipped templates" } ?? "among the shipped templates"
            return "The template file \(file) was found \(searched); restore it or copy the shipped one into the templates folder."
        case .unreadableTemplate(let file, let origin, let reason):
            return "The template file \(file) (\(origin)) cannot be read: \(reason)."
        case .malformedLabels(let file, let origin, let reason):
            return "The label file \(file) (\(origin)) is not a JSON object of texts: \(reason)."
        case .missingLabel(let file, let origin, let key):
            return "The label file \(file) (\(origin)) has no key \"\(key)\", and no shipped label file supplies it; add the key, or reinstall Inzage if its shipped templates are missing or changed."
        case .labelNotText(let file, let origin, let key):
            return "The label \"\(key)\" in \(file) (\(origin)) must be a text in quotes."
        case .invalidTemplate(let file, let origin, let reason):
            return "The template \(file) (\(origin)) cannot be parsed: \(reason)."
        case .unknownTemplateVariables(let file, let origin, let names, let available):
            let list = names.map { "{{\($0)}}" }.joined(separator: ", ")
            return "The template \(file) (\(origin)) uses \(list), which the extract does not supply; available variables: \(available.joined(separator: ", "))."
        case .writeFailed(let path, let reason):
            return "Writing the extract \(path) failed: \(reason); nothing was left at that path."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Where a template file was taken from.
public enum TemplateOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The organisation's own folder (`--templates DIR` or `INZAGE_TEMPLATES`).
    case override(directory: String)
    /// The templates shipped inside the `inzage` binary's resources.
    case shipped

    /// "from DIR" or "shipped".
    public var description: String {
        switch self {
        case .override(let directory): "from \(directory)"
        case .shipped: "shipped"
        }
    }
}
