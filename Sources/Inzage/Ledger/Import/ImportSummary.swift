import Foundation

/// A row, or one consent on a row, that the import refused: where, which field, and why — never the value itself.
public struct ImportRefusal: Codable, Sendable, Hashable {
    /// What was refused.
    public enum Scope: String, Codable, Sendable {
        /// The whole row: nothing of it was written.
        case row
        /// One consent of the row; the person and the row's other consents were imported.
        case consent
        /// One detail of the row: it keeps the value the person gave or asked for; the rest of the row was imported.
        case field
    }

    /// The physical line of the file where the record starts (1 is the first line).
    public var line: Int
    /// The record's place in the file (1 for the first row or object, the header not counted); 0 when unknown.
    public var record: Int
    /// The field or column at fault (a person field key, `consents`, `consent-given-at`, or `row`).
    public var field: String
    /// Why, in words, naming the valid choices where there are some.
    public var reason: String
    /// Whether the whole row or one consent was refused.
    public var scope: Scope

    /// Creates a refusal.
    public init(line: Int, record: Int = 0, field: String, reason: String, scope: Scope = .row) {
        self.line = line
        self.record = record
        self.field = field
        self.reason = reason
        self.scope = scope
    }
}

/// What an import did: counts and every refusal.
public struct ImportSummary: Codable, Sendable, Hashable {
    /// Records read from the file (header excluded).
    public var rowsRead = 0
    /// Persons registered.
    public var personsCreated = 0
    /// Existing persons with at least one changed field.
    public var personsUpdated = 0
    /// Existing persons whose fields in the file were all the same as stored.
    public var personsUnchanged = 0
    /// Consents recorded (each with an `imported` consent event).
    public var consentsRecorded = 0
    /// Consents that stood exactly as in the file, so no event was written.
    public var consentsUnchanged = 0
    /// Consents refused on rows that were otherwise imported (a suppression, a withdrawal or an objection).
    public var consentsRefused = 0
    /// Details of rows that were otherwise imported, kept as the person set them or asked for them (a rectification).
    public var fieldsKept = 0
    /// Rows refused as a whole.
    public var rowsRefused = 0
    /// The transactions committed.
    public var batchesCommitted = 0
    /// Whether `--all-or-nothing` was in force.
    public var allOrNothing = false
    /// False when `--all-or-nothing` rolled everything back because something was refused.
    public var written = true
    /// Every refused row and consent, in file order.
    public var refused: [ImportRefusal] = []

    /// Creates an empty summary.
    public init() {}

    /// Whether every row and every consent was imported (exit code 0).
    public var isComplete: Bool { refused.isEmpty }
}
