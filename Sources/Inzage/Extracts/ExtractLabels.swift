import Foundation
import Synchronization

/// The sheets of the XLSX extract, in workbook order; also the parts of the read-me.
public enum ExtractSheet: String, Sendable, CaseIterable {
    /// Who we are, the request, what each sheet holds, the rights and how to complain.
    case readMe
    /// The person's details, one row per filled field.
    case details
    /// Why the data is used: per purpose the basis, categories, recipients, retention and rights.
    case purposes
    /// The current consent (or other basis) per purpose.
    case consents
    /// Every consent event.
    case consentHistory
    /// Where the data came from.
    case sources
    /// Every edit record (streamed; continues on a further sheet beyond a sheet's rows).
    case changeHistory
    /// Who receives the data, for which purposes.
    case recipients
    /// The person's requests.
    case requests
    /// Every code explained.
    case glossary

    /// The sheets of an extract for a person about whom no data is held.
    public static let withoutPersonalData: [ExtractSheet] = [.readMe, .requests, .glossary]
}

/// A kind of coded value whose keys are explained in the label files and in the glossary.
public enum CodeCategory: String, Sendable, CaseIterable {
    /// ``ConsentStatus``.
    case consentStatus
    /// ``ConsentEventType``.
    case consentEventType
    /// ``ChangeChannel``.
    case changeChannel
    /// ``SourceType``.
    case sourceType
    /// ``RecipientRole``.
    case recipientRole
    /// ``RequestState``.
    case requestState
    /// ``RequestType``.
    case requestType
    /// ``ExtractFormat``.
    case extractFormat
    /// ``Language``.
    case language
    /// ``PersonField``.
    case personField
    /// ``ItemOutcome``.
    case itemOutcome
    /// ``RefusalReason``.
    case refusalReason

    /// Every key of the category, in declaration order.
    public var keys: [String] {
        switch self {
        case .consentStatus: ConsentStatus.allCases.map(\.rawValue)
        case .consentEventType: ConsentEventType.allCases.map(\.rawValue)
        case .changeChannel: ChangeChannel.allCases.map(\.rawValue)
        case .sourceType: SourceType.allCases.map(\.rawValue)
        case .recipientRole: RecipientRole.allCases.map(\.rawValue)
        case .requestState: RequestState.allCases.map(\.rawValue)
        case .requestType: RequestType.allCases.map(\.rawValue)
        case .extractFormat: ExtractFormat.allCases.map(\.rawValue)
        case .language: Language.allCases.map(\.rawValue)
        case .personField: PersonField.allCases.map(\.rawValue)
        case .itemOutcome: ItemOutcome.allCases.map(\.rawValue)
        case .refusalReason: RefusalReason.allCases.map(\.rawValue)
        }
    }

    /// Whether the glossary explains the category (fields and languages are shown in words and need no entry;
    /// refusal reasons appear only in refusal letters, which say them in full).
    public var inGlossary: Bool { self != .personField && self != .language && self != .refusalReason }
}

/// A coded value that the label files name and explain.
public protocol LabelledCode {
    /// The category the code belongs to.
    static var category: CodeCategory { get }
    /// The stable key.
    var rawValue: String { get }
}

/// ConsentStatus values are explained under `codes.consentStatus` of the label files.
extension ConsentStatus: LabelledCode {
    /// `.consentStatus`.
    public static var category: CodeCategory { .consentStatus }
}

/// ConsentEventType values are explained under `codes.consentEventType` of the label files.
extension ConsentEventType: LabelledCode {
    /// `.consentEventType`.
    public static var category: CodeCategory { .consentEventType }
}

/// ChangeChannel values are explained under `codes.changeChannel` of the label files.
extension ChangeChannel: LabelledCode {
    /// `.changeChannel`.
    public static var category: CodeCategory { .changeChannel }
}

/// SourceType values are explained under `codes.sourceType` of the label files.
extension SourceType: LabelledCode {
    /// `.sourceType`.
    public static var category: CodeCategory { .sourceType }
}

/// RecipientRole values are explained under `codes.recipientRole` of the label files.
extension RecipientRole: LabelledCode {
    /// `.recipientRole`.
    public static var category: CodeCategory { .recipientRole }
}

/// RequestState values are explained under `codes.requestState` of the label files.
extension RequestState: LabelledCode {
    /// `.requestState`.
    public static var category: CodeCategory { .requestState }
}

/// RequestType values are explained under `codes.requestType` of the label files.
extension RequestType: LabelledCode {
    /// `.requestType`.
    public static var category: CodeCategory { .requestType }
}

