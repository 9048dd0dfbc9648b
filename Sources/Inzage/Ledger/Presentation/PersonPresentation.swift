import Foundation

extension PersonField {
    /// The field's name as a privacy officer reads it.
    public var label: String {
        switch self {
        case .firstName: "First name"
        case .namePrefix: "Name prefix"
        case .lastName: "Last name"
        case .email: "E-mail"
        case .secondaryEmail: "Secondary e-mail"
        case .phone: "Phone"
        case .street: "Street"
        case .postalCode: "Postal code"
        case .city: "City"
        case .country: "Country"
        case .organisation: "Organisation"
        case .jobTitle: "Job title"
        case .language: "Language"
        case .externalID: "External id"
        case .source: "Source"
        }
    }
}

/// A person's card: every field, the source with its name, and who created and last changed it when.
///
/// JSON: `id`, `displayName`, `firstName`, `namePrefix`, `lastName`, `email`, `secondaryEmail`, `phone`, `street`,
/// `postalCode`, `city`, `country`, `organisation`, `jobTitle`, `language`, `externalID`,
/// `source` (`{key, name: {nl, en}}` or null), `createdAt`, `createdBy`, `updatedAt`, `updatedBy`.
public struct PersonCardDocument: Encodable, Sendable {
    public let id: Int64
    public let displayName: String
    @ExplicitNull public var firstName: String?
    @ExplicitNull public var namePrefix: String?
    @ExplicitNull public var lastName: String?
    @ExplicitNull public var email: String?
    @ExplicitNull public var secondaryEmail: String?
    @ExplicitNull public var phone: String?
    @ExplicitNull public var street: String?
    @ExplicitNull public var postalCode: String?
    @ExplicitNull public var city: String?
    @ExplicitNull public var country: String?
    @ExplicitNull public var organisation: String?
    @ExplicitNull public var jobTitle: String?
    @ExplicitNull public var language: String?
    @ExplicitNull public var externalID: String?
    @ExplicitNull public var source: EntryName?
    public let createdAt: Date
    public let createdBy: String
    public let updatedAt: Date
    public let updatedBy: String

    /// The card of `person`, naming its source from `lists`.
    public init(_ person: Person, lists: ReferenceSnapshot) {
        let details = person.details
        id = person.id
        displayName = details.displayName
        firstName = details.firstName
        namePrefix = details.namePrefix
        lastName = details.lastName
        email = details.email
        secondaryEmail = details.secondaryEmail
        phone = details.phone
        street = details.street
        postalCode = details.postalCode
        city = details.city
        country = details.country
        organisation = details.organisation
        jobTitle = details.jobTitle
        language = details.language
        externalID = details.externalID
        source = details.sourceKey.map(lists.sourceName)
        createdAt = person.createdAt
        createdBy = person.createdBy
        updatedAt = person.updatedAt
        updatedBy = person.updatedBy
    }

    /// The card as aligned label–value lines, every field shown (`—` when empty).
    func lines(style: TextStyle) -> [String] {
        let fields: [(PersonField, String?)] = [
            (.firstName, firstName), (.namePrefix, namePrefix), (.lastName, lastName), (.email, email),
            (.secondaryEmail, secondaryEmail), (.phone, phone), (.street, street), (.postalCode, postalCode),
            (.city, city), (.country, country), (.organisation, organisation), (.jobTitle, jobTitle),
            (.language, language), (.externalID, externalID), (.source, source?.text(style)),
        ]
        let rows = fields.map { (label: $0.0.label, value: TextStyle.value($0.1)) }
            + [("Created", style.stamp(createdAt, by: createdBy)), ("Updated", style.stamp(updatedAt, by: updatedBy))]
        return ["Person \(id)" + (displayName.isEmpty ? "" : " — \(displayName)")] + TextLayout.labelled(rows, indent: 2)
    }
}

