import Foundation

/// A view that the CLI prints as text for people or, with `--json`, as JSON for programs.
///
/// The JSON shape of every view is documented on its type: keys in camelCase, sorted; dates in ISO 8601 with
/// offset; optional fields of the views are always present, `null` when empty.
public protocol Presentable: Encodable {
    /// The view as text, in `style`, without a trailing newline.
    func text(style: TextStyle) -> String
}

/// A view that is a list: its JSON is the bare array of its elements.
public protocol ListPresentable: Presentable {
    /// The type of one element.
    associatedtype Element: Encodable
    /// The elements, in the order shown.
    var elements: [Element] { get }
}

extension ListPresentable {
    /// Encodes the elements as a bare array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(elements)
    }
}

/// The one JSON encoding of every `--json` output.
public enum JSONOutput {
    /// `value` as pretty-printed JSON with sorted keys and ISO 8601 dates.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An optional property that is encoded as `null` when empty instead of being left out, so that every key
/// of a documented shape is always there.
@propertyWrapper
public struct ExplicitNull<Value: Encodable & Sendable>: Encodable, Sendable {
    /// The value, nil when empty.
    public var wrappedValue: Value?

    /// Wraps `wrappedValue`.
    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    /// Encodes the value, or `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension ExplicitNull: Equatable where Value: Equatable {}
extension ExplicitNull: Hashable where Value: Hashable {}

/// A list entry named by its key and its names in both languages.
public struct EntryName: Encodable, Sendable, Hashable {
    /// The entry's key.
    public let key: String
    /// Its names in nl and en; null when the key is no longer on the list.
    @ExplicitNull public var name: LocalizedText?

    /// Names `key` from `name`.
    public init(key: String, name: LocalizedText?) {
        self.key = key
        self.name = name
    }

    /// "Name (key)" in `style`.
    func text(_ style: TextStyle) -> String { style.named(key, name) }
}

extension ReferenceSnapshot {
    /// The purpose with `key`, named.
    func purposeName(_ key: String) -> EntryName { EntryName(key: key, name: purpose(key)?.name) }
    /// The source with `key`, named.
    func sourceName(_ key: String) -> EntryName { EntryName(key: key, name: source(key)?.name) }
    /// The legal basis with `key`, named.
    func basisName(_ key: String) -> EntryName { EntryName(key: key, name: basis(key)?.name) }
}