/// ExtractFormat values are explained under `codes.extractFormat` of the label files.
extension ExtractFormat: LabelledCode {
    /// `.extractFormat`.
    public static var category: CodeCategory { .extractFormat }
}

/// Language values are explained under `codes.language` of the label files.
extension Language: LabelledCode {
    /// `.language`.
    public static var category: CodeCategory { .language }
}

/// PersonField values are explained under `codes.personField` of the label files.
extension PersonField: LabelledCode {
    /// `.personField`.
    public static var category: CodeCategory { .personField }
}

/// ItemOutcome values are explained under `codes.itemOutcome` of the label files.
extension ItemOutcome: LabelledCode {
    /// `.itemOutcome`.
    public static var category: CodeCategory { .itemOutcome }
}

/// RefusalReason values are explained under `codes.refusalReason` of the label files; the explanation is the
/// sentence the refusal letter gives as the reason.
extension RefusalReason: LabelledCode {
    /// `.refusalReason`.
    public static var category: CodeCategory { .refusalReason }
}

/// A right of the data subject that every extract explains, with its GDPR article and its
/// Data Privacy Vocabulary concept (https://w3id.org/dpv/legal/eu/gdpr, the DPV GDPR extension's rights).
public enum DataSubjectRight: String, Sendable, CaseIterable {
    /// Art. 15.
    case access
    /// Art. 16.
    case rectification
    /// Art. 17.
    case erasure
    /// Art. 18.
    case restriction
    /// Art. 20.
    case portability
    /// Art. 21.
    case objection
    /// Art. 22.
    case automatedDecisions = "automated-decisions"
    /// Art. 7(3).
    case withdrawConsent = "withdraw-consent"

    /// The GDPR article that grants the right, such as `15` or `7(3)`.
    public var gdprArticle: String {
        switch self {
        case .access: "15"
        case .rectification: "16"
        case .erasure: "17"
        case .restriction: "18"
        case .portability: "20"
        case .objection: "21"
        case .automatedDecisions: "22"
        case .withdrawConsent: "7(3)"
        }
    }

    /// The DPV IRI of the right, such as `https://w3id.org/dpv/legal/eu/gdpr#A15`.
    public var dpvIRI: String {
        let term = switch self {
        case .withdrawConsent: "A7-3"
        default: "A" + gdprArticle
        }
        return GDPRReference.dpvNamespace + term
    }
}

/// Articles of the GDPR cited outside the list of rights.
public enum GDPRReference {
    /// The namespace of the DPV GDPR extension.
    public static let dpvNamespace = "https://w3id.org/dpv/legal/eu/gdpr#"
    /// The right to lodge a complaint with a supervisory authority.
    public static let complaintArticle = "77"
    /// Its DPV IRI.
    public static let complaintDPVIRI = dpvNamespace + "A77"
    /// The right to an effective judicial remedy against a controller (no DPV concept of its own).
    public static let courtArticle = "79"
}