/// A legal basis named, with its GDPR article and Data Privacy Vocabulary IRI.
///
/// JSON: `key`, `name` (`{nl, en}` or null), `article` (or null), `dpvIRI` (or null).
public struct LegalBasisName: Encodable, Sendable {
    public let key: String
    @ExplicitNull public var name: LocalizedText?
    @ExplicitNull public var article: String?
    @ExplicitNull public var dpvIRI: String?

    /// Names the basis `key` from `lists`.
    init(_ key: String, lists: ReferenceSnapshot) {
        let basis = lists.basis(key)
        self.key = key
        name = basis?.name
        article = basis?.article
        dpvIRI = basis?.dpvIRI
    }

    /// "Name (key), Art. 6(1)(x)".
    func text(_ style: TextStyle) -> String {
        style.named(key, name) + (article.map { ", Art. \($0)" } ?? "")
    }
}

/// A purpose named, with whether it is direct marketing and still active.
///
/// JSON: `key`, `name` (`{nl, en}`), `isDirectMarketing`, `active`.
public struct PurposeName: Encodable, Sendable {
    public let key: String
    public let name: LocalizedText
    public let isDirectMarketing: Bool
    public let active: Bool
}

/// An objection to direct marketing on record: imports never give consent for the purpose again.
///
/// JSON: `at`, `by`, `via`, `requestReference` (or null).
public struct SuppressionDocument: Encodable, Sendable {
    public let at: Date
    public let by: String
    public let via: ChangeChannel
    @ExplicitNull public var requestReference: String?
}

/// One purpose of a person: its legal basis, consent status, source, and who did what when.
///
/// JSON: `purpose` (a ``PurposeName``), `registered` (false when nothing is registered for the purpose; every field
/// below is then null), `consentID`, `legalBasis` (a ``LegalBasisName``), `status` (a consent status key),
/// `source` (`{key, name}`), `givenAt`, `withdrawnAt`, `registeredAt`, `registeredBy`, `updatedAt`, `updatedBy`,
/// `updateCount`, `comment`, `consentText`, `suppression` (a ``SuppressionDocument`` or null).
public struct PurposeConsentDocument: Encodable, Sendable {
    public let purpose: PurposeName
    public let registered: Bool
    @ExplicitNull public var consentID: Int64?
    @ExplicitNull public var legalBasis: LegalBasisName?
    @ExplicitNull public var status: ConsentStatus?
    @ExplicitNull public var source: EntryName?
    @ExplicitNull public var givenAt: Date?
    @ExplicitNull public var withdrawnAt: Date?
    @ExplicitNull public var registeredAt: Date?
    @ExplicitNull public var registeredBy: String?
    @ExplicitNull public var updatedAt: Date?
    @ExplicitNull public var updatedBy: String?
    @ExplicitNull public var updateCount: Int?
    @ExplicitNull public var comment: String?
    @ExplicitNull public var consentText: String?
    @ExplicitNull public var suppression: SuppressionDocument?

    /// The line of `purpose` for a person with `consent` (nil: nothing registered) and `suppression`.
    public init(purpose: Purpose, consent: Consent?, suppression: Suppression?, lists: ReferenceSnapshot) {
        self.purpose = PurposeName(key: purpose.key, name: purpose.name, isDirectMarketing: purpose.isDirectMarketing, active: purpose.active)
        registered = consent != nil
        consentID = consent?.id
        legalBasis = consent.map { LegalBasisName($0.basisKey, lists: lists) }
        status = consent?.status
        source = consent.map { lists.sourceName($0.sourceKey) }
        givenAt = consent?.givenAt
        withdrawnAt = consent?.withdrawnAt
        registeredAt = consent?.registeredAt
        registeredBy = consent?.registeredBy
        updatedAt = consent?.updatedAt
        updatedBy = consent?.updatedBy
        updateCount = consent?.updateCount
        comment = consent?.comment
        consentText = consent?.consentText
        self.suppression = suppression.map {
            SuppressionDocument(at: $0.at, by: $0.attribution.by, via: $0.attribution.via, requestReference: $0.attribution.requestReference)
        }
    }

