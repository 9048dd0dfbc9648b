import Foundation

/// A field of a reference list entry that can be changed: how to read it as text and how to set it from text.
struct EditableField<Entry>: Sendable {
    let name: String
    let get: @Sendable (Entry) -> String?
    let set: @Sendable (inout Entry, String, ReferenceSnapshot) throws -> Void
}

/// Adding, renaming, translating, reordering, deactivating and removing reference list entries, and changing settings.
/// Every change is recorded (who, when, old → new) in the same transaction.
extension Ledger {
    /// The fields `update` accepts for each list, for `--help` and error messages.
    public static func editableFields(of list: ReferenceList) -> [String] {
        switch list {
        case .basis: basisFields.map(\.name)
        case .purpose: purposeFields.map(\.name)
        case .source: sourceFields.map(\.name)
        case .recipient: recipientFields.map(\.name)
        case .settings: SettingKey.allCases.map(\.rawValue)
        }
    }

    /// Adds a legal basis.
    public func addLegalBasis(_ basis: LegalBasis, by: String) throws {
        try add(basis, list: .basis, key: basis.key, by: by, exists: { $0.basis($1) != nil }, validate: { _ in
            try Self.checkTexts(names: [("name", basis.name)], texts: [("description", basis.description)], lines: [("article", basis.article)])
            try FieldValidation.checkWebAddress(basis.dpvIRI.isEmpty ? nil : basis.dpvIRI, field: "dpv-iri")
        }, save: { try $0.saveLegalBasis($1) })
    }

    /// Adds a purpose; its default legal basis must exist.
    public func addPurpose(_ purpose: Purpose, recipientKeys: [String] = [], by: String) throws {
        try add(purpose, list: .purpose, key: purpose.key, by: by, exists: { $0.purpose($1) != nil }, validate: { lists in
            _ = try lists.activeBasis(purpose.defaultBasisKey)
            try Self.checkTexts(names: [("name", purpose.name)], texts: [
                ("description", purpose.description), ("data-categories", purpose.dataCategories), ("retention", purpose.retention),
                ("consent-text", purpose.consentText), ("transfers-outside-eu", purpose.transfersOutsideEU),
                ("automated-decision-making", purpose.automatedDecisionMaking),
            ])
            try lists.checkRecipientKeys(recipientKeys)
            try FieldValidation.checkWebAddress(purpose.privacyStatementURL, field: "privacy-statement-url")
        }, save: { writer, purpose in
            try writer.savePurpose(purpose)
            if !recipientKeys.isEmpty { try writer.setRecipientKeys(recipientKeys, purposeKey: purpose.key) }
        })
    }

    /// Adds a source.
    public func addSource(_ source: Source, by: String) throws {
        try add(source, list: .source, key: source.key, by: by, exists: { $0.source($1) != nil }, validate: { _ in
            try Self.checkTexts(names: [("name", source.name)], texts: [("description", source.description)])
            try Self.checkTemplateName(source.confirmationTemplate)
        }, save: { try $0.saveSource($1) })
    }

    /// Adds a recipient.
    public func addRecipient(_ recipient: Recipient, by: String) throws {
        let recipient = try Self.checked(recipient)
        try add(recipient, list: .recipient, key: recipient.key, by: by, exists: { $0.recipient($1) != nil }, validate: { _ in },
                save: { try $0.saveRecipient($1) })
    }

    /// A recipient as it is stored, checked the same way when it is added and when it is changed: the country an
    /// ISO 3166-1 alpha-2 code (upper case), the contact for notifications (Art. 19) an e-mail address.
    static func checked(_ recipient: Recipient) throws -> Recipient {
        var checked = recipient
        try FreeText.check(recipient.name, field: "name", maximumLength: FieldValidation.maximumLength, singleLine: true)
        checked.country = try countryCode(recipient.country)
        if let email = recipient.contactEmail, !FieldValidation.isValidEmail(email.lowercased()) {
            throw LedgerError.invalidValue(field: "contact-email", value: email, reason: "an e-mail address looks like name@example.nl")
        }
        if let fields = recipient.fields {
            guard !fields.isEmpty else {
                throw LedgerError.invalidValue(field: "fields", value: "", reason: "name at least one of the person's fields it receives, or \(PersonField.allFieldsWord); fields: \(PersonField.validKeys)")
            }
            checked.fields = PersonField.allCases.filter(fields.contains)
        }
        return checked
    }