/// A short text of the label files that is not a sheet, column, code or right.
public enum ExtractWord: String, Sendable, CaseIterable {
    /// "Yes".
    case yes
    /// "No".
    case no
    /// "None" (a purpose without recipients).
    case none
    /// The consent column of a consent purpose the person has no record for.
    case consentNotGiven
    /// The consent column of a purpose on another legal basis without a record.
    case consentNotNeeded
    /// The right to object to direct marketing (absolute, Art. 21(3)).
    case objectDirectMarketing
    /// Withdrawing consent (Art. 7(3)) for a purpose on consent.
    case objectWithdrawConsent
    /// Objecting on grounds of the person's situation (Art. 21(1)) for bases (e) and (f).
    case objectBalancing
    /// No right to object, for bases (b), (c) and (d).
    case objectNotAvailable
    /// No transfers outside the EEA.
    case transfersNone
    /// After the recipients of a purpose that process the data outside the EEA, when the purpose does not describe the
    /// transfer: that they are outside it, and that the person may ask for the safeguards.
    case transfersUnstated
    /// After the right to data portability, when the answer includes the JSON extract: that it is such a file.
    case portabilityWithJSON
    /// After the right to data portability, when the answer has no JSON extract: that the person may ask for one.
    case portabilityWithoutJSON
    /// No automated decision-making.
    case automatedDecisionsNone
    /// The glossary's name for legal bases.
    case legalBasisCategory
    /// How to use the rights (in the JSON extract).
    case howToUseRights
    /// How to complain (in the JSON extract).
    case complaint
    /// The right to go to court (in the JSON extract).
    case court
    /// How the person gets the files of an extract while no download page is configured (in the "extract ready"
    /// message).
    case collectionInstructions
    /// The "what we decided" of the request that the extract answers, in the requests sheet.
    case answeredWithThisFile
    /// Added to the consent column of a direct-marketing purpose the person objected to: the objection is kept so
    /// that they are never approached for it again.
    case objectionKept
    /// Added to a purpose's recipients when the person's data is not used for the purpose now (consent withdrawn or
    /// never given, an objection): the recipients are named, but do not receive the data for it now.
    case recipientsNotNow
    /// The JSON file's explanation in the "extract ready" message when no data is held: the usual one offers it for
    /// taking one's data to another organisation (Art. 20), and there is none to take.
    case jsonWithoutData
    /// An empty value before or after a correction, in the extract's decisions and in the letters: "(empty)".
    case emptyValue
    /// After a purpose in the recipients sheet that does not use the person's data now: "(not now)".
    case purposeNotNow
    /// The name a request gave for its subject, in the requests sheet's "your details in the request".
    case requestName
    /// In the requests sheet's "what you asked": a rectification item that asks to remove a detail.
    case askedRemoval
    /// … the statement the person gave with a rectification item.
    case askedStatement
    /// … the purposes an objection names.
    case askedObjection
    /// … the person's grounds for an objection (Art. 21(1)).
    case askedGrounds
    /// The source of a detail whose value the person gave us themself (by a request or on the preference page).
    case valueFromYou
    /// Who made a change, as the history names them: the person themself.
    case actorYou
    /// … Inzage itself (an expiry, a worker).
    case actorSystem
    /// … a staff member importing a file, unless the organisation names its staff (`show-staff-names`).
    case actorImport
    /// … the privacy team handling one of the person's requests, unless staff are named.
    case actorPrivacyTeam
    /// … any other staff member, unless staff are named.
    case actorStaff
    /// The glossary's term for the staff's own names, when the organisation names its staff (`show-staff-names`).
    case actorNamedStaff
    /// The glossary's category for the names of who made a change, and for evidence.
    case historyTermsCategory
    /// What ``actorYou`` means, in the glossary.
    case actorYouMeaning
    /// What ``actorSystem`` means.
    case actorSystemMeaning
    /// What ``actorImport`` means.
    case actorImportMeaning
    /// What ``actorPrivacyTeam`` means.
    case actorPrivacyTeamMeaning
    /// What ``actorStaff`` means.
    case actorStaffMeaning
    /// What a staff member's own name in the history means, when staff are named.
    case actorNamedStaffMeaning
    /// What the consent history's evidence column holds.
    case evidenceMeaning
}

/// The name and explanation of a coded value.
public struct CodeLabel: Sendable, Hashable {
    /// The short name, such as "Withdrawn".
    public let label: String
    /// One or two sentences in plain words.
    public let explanation: String
}

/// The labels of one language's extract (`extract/labels.<language>.json`): sheet names, column headers, the
/// meaning of every code, the rights and a few words. Checked when loaded: every key the extract needs is there.
///
/// The file is a JSON object:
/// - `meta`: `languageTag` (such as `en-GB`), `dateFormat` (such as `d MMMM yyyy`), `documentTitle`,
///   `articleCitation` (a small template with `{{article}}`, such as `Art. {{article}} GDPR`);
/// - `sheets.<sheet>`: `name` (at most 31 characters) and `about` (what the sheet holds and how to read it);
/// - `columns.<sheet>.<column>`: the header of each column;
/// - `codes.<category>`: `title` and `values.<key>` with `label` and `explanation`;
/// - `rights.<right>`: `label` and `explanation`;
/// - `words.<word>`: the remaining texts.
/// Keys that the extract does not need are ignored (for example `_comment`). A key that an organisation's file
/// leaves out is taken from the shipped file (``inheritedKeys``), so that a text added by an upgrade of Inzage does
/// not stop the organisation's extracts; a key that is there must be text.
public struct ExtractLabels: Sendable {
    /// The language of the labels.
    public let language: Language
    /// The label file's relative path.
    public let file: String
    /// Where the label file came from.
    public let origin: TemplateOrigin
    /// The needed keys the file left out, taken from the shipped file instead, in file order; empty for the shipped file.
    public let inheritedKeys: [String]
    /// Keys in the file that Inzage does not use (a misspelt key, such as `sheets.consent.name`), sorted; keys with a
    /// part starting with `_` (comments) are not counted.
    public let unusedKeys: [String]
    private let texts: [String: String]
    private let citation: TextTemplate
    /// The name and explanation of every key of every category, looked up once (the writers ask for them per cell).
    private let codes: [CodeCategory: [String: CodeLabel]]
    /// What is slow to make and the same every time: the date formatter, country names, article citations.
    private let made = MadeOnce()

