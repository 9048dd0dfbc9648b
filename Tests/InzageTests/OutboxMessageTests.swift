import Foundation
import Testing
@testable import Inzage

@Suite("Outbox messages: rendering")
struct OutboxMessageTests {
    private let renderer = MessageRenderer()
    private let person = MailAddress(address: "anna@example.nl", name: "Anna de Vries")

    private static let marketing = DefaultReferenceLists.purposes.first { $0.isDirectMarketing }
    private static let service = DefaultReferenceLists.purposes.first { !$0.isDirectMarketing }

    /// One content of every kind, with the parts that must show (rejections, overrides) present.
    private func contents() throws -> [MessageContent] {
        let marketing = try #require(Self.marketing)
        let service = try #require(Self.service)
        return [
            .acknowledgement,
            .extensionNotice,
            .extractReady(ExtractReadyDetails(formats: [.xlsx, .json], access: .download(try #require(URL(string: "https://korenaar.nl/d/abc123"))),
                                              availableUntil: CivilDate(uncheckedYear: 2025, month: 5, day: 5), dataHeld: true)),
            .rectificationOutcome(RectificationOutcomeDetails(results: [
                .corrected(field: .lastName, before: "Vries", after: "de Vries"),
                .corrected(field: .phone, before: nil, after: "+31 20 123 4567"),
                .supplemented(field: .jobTitle, statement: "Ik werk sinds maart als teamleider."),
                .rejected(field: .email, requestedValue: "anna@elders.nl", reason: "Wij konden dit adres niet controleren."),
            ], notifiedRecipients: ["Mailbureau Post B.V."])),
            .objectionConfirmation(purposes: [marketing]),
            .objectionDecision([ObjectionPurposeDecision(purpose: service, outcome: .overridden(grounds: "Wij moeten facturen zeven jaar bewaren."))]),
            .refusal(reason: "U hebt dezelfde vraag deze maand al drie keer gesteld."),
            .identityRequest(question: "Stuur ons een e-mail vanaf het adres dat bij ons bekend is."),
            .recipientNotification(RecipientNotificationDetails(
                subjectName: "Anna de Vries", identifiers: [FieldValue(.email, "anna@example.nl")],
                results: [.corrected(field: .lastName, before: "Vries", after: "de Vries")])),
        ]
    }

    private func render(_ content: MessageContent, _ language: Language, renderer: MessageRenderer? = nil,
                        organisation: OrganisationProfile = messageOrganisation) throws -> OutgoingMessage {
        try (renderer ?? self.renderer).render(content, about: messageRequest(content.requestType ?? .access), to: person,
                                               in: language, organisation: organisation)
    }

    @Test("every kind renders in both languages with the reference, the organisation and no template left over",
          arguments: Language.allCases)
    func everyKind(language: Language) throws {
        let contents = try contents()
        #expect(Set(contents.map(\.kind)) == Set(MessageKind.allCases))
        for content in contents {
            let message = try render(content, language)
            #expect(message.kind == content.kind && message.language == language)
            #expect(message.subject.contains("DSR-2025-000042"), "\(content.kind) subject")
            #expect(!message.subject.contains("\n"))
            #expect(message.body.contains("DSR-2025-000042"), "\(content.kind) body")
            #expect(message.body.contains("Bakkerij De Korenaar B.V."), "\(content.kind) body")
            #expect(message.body.contains(language == .nl ? "Beste Anna de Vries," : "Dear Anna de Vries,"), "\(content.kind) greeting")
            #expect(!message.body.contains("{{") && !message.body.contains("}}"), "\(content.kind)")
            #expect(!message.body.contains("\n\n\n") && message.body.hasSuffix("\n") && !message.body.hasPrefix("\n"))
            #expect(message.sender == MailAddress(address: "privacy@korenaar.nl", name: "Bakkerij De Korenaar B.V."))
            #expect(message.requestID == 7 && message.requestReference == "DSR-2025-000042")
        }
    }

    @Test("refusals, rejections and overrides name the supervisory authority and the right to go to court",
          arguments: Language.allCases)
    func complaintRights(language: Language) throws {
        let profile = messageOrganisation
        let court = language == .nl ? "art. 79 AVG" : "Art. 79 GDPR"
        for content in try contents() where [.refusal, .rectificationOutcome, .objectionDecision].contains(content.kind) {
            let body = try render(content, language).body
            for text in [profile.supervisoryAuthorityName, profile.supervisoryAuthorityAddress, profile.supervisoryAuthorityURL, court] {
                #expect(body.contains(text), "\(content.kind) lacks \(text)")
            }
        }
        // A rectification without rejections has nothing to complain about.
        let accepted = MessageContent.rectificationOutcome(RectificationOutcomeDetails(results: [.corrected(field: .city, before: "Utrecht", after: "Zeist")]))
        #expect(!(try render(accepted, language).body.contains(profile.supervisoryAuthorityAddress)))
    }

    @Test("an acknowledgement of a request filed after its due date apologises instead of promising a day past",
          arguments: Language.allCases)
    func filedAfterDueDate(language: Language) throws {
        var request = messageRequest(.access)
        let onTime = try renderer.render(.acknowledgement, about: request, to: person, in: language, organisation: messageOrganisation).body
        // Filed on 30 April 2025 (Amsterdam), two days after the due date of 28 April.
        request.createdAt = Date(timeIntervalSince1970: 1_745_997_000)
        let late = try renderer.render(.acknowledgement, about: request, to: person, in: language, organisation: messageOrganisation).body
        let promise = language == .en ? "We will answer by 28 April 2025 at the latest." : "Wij antwoorden uiterlijk op 28 april 2025."
        let apology = language == .en ? "We should have answered by 28 April 2025." : "Wij hadden uiterlijk op 28 april 2025 moeten antwoorden."
        let mayExtend = language == .en ? "two more months" : "twee maanden langer"
        #expect(onTime.contains(promise) && !onTime.contains(apology) && onTime.contains(mayExtend))
        #expect(late.contains(apology) && !late.contains(promise) && !late.contains(mayExtend), "\(late)")
        // The day is the organisation's: 23:30 on the due date in Amsterdam is on time, 00:30 the next day is late.
        request.createdAt = Date(timeIntervalSince1970: 1_745_875_800)  // 2025-04-28T21:30:00Z
        #expect(try renderer.render(.acknowledgement, about: request, to: person, in: language, organisation: messageOrganisation).body.contains(promise))
        request.createdAt = Date(timeIntervalSince1970: 1_745_879_400)  // 2025-04-28T22:30:00Z
        #expect(try renderer.render(.acknowledgement, about: request, to: person, in: language, organisation: messageOrganisation).body.contains(apology))
    }

    @Test("an extract-ready message after the (extended) due date apologises for the delay", arguments: Language.allCases)
    func answeredLate(language: Language) throws {
        let request = messageRequest(.access)  // due 28 April 2025, extended to 30 June 2025
        func body(answeredOn day: Int, month: Int) throws -> String {
            let details = ExtractReadyDetails(formats: [.json], access: .collection(instructions: "Wij mailen u de bestanden."),
                                              availableUntil: CivilDate(uncheckedYear: 2025, month: 8, day: 1), dataHeld: true,
                                              answeredOn: CivilDate(uncheckedYear: 2025, month: month, day: day))
            return try renderer.render(.extractReady(details), about: request, to: person, in: language, organisation: messageOrganisation).body
        }
        let apology = language == .en ? "We are sorry that our answer comes later than the law allows." : "Het spijt ons dat ons antwoord later komt dan de wet toestaat."
        #expect(try !body(answeredOn: 1, month: 5).contains(apology), "after the first due date, within the extension")
        #expect(try !body(answeredOn: 30, month: 6).contains(apology), "on the extended due date")
        #expect(try body(answeredOn: 1, month: 7).contains(apology))
    }

    @Test("asking for identity after the due date admits the delay instead of naming a past day as the last", arguments: Language.allCases)
    func identityAskedLate(language: Language) throws {
        let request = messageRequest(.access)
        func body(late: Bool) throws -> String {
            try renderer.render(.identityRequest(question: "Bel ons.", late: late), about: request, to: person, in: language,
                                organisation: messageOrganisation).body
        }
        let inTime = language == .en ? "We must answer by" : "Wij moeten uiterlijk op"
        let sorry = language == .en ? "we are sorry that our answer is late" : "het spijt ons dat ons antwoord te laat komt"
        #expect(try body(late: false).contains(inTime) && !body(late: false).contains(sorry))
        #expect(try body(late: true).contains(sorry) && !body(late: true).contains(inTime))
    }

    @Test("dates are written out in the person's language")
    func dates() throws {
        let nl = try render(.extensionNotice, .nl).body
        #expect(nl.contains("28 maart 2025") && nl.contains("28 april 2025") && nl.contains("30 juni 2025"))
        #expect(nl.contains("Uw verzoek gaat over gegevens in vijf systemen."))
        let en = try render(.extensionNotice, .en).body
        #expect(en.contains("28 March 2025") && en.contains("28 April 2025") && en.contains("30 June 2025"))
    }

    @Test("the rectification outcome shows every item with before and after, and the reason of a rejection")
    func rectificationItems() throws {
        let content = try #require(try contents().first { $0.kind == .rectificationOutcome })
        let nl = try render(content, .nl).body
        #expect(nl.contains("- Achternaam\n  Was: Vries\n  Is nu: de Vries"))
        #expect(nl.contains("Was: (leeg)"))
        #expect(nl.contains("Ik werk sinds maart als teamleider."))
        #expect(nl.contains("U vroeg: anna@elders.nl") && nl.contains("Wij konden dit adres niet controleren."))
        #expect(nl.contains("- Mailbureau Post B.V."))
        let en = try render(content, .en).body
        #expect(en.contains("- Last name\n  Was: Vries\n  Now: de Vries") && en.contains("Was: (empty)"))
    }

    @Test("items already as asked are listed in both languages; an organisation's template that does not show them is refused, never sent without them")
    func alreadyCorrectItems() throws {
        let content = MessageContent.rectificationOutcome(RectificationOutcomeDetails(results: [
            .corrected(field: .lastName, before: "Vries", after: "de Vries"),
            .alreadyCorrect(field: .city, value: "Utrecht"), .alreadyCorrect(field: .jobTitle, value: nil),
        ]))
        #expect(try render(content, .nl).body.contains(
            "Deze gegevens stonden al zoals u vroeg. Wij hoefden ze daarom niet te veranderen:\n- Plaats: Utrecht\n- Functie: (leeg)\n"))
        #expect(try render(content, .en).body.contains(
            "This was already as you asked, so we did not need to change it:\n- Town or city: Utrecht\n- Job title: (empty)\n"))

        // An organisation's copy of the letter from before already-correct existed.
        let path = "messages/rectification-outcome.nl.body.mustache"
        let shipped = try renderer.files.file(path).contents
        let start = try #require(shipped.range(of: "{{#anyAlreadyCorrect}}"))
        let end = try #require(shipped.range(of: "{{/anyAlreadyCorrect}}\n"))
        let custom = try overriding(path, with: shipped.replacingCharacters(in: start.lowerBound..<end.upperBound, with: ""))
        #expect {
            _ = try render(content, .nl, renderer: custom)
        } throws: { error in
            guard case MessageError.missingSections(let file, _, let names) = error else { return false }
            return file == path && names == ["alreadyCorrect"] && error.localizedDescription.contains("{{#alreadyCorrect}}…{{/alreadyCorrect}}")
        }
        let corrected = MessageContent.rectificationOutcome(RectificationOutcomeDetails(results: [.corrected(field: .city, before: "A", after: "B")]))
        #expect(try render(corrected, .nl, renderer: custom).body.contains("Is nu: B"), "a letter without such items is still written")
        // Named on start (work, demo, the request commands), before an officer meets it in a review.
        #expect(custom.notices() == ["Your message template \(path) does not show {{#alreadyCorrect}}…{{/alreadyCorrect}}; "
                                         + "a message with such items is refused until you add the section as the shipped template has it."])
        #expect(renderer.notices().isEmpty)
        let broken = try overriding("messages/extension-notice.en.body.mustache", with: "")
        try Data([0xFF, 0xFE, 0x00]).write(to: try #require(broken.files.overrideDirectory).appendingPathComponent("messages/extension-notice.en.body.mustache"))
        #expect(broken.notices().map { $0.hasPrefix("The message template messages/extension-notice.en.body.mustache could not be checked") } == [true],
                "named, without stopping the commands that do not use it")
    }

    @Test("an extract-ready message gives the link or the instructions, and the expiry")
    func extractReady() throws {
        let body = try render(try #require(try contents().first { $0.kind == .extractReady }), .en).body
        #expect(body.contains("https://korenaar.nl/d/abc123") && body.contains("5 May 2025"))
        let collect = MessageContent.extractReady(ExtractReadyDetails(formats: [.json], access: .collection(instructions: "Collect them at our desk."),
                                                                     availableUntil: CivilDate(uncheckedYear: 2025, month: 5, day: 5), dataHeld: false))
        let nl = try render(collect, .nl).body
        #expect(nl.contains("Collect them at our desk.") && nl.contains("5 mei 2025") && nl.contains("geen persoonsgegevens"))
        #expect(!nl.contains("Klik op de link"))
        // No data held: the answer promises no correction of data that is not there, and its subject says "answer".
        #expect(!nl.contains("Klopt er iets niet in uw gegevens") && body.contains("Is any of your data wrong"))
        #expect(try render(collect, .nl).subject.hasPrefix("Ons antwoord op uw verzoek om inzage"))
    }

    @Test("one file is 'the file', several 'the files'; a no-data answer is not called personal data, nor offered for portability",
          arguments: Language.allCases)
    func oneFileOrSeveral(language: Language) throws {
        func body(_ formats: [ExtractFormat], dataHeld: Bool) throws -> String {
            let files = formats.map { format in
                MessageAttachment(fileName: "DSR-2026-000001.\(format.rawValue)", contentType: format.mediaType,
                                  archivePath: "x/DSR-2026-000001.\(format.rawValue)", sha256: "", size: 0)
            }
            let details = ExtractReadyDetails(formats: formats, access: .attached(files), availableUntil: CivilDate(uncheckedYear: 2025, month: 5, day: 5),
                                              dataHeld: dataHeld)
            return try render(.extractReady(details), language).body
        }
        let one = try body([.xlsx], dataHeld: true), two = try body([.xlsx, .json], dataHeld: true), none = try body([.json], dataHeld: false)
        if language == .nl {
            #expect(one.contains("U krijgt dit bestand:") && one.contains("Het bestand zit als bijlage") && !one.contains("bestanden"), "\(one)")
            #expect(two.contains("U krijgt deze bestanden:") && two.contains("De bestanden zitten als bijlage") && two.contains("Bewaar ze op een veilige plek"))
            #expect(none.contains("Wij hebben geen persoonsgegevens van u") && !none.contains("er staan uw persoonsgegevens in"), "\(none)")
        } else {
            #expect(one.contains("You will receive this file:") && one.contains("The file is attached") && !one.contains("files"), "\(one)")
            #expect(two.contains("You will receive these files:") && two.contains("Keep them in a safe place"))
            #expect(none.contains("We hold no personal data about you") && !none.contains("hold your personal data"), "\(none)")
        }
        // With no data held the JSON file is not offered for taking one's data elsewhere (Art. 20): there is none.
        let labels = try shippedLabels(language)
        #expect(two.contains(labels.code(ExtractFormat.json).explanation))
        #expect(none.contains("\(labels.code(ExtractFormat.json).label): \(labels.word(.jsonWithoutData))"), "\(none)")
        #expect(!none.contains(labels.code(ExtractFormat.json).explanation), "\(none)")
    }

    @Test("the shipped templates pass the check of every tag in every branch")
    func shippedTemplatesValidate() throws {
        try renderer.validate()
    }

    // MARK: Strictness

    /// A renderer whose override folder holds `text` as the Dutch refusal body.
    private func overriding(_ path: String, with text: String) throws -> MessageRenderer {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return MessageRenderer(overrideDirectory: directory)
    }

    @Test("a template with an unknown variable is an error, never an empty gap")
    func unknownVariable() throws {
        let custom = try overriding("messages/refusal.nl.body.mustache", with: "Reden: {{refusalReasn}}\n{{organisationName}}\n")
        #expect {
            _ = try render(.refusal(reason: "Zo is het."), .nl, renderer: custom)
        } throws: { error in
            guard case MessageError.unknownVariables(let file, _, let names, let available) = error else { return false }
            return file == "messages/refusal.nl.body.mustache" && names == ["refusalReasn"] && available.contains("refusalReason")
        }
        // The English template is still the shipped one.
        #expect(try render(.refusal(reason: "So it is."), .en, renderer: custom).body.contains("So it is."))
    }

    @Test("an unknown variable in a part this message does not show is still an error")
    func unknownVariableInHiddenBranch() throws {
        let custom = try overriding("messages/rectification-outcome.nl.body.mustache",
                                    with: "{{#anyRejected}}Reden: {{reasn}}{{/anyRejected}}\n{{requestReference}}\n")
        let accepted = MessageContent.rectificationOutcome(RectificationOutcomeDetails(results: [.corrected(field: .city, before: "A", after: "B")]))
        #expect(throws: MessageError.unknownVariables(file: "messages/rectification-outcome.nl.body.mustache", origin: .override(directory: custom.files.overrideDirectory?.path ?? ""),
                                                      names: ["reasn"], available: try declaredNames(accepted))) {
            _ = try render(accepted, .nl, renderer: custom)
        }
        #expect(throws: MessageError.self) { try custom.validate() }
    }

    private func declaredNames(_ content: MessageContent) throws -> [String] {
        let labels = try ExtractTemplates().labels(.nl)
        return try MessageVocabulary(labels: labels).variables(content, request: messageRequest(.rectification), recipient: person,
                                                               organisation: messageOrganisation).declaredNames
    }

    @Test("a row name outside its list, a flag as text and a text as section are errors")
    func misuse() throws {
        let cases: [(String, String)] = [
            ("messages/refusal.nl.subject.mustache", "{{recipientName}}"),            // row name outside {{#recipient}}
            ("messages/refusal.nl.subject.mustache", "{{#refusalReason}}x{{/refusalReason}}"),
            ("messages/acknowledgement.nl.subject.mustache", "{{isAccess}}"),
            ("messages/acknowledgement.nl.subject.mustache", "{{.}}"),
            ("messages/acknowledgement.nl.subject.mustache", "{{shout(requestReference)}}"),
        ]
        for (path, text) in cases {
            let custom = try overriding(path, with: text)
            let content: MessageContent = path.contains("refusal") ? .refusal(reason: "Reden.") : .acknowledgement
            #expect(throws: MessageError.self, "\(text)") { _ = try render(content, .nl, renderer: custom) }
        }
        // Allowed: a row name inside its list, a transform on a text.
        let fine = try overriding("messages/acknowledgement.nl.subject.mustache",
                                  with: "{{#recipient}}{{uppercased(recipientName)}}{{/recipient}} {{requestReference}}")
        #expect(try render(.acknowledgement, .nl, renderer: fine).subject == "ANNA DE VRIES DSR-2025-000042")
    }

    @Test("a subject that renders empty is an error")
    func emptySubject() throws {
        let custom = try overriding("messages/acknowledgement.en.subject.mustache", with: "{{#isObjection}}{{requestReference}}{{/isObjection}}\n")
        #expect(throws: MessageError.emptySubject(file: "messages/acknowledgement.en.subject.mustache",
                                                  origin: .override(directory: custom.files.overrideDirectory?.path ?? ""))) {
            _ = try render(.acknowledgement, .en, renderer: custom)
        }
    }

    // MARK: Content checks

    @Test("content that does not fit is refused with what is wrong")
    func invalidContent() throws {
        let service = try #require(Self.service)
        #expect(throws: MessageError.self) { _ = try render(.objectionConfirmation(purposes: [service]), .nl) }
        #expect(throws: MessageError.self) { _ = try render(.objectionConfirmation(purposes: []), .nl) }
        #expect(throws: MessageError.self) { _ = try render(.refusal(reason: "  "), .nl) }
        #expect(throws: MessageError.self) {
            _ = try render(.recipientNotification(RecipientNotificationDetails(
                subjectName: "Anna", identifiers: [], results: [.rejected(field: .city, requestedValue: "X", reason: "Nee.")])), .nl)
        }
        // An extension notice needs an extended request.
        #expect(throws: MessageError.self) {
            _ = try renderer.render(.extensionNotice, about: messageRequest(.access, extended: false), to: person, in: .nl, organisation: messageOrganisation)
        }
        // An extract answers an access request only.
        #expect(throws: MessageError.self) {
            _ = try renderer.render(.extractReady(ExtractReadyDetails(formats: [.json], access: .collection(instructions: "x"),
                                                                      availableUntil: CivilDate(uncheckedYear: 2025, month: 1, day: 1), dataHeld: true)),
                                    about: messageRequest(.objection), to: person, in: .nl, organisation: messageOrganisation)
        }
        var profile = messageOrganisation
        profile.supervisoryAuthorityURL = ""
        #expect(throws: MessageError.emptySetting(.supervisoryAuthorityURL)) { _ = try render(.acknowledgement, .nl, organisation: profile) }
    }

    @Test("without a name the greeting is general; a recipient notification addresses the recipient")
    func greeting() throws {
        let anonymous = MailAddress(address: "anna@example.nl", name: "  ")
        let nl = try renderer.render(.acknowledgement, about: messageRequest(.access), to: anonymous, in: .nl, organisation: messageOrganisation)
        #expect(nl.body.hasPrefix("Beste heer of mevrouw,\n\n"))
        let notification = try #require(try contents().last)
        let message = try renderer.render(notification, about: messageRequest(.rectification, personID: nil),
                                          to: MailAddress(address: "privacy@mailbureau.nl", name: "Mailbureau Post B.V."),
                                          in: MessageRenderer.recipientLanguage, organisation: messageOrganisation)
        #expect(message.body.hasPrefix("Beste Mailbureau Post B.V.,\n"))
        #expect(message.body.contains("Naam: Anna de Vries\nE-mailadres: anna@example.nl\n"))
        #expect(message.body.contains("art. 19 AVG"))
    }
}