    /// Changes fields of an entry (`changes` maps a field name of ``editableFields(of:)`` to its new value as text).
    /// Returns the changes recorded.
    @discardableResult
    public func updateEntry(_ list: ReferenceList, key: String, changes: [(field: String, value: String)], by: String) throws -> [ReferenceChange] {
        try Self.checkChanges(changes, by: by)
        return try write { tx in
            let lists = tx.lists
            switch list {
            case .basis:
                return try apply(changes, to: try entry(lists.basis(key), list, key, lists.legalBases.map(\.key)), fields: Self.basisFields,
                                 list: list, key: key, tx: tx, by: by) { try tx.store.saveLegalBasis($0) }
            case .purpose:
                return try apply(changes, to: try entry(lists.purpose(key), list, key, lists.purposes.map(\.key)), fields: Self.purposeFields,
                                 list: list, key: key, tx: tx, by: by) { purpose in
                    try Self.checkBothLanguages([("transfers-outside-eu", purpose.transfersOutsideEU),
                                                 ("automated-decision-making", purpose.automatedDecisionMaking)])
                    try tx.store.savePurpose(purpose)
                }
            case .source:
                return try apply(changes, to: try entry(lists.source(key), list, key, lists.sources.map(\.key)), fields: Self.sourceFields,
                                 list: list, key: key, tx: tx, by: by) { try tx.store.saveSource($0) }
            case .recipient:
                return try apply(changes, to: try entry(lists.recipient(key), list, key, lists.recipients.map(\.key)), fields: Self.recipientFields,
                                 list: list, key: key, tx: tx, by: by) { try tx.store.saveRecipient(try Self.checked($0)) }
            case .settings:
                try Self.refuseDecreedDays(changes)
                return try Self.applySettings(changes, tx: tx, by: by)
            }
        }
    }

    /// Refuses `decreed-days` among settings the ledger alone would change: new decreed days move the due dates of open
    /// requests, which ``RequestQueue/updateSettings(_:by:)`` does in the same transaction (`inzage settings set`).
    private static func refuseDecreedDays(_ changes: [(field: String, value: String)]) throws {
        guard let change = changes.first(where: { $0.field == SettingKey.decreedDays.rawValue }) else { return }
        throw LedgerError.invalidValue(field: change.field, value: change.value,
                                       reason: "decreed days move the due dates of open requests; change them with RequestQueue.updateSettings "
                                           + "(`inzage settings set`), which moves those dates in the same transaction")
    }

    /// Refuses an optional text given in one language only: every extract shows it in the person's language, Dutch or
    /// English, and a missing language would show the other or nothing.
    static func checkBothLanguages(_ texts: [(field: String, text: LocalizedText?)]) throws {
        for (field, text) in texts {
            guard let text else { continue }
            for language in Language.allCases where text[language].isEmpty {
                let other = Language.allCases.first { $0 != language }?.rawValue ?? ""
                throw LedgerError.missingValue(field: "\(field)-\(language.rawValue)", reason: "\(field)-\(other) is set, so give the text in "
                    + "this language too (every extract shows it in the person's language), or clear both")
            }
        }
    }

    /// Refuses no changes, a field given twice and a blank acting user, before anything is written.
    static func checkChanges(_ changes: [(field: String, value: String)], by: String) throws {
        guard !changes.isEmpty else { throw LedgerError.nothingChanged }
        try FreeText.checkActor(by)
        for (index, change) in changes.enumerated() where changes[..<index].contains(where: { $0.field == change.field }) {
            throw LedgerError.invalidValue(field: change.field, value: change.value, reason: "the field is given twice; give each field once")
        }
    }

    /// Sets organisation settings in `tx`, each recorded with its old and new value; returns the changes recorded
    /// (none for a value that is already in force).
    static func applySettings(_ changes: [(field: String, value: String)], tx: LedgerTransaction, by: String) throws -> [ReferenceChange] {
        try changes.compactMap { change in try applySetting(change.field, value: change.value, tx: tx, by: by) }
    }