    /// The relative path of the label file of `language`.
    public static func path(for language: Language) -> String { "extract/labels.\(language.rawValue).json" }

    /// Loads and checks the labels in `file`, completed from `defaults` (the shipped file, for an organisation's file).
    ///
    /// - Throws: ``ExtractError/malformedLabels(file:origin:reason:)`` when a file is not a JSON object,
    ///   ``ExtractError/missingLabel(file:origin:key:)`` naming the first key missing from both files,
    ///   ``ExtractError/labelNotText(file:origin:key:)`` when a needed value is not text, and the errors of
    ///   ``TextTemplate`` for `meta.articleCitation`.
    public init(_ file: TemplateFile, language: Language, defaults: TemplateFile? = nil) throws {
        self.language = language
        self.file = file.path
        self.origin = file.origin
        var (texts, others) = try Self.read(file)
        let requiredKeys = Self.requiredKeys
        let required = Set(requiredKeys)
        unusedKeys = Set(texts.keys).union(others)
            .filter { key in !required.contains(key) && !key.split(separator: ".").contains { $0.hasPrefix("_") } }
            .sorted()
        let defaultTexts = try defaults.map { try Self.read($0).texts } ?? [:]
        var inherited: [String] = []
        for key in requiredKeys where texts[key] == nil {
            if others.contains(key) { throw ExtractError.labelNotText(file: file.path, origin: file.origin, key: key) }
            guard let text = defaultTexts[key] else { throw ExtractError.missingLabel(file: file.path, origin: file.origin, key: key) }
            texts[key] = text
            inherited.append(key)
        }
        inheritedKeys = inherited
        self.texts = texts
        var codes: [CodeCategory: [String: CodeLabel]] = [:]
        for category in CodeCategory.allCases {
            var labels: [String: CodeLabel] = [:]
            for key in category.keys { labels[key] = Self.code(category, key, in: texts) }
            codes[category] = labels
        }
        self.codes = codes
        let citationOrigin = inherited.contains(Self.citationKey) ? (defaults?.origin ?? file.origin) : file.origin
        citation = try TextTemplate(TemplateFile(path: "\(file.path) meta.articleCitation", origin: citationOrigin,
                                                 contents: texts[Self.citationKey] ?? ""))
        _ = try articleCitation("15")
    }

    /// Every key the extract needs, in file order.
    static var requiredKeys: [String] {
        var keys = ["meta.languageTag", "meta.dateFormat", "meta.documentTitle", citationKey]
        for sheet in ExtractSheet.allCases {
            keys += ["sheets.\(sheet.rawValue).name", "sheets.\(sheet.rawValue).about"]
            keys += ExtractColumns.keys(of: sheet).map { "columns.\(sheet.rawValue).\($0)" }
        }
        for category in CodeCategory.allCases {
            keys.append("codes.\(category.rawValue).title")
            for key in category.keys {
                keys += ["label", "explanation"].map { "codes.\(category.rawValue).values.\(key).\($0)" }
            }
        }
        for right in DataSubjectRight.allCases {
            keys += ["label", "explanation"].map { "rights.\(right.rawValue).\($0)" }
        }
        return keys + ExtractWord.allCases.map { "words.\($0.rawValue)" }
    }

    private static let citationKey = "meta.articleCitation"

