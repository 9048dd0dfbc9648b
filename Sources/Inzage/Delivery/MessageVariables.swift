import Foundation

/// The variables of one message: texts, yes/no flags and lists of rows, each declared with its type.
///
/// Stricter than a Mustache context in two ways, so that a letter never shows an empty gap:
/// - every text (including every value in a row) must be non-empty: an absent value is a flag or a list of
///   zero or one row, shown with `{{#name}}…{{/name}}`, never a text that renders as nothing;
/// - the names and types are declared independently of the values (a list declares its row keys even when it
///   has no rows), so that ``check(_:)`` can prove before rendering that every tag of a template — including
///   those in sections that this message does not show — names a variable of the right type.
struct MessageVariables {
    private(set) var texts: [String: String] = [:]
    private(set) var flags: [String: Bool] = [:]
    private(set) var lists: [String: (keys: Set<String>, rows: [[String: String]])] = [:]
    /// Lists the reader must see when they have rows (what was decided about each item): a body template that
    /// never shows one of them is refused by ``missingEssentials(_:)`` rather than sending a letter that leaves it out.
    private(set) var essentialLists: Set<String> = []
    /// The kind being rendered, for error messages.
    let kind: MessageKind

    init(kind: MessageKind) {
        self.kind = kind
    }

    /// Declares a text; refuses an empty one, naming `name`.
    mutating func text(_ name: String, _ value: String) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw MessageError.invalidContent(kind: kind, field: name, reason: "is empty; give a text")
        }
        texts[name] = value
    }

    /// Declares a flag for `{{#name}}…{{/name}}` and `{{^name}}…{{/name}}`.
    mutating func flag(_ name: String, _ value: Bool) {
        flags[name] = value
    }

    /// Declares a list whose rows have exactly `keys`, each with a non-empty text; an `essential` list must be shown by
    /// the body when it has rows.
    mutating func list(_ name: String, keys: [String], rows: [[String: String]], essential: Bool = false) throws {
        let keySet = Set(keys)
        for (index, row) in rows.enumerated() {
            for key in keys where row[key]?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
                throw MessageError.invalidContent(kind: kind, field: "\(name)[\(index)].\(key)", reason: "is empty; give a text")
            }
            guard Set(row.keys) == keySet else {
                throw MessageError.invalidContent(kind: kind, field: "\(name)[\(index)]", reason: "has keys other than \(keys.joined(separator: ", "))")
            }
        }
        lists[name] = (keySet, rows)
        if essential { essentialLists.insert(name) }
    }

    /// The essential lists with rows that `file` never shows as a section `{{#name}}…{{/name}}`, sorted: an
    /// organisation's copy of a template from before a release that added such a list.
    func missingEssentials(_ file: TemplateFile) -> [String] {
        let shown = Set(Self.tags(in: file.contents).filter { $0.kind == .section }.compactMap { Self.expression($0.name)?.name })
        return essentialLists.filter { !(lists[$0]?.rows.isEmpty ?? true) && !shown.contains($0) }.sorted()
    }

    /// Declares an optional part as a list of zero or one row: `{{#name}}…{{key}}…{{/name}}` shows it when present.
    mutating func optional(_ name: String, key: String, _ value: String?) throws {
        try list(name, keys: [key], rows: value.map { [[key: $0]] } ?? [])
    }

    /// Every declared name, sorted, for error messages.
    var declaredNames: [String] {
        (Array(texts.keys) + Array(flags.keys) + lists.flatMap { name, list in [name] + list.keys.map { "\(name): \($0)" } }).sorted()
    }

    /// The values in the form the strict text template renders.
    var templateVariables: TemplateVariables {
        var variables = TemplateVariables()
        for (name, value) in texts { variables.set(name, value) }
        for (name, value) in flags { variables.set(name, flag: value) }
        for (name, list) in lists { variables.set(name, list: list.rows) }
        return variables
    }

    // MARK: Checking a template

    /// The transforms of swift-mustache allowed on a text (`{{uppercased(name)}}`).
    static let textTransforms: Set<String> = ["capitalized", "lowercased", "uppercased"]
    /// The transforms allowed on a list in a section (`{{^empty(list)}}`).
    static let listTransforms: Set<String> = ["empty"]
    /// The transforms of the current row inside a list section (`{{^last()}}, {{/last()}}`).
    static let rowTransforms: Set<String> = ["first", "last", "even", "odd", "index"]

    /// Checks every tag of `file` against the declared names and types, in every branch.
    ///
    /// - Throws: ``MessageError/misusedVariable(file:origin:tag:reason:)`` for the first tag of the wrong type,
    ///   ``MessageError/unknownVariables(file:origin:names:available:)`` naming every undeclared variable.
    func check(_ file: TemplateFile) throws {
        var unknown: [String] = []
        var sections: [(name: String, isList: Bool)] = []
        func misuse(_ tag: String, _ reason: String) -> MessageError {
            .misusedVariable(file: file.path, origin: file.origin, tag: tag, reason: reason)
        }
        func note(_ name: String) { if !unknown.contains(name) { unknown.append(name) } }
        /// The row keys available at this point: those of every enclosing list section.
        var rowKeys: Set<String> { Set(sections.filter(\.isList).flatMap { lists[$0.name]?.keys ?? [] }) }
        var insideList: Bool { sections.contains(where: \.isList) }

        for tag in Self.tags(in: file.contents) {
            let expression = Self.expression(tag.name)
            guard let expression else {
                throw misuse(tag.source, "use a plain name such as {{organisationName}} or one transform such as {{uppercased(name)}}")
            }
            switch tag.kind {
            case .close:
                if !sections.isEmpty { sections.removeLast() }
            case .variable:
                if expression.name.isEmpty {
                    guard expression.transform == "index", insideList else {
                        throw misuse(tag.source, "only {{index()}} may stand without a name, inside a list")
                    }
                    continue
                }
                if let transform = expression.transform, !Self.textTransforms.contains(transform) {
                    throw misuse(tag.source, "a text allows only \(Self.textTransforms.sorted().joined(separator: ", "))")
                }
                if texts[expression.name] != nil || rowKeys.contains(expression.name) { continue }
                if flags[expression.name] != nil || lists[expression.name] != nil {
                    throw misuse(tag.source, "\(expression.name) is a flag or list; use it as a section {{#\(expression.name)}}…{{/\(expression.name)}}")
                }
                note(expression.name)
            case .section, .invertedSection:
                if expression.name.isEmpty {
                    guard let transform = expression.transform, Self.rowTransforms.contains(transform), transform != "index", insideList else {
                        throw misuse(tag.source, "inside a list, use first(), last(), even() or odd() as a section")
                    }
                    sections.append((expression.name, false))
                    continue
                }
                if lists[expression.name] != nil {
                    if let transform = expression.transform, !Self.listTransforms.contains(transform) {
                        throw misuse(tag.source, "a list allows only \(Self.listTransforms.sorted().joined(separator: ", "))")
                    }
                    sections.append((expression.name, tag.kind == .section && expression.transform == nil))
                } else if flags[expression.name] != nil {
                    guard expression.transform == nil else { throw misuse(tag.source, "a flag takes no transform") }
                    sections.append((expression.name, false))
                } else if texts[expression.name] != nil || rowKeys.contains(expression.name) {
                    throw misuse(tag.source, "\(expression.name) is a text, not a flag or list; it cannot open a section")
                } else {
                    note(expression.name)
                    sections.append((expression.name, false))
                }
            }
        }
        guard unknown.isEmpty else {
            throw MessageError.unknownVariables(file: file.path, origin: file.origin, names: unknown, available: declaredNames)
        }
    }

    /// A tag of a template.
    struct Tag {
        enum Kind { case variable, section, invertedSection, close }
        var kind: Kind
        /// The name with its transform, such as `uppercased(name)`.
        var name: String
        /// The tag's text without the braces, for error messages.
        var source: String
    }

    /// The variable, section and closing tags of `text`, in order; comments and pragmas are skipped.
    /// Partials and delimiter changes are refused by ``TextTemplate`` when the template is parsed.
    static func tags(in text: String) -> [Tag] {
        var tags: [Tag] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closing = triple ? "}}}" : "}}"
            let start = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: closing) else { break }
            let inner = rest[start..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            rest = rest[close.upperBound...]
            let trimmed = { (s: Substring) in s.trimmingCharacters(in: .whitespaces) }
            switch inner.first {
            case nil, "!", "%", ">", "<", "$", "=":
                continue
            case "#": tags.append(Tag(kind: .section, name: trimmed(inner.dropFirst()), source: inner))
            case "^": tags.append(Tag(kind: .invertedSection, name: trimmed(inner.dropFirst()), source: inner))
            case "/": tags.append(Tag(kind: .close, name: trimmed(inner.dropFirst()), source: inner))
            case "&": tags.append(Tag(kind: .variable, name: trimmed(inner.dropFirst()), source: inner))
            default: tags.append(Tag(kind: .variable, name: inner, source: inner))
            }
        }
        return tags
    }

    /// Splits `name` or `transform(name)`; nil for anything else (`.`, dotted names, nested transforms).
    static func expression(_ text: String) -> (name: String, transform: String?)? {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        func isName(_ s: Substring) -> Bool { s.unicodeScalars.allSatisfy(allowed.contains) }
        guard let open = text.firstIndex(of: "(") else {
            return !text.isEmpty && isName(text[...]) ? (text, nil) : nil
        }
        guard text.hasSuffix(")") else { return nil }
        let transform = text[..<open]
        let name = text[text.index(after: open)..<text.index(before: text.endIndex)]
        guard !transform.isEmpty, isName(transform), isName(name) else { return nil }
        return (String(name), String(transform))
    }
}