    /// `text` as an assigned ISO 3166-1 alpha-2 country code in upper case, or an error naming the field.
    static func countryCode(_ text: String) throws -> String {
        let country = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard FieldValidation.isCountryCode(country) else {
            throw LedgerError.invalidValue(field: "country", value: text, reason: FieldValidation.countryCodeRule)
        }
        return country
    }

    /// Throws unless `name` is nil or the name of a template: letters, digits and single hyphens, at most 64 characters.
    /// It names a template, never a file: no path separators, dots or spaces.
    static func checkTemplateName(_ name: String?) throws {
        guard let name else { return }
        guard name.count <= 64, name.range(of: #"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"#, options: .regularExpression) != nil else {
            throw LedgerError.invalidValue(field: "confirmation-template", value: FreeText.visible(name),
                                           reason: "a template name is letters, digits and single hyphens, at most 64 characters, such as 'confirmation' or 'fair-welcome' (no path separators, dots or spaces)")
        }
    }

    /// Checks the texts of a new list entry as ``FreeText`` does: `names` (in both languages) and `lines` on one line,
    /// `texts` (in both languages) with line breaks allowed.
    static func checkTexts(names: [(String, LocalizedText)], texts: [(String, LocalizedText?)] = [], lines: [(String, String?)] = []) throws {
        for (field, text) in names {
            for language in Language.allCases {
                try FreeText.check(text[language], field: "\(field)-\(language.rawValue)", maximumLength: FieldValidation.maximumLength, singleLine: true)
            }
        }
        for (field, text) in texts {
            guard let text else { continue }
            for language in Language.allCases { try FreeText.check(text[language], field: "\(field)-\(language.rawValue)") }
        }
        for (field, text) in lines { try FreeText.check(text, field: field, maximumLength: FieldValidation.maximumLength, singleLine: true) }
    }

    /// Deactivates an entry: it stays for history but is not offered for new data.
    public func deactivate(_ list: ReferenceList, key: String, by: String) throws {
        try updateEntry(list, key: key, changes: [("active", "false")], by: by)
    }

    /// Removes an entry that nothing refers to; an entry in use is refused, naming what refers to it (deactivate it
    /// instead). Requests, and what was decided and sent for them, count as history: an entry they name stays.
    public func removeEntry(_ list: ReferenceList, key: String, by: String) throws {
        try FreeText.checkActor(by)
        try write { tx in
            let lists = tx.lists
            let keys: [String] = switch list {
            case .basis: lists.legalBases.map(\.key)
            case .purpose: lists.purposes.map(\.key)
            case .source: lists.sources.map(\.key)
            case .recipient: lists.recipients.map(\.key)
            case .settings: []
            }
            guard keys.contains(key) else { throw LedgerError.unknownEntry(list, key, valid: keys.joined(separator: ", ")) }
            let uses = try tx.store.uses(list: list, key: key)
            guard uses.isEmpty else { throw LedgerError.entryInUse(list, key, usedBy: Self.listed(uses.map(\.text))) }
            try tx.store.deleteReference(list: list, key: key)
            try tx.store.appendReferenceChange(ReferenceChange(list: list, key: key, field: "removed", oldValue: key, newValue: nil, at: tx.now, by: by))
        }
    }

    /// `items` as words: `a`, `a and b`, `a, b and c`.
    static func listed(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }

    /// Links the recipients that receive data for a purpose (replacing the earlier links).
    public func setRecipients(_ recipientKeys: [String], forPurpose purposeKey: String, by: String) throws {
        try FreeText.checkActor(by)
        try write { tx in
            let purpose = try tx.lists.existingPurpose(purposeKey)
            let old = try tx.store.recipientKeys(purposeKey: purpose.key)
            try tx.lists.checkRecipientKeys(recipientKeys, alreadyLinked: old)
            guard old != recipientKeys else { throw LedgerError.nothingChanged }
            try tx.store.setRecipientKeys(recipientKeys, purposeKey: purpose.key)
            try tx.store.appendReferenceChange(ReferenceChange(
                list: .purpose, key: purpose.key, field: "recipients", oldValue: old.joined(separator: ","),
                newValue: recipientKeys.joined(separator: ","), at: tx.now, by: by))
        }
    }