    /// The texts of a label file by dotted key, and the keys whose value is not text.
    private static func read(_ file: TemplateFile) throws -> (texts: [String: String], others: Set<String>) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(file.contents.utf8))
        } catch {
            throw ExtractError.malformedLabels(file: file.path, origin: file.origin, reason: ErrorText.reason(of: error))
        }
        guard let root = object as? [String: Any] else {
            throw ExtractError.malformedLabels(file: file.path, origin: file.origin, reason: "the file must hold one JSON object { … }")
        }
        var texts: [String: String] = [:]
        var others: Set<String> = []
        flatten(root, prefix: "", into: &texts, others: &others)
        return (texts, others)
    }

    private static func flatten(_ object: [String: Any], prefix: String, into texts: inout [String: String], others: inout Set<String>) {
        for (key, value) in object {
            let path = prefix + key
            if let text = value as? String {
                texts[path] = text
            } else if let nested = value as? [String: Any] {
                flatten(nested, prefix: path + ".", into: &texts, others: &others)
            } else {
                others.insert(path)
            }
        }
    }

    private func text(_ key: String) -> String { texts[key] ?? key }

    /// The RFC 5646 tag of the language, such as `nl-NL`.
    public var languageTag: String { text("meta.languageTag") }
    /// The title of the extract documents.
    public var documentTitle: String { text("meta.documentTitle") }
    /// The sheet's name (at most 31 characters for a valid workbook).
    public func sheetName(_ sheet: ExtractSheet) -> String { text("sheets.\(sheet.rawValue).name") }
    /// What the sheet holds and how to read it.
    public func sheetAbout(_ sheet: ExtractSheet) -> String { text("sheets.\(sheet.rawValue).about") }
    /// The header of a column of a sheet.
    public func column(_ sheet: ExtractSheet, _ key: String) -> String { text("columns.\(sheet.rawValue).\(key)") }
    /// The name of a category of codes, as the glossary shows it.
    public func categoryTitle(_ category: CodeCategory) -> String { text("codes.\(category.rawValue).title") }
    /// The name and explanation of the code `key` of `category`; the key itself for a key the labels do not know.
    public func code(_ category: CodeCategory, _ key: String) -> CodeLabel {
        codes[category]?[key] ?? Self.code(category, key, in: texts)
    }

    private static func code(_ category: CodeCategory, _ key: String, in texts: [String: String]) -> CodeLabel {
        let prefix = "codes.\(category.rawValue).values.\(key)."
        return CodeLabel(label: texts[prefix + "label"] ?? key, explanation: texts[prefix + "explanation"] ?? "")
    }
    /// The name and explanation of `code`.
    public func code<Code: LabelledCode>(_ code: Code) -> CodeLabel { self.code(Code.category, code.rawValue) }
    /// The name and explanation of a right.
    public func right(_ right: DataSubjectRight) -> CodeLabel {
        CodeLabel(label: text("rights.\(right.rawValue).label"), explanation: text("rights.\(right.rawValue).explanation"))
    }
    /// A word or sentence of the `words` section.
    public func word(_ word: ExtractWord) -> String { text("words.\(word.rawValue)") }
    /// "Yes" or "No".
    public func yesNo(_ value: Bool) -> String { word(value ? .yes : .no) }

    /// A GDPR article cited in the language, such as "Art. 6(1)(a) GDPR" or "art. 6(1)(a) AVG".
    public func articleCitation(_ article: String) throws -> String {
        if let citation = made.citations.withLock({ $0[article] }) { return citation }
        var variables = TemplateVariables()
        variables.set("article", article)
        let citation = try citation.render(variables)
        made.citations.withLock { $0[article] = citation }
        return citation
    }

    /// A right's explanation; the right to data portability adds whether the answer includes the JSON extract, which
    /// is such a file, or that the person may ask for one.
    public func rightExplanation(_ right: DataSubjectRight, jsonIncluded: Bool) -> String {
        let explanation = self.right(right).explanation
        guard right == .portability else { return explanation }
        return "\(explanation) \(word(jsonIncluded ? .portabilityWithJSON : .portabilityWithoutJSON))"
    }

    /// A date written out in the language, such as "28 April 2025".
    public func longDate(_ date: CivilDate) -> String {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour) = (date.year, date.month, date.day, 12)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let instant = calendar.date(from: components) else { return date.description }
        return made.dateFormatter.withLock { formatter in
            if formatter == nil {
                let created = DateFormatter()
                created.calendar = calendar
                created.timeZone = .gmt
                created.locale = Locale(identifier: languageTag)
                created.dateFormat = text("meta.dateFormat")
                formatter = created
            }
            return formatter!.string(from: instant)
        }
    }

    /// A country's name in the language followed by its code, such as "Verenigde Staten (US)"; the code alone when unknown.
    public func countryName(_ code: String) -> String {
        if let name = made.countryNames.withLock({ $0[code] }) { return name }
        let name: String
        if let localized = Locale(identifier: languageTag).localizedString(forRegionCode: code), localized != code {
            name = "\(localized) (\(code))"
        } else {
            name = code
        }
        made.countryNames.withLock { $0[code] = name }
        return name
    }
}

/// The parts of one language's labels that are slow to make and never change, made on first use and shared by the
/// copies of the labels (a worker answers many requests with one set): ICU makes a date formatter in about a
/// millisecond, and a Mustache template renders a citation each time.
private final class MadeOnce: Sendable {
    /// The long-date formatter; a formatter is not safe to use from two threads at once, hence the lock around it.
    let dateFormatter = Mutex<DateFormatter?>(nil)
    let countryNames = Mutex<[String: String]>([:])
    let citations = Mutex<[String: String]>([:])
}
