import Foundation

/// The way a change reached the ledger.
public enum ChangeChannel: String, Codable, Sendable, CaseIterable {
    /// A user at the command line.
    case cli
    /// A program through the HTTP API.
    case api
    /// A bulk import of a CRM export.
    case `import`
    /// The person on their own preference page.
    case preferencePage = "preference-page"
    /// Handling of a data-subject request.
    case request
    /// Inzage itself (for example an expiry).
    case system

    /// The valid keys, for error messages.
    public static var validKeys: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Who made a change and through which channel: attached to every history record.
public struct Attribution: Codable, Sendable, Hashable {
    /// The acting user, `system`, or `data-subject` when the person acted themself.
    public var by: String
    /// The channel the change came through.
    public var via: ChangeChannel
    /// Why the change was made, in the actor's words.
    public var reason: String?
    /// The reference of the data-subject request that caused the change, if any.
    public var requestReference: String?

    /// The actor name recorded when the person themself made the change.
    public static let dataSubject = "data-subject"

    /// Creates an attribution.
    public init(by: String, via: ChangeChannel, reason: String? = nil, requestReference: String? = nil) {
        self.by = by
        self.via = via
        self.reason = reason
        self.requestReference = requestReference
    }
}