    /// Sets one organisation setting.
    public func setSetting(_ key: String, value: String, by: String) throws {
        try FreeText.checkActor(by)
        try Self.refuseDecreedDays([(field: key, value: value)])
        _ = try write { tx in try Self.applySetting(key, value: value, tx: tx, by: by) }
    }

    // MARK: Internals

    /// Checks `value` for the setting `key` as setting it does, without a database, and returns the setting and the
    /// value as it would be stored (trimmed).
    ///
    /// - Throws: ``LedgerError/unknownSetting(_:valid:)`` for an unknown key, ``LedgerError/invalidValue(field:value:reason:)``
    ///   for a value the setting does not take, naming what it takes.
    @discardableResult
    public static func checkSetting(_ key: String, value: String) throws -> (setting: SettingKey, value: String) {
        guard let setting = SettingKey(rawValue: key) else { throw LedgerError.unknownSetting(key, valid: SettingKey.validKeys) }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        // Addresses may run over lines; names, e-mail addresses and the other settings are one line.
        let multiLine: Set<SettingKey> = [.address, .supervisoryAuthorityAddress]
        try FreeText.check(trimmed, field: key, singleLine: !multiLine.contains(setting))
        try validateSetting(setting, trimmed)
        return (setting, trimmed)
    }

    private static func applySetting(_ key: String, value: String, tx: LedgerTransaction, by: String) throws -> ReferenceChange? {
        let (setting, trimmed) = try Self.checkSetting(key, value: value)
        let old = try tx.store.settings()[setting] ?? setting.defaultValue
        guard old != trimmed else { return nil }
        try tx.store.setSetting(setting, value: trimmed)
        let change = ReferenceChange(list: .settings, key: setting.rawValue, field: "value", oldValue: old, newValue: trimmed, at: tx.now, by: by)
        try tx.store.appendReferenceChange(change)
        return change
    }

    private static func validateSetting(_ key: SettingKey, _ value: String) throws {
        let invalid = { (reason: String) in LedgerError.invalidValue(field: key.rawValue, value: value, reason: reason) }
        switch key {
        case .contactEmail, .dpoEmail:
            guard FieldValidation.isValidEmail(value.lowercased()) else { throw invalid("an e-mail address looks like name@example.nl") }
        case .timeZone:
            guard TimeZone(identifier: value) != nil else { throw invalid("use an IANA time zone such as Europe/Amsterdam") }
        case .defaultLanguage:
            guard Language(rawValue: value) != nil else { throw invalid("valid languages: \(Language.validKeys)") }
        case .showStaffNames:
            guard value == "true" || value == "false" else { throw invalid("use true or false") }
        case .decreedDays:
            let dates = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard dates.allSatisfy({ CivilDate($0) != nil }) else { throw invalid("give dates as YYYY-MM-DD, separated by commas") }
            if let twice = dates.enumerated().first(where: { dates[..<$0.offset].contains($0.element) })?.element {
                throw invalid("\(twice) is listed twice; list each day once")
            }
        case .extractRetentionDays:
            guard let days = Int(value), (1...3650).contains(days) else { throw invalid("give a number of days from 1 to 3650") }
        case .extractDelivery:
            guard ExtractDelivery(rawValue: value) != nil else { throw invalid("valid choices: \(ExtractDelivery.validKeys)") }
        case .attachmentLimitMB:
            guard let megabytes = Int(value), (1...25).contains(megabytes) else {
                throw invalid("give a number of megabytes from 1 to 25 (the attached files as they are in the e-mail; many mail servers refuse more)")
            }
        case .supervisoryAuthorityURL:
            guard FieldValidation.isWebAddress(value) else { throw invalid("give a web address starting with https://, such as https://autoriteitpersoonsgegevens.nl") }
        case .privacyStatementURL:
            guard value.isEmpty || FieldValidation.isWebAddress(value) else { throw invalid("give a web address starting with https://, such as https://example.nl/privacy, or empty for none") }
        case .phone:
            let allowed = Set("0123456789+-() ")
            guard value.isEmpty || (value.filter(\.isNumber).count >= 6 && value.allSatisfy(allowed.contains))
            else { throw invalid("give a telephone number of at least six digits, such as +31 20 123 4567 (digits, spaces, + - and brackets only), or empty for none") }
        case .country:
            guard value == "NL" else { throw invalid("deadlines follow the public holidays of NL, the only country Inzage knows yet") }
        default:
            guard !value.isEmpty else { throw invalid("it cannot be empty") }
        }
    }

