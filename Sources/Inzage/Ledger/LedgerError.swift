import Foundation

/// Why the ledger refused a change. Messages name the field and the valid choices; nothing was written.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// A person field key that does not exist.
    case unknownField(String, valid: String)
    /// No person has this id.
    case unknownPerson(Int64)
    /// An entry key that is not on the list.
    case unknownEntry(ReferenceList, String, valid: String)
    /// An entry that is deactivated and cannot be used for new data.
    case inactiveEntry(ReferenceList, String, valid: String)
    /// A value that is not valid for its field.
    case invalidValue(field: String, value: String, reason: String)
    /// A required field is missing.
    case missingValue(field: String, reason: String)
    /// Another person already has this e-mail address.
    case duplicateEmail(field: String, personID: Int64)
    /// Another entry already has this key.
    case duplicateKey(ReferenceList, String)
    /// An update that changes nothing.
    case nothingChanged
    /// The consent cannot move from its status this way.
    case consentNotGiven(purpose: String, status: ConsentStatus?)
    /// Processing rests on another legal basis, so there is no consent to withdraw.
    case notBasedOnConsent(purpose: String, basis: String)
    /// The person already objected.
    case alreadyObjected(purpose: String, since: Date)
    /// The person objected to this direct-marketing purpose; only a new consent from the person lifts it.
    case suppressed(personID: Int64, purpose: String, since: Date)
    /// The person objected to the purpose (Art. 21(1)) and processing stopped: only the person's own new consent, or an
    /// officer overriding the objection with compelling grounds on a request, takes it up again.
    case objectionStands(personID: Int64, purpose: String, since: Date)
    /// The person withdrew (or refused) consent for the purpose: processing cannot go on under another legal basis.
    case consentNotReplaceable(personID: Int64, purpose: String, status: ConsentStatus, since: Date)
    /// A reference list entry that is referred to cannot be removed; `usedBy` says what refers to it.
    case entryInUse(ReferenceList, String, usedBy: String)
    /// An objection to direct marketing cannot be overridden (Art. 21(3)).
    case objectionIsAbsolute(purpose: String)
    /// Processing for the purpose stopped for another reason than an objection (consent withdrawn, refused or
    /// expired), so there is no objection to override.
    case noObjectionToOverride(purpose: String, status: ConsentStatus)
    /// A setting key that does not exist.
    case unknownSetting(String, valid: String)

    /// Whether the error is about how the command was called (exit code 2) rather than about the data (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .unknownField, .unknownEntry, .inactiveEntry, .invalidValue, .missingValue, .unknownSetting: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .unknownField(let field, let valid):
            "Unknown field '\(field)'. Valid fields: \(valid)."
        case .unknownPerson(let id):
            "No person has id \(id). Find a person's id with `inzage person find --email E` or `--name TEXT`."
        case .unknownEntry(let list, let key, let valid):
            valid.isEmpty ? "Unknown \(list.label) '\(key)': there are no \(list.pluralLabel) yet; add one with `inzage \(list.rawValue) add`."
                : "Unknown \(list.label) '\(key)'. Valid \(list.label) keys: \(valid)."
        case .inactiveEntry(let list, let key, let valid):
            "The \(list.label) '\(key)' is deactivated and cannot be used for new data. Active \(list.label) keys: \(valid)."
        case .invalidValue(let field, let value, let reason):
            "Invalid \(field) '\(value)': \(reason)."
        case .missingValue(let field, let reason):
            "Missing \(field): \(reason)."
        case .duplicateEmail(let field, let personID):
            "The \(field) is already the e-mail address of person \(personID); an e-mail address belongs to one person."
        case .duplicateKey(let list, let key):
            "A \(list.label) with key '\(key)' already exists; choose another key or update that one."
        case .nothingChanged:
            "Nothing changed: every value given is the same as the stored one."
        case .consentNotGiven(let purpose, let status):
            "There is no standing consent for purpose '\(purpose)' to withdraw (status: \(status?.rawValue ?? "none registered"))."
        case .notBasedOnConsent(let purpose, let basis):
            "Processing for purpose '\(purpose)' rests on the legal basis '\(basis)', not on consent; record an objection instead (`inzage consent object`)."
        case .noObjectionToOverride(let purpose, let status):
            "Processing for purpose '\(purpose)' has stopped (status: \(status.rawValue)), not because of an objection, so there is no objection to override; uphold the objection instead."
        case .alreadyObjected(let purpose, let since):
            "The person already objected to purpose '\(purpose)' on \(since.formatted(.iso8601))."
        case .suppressed(let personID, let purpose, let since):
            "Person \(personID) objected to the direct-marketing purpose '\(purpose)' on \(since.formatted(.iso8601)); only a new consent from the person lifts that (`inzage consent give … --from-person --evidence REF`). Imports never do."
        case .objectionStands(let personID, let purpose, let since):
            "Person \(personID) objected to the purpose '\(purpose)' on \(since.formatted(.iso8601)) (Art. 21(1)), and its processing stopped. "
                + "Only the person's own new consent takes it up again (`inzage consent give … --basis consent --from-person --evidence REF`), "
                + "or an officer's decision on an objection request that overrides it with compelling grounds (`inzage request decide REF --override --reason TEXT`). Imports never do."
        case .consentNotReplaceable(let personID, let purpose, let status, let since):
            "Person \(personID) \(status == .refused ? "refused" : "withdrew") consent for the purpose '\(purpose)' on \(since.formatted(.iso8601)); "
                + "processing cannot go on under another legal basis instead (Art. 7(3); EDPB Guidelines 05/2020 on consent, §§ 121–123). "
                + "Only the person's new consent restores it (`inzage consent give … --basis consent`)."
        case .objectionIsAbsolute(let purpose):
            "An objection to direct marketing ('\(purpose)') is absolute (Art. 21(3)): it is applied at once and cannot be overridden."
        case .entryInUse(let list, let key, let usedBy):
            "The \(list.label) '\(key)' is in use by \(usedBy) and cannot be removed: what refers to it, history included, must keep naming it. Deactivate it instead (`inzage \(list.rawValue) deactivate \(key)`): it stays for the history but is not offered for new data."
        case .unknownSetting(let key, let valid):
            "Unknown setting '\(key)'. Valid settings: \(valid)."
        }
    }
}

extension ReferenceList {
    /// The singular name used in messages.
    public var label: String {
        switch self {
        case .basis: "legal basis"
        case .purpose: "purpose"
        case .source: "source"
        case .recipient: "recipient"
        case .settings: "setting"
        }
    }
}