    /// The purpose's heading and its fields as aligned lines.
    func lines(style: TextStyle) -> [String] {
        let heading = style.named(purpose.key, purpose.name)
            + (purpose.isDirectMarketing ? " · direct marketing" : "") + (purpose.active ? "" : " · deactivated")
        var rows: [(label: String, value: String)] = []
        if registered {
            rows = [
                ("Legal basis", TextStyle.value(legalBasis?.text(style))),
                ("Consent status", TextStyle.value(status?.rawValue)),
                ("Source", TextStyle.value(source?.text(style))),
                ("Given at", style.date(givenAt)),
                ("Withdrawn at", style.date(withdrawnAt)),
                ("Registered", style.stamp(registeredAt, by: registeredBy)),
                ("Updated", style.stamp(updatedAt, by: updatedBy)),
                ("Update count", TextStyle.value(updateCount.map(String.init))),
                ("Comment", TextStyle.value(comment)),
                ("Consent text", TextStyle.value(consentText)),
            ]
        } else {
            rows = [("Consent status", "not registered")]
        }
        if let suppression {
            rows.append(("Suppression", "objected to direct marketing on \(style.stamp(suppression.at, by: suppression.by)) via \(suppression.via.rawValue)"
                + (suppression.requestReference.map { ", request \($0)" } ?? "")))
        } else if purpose.isDirectMarketing {
            rows.append(("Suppression", "none"))
        }
        return [heading] + TextLayout.labelled(rows, indent: 2)
    }
}

/// The "legal basis" view of a person: the card, then per purpose (every active purpose, and inactive ones with
/// something registered) its legal basis, consent status, source and stamps.
///
/// JSON: `{ "person": PersonCardDocument, "purposes": [PurposeConsentDocument], "statements": [StatementDocument] }`,
/// purposes in rank order, statements oldest first.
public struct LegalBasisDocument: Presentable, Sendable {
    public let person: PersonCardDocument
    public let purposes: [PurposeConsentDocument]
    public let statements: [StatementDocument]

    /// The document of `view`.
    public init(_ view: LegalBasisView) {
        person = PersonCardDocument(view.person, lists: view.lists)
        let consents = Dictionary(view.consents.map { ($0.purposeKey, $0) }, uniquingKeysWith: { first, _ in first })
        let suppressions = Dictionary(view.suppressions.map { ($0.purposeKey, $0) }, uniquingKeysWith: { first, _ in first })
        purposes = view.lists.purposes.filter { $0.active || consents[$0.key] != nil || suppressions[$0.key] != nil }.map {
            PurposeConsentDocument(purpose: $0, consent: consents[$0.key], suppression: suppressions[$0.key], lists: view.lists)
        }
        statements = view.statements.map(StatementDocument.init)
    }

    /// The card, then every purpose with its fields, then the time zone the dates are in.
    public func text(style: TextStyle) -> String {
        var lines = person.lines(style: style)
        if !statements.isEmpty {
            lines += ["", "Supplementary statements (Art. 16)"] + TextLayout.table(
                header: ["Field", "Statement", "Added", "Request"],
                rows: statements.map { [$0.field.rawValue, $0.statement, style.stamp($0.at, by: $0.by), TextStyle.value($0.requestReference)] },
                indent: 2)
        }
        lines.append("")
        lines.append("Purposes")
        for purpose in purposes {
            lines += purpose.lines(style: style).map { "  " + $0 }
        }
        lines.append("")
        lines.append(style.timeZoneNote)
        return lines.joined(separator: "\n")
    }
}

/// The purposes registered for a person, as a table.
///
/// JSON: an array of ``PurposeConsentDocument`` (only registered purposes), in rank order.
public struct ConsentListDocument: ListPresentable, Sendable {
    public let consents: [PurposeConsentDocument]