    private func add<Entry>(
        _ entry: Entry, list: ReferenceList, key: String, by: String,
        exists: (ReferenceSnapshot, String) -> Bool, validate: (ReferenceSnapshot) throws -> Void,
        save: (any LedgerWriter, Entry) throws -> Void
    ) throws {
        guard key.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil, key.count <= 64 else {
            throw LedgerError.invalidValue(field: "key", value: key, reason: "a key is lower-case letters and digits in words joined by hyphens, such as 'trade-fair'")
        }
        try FreeText.checkActor(by)
        try write { tx in
            guard !exists(tx.lists, key) else { throw LedgerError.duplicateKey(list, key) }
            try validate(tx.lists)
            try save(tx.store, entry)
            try tx.store.appendReferenceChange(ReferenceChange(list: list, key: key, field: "created", oldValue: nil, newValue: key, at: tx.now, by: by))
        }
    }

    private func entry<Entry>(_ found: Entry?, _ list: ReferenceList, _ key: String, _ keys: [String]) throws -> Entry {
        guard let found else { throw LedgerError.unknownEntry(list, key, valid: keys.joined(separator: ", ")) }
        return found
    }

    private func apply<Entry>(
        _ changes: [(field: String, value: String)], to original: Entry, fields: [EditableField<Entry>],
        list: ReferenceList, key: String, tx: LedgerTransaction, by: String, save: (Entry) throws -> Void
    ) throws -> [ReferenceChange] {
        var entry = original
        var records: [ReferenceChange] = []
        for change in changes {
            guard let field = fields.first(where: { $0.name == change.field }) else {
                throw LedgerError.unknownField(change.field, valid: fields.map(\.name).joined(separator: ", "))
            }
            // A name shows in lists, tables and mail headers: one line.
            try FreeText.check(change.value, field: change.field, singleLine: change.field == "name" || change.field.hasPrefix("name-"))
            let old = field.get(entry)
            try field.set(&entry, change.value.trimmingCharacters(in: .whitespacesAndNewlines), tx.lists)
            let new = field.get(entry)
            if old != new {
                records.append(ReferenceChange(list: list, key: key, field: field.name, oldValue: old, newValue: new, at: tx.now, by: by))
            }
        }
        guard !records.isEmpty else { throw LedgerError.nothingChanged }
        try save(entry)
        for record in records { try tx.store.appendReferenceChange(record) }
        return records
    }
}

// MARK: - Field tables

private func text<Entry>(_ name: String, _ path: WritableKeyPath<Entry, String> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { $0[keyPath: path] }, set: { entry, value, _ in
        guard !value.isEmpty else { throw LedgerError.invalidValue(field: name, value: value, reason: "it cannot be empty") }
        entry[keyPath: path] = value
    })
}

private func webAddress<Entry>(_ name: String, _ path: WritableKeyPath<Entry, String> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { $0[keyPath: path] }, set: { entry, value, _ in
        try FieldValidation.checkWebAddress(value, field: name)
        entry[keyPath: path] = value
    })
}

private func optionalWebAddress<Entry>(_ name: String, _ path: WritableKeyPath<Entry, String?> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { $0[keyPath: path] }, set: { entry, value, _ in
        try FieldValidation.checkWebAddress(value.isEmpty ? nil : value, field: name)
        entry[keyPath: path] = value.isEmpty ? nil : value
    })
}

private func optionalText<Entry>(_ name: String, _ path: WritableKeyPath<Entry, String?> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { $0[keyPath: path] }, set: { entry, value, _ in entry[keyPath: path] = value.isEmpty ? nil : value })
}

private func localized<Entry>(_ name: String, _ path: WritableKeyPath<Entry, LocalizedText> & Sendable) -> [EditableField<Entry>] {
    Language.allCases.map { language in
        EditableField(name: "\(name)-\(language.rawValue)", get: { $0[keyPath: path][language] }, set: { entry, value, _ in
            guard !value.isEmpty else { throw LedgerError.invalidValue(field: "\(name)-\(language.rawValue)", value: value, reason: "it cannot be empty") }
            entry[keyPath: path][language] = value
        })
    }
}

