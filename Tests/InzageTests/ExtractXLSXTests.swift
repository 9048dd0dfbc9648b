import Foundation
import Testing
@testable import Inzage

/// The XLSX extract, read back by openpyxl and opened by LibreOffice.
@Suite("XLSX extract")
struct ExtractXLSXTests {
    @Test("every sheet has its name, bold frozen header with filter, rows and values in the person's language", arguments: Language.allCases)
    func workbook(language: Language) throws {
        let fixture = try ExtractFixture.make(language: language)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (dossierSources, editCount) = try fixture.withDossier { ($0.sources.count, $0.editCount) }
        let url = try fixture.withDossier { try writeExtracts($0, into: directory, name: "anna").xlsx }
        let labels = try shippedLabels(language)
        let book = try ReadWorkbook.read(url)
        let edits = try fixture.ledger.edits(fixture.personID)
        let events = try fixture.ledger.events(fixture.personID)

        #expect(book.properties.title == "\(labels.documentTitle) — Voorbeeld B.V.")
        #expect(book.properties.subject == fixture.request.reference)
        #expect(book.properties.creator == "Voorbeeld B.V.")
        #expect(book.properties.language == labels.languageTag)
        #expect(book.properties.created == "2025-06-16T22:40:00")
        #expect(book.sheets.map(\.title) == ExtractSheet.allCases.map(labels.sheetName))

        // Codes, legal bases, the five names of who made a change, and evidence.
        let glossaryCount = CodeCategory.allCases.filter(\.inGlossary).map(\.keys.count).reduce(0, +) + DefaultReferenceLists.legalBases.count + 6
        let expectedRows: [ExtractSheet: Int] = [
            .details: 11, .purposes: 2, .consents: 2, .consentHistory: 5, .sources: dossierSources,
            .changeHistory: 12, .recipients: 2, .requests: 1, .glossary: glossaryCount,
        ]
        #expect(editCount == 12 && edits.count == 12 && events.count == 5)
        for sheet in ExtractSheet.allCases {
            let read = try book.sheet(labels.sheetName(sheet))
            let header = try #require(read.rows.first)
            #expect(header.map(\.v.text) == ExtractColumns.keys(of: sheet).map { labels.column(sheet, $0) }, "\(sheet)")
            #expect(header.allSatisfy { $0.bold }, "\(sheet) header is bold")
            #expect(read.rows.dropFirst().allSatisfy { $0.allSatisfy { !$0.bold } }, "\(sheet) rows are not bold")
            #expect(read.freeze == "A2", "\(sheet) header is frozen")
            #expect(read.filter?.hasPrefix("A1:") == true && read.filter?.hasSuffix("\(read.rows.count)") == true, "\(sheet) has a filter")
            #expect(read.rows.allSatisfy { $0.allSatisfy { $0.dt != "f" } }, "\(sheet) has no formulas")
            #expect(read.widths.count == header.count, "\(sheet) has a width per column")
            for (index, cell) in header.enumerated() {
                let letter = String(UnicodeScalar(UInt8(65 + index))), text = cell.v.text ?? ""
                #expect((read.widths[letter] ?? 0) >= Double(text.count) + 3, "\(sheet) column \(letter) shows its whole header '\(text)' beside the filter button")
            }
            if let expected = expectedRows[sheet] { #expect(read.rows.count - 1 == expected, "\(sheet) rows") }
        }
        #expect(!labels.sheetName(.consentHistory).lowercased().hasPrefix("history"))

        try checkReadMe(book.sheet(labels.sheetName(.readMe)), labels: labels, fixture: fixture)
        try checkDetails(book.sheet(labels.sheetName(.details)), labels: labels, language: language)
        try checkPurposes(book.sheet(labels.sheetName(.purposes)), labels: labels, language: language)
        try checkConsents(book.sheet(labels.sheetName(.consents)), book.sheet(labels.sheetName(.consentHistory)), labels: labels, events: events)
        try checkChangeHistory(book.sheet(labels.sheetName(.changeHistory)), labels: labels, edits: edits)

        let recipients = try book.sheet(labels.sheetName(.recipients))
        #expect(try recipients.texts(labels.column(.recipients, "recipient")) == ["Mail House Inc.", "CRM Hosting B.V."])
        #expect(try recipients.texts(labels.column(.recipients, "role")) == [labels.code(RecipientRole.processor).label, labels.code(RecipientRole.processor).label])
        #expect(try recipients.texts(labels.column(.recipients, "country")).first??.hasSuffix("(US)") == true)
        // Anna objected to e-marketing: the mail house received her data for it, and does not now.
        #expect(try recipients.texts(labels.column(.recipients, "purposes")) == [
            "\(DefaultReferenceLists.purposes[1].name[language]) (\(labels.word(.purposeNotNow)))", DefaultReferenceLists.purposes[0].name[language],
        ])
        #expect(try recipients.texts(labels.column(.recipients, "data")) == [ExtractFixture.mailHouseData, ExtractFixture.heldData].map {
            $0.map { labels.code($0).label }.joined(separator: "\n")
        }, "only the details each receives, of those the person has")

        let requests = try book.sheet(labels.sheetName(.requests))
        #expect(try requests.texts(labels.column(.requests, "reference")) == [fixture.request.reference])
        let received = try #require(try requests.column(labels.column(.requests, "received")).first)
        #expect(received.t == "datetime" && received.v == .text("2025-06-16T00:00:00") && received.fmt == "yyyy-mm-dd")
        #expect(try requests.column(labels.column(.requests, "due")).first?.v == .text("2025-07-16T00:00:00"))
        #expect(try requests.column(labels.column(.requests, "extendedDue")).first?.v == SheetValue.none)
        // The request this file answers is shown as it stands once the person reads the file, not "in progress".
        #expect(try requests.texts(labels.column(.requests, "state")) == [labels.code(RequestState.completed).label])
        #expect(try requests.texts(labels.column(.requests, "stateExplanation")) == [labels.code(RequestState.completed).explanation])
        let email = try #require(fixture.request.subject.email)
        #expect(try requests.texts(labels.column(.requests, "givenDetails")) == ["\(labels.code(PersonField.email).label): \(email)"],
                "the details the request gave, which are held with it and were searched with")
        #expect(try requests.texts(labels.column(.requests, "formats")) == [
            ExtractFormat.allCases.sorted().map { labels.code($0).label }.joined(separator: "\n"),
        ])

        let glossary = try book.sheet(labels.sheetName(.glossary))
        let terms = Dictionary(try zip(glossary.texts(labels.column(.glossary, "code")), glossary.texts(labels.column(.glossary, "term")))
            .map { ($0 ?? "", $1 ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(terms["objected"] == labels.code(ConsentStatus.objected).label)
        #expect(terms["preference-page"] == labels.code(ChangeChannel.preferencePage).label)
        #expect(terms["legitimate-interest"] == DefaultReferenceLists.legalBases[5].name[language])
        #expect(try glossary.texts(labels.column(.glossary, "meaning")).allSatisfy { !($0 ?? "").isEmpty })
        // Every name the history gives to who made a change, and the evidence column, are explained too.
        let glossaryTerms = try glossary.texts(labels.column(.glossary, "term"))
        for name in [ExtractWord.actorYou, .actorSystem, .actorImport, .actorPrivacyTeam, .actorStaff] {
            #expect(glossaryTerms.contains(labels.word(name)), "\(name)")
        }
        #expect(glossaryTerms.contains(labels.column(.consentHistory, "evidence")))
    }

    private func checkReadMe(_ sheet: ReadWorkbook.Sheet, labels: ExtractLabels, fixture: ExtractFixture) throws {
        let headings = try sheet.texts(labels.column(.readMe, "topic")).map { $0 ?? "" }
        let texts = try sheet.texts(labels.column(.readMe, "text")).map { $0 ?? "" }
        let all = (headings + texts).joined(separator: "\n")
        #expect(!all.contains("{{") && !all.contains("}}"))
        #expect(all.contains(fixture.request.reference))
        #expect(all.contains("Voorbeeld B.V.") && all.contains("privacy@example.nl") && all.contains("fg@example.nl"))
        #expect(all.contains("Autoriteit Persoonsgegevens") && all.contains("https://autoriteitpersoonsgegevens.nl"))
        #expect(all.contains(labels.language == .en ? "17 June 2025" : "17 juni 2025"), "generated on the local date")
        #expect(all.contains(labels.language == .en ? "16 July 2025" : "16 juli 2025"), "due date")
        for sheet in ExtractSheet.allCases {
            #expect(headings.contains { $0.contains("\"\(labels.sheetName(sheet))\"") }, "a row about \(sheet)")
        }
        for right in DataSubjectRight.allCases {
            #expect(headings.contains { $0.hasPrefix(labels.right(right).label) }, "a row about \(right)")
        }
        let complaint = try labels.articleCitation("77"), court = try labels.articleCitation("79")
        #expect(headings.contains { $0.contains(complaint) } && headings.contains { $0.contains(court) })
        #expect(texts.contains { $0.hasPrefix(labels.language == .en ? "Yes. We hold personal data" : "Ja. Wij hebben persoonsgegevens") })
        let textCells = try sheet.column(labels.column(.readMe, "text"))
        #expect(textCells.allSatisfy { $0.wrap }, "long texts wrap")
        #expect((sheet.widths["B"] ?? 0) > 100)
    }

    private func checkDetails(_ sheet: ReadWorkbook.Sheet, labels: ExtractLabels, language: Language) throws {
        let fields = try sheet.texts(labels.column(.details, "field")).map { $0 ?? "" }
        let values = try sheet.column(labels.column(.details, "value"))
        let byField = Dictionary(uniqueKeysWithValues: zip(fields, values))
        func value(_ field: PersonField) -> ReadWorkbook.ReadCell? { byField[labels.code(field).label] }
        #expect(value(.jobTitle)?.v == .text("=1+1") && value(.jobTitle)?.t == "str" && value(.jobTitle)?.dt == "s")
        #expect(value(.organisation)?.v == .text("@x"))
        #expect(value(.street)?.v == .text("-5") && value(.street)?.t == "str")
        #expect(value(.namePrefix)?.v == .text("+31") && value(.namePrefix)?.t == "str")
        #expect(value(.lastName)?.v == .text(ExtractFixture.oddUnicode))
        #expect(value(.language)?.v == .text(labels.code(language).label))
        #expect(value(.source)?.v == .text(DefaultReferenceLists.sources[1].name[language]))
        // The last name was corrected through the person's request, so that value came from them; the rest from the business card.
        let sources = Dictionary(uniqueKeysWithValues: zip(fields, try sheet.texts(labels.column(.details, "source"))))
        #expect(sources[labels.code(PersonField.lastName).label] == labels.word(.valueFromYou))
        #expect(sources.filter { $0.key != labels.code(PersonField.lastName).label }.values.allSatisfy { $0 == DefaultReferenceLists.sources[1].name[language] })
        let changed = try sheet.column(labels.column(.details, "lastChanged"))
        #expect(changed.allSatisfy { $0.t == "datetime" && $0.fmt == "yyyy-mm-dd hh:mm:ss" })
        let byRow = Dictionary(uniqueKeysWithValues: zip(fields, try sheet.texts(labels.column(.details, "changedBy"))))
        #expect(byRow[labels.code(PersonField.lastName).label] == ExtractFixture.privacyTeam(language))
    }

    private func checkPurposes(_ sheet: ReadWorkbook.Sheet, labels: ExtractLabels, language: Language) throws {
        #expect(try sheet.texts(labels.column(.purposes, "purpose")) == [
            DefaultReferenceLists.purposes[0].name[language], DefaultReferenceLists.purposes[1].name[language],
        ])
        #expect(try sheet.texts(labels.column(.purposes, "basis")) == [
            DefaultReferenceLists.legalBases[5].name[language], DefaultReferenceLists.legalBases[0].name[language],
        ])
        #expect(try sheet.texts(labels.column(.purposes, "basisArticle")) == [labels.articleCitation("6(1)(f)"), labels.articleCitation("6(1)(a)")])
        #expect(try sheet.texts(labels.column(.purposes, "directMarketing")) == [labels.word(.no), labels.word(.yes)])
        // Anna objected to e-marketing: the mail house is named, and said not to receive her data for it now.
        #expect(try sheet.texts(labels.column(.purposes, "recipients")) == ["CRM Hosting B.V.", "Mail House Inc.\n\(labels.word(.recipientsNotNow))"])
        #expect(try sheet.texts(labels.column(.purposes, "inUse")) == [labels.word(.yes), labels.word(.no)])
        #expect(try sheet.texts(labels.column(.purposes, "transfers")).first == labels.word(.transfersNone))
        #expect(try sheet.texts(labels.column(.purposes, "transfers")).last??.contains(language == .en ? "United States" : "Verenigde Staten") == true)
        #expect(try sheet.texts(labels.column(.purposes, "automatedDecisions")) == [labels.word(.automatedDecisionsNone), labels.word(.automatedDecisionsNone)])
        #expect(try sheet.texts(labels.column(.purposes, "rightToObject")) == [labels.word(.objectBalancing), labels.word(.objectDirectMarketing)])
        #expect(try sheet.texts(labels.column(.purposes, "consentStatus")) == [
            labels.code(ConsentStatus.notApplicable).label, labels.code(ConsentStatus.objected).label + "\n" + labels.word(.objectionKept),
        ], "the objection to direct marketing is kept, and the person is told so")
        let objection = try sheet.column(labels.column(.purposes, "objectionRecorded"))
        #expect(objection.first?.v == SheetValue.none && objection.last?.t == "datetime")
        #expect(try sheet.column(labels.column(.purposes, "privacyStatement")).map(\.link) == [
            ExtractFixture.organisationPrivacyStatement, "https://example.nl/privacy",
        ], "a purpose without a statement of its own is covered by the organisation's")
    }

    private func checkConsents(_ consents: ReadWorkbook.Sheet, _ history: ReadWorkbook.Sheet, labels: ExtractLabels, events: [ConsentEvent]) throws {
        #expect(try consents.texts(labels.column(.consents, "status")) == [
            labels.code(ConsentStatus.notApplicable).label, labels.code(ConsentStatus.objected).label,
        ])
        #expect(try consents.column(labels.column(.consents, "updateCount")).map(\.v) == [.number(0), .number(3)])
        // Named by the channel of the events that registered and last changed each consent, as the history names them.
        let staff = labels.language == .en ? "Staff member" : "Medewerker", you = labels.language == .en ? "You" : "Uzelf"
        #expect(try consents.texts(labels.column(.consents, "registeredBy")) == [staff, you])
        #expect(try consents.texts(labels.column(.consents, "updatedBy")) == [staff, ExtractFixture.privacyTeam(labels.language)])
        #expect(try consents.texts(labels.column(.consents, "comment")) == [nil, nil], "no comment when registered")
        let given = try consents.column(labels.column(.consents, "givenAt"))
        #expect(given.first?.v == SheetValue.none && given.last?.t == "datetime")
        #expect(try consents.texts(labels.column(.consents, "consentText")).last??.isEmpty == false)

        #expect(try history.texts(labels.column(.consentHistory, "event")) == events.map { labels.code($0.type).label })
        #expect(events.map(\.type) == [.registered, .given, .withdrawn, .given, .objected])
        #expect(try history.column(labels.column(.consentHistory, "at")).map(\.v) == events.map { .text(amsterdamLocal($0.at)) })
        let statuses = try history.texts(labels.column(.consentHistory, "status"))
        #expect(statuses[2] == "\(labels.code(ConsentStatus.given).label) → \(labels.code(ConsentStatus.withdrawn).label)")
        #expect(statuses[1] == labels.code(ConsentStatus.given).label, "a new consent has no earlier status")
        #expect(try history.texts(labels.column(.consentHistory, "request")) == [nil, nil, nil, nil, ExtractFixture.objectionReference])
        #expect(try history.texts(labels.column(.consentHistory, "by"))[2] == (labels.language == .en ? "You" : "Uzelf"))
        #expect(try history.texts(labels.column(.consentHistory, "channel"))[2] == labels.code(ChangeChannel.preferencePage).label)
        #expect(try history.texts(labels.column(.consentHistory, "evidence"))[1] == "form-4711")
        #expect(try history.texts(labels.column(.consentHistory, "comment")).last == "Objected by letter")
    }

    private func checkChangeHistory(_ sheet: ReadWorkbook.Sheet, labels: ExtractLabels, edits: [PersonEdit]) throws {
        let at = try sheet.column(labels.column(.changeHistory, "at"))
        #expect(at.map(\.v) == edits.map { .text(amsterdamLocal($0.at)) })
        #expect(at.allSatisfy { $0.t == "datetime" })
        let newValues = try sheet.column(labels.column(.changeHistory, "newValue"))
        for value in ExtractFixture.formulaLike {
            let cell = try #require(newValues.first { $0.v == .text(value) }, "\(value) is in the change history")
            #expect(cell.t == "str" && cell.dt == "s", "\(value) stays text")
        }
        #expect(newValues.contains { $0.v == .text(ExtractFixture.oddUnicode) })
        #expect(try sheet.texts(labels.column(.changeHistory, "oldValue")).contains("Jansen"))
        #expect(try sheet.texts(labels.column(.changeHistory, "request")).last == ExtractFixture.objectionReference)
        #expect(try sheet.texts(labels.column(.changeHistory, "reason")).last == "rectified")
        #expect(try sheet.texts(labels.column(.changeHistory, "field")).first == labels.code(PersonField.firstName).label)
    }

    @Test("with nobody matched the workbook still opens: read-me saying no data is held, requests and glossary", arguments: Language.allCases)
    func noMatch(language: Language) throws {
        let (database, request) = try ExtractFixture.makeNoMatch(language: language)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try Resolver(store: database, clock: { ExtractFixture.generatedAt }).withDossier(personID: nil, request: request) {
            try writeExtracts($0, into: directory, name: "nobody").xlsx
        }
        let labels = try shippedLabels(language)
        let book = try ReadWorkbook.read(url)
        #expect(book.sheets.map(\.title) == ExtractSheet.withoutPersonalData.map(labels.sheetName))
        #expect(book.properties.subject == request.reference)
        let readMe = try book.sheet(labels.sheetName(.readMe))
        let texts = try readMe.texts(labels.column(.readMe, "text")).map { $0 ?? "" }
        #expect(texts.contains { $0.hasPrefix(language == .en ? "No. We searched our records" : "Nee. Wij hebben in onze administratie gezocht") })
        #expect(!texts.contains { $0.contains(labels.sheetName(.details)) }, "no sheet with personal data is mentioned")
        let requests = try book.sheet(labels.sheetName(.requests))
        #expect(try requests.texts(labels.column(.requests, "reference")) == [request.reference])
        #expect(try book.sheet(labels.sheetName(.glossary)).rows.count > 30)
    }

    @Test("with staff named (show-staff-names), the history shows their names and the glossary explains names, not tasks")
    func staffNamed() throws {
        let fixture = try ExtractFixture.make(language: .en)
        try fixture.ledger.setSetting(SettingKey.showStaffNames.rawValue, value: "true", by: "officer")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, _) = try fixture.withDossier { try writeExtracts($0, into: directory, name: "named") }
        let labels = try shippedLabels(.en)
        let book = try ReadWorkbook.read(xlsx)
        let changedBy = try book.sheet(labels.sheetName(.changeHistory)).texts(labels.column(.changeHistory, "by"))
        #expect(changedBy.contains("officer") && !changedBy.contains(labels.word(.actorStaff)))
        let glossary = try book.sheet(labels.sheetName(.glossary))
        let terms = try glossary.texts(labels.column(.glossary, "term"))
        let meanings = try glossary.texts(labels.column(.glossary, "meaning"))
        #expect(terms.contains(labels.word(.actorNamedStaff)) && meanings.contains(labels.word(.actorNamedStaffMeaning)))
        for task in [ExtractWord.actorImport, .actorPrivacyTeam, .actorStaff] {
            #expect(!terms.contains(labels.word(task)), "\(task) appears nowhere in the history, so it is not explained")
        }
        #expect(!meanings.contains(labels.word(.actorStaffMeaning)), "no promise that staff are named by their task")
    }

    @Test("LibreOffice opens every workbook, with the same sheets, rows, texts and dates")
    func libreOffice() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var originals: [URL] = []
        for language in Language.allCases {
            let fixture = try ExtractFixture.make(language: language)
            originals.append(try fixture.withDossier { try writeExtracts($0, into: directory, name: "anna-\(language.rawValue)").xlsx })
            let (database, request) = try ExtractFixture.makeNoMatch(language: language)
            originals.append(try Resolver(store: database, clock: { ExtractFixture.generatedAt }).withDossier(personID: nil, request: request) {
                try writeExtracts($0, into: directory, name: "nobody-\(language.rawValue)").xlsx
            })
        }
        let converted = try convertWithLibreOffice(originals, to: "xlsx", in: directory)
        let books = try ReadWorkbook.read(originals + converted)
        for (original, copy) in zip(originals, converted) {
            let before = try #require(books[original]), after = try #require(books[copy])
            #expect(after.sheets.map(\.title) == before.sheets.map(\.title), "\(original.lastPathComponent)")
            for (sheetBefore, sheetAfter) in zip(before.sheets, after.sheets) {
                let name = "\(original.lastPathComponent) \(sheetBefore.title)"
                #expect(sheetAfter.rows.count == sheetBefore.rows.count, "\(name) rows")
                #expect(sheetAfter.rows.first?.map(\.v) == sheetBefore.rows.first?.map(\.v), "\(name) header")
                #expect(sheetAfter.rows.allSatisfy { $0.allSatisfy { $0.dt != "f" } }, "\(name) has no formulas")
                let textsBefore = sheetBefore.rows.flatMap { $0.compactMap(\.v.text) }
                let textsAfter = sheetAfter.rows.flatMap { $0.compactMap(\.v.text) }
                #expect(textsAfter == textsBefore, "\(name) texts and dates survive")
            }
        }
        let anna = try #require(books[converted[0]])
        let labels = try shippedLabels(Language.allCases[0])
        let history = try anna.sheet(labels.sheetName(.changeHistory))
        #expect(try history.column(labels.column(.changeHistory, "at")).allSatisfy { $0.t == "datetime" })
        #expect(try history.column(labels.column(.changeHistory, "newValue")).contains { $0.v == .text("=1+1") && $0.t == "str" })
    }
}

extension ExtractFixture {
    /// How a staff member acting on a request appears (staff names are not shown by default).
    static func privacyTeam(_ language: Language) -> String { language == .en ? "Privacy team" : "Privacyteam" }
}