    /// The registered purposes of `view`.
    public init(_ view: LegalBasisView) {
        consents = LegalBasisDocument(view).purposes.filter(\.registered)
    }

    /// The elements of the JSON array.
    public var elements: [PurposeConsentDocument] { consents }

    /// A table of purpose, basis, status, source and stamps.
    public func text(style: TextStyle) -> String {
        guard !consents.isEmpty else { return "Nothing is registered for this person." }
        let rows = consents.map { line in
            [line.purpose.key, TextStyle.value(line.legalBasis?.key), TextStyle.value(line.status?.rawValue), TextStyle.value(line.source?.key),
             style.date(line.givenAt), style.date(line.withdrawnAt), style.stamp(line.updatedAt, by: line.updatedBy)]
        }
        return (TextLayout.table(header: ["Purpose", "Legal basis", "Status", "Source", "Given at", "Withdrawn at", "Updated"], rows: rows)
            + ["", style.timeZoneNote]).joined(separator: "\n")
    }
}

/// Persons found by e-mail address or name.
///
/// JSON: an array of `{id, displayName, firstName, namePrefix, lastName, email, organisation}` (empty fields null).
public struct PersonMatches: ListPresentable, Sendable {
    /// One person found.
    public struct Match: Encodable, Sendable {
        public let id: Int64
        public let displayName: String
        @ExplicitNull public var firstName: String?
        @ExplicitNull public var namePrefix: String?
        @ExplicitNull public var lastName: String?
        @ExplicitNull public var email: String?
        @ExplicitNull public var organisation: String?
    }

    public let matches: [Match]

    /// The matches for `persons`, in the order given.
    public init(_ persons: [Person]) {
        matches = persons.map { person in
            let details = person.details
            return Match(id: person.id, displayName: details.displayName, firstName: details.firstName, namePrefix: details.namePrefix,
                         lastName: details.lastName, email: details.email, organisation: details.organisation)
        }
    }

    /// The elements of the JSON array.
    public var elements: [Match] { matches }

    /// A table of id, name, e-mail address and organisation; empty when nothing matched.
    public func text(style: TextStyle) -> String {
        guard !matches.isEmpty else { return "" }
        let rows = matches.map { [String($0.id), TextStyle.value($0.displayName), TextStyle.value($0.email), TextStyle.value($0.organisation)] }
        return TextLayout.table(header: ["Id", "Name", "E-mail", "Organisation"], rows: rows).joined(separator: "\n")
    }
}

extension TextStyle {
    /// The changes of a person update as aligned "field  old → new" lines.
    public static func changes(_ edits: [PersonEdit]) -> String {
        TextLayout.labelled(edits.map { (label: $0.field.rawValue, value: change($0.oldValue, $0.newValue)) }).joined(separator: "\n")
    }

    /// One line that says where a consent stands: purpose, status, legal basis and source, named.
    public func summary(of consent: Consent, lists: ReferenceSnapshot) -> String {
        "\(lists.purposeName(consent.purposeKey).text(self)): \(consent.status.rawValue)"
            + " · legal basis \(LegalBasisName(consent.basisKey, lists: lists).text(self))"
            + " · source \(lists.sourceName(consent.sourceKey).text(self))"
    }
}

/// A supplementary statement the person added to a field (Art. 16).
///
/// JSON: `field`, `statement`, `at`, `by`, `via`, `requestReference` (or null).
public struct StatementDocument: Encodable, Sendable {
    public let field: PersonField
    public let statement: String
    public let at: Date
    public let by: String
    public let via: ChangeChannel
    @ExplicitNull public var requestReference: String?

    /// The document of `statement`.
    public init(_ statement: PersonStatement) {
        field = statement.field
        self.statement = statement.statement
        at = statement.at
        by = statement.attribution.by
        via = statement.attribution.via
        requestReference = statement.attribution.requestReference
    }
}