private func optionalLocalized<Entry>(_ name: String, _ path: WritableKeyPath<Entry, LocalizedText?> & Sendable) -> [EditableField<Entry>] {
    Language.allCases.map { language in
        // Each language on its own: a text given in Dutch only is not copied into English (an English extract would
        // show Dutch), and clearing one language keeps the other. The text is gone when both are empty; one language
        // alone is refused when the change is applied (``Ledger/checkBothLanguages(_:)``).
        EditableField(name: "\(name)-\(language.rawValue)", get: { $0[keyPath: path]?[language] }, set: { entry, value, _ in
            var text = entry[keyPath: path] ?? LocalizedText(nl: "", en: "")
            text[language] = value
            entry[keyPath: path] = text.nl.isEmpty && text.en.isEmpty ? nil : text
        })
    }
}

private func integer<Entry>(_ name: String, _ path: WritableKeyPath<Entry, Int> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { String($0[keyPath: path]) }, set: { entry, value, _ in
        guard let number = Int(value) else { throw LedgerError.invalidValue(field: name, value: value, reason: "use a whole number") }
        entry[keyPath: path] = number
    })
}

private func flag<Entry>(_ name: String, _ path: WritableKeyPath<Entry, Bool> & Sendable) -> EditableField<Entry> {
    EditableField(name: name, get: { String($0[keyPath: path]) }, set: { entry, value, _ in
        switch value.lowercased() {
        case "true", "yes", "1": entry[keyPath: path] = true
        case "false", "no", "0": entry[keyPath: path] = false
        default: throw LedgerError.invalidValue(field: name, value: value, reason: "use true or false")
        }
    })
}

private func choice<Entry, Value: RawRepresentable & CaseIterable & Sendable>(
    _ name: String, _ path: WritableKeyPath<Entry, Value> & Sendable
) -> EditableField<Entry> where Value.RawValue == String {
    EditableField(name: name, get: { $0[keyPath: path].rawValue }, set: { entry, value, _ in
        guard let parsed = Value(rawValue: value) else {
            throw LedgerError.invalidValue(field: name, value: value, reason: "valid values: " + Value.allCases.map(\.rawValue).joined(separator: ", "))
        }
        entry[keyPath: path] = parsed
    })
}

extension Ledger {
    static let basisFields: [EditableField<LegalBasis>] =
        localized("name", \.name) + localized("description", \.description)
        + [text("article", \.article), webAddress("dpv-iri", \.dpvIRI), integer("rank", \.rank), flag("active", \.active)]

    static let purposeFields: [EditableField<Purpose>] =
        localized("name", \.name) + localized("description", \.description)
        + [EditableField(name: "default-basis", get: { $0.defaultBasisKey }, set: { purpose, value, lists in
            purpose.defaultBasisKey = try lists.activeBasis(value).key
        })]
        + localized("data-categories", \.dataCategories) + localized("retention", \.retention)
        + localized("consent-text", \.consentText)
        + [optionalWebAddress("privacy-statement-url", \.privacyStatementURL), flag("direct-marketing", \.isDirectMarketing)]
        + optionalLocalized("transfers-outside-eu", \.transfersOutsideEU)
        + optionalLocalized("automated-decision-making", \.automatedDecisionMaking)
        + [integer("rank", \.rank), flag("active", \.active)]

    static let sourceFields: [EditableField<Source>] =
        localized("name", \.name) + localized("description", \.description)
        + [choice("type", \.sourceType),
           EditableField(name: "confirmation-template", get: { $0.confirmationTemplate }, set: { source, value, _ in
               try checkTemplateName(value.isEmpty ? nil : value)
               source.confirmationTemplate = value.isEmpty ? nil : value
           }),
           integer("rank", \.rank), flag("active", \.active)]

    static let recipientFields: [EditableField<Recipient>] = [
        text("name", \.name), choice("role", \.role),
        EditableField(name: "country", get: { $0.country }, set: { recipient, value, _ in recipient.country = try countryCode(value) }),
        optionalText("contact-email", \.contactEmail),
        EditableField(name: "fields", get: { PersonField.text(of: $0.fields) },
                      set: { recipient, value, _ in recipient.fields = try PersonField.list(from: value, option: "fields") }),
        integer("rank", \.rank), flag("active", \.active),
    ]
}
