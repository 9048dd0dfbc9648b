import Foundation

/// Renders messages from the Mustache templates `messages/<kind>.<language>.subject.mustache` and
/// `messages/<kind>.<language>.body.mustache` (plain text), taken file by file from the organisation's
/// templates folder when it has the file and from the shipped templates otherwise (``TemplateFiles``).
///
/// The variables are typed per kind (see `messages/README.md` in the templates folder). Before a template is
/// rendered, every tag in it — in every branch, shown or not — is checked against the variables of its kind:
/// a name the kind does not supply is an error (``MessageError/unknownVariables(file:origin:names:available:)``),
/// never an empty gap in a letter. Dates are written out in the message's language ("28 april 2025",
/// "28 April 2025") with the date format and the field, format and request-type names of the extract labels,
/// so that messages and extracts use the same words.
public struct MessageRenderer: Sendable {
    /// Where the template files are looked up.
    public let files: TemplateFiles
    /// The extract labels (dates, field and format names), parsed once per language.
    private let templates: ExtractTemplates

    /// Templates from `overrideDirectory` first (the `--templates DIR` or `INZAGE_TEMPLATES` folder), shipped otherwise.
    public init(overrideDirectory: URL? = nil) {
        self.init(files: TemplateFiles(overrideDirectory: overrideDirectory))
    }

    /// Templates looked up in `files`.
    public init(files: TemplateFiles) {
        self.files = files
        self.templates = ExtractTemplates(files: files)
    }

    /// The extract labels of `language` that the messages share (from the organisation's folder when it has them).
    public func labels(_ language: Language) throws -> ExtractLabels {
        try templates.labels(language)
    }

    /// The relative path of a template, such as `messages/extract-ready.nl.body.mustache`.
    public static func templatePath(_ kind: MessageKind, _ language: Language, _ part: MessagePart) -> String {
        "messages/\(kind.rawValue).\(language.rawValue).\(part.rawValue).mustache"
    }

    /// The language to write to the person in: the request's, else the organisation's default.
    public static func language(for request: DataSubjectRequest, organisation: OrganisationProfile) -> Language {
        request.language ?? organisation.defaultLanguage
    }

    /// The language of a notification to a recipient of the data (Art. 19): Dutch unless configured otherwise.
    public static let recipientLanguage: Language = .nl

    /// Renders `content` about `request` for `recipient` in `language`, from the organisation's name and contact
    /// address, as a message ready for ``Outbox/enqueue(_:at:in:)``.
    ///
    /// - Parameters:
    ///   - content: what the message says beyond the request; its case decides the ``MessageKind``.
    ///   - request: the request the message is about; its reference, type and dates are in every message.
    ///   - recipient: the person (or, for a recipient notification, the recipient organisation's contact).
    ///   - language: the person's language (``language(for:organisation:)``); ``recipientLanguage`` for a recipient.
    ///   - organisation: the organisation profile; its name, address, contact, officer and supervisory authority
    ///     are in every message and must not be empty.
    /// - Throws: ``MessageError`` when the content is incomplete or a template uses a variable its kind does not
    ///   supply; ``ExtractError`` when a template or label file is missing or cannot be parsed.
    public func render(_ content: MessageContent, about request: DataSubjectRequest, to recipient: MailAddress,
                       in language: Language, organisation: OrganisationProfile) throws -> OutgoingMessage {
        let labels = try labels(language)
        let variables = try MessageVocabulary(labels: labels)
            .variables(content, request: request, recipient: recipient, organisation: organisation)
        let subject = try render(.subject, of: content.kind, in: language, with: variables)
        let body = try render(.body, of: content.kind, in: language, with: variables)
        var attachments: [MessageAttachment] = []
        if case .extractReady(let details) = content, case .attached(let files) = details.access { attachments = files }
        return OutgoingMessage(
            kind: content.kind, language: language, sender: MailAddress(address: organisation.contactEmail, name: organisation.name),
            recipient: recipient, subject: subject, body: body, requestID: request.id, requestReference: request.reference,
            personID: request.personID, attachments: attachments)
    }

    /// Checks every message template of both languages — each tag against its kind's variables, in every branch —
    /// and renders each kind with sample content, so that a mistake in an organisation's folder shows before the
    /// first message is written.
    public func validate() throws {
        let organisation = OrganisationProfile(settings: [:])
        let recipient = MailAddress(address: "person@example.nl", name: "Sample Person")
        for language in Language.allCases {
            for content in Self.sampleContents() {
                _ = try render(content, about: Self.sampleRequest(content.requestType ?? .access), to: recipient, in: language,
                               organisation: organisation)
            }
        }
    }

    /// What to tell the organisation on start about its own message templates: each body that does not show a list of
    /// decisions its kind has (a copy made before a release that added one), as a sentence naming the file and the
    /// sections; such a message is refused when it has items for the list. Empty for the shipped templates. Never
    /// throws: a file that cannot be read or checked here is named, and its own messages report it when written, so
    /// that one broken template does not stop the commands that do not use it.
    public func notices() -> [String] {
        guard files.overrideDirectory != nil else { return [] }
        let organisation = OrganisationProfile(settings: [:])
        let recipient = MailAddress(address: "person@example.nl", name: "Sample Person")
        var notices: [String] = []
        for language in Language.allCases {
            var seen: Set<MessageKind> = []
            for content in Self.sampleContents() where seen.insert(content.kind).inserted {
                let path = Self.templatePath(content.kind, language, .body)
                let file: TemplateFile
                let variables: MessageVariables
                do {
                    file = try files.file(path)
                    guard file.origin != .shipped else { continue }
                    variables = try MessageVocabulary(labels: try labels(language))
                        .variables(content, request: Self.sampleRequest(content.requestType ?? .access), recipient: recipient, organisation: organisation)
                } catch {
                    notices.append("The message template \(path) could not be checked: \(ErrorText.reason(of: error)). Its messages will fail until it is fixed.")
                    continue
                }
                let missing = variables.missingEssentials(file)
                guard !missing.isEmpty else { continue }
                notices.append("Your message template \(file.path) does not show \(missing.map { "{{#\($0)}}…{{/\($0)}}" }.joined(separator: ", ")); "
                               + "a message with such items is refused until you add the section as the shipped template has it.")
            }
        }
        return notices
    }

    /// Renders one part: checks the template's tags, renders strictly, and tidies the text.
    private func render(_ part: MessagePart, of kind: MessageKind, in language: Language, with variables: MessageVariables) throws -> String {
        let file = try files.file(Self.templatePath(kind, language, part))
        let template = try TextTemplate(file)
        try variables.check(file)
        if part == .body {
            let missing = variables.missingEssentials(file)
            guard missing.isEmpty else { throw MessageError.missingSections(file: file.path, origin: file.origin, names: missing) }
        }
        let text: String
        do {
            text = try template.render(variables.templateVariables)
        } catch ExtractError.unknownTemplateVariables(let path, let origin, let names, _) {
            throw MessageError.unknownVariables(file: path, origin: origin, names: names, available: variables.declaredNames)
        }
        switch part {
        case .subject:
            let line = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard !line.isEmpty else { throw MessageError.emptySubject(file: file.path, origin: file.origin) }
            return line
        case .body:
            return TextTemplate.tidy(text)
        }
    }


    // MARK: Samples

    /// A request of `type` with every date set, for ``validate()``.
    static func sampleRequest(_ type: RequestType) -> DataSubjectRequest {
        let received = CivilDate(uncheckedYear: 2025, month: 3, day: 28)
        let epoch = Date(timeIntervalSince1970: 1_743_156_000)
        return DataSubjectRequest(
            id: 1, reference: "DSR-2025-000001", type: type, state: .inProgress,
            subject: SubjectIdentifiers(email: "person@example.nl"), channel: .email, language: nil, formats: ExtractFormat.allCases,
            rectification: [], objection: nil, receivedAt: epoch, receivedOn: received,
            dueOn: CivilDate(uncheckedYear: 2025, month: 4, day: 28), extendedDueOn: CivilDate(uncheckedYear: 2025, month: 6, day: 30),
            extensionReason: "Sample reason.", personID: nil, candidateIDs: [], origin: nil, createdAt: epoch, createdBy: "system",
            updatedAt: epoch, attempts: 0, lastError: nil)
    }

    /// Content of every kind, with every optional part present at least once.
    static func sampleContents() -> [MessageContent] {
        let purposes = DefaultReferenceLists.purposes
        let marketing = purposes.filter(\.isDirectMarketing)
        let other = purposes.first { !$0.isDirectMarketing } ?? purposes[0]
        let until = CivilDate(uncheckedYear: 2025, month: 5, day: 5)
        let results: [RectificationResult] = [
            .corrected(field: .lastName, before: "Sample", after: "Example"),
            .corrected(field: .phone, before: nil, after: "+31 20 123 4567"),
            .supplemented(field: .jobTitle, statement: "Sample statement."),
            .rejected(field: .email, requestedValue: "other@example.nl", reason: "Sample reason."),
            .alreadyCorrect(field: .city, value: "Amsterdam"),
            .alreadyCorrect(field: .organisation, value: nil),
        ]
        var contents: [MessageContent] = [
            .acknowledgement,
            .extensionNotice,
            .rectificationOutcome(RectificationOutcomeDetails(results: results, notifiedRecipients: ["Sample Mailing B.V."])),
            .objectionConfirmation(purposes: marketing),
            .objectionDecision([ObjectionPurposeDecision(purpose: other, outcome: .upheld(reason: "Sample reason.")),
                                ObjectionPurposeDecision(purpose: other, outcome: .overridden(grounds: "Sample grounds."))]),
            .refusal(reason: "Sample reason."),
            .identityRequest(question: "Sample question."),
            .identityRequest(question: "Sample question.", late: true),
            .recipientNotification(RecipientNotificationDetails(
                subjectName: "Sample Person", identifiers: [FieldValue(.email, "person@example.nl")],
                results: results.filter(\.changedData))),
        ]
        for dataHeld in [true, false] {
            contents.append(.extractReady(ExtractReadyDetails(
                formats: ExtractFormat.allCases, access: .download(URL(string: "https://example.nl/d/sample") ?? URL(fileURLWithPath: "/")),
                availableUntil: until, dataHeld: dataHeld)))
            contents.append(.extractReady(ExtractReadyDetails(
                formats: [.xlsx], access: .collection(instructions: "Sample instructions."), availableUntil: until, dataHeld: dataHeld)))
            contents.append(.extractReady(ExtractReadyDetails(
                formats: [.json], access: .attached([MessageAttachment(fileName: "DSR-2026-000001.json", contentType: ExtractFormat.json.mediaType,
                                                                        archivePath: "sample/DSR-2026-000001.json", sha256: "", size: 0)]),
                availableUntil: until, dataHeld: dataHeld)))
        }
        return contents
    }
}

/// Turns typed message content into template variables, with the words of the extract labels of one language.
struct MessageVocabulary {
    let labels: ExtractLabels

    init(labels: ExtractLabels) {
        self.labels = labels
    }

    /// The settings every message shows, with the variable each becomes and its value.
    private static func profileTexts(_ o: OrganisationProfile) -> [(key: SettingKey, name: String, value: String)] {
        [(.name, "organisationName", o.name), (.address, "organisationAddress", o.address),
         (.contactEmail, "contactEmail", o.contactEmail), (.dpoName, "dpoName", o.dpoName), (.dpoEmail, "dpoEmail", o.dpoEmail),
         (.supervisoryAuthorityName, "authorityName", o.supervisoryAuthorityName),
         (.supervisoryAuthorityAddress, "authorityAddress", o.supervisoryAuthorityAddress),
         (.supervisoryAuthorityURL, "authorityURL", o.supervisoryAuthorityURL)]
    }

    private var language: Language { labels.language }

    /// Every variable of `content`'s kind: the common ones and the kind's own.
    func variables(_ content: MessageContent, request: DataSubjectRequest, recipient: MailAddress,
                   organisation: OrganisationProfile) throws -> MessageVariables {
        let kind = content.kind
        if let expected = content.requestType, request.type != expected {
            throw MessageError.invalidContent(kind: kind, field: "the request", reason: "is of type \(request.type.rawValue); this message answers \(expected.rawValue) requests")
        }
        var v = MessageVariables(kind: kind)
        for (key, name, value) in Self.profileTexts(organisation) {
            guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw MessageError.emptySetting(key) }
            try v.text(name, value)
        }
        try v.text("complaintArticle", try labels.articleCitation(GDPRReference.complaintArticle))
        try v.text("courtArticle", try labels.articleCitation(GDPRReference.courtArticle))
        try v.text("requestReference", request.reference)
        try v.text("requestType", labels.code(request.type).label)
        try v.text("requestArticle", try labels.articleCitation(String(request.type.gdprArticle)))
        try v.text("receivedOn", labels.longDate(request.receivedOn))
        try v.text("dueOn", labels.longDate(request.dueOn))
        try v.optional("recipient", key: "recipientName", recipient.name)

        switch content {
        case .acknowledgement:
            try v.text("requestExplanation", labels.code(request.type).explanation)
            // A letter filed after its due date (it lay unregistered too long) must not promise an answer by a day past.
            v.flag("filedAfterDueDate", try organisation.deadlineCalendar().localDate(for: request.createdAt) > request.dueOn)
            v.flag("isAccess", request.type == .access)
            v.flag("isRectification", request.type == .rectification)
            v.flag("isObjection", request.type == .objection)

        case .extensionNotice:
            guard let extended = request.extendedDueOn else {
                throw MessageError.invalidContent(kind: kind, field: "the request's extended due date", reason: "is not set; extend the request first")
            }
            try v.text("extendedDueOn", labels.longDate(extended))
            try v.text("extensionReason", request.extensionReason ?? "")
            try v.text("extensionArticle", try labels.articleCitation("12(3)"))

        case .extractReady(let details):
            guard !details.formats.isEmpty else {
                throw MessageError.invalidContent(kind: kind, field: "formats", reason: "is empty; give at least one of \(ExtractFormat.validKeys)")
            }
            // The JSON file's usual explanation offers it for taking one's data elsewhere (Art. 20); with no data held
            // there is nothing to take, so the file is only described.
            try v.list("formats", keys: ["formatName", "formatExplanation"], rows: details.formats.map {
                ["formatName": labels.code($0).label,
                 "formatExplanation": $0 == .json && !details.dataHeld ? labels.word(.jsonWithoutData) : labels.code($0).explanation]
            })
            // "the file" or "the files": an answer in one format comes as one file.
            v.flag("oneFile", details.formats.count == 1)
            var link: String?
            var instructions: String?
            var attached = false
            switch details.access {
            case .download(let url):
                guard ["https", "http"].contains(url.scheme?.lowercased() ?? "") else {
                    throw MessageError.invalidContent(kind: kind, field: "download link", reason: "must be an https:// (or http://) address")
                }
                link = url.absoluteString
            case .collection(let text):
                instructions = text
            case .attached(let files):
                guard !files.isEmpty else {
                    throw MessageError.invalidContent(kind: kind, field: "attachments", reason: "is empty; attach the files, or give collection instructions")
                }
                attached = true
            }
            v.flag("attached", attached)
            try v.optional("download", key: "downloadURL", link)
            try v.optional("collection", key: "collectionInstructions", instructions)
            try v.text("availableUntil", labels.longDate(details.availableUntil))
            v.flag("dataHeld", details.dataHeld)
            v.flag("answeredAfterDueDate", details.answeredOn.map { $0 > request.effectiveDueOn } ?? false)

        case .rectificationOutcome(let details):
            guard !details.results.isEmpty else {
                throw MessageError.invalidContent(kind: kind, field: "results", reason: "is empty; give the result of every item of the request")
            }
            try results(details.results, into: &v, corrected: "corrected", supplemented: "supplemented", rejected: "rejected",
                        alreadyCorrect: "alreadyCorrect")
            try v.list("notifiedRecipients", keys: ["recipientOrganisation"],
                       rows: details.notifiedRecipients.map { ["recipientOrganisation": $0] })
            v.flag("anyRecipientsNotified", !details.notifiedRecipients.isEmpty)

        case .objectionConfirmation(let purposes):
            guard !purposes.isEmpty else {
                throw MessageError.invalidContent(kind: kind, field: "purposes", reason: "is empty; name the direct-marketing purposes objected to")
            }
            if let purpose = purposes.first(where: { !$0.isDirectMarketing }) {
                throw MessageError.invalidContent(kind: kind, field: "purpose \(purpose.key)",
                                                  reason: "is not direct marketing; an objection to it needs an officer's decision (objection-decision)")
            }
            try v.list("purposes", keys: ["purposeName"], rows: purposes.map { ["purposeName": $0.name[language]] })
            try v.text("objectionArticle", try labels.articleCitation("21(3)"))

        case .objectionDecision(let decisions):
            guard !decisions.isEmpty else {
                throw MessageError.invalidContent(kind: kind, field: "decisions", reason: "is empty; give the decision for every purpose objected to")
            }
            var upheld: [[String: String]] = []
            var overridden: [[String: String]] = []
            for decision in decisions {
                switch decision.outcome {
                case .upheld(let reason): upheld.append(["purposeName": decision.purpose.name[language], "reason": reason])
                case .overridden(let grounds): overridden.append(["purposeName": decision.purpose.name[language], "grounds": grounds])
                }
            }
            try v.list("upheld", keys: ["purposeName", "reason"], rows: upheld)
            try v.list("overridden", keys: ["purposeName", "grounds"], rows: overridden)
            v.flag("anyUpheld", !upheld.isEmpty)
            v.flag("anyOverridden", !overridden.isEmpty)
            try v.text("objectionArticle", try labels.articleCitation("21(1)"))

        case .refusal(let reason):
            try v.text("refusalReason", reason)
            try v.text("refusalArticle", try labels.articleCitation("12(4)"))
        case .identityRequest(let question, let late):
            try v.text("identityQuestion", question)
            v.flag("answerIsLate", late)
            try v.text("answerBy", labels.longDate(request.effectiveDueOn))
            try v.text("identityArticle", try labels.articleCitation("12(6)"))

        case .recipientNotification(let details):
            guard !details.results.isEmpty else {
                throw MessageError.invalidContent(kind: kind, field: "results", reason: "is empty; give the corrections made")
            }
            if !details.results.allSatisfy(\.changedData) {
                throw MessageError.invalidContent(kind: kind, field: "results",
                                                  reason: "contain an item that changed nothing (rejected or already correct); a recipient is told only what was corrected or supplemented")
            }
            try v.text("subjectName", details.subjectName)
            try v.list("identifiers", keys: ["label", "value"], rows: details.identifiers.map {
                ["label": labels.code($0.field).label, "value": display($0.value, of: $0.field)]
            })
            try results(details.results, into: &v, corrected: "changes", supplemented: "supplements", rejected: nil, alreadyCorrect: nil)
            try v.text("notificationArticle", try labels.articleCitation("19"))
        }
        return v
    }

    /// Declares the lists of corrected, supplemented and (when named) rejected and already correct items, and a flag
    /// `any<List>` for each, such as `anyCorrected`.
    private func results(_ results: [RectificationResult], into v: inout MessageVariables,
                         corrected: String, supplemented: String, rejected: String?, alreadyCorrect: String?) throws {
        var rows: (corrected: [[String: String]], supplemented: [[String: String]], rejected: [[String: String]],
                   alreadyCorrect: [[String: String]]) = ([], [], [], [])
        for result in results {
            switch result {
            case .corrected(let field, let before, let after):
                rows.corrected.append(["field": labels.code(field).label, "before": display(before, of: field), "after": display(after, of: field)])
            case .supplemented(let field, let statement):
                rows.supplemented.append(["field": labels.code(field).label, "statement": statement])
            case .rejected(let field, let requested, let reason):
                let asked = requested.map { display($0, of: field) } ?? labels.word(.askedRemoval)
                rows.rejected.append(["field": labels.code(field).label, "requested": asked, "reason": reason])
            case .alreadyCorrect(let field, let value):
                rows.alreadyCorrect.append(["field": labels.code(field).label, "value": display(value, of: field)])
            }
        }
        func flagName(_ list: String) -> String { "any" + list.prefix(1).uppercased() + list.dropFirst() }
        try v.list(corrected, keys: ["field", "before", "after"], rows: rows.corrected, essential: true)
        v.flag(flagName(corrected), !rows.corrected.isEmpty)
        try v.list(supplemented, keys: ["field", "statement"], rows: rows.supplemented, essential: true)
        v.flag(flagName(supplemented), !rows.supplemented.isEmpty)
        if let rejected {
            try v.list(rejected, keys: ["field", "requested", "reason"], rows: rows.rejected, essential: true)
            v.flag(flagName(rejected), !rows.rejected.isEmpty)
        }
        if let alreadyCorrect {
            try v.list(alreadyCorrect, keys: ["field", "value"], rows: rows.alreadyCorrect, essential: true)
            v.flag(flagName(alreadyCorrect), !rows.alreadyCorrect.isEmpty)
        }
    }

    /// A field's value in words: a language or country by name, an empty value as "(empty)".
    private func display(_ value: String?, of field: PersonField) -> String {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return labels.word(.emptyValue) }
        switch field {
        case .language: return Language(rawValue: value).map { labels.code($0).label } ?? value
        case .country: return labels.countryName(value)
        default: return value
        }
    }
}
