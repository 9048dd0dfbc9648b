import Foundation
import Testing
@testable import Inzage

/// The extract templates: shipped ones complete and valid, an organisation's folder overriding file by file,
/// and mistakes in it reported by file and key instead of giving empty texts.
@Suite("Extract templates")
struct ExtractTemplateTests {
    /// A templates folder holding `files` (relative path → text).
    private func overrideFolder(_ files: [String: String]) throws -> URL {
        let directory = try makeTemporaryDirectory()
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory
    }

    private func shippedText(_ path: String) throws -> String { try TemplateFiles().file(path).contents }

    /// The shipped English labels with one key removed (a path of nested keys).
    private func labelsWithout(_ path: [String], replacingWith value: Any? = nil) throws -> String {
        let data = Data(try shippedText(ExtractLabels.path(for: .en)).utf8)
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func edit(_ object: inout [String: Any], _ keys: ArraySlice<String>) {
            guard let key = keys.first else { return }
            if keys.count == 1 {
                object[key] = value
            } else if var nested = object[key] as? [String: Any] {
                edit(&nested, keys.dropFirst())
                object[key] = nested
            }
        }
        edit(&root, path[...])
        return String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
    }

    @Test("the shipped templates are found from any working directory and are complete")
    func shipped() throws {
        let shipped = try #require(TemplateFiles().shippedDirectory, "the templates resource is bundled")
        #expect(shipped.path.hasPrefix("/"), "found by an absolute path, not from the working directory")
        let templates = ExtractTemplates()
        try templates.validate()
        for language in Language.allCases {
            let labels = try templates.labels(language)
            #expect(labels.origin == .shipped)
            #expect(labels.file == "extract/labels.\(language.rawValue).json")
        }
    }

    @Test("every sheet name is valid in Excel as it is: at most 31 characters, no forbidden character, not History, unique",
          arguments: Language.allCases)
    func sheetNames(language: Language) throws {
        let labels = try shippedLabels(language)
        let names = ExtractSheet.allCases.map(labels.sheetName)
        for name in names {
            #expect(!name.isEmpty && name.utf16.count <= 31, "\(name) has \(name.utf16.count) characters")
            #expect(name.rangeOfCharacter(from: CharacterSet(charactersIn: "[]:*?/\\")) == nil, "\(name)")
            #expect(!name.hasPrefix("'") && !name.hasSuffix("'") && name.lowercased() != "history", "\(name)")
        }
        #expect(Set(names.map { $0.lowercased() }).count == names.count)
    }

    @Test("the Dutch and English sheet names")
    func names() throws {
        #expect(ExtractSheet.allCases.map(try shippedLabels(.en).sheetName) == [
            "Read me first", "Your details", "Why we use your data", "Consents", "Consent history", "Where we got your data",
            "Change history", "Who received your data", "Requests", "Glossary",
        ])
        #expect(ExtractSheet.allCases.map(try shippedLabels(.nl).sheetName) == [
            "Lees dit eerst", "Uw gegevens", "Waarom we uw gegevens gebruiken", "Toestemmingen", "Geschiedenis toestemmingen",
            "Herkomst van uw gegevens", "Wijzigingen", "Ontvangers van uw gegevens", "Verzoeken", "Begrippen",
        ])
    }

    @Test("the shipped request states and types say what the rest of Inzage says", arguments: Language.allCases)
    func requestTexts(language: Language) throws {
        let labels = try shippedLabels(language)
        for state in RequestState.allCases {
            #expect(labels.code(state) == CodeLabel(label: state.label[language], explanation: state.explanation[language]))
        }
        for type in RequestType.allCases {
            #expect(labels.code(type) == CodeLabel(label: type.label[language], explanation: type.explanation[language]))
        }
    }

    @Test("a key the organisation's label file leaves out comes from the shipped file; its own texts win; the keys are named")
    func missingKeyInherited() throws {
        // The organisation words one sheet its own way and has no text for another (as after an upgrade that added it).
        let data = Data(try labelsWithout(["sheets", "consents", "name"]).utf8)
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sheets = try #require(root["sheets"] as? [String: Any])
        var details = try #require(sheets["details"] as? [String: Any])
        details["name"] = "About you"
        sheets["details"] = details
        root["sheets"] = sheets
        let folder = try overrideFolder(["extract/labels.en.json": String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = ExtractTemplates(overrideDirectory: folder)
        let labels = try templates.labels(.en)
        #expect(labels.origin == .override(directory: folder.path))
        #expect(labels.inheritedKeys == ["sheets.consents.name"])
        #expect(labels.sheetName(.consents) == (try shippedLabels(.en)).sheetName(.consents), "the shipped text")
        #expect(labels.sheetName(.details) == "About you", "the organisation's own text")
        #expect(try templates.labels(.nl).origin == .shipped && templates.labels(.nl).inheritedKeys.isEmpty)
        let notices = try templates.validate()
        #expect(notices.count == 1)
        #expect(notices.first?.contains("extract/labels.en.json") == true && notices.first?.contains(folder.path) == true)
        #expect(notices.first?.contains("sheets.consents.name") == true)
        #expect(try ExtractTemplates().validate().isEmpty, "nothing to say about the shipped templates")

        let fixture = try ExtractFixture.make(language: .en)
        let output = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        let book = try fixture.withDossier { try ReadWorkbook.read(writeExtracts($0, into: output, name: "a", templates: templates).xlsx) }
        #expect(book.sheets.map(\.title).contains("About you"))
        #expect(book.sheets.map(\.title).contains(labels.sheetName(.consents)))
    }

    @Test("the names of who made a change come from the label files, so an organisation can word them")
    func actorNames() throws {
        let folder = try overrideFolder(["extract/labels.en.json": #"{"words": {"actorStaff": "Customer service", "actorPrivacyTeam": "Data protection desk"}}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = ExtractTemplates(overrideDirectory: folder)
        let fixture = try ExtractFixture.make(language: .en)
        let output = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        let (xlsx, json) = try fixture.withDossier { try writeExtracts($0, into: output, name: "actors", templates: templates) }
        let labels = try templates.labels(.en)
        let by = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.changeHistory)).texts(labels.column(.changeHistory, "by"))
        #expect(by.first == "Customer service" && by.last == "Data protection desk", "\(by)")
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(text.contains("\"by\":\"Customer service\"") && !text.contains("Staff member"))
    }

    @Test("a key the organisation's label file has but Inzage does not use (a misspelt one) is named; comments are not")
    func unusedKeys() throws {
        let folder = try overrideFolder(["extract/labels.en.json": #"{"_comment": "ours", "sheets": {"consent": {"name": "Our consents"}, "details": {"name": "About you", "_note": "x"}}}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = ExtractTemplates(overrideDirectory: folder)
        let labels = try templates.labels(.en)
        #expect(labels.unusedKeys == ["sheets.consent.name"])
        #expect(labels.sheetName(.details) == "About you")
        let notices = try templates.validate()
        #expect(notices.count == 2)
        #expect(notices.first?.contains("1 key (sheets.consent.name) that Inzage does not use") == true, "\(notices)")
        #expect(notices.last?.contains("and \(labels.inheritedKeys.count - 5) more") == true, "a long list is cut short: \(notices)")
    }

    @Test("a key missing from both the organisation's file and the shipped one is an error naming the file and the key",
          arguments: [
            ["sheets", "consents", "name"],
            ["codes", "consentStatus", "values", "objected", "explanation"],
            ["columns", "changeHistory", "newValue"],
            ["rights", "withdraw-consent", "label"],
            ["words", "transfersNone"],
            ["meta", "articleCitation"],
          ])
    func missingEverywhere(path: [String]) throws {
        let origin = TemplateOrigin.override(directory: "/org")
        let file = TemplateFile(path: "extract/labels.en.json", origin: origin, contents: try labelsWithout(path))
        let expected = ExtractError.missingLabel(file: "extract/labels.en.json", origin: origin, key: path.joined(separator: "."))
        #expect(throws: expected) { try ExtractLabels(file, language: .en) }
        let defaults = TemplateFile(path: "extract/labels.en.json", origin: .shipped, contents: try labelsWithout(path))
        #expect(throws: expected) { try ExtractLabels(file, language: .en, defaults: defaults) }
        #expect(expected.description.contains("extract/labels.en.json") && expected.description.contains("\"\(path.joined(separator: "."))\""))
        let complete = TemplateFile(path: "extract/labels.en.json", origin: .shipped, contents: try shippedText(ExtractLabels.path(for: .en)))
        #expect(try ExtractLabels(file, language: .en, defaults: complete).inheritedKeys == [path.joined(separator: ".")])
    }

    @Test("a label that is not text, and a file that is not JSON, are errors naming the file")
    func malformed() throws {
        let notText = try overrideFolder(["extract/labels.en.json": try labelsWithout(["words", "yes"], replacingWith: 1)])
        let broken = try overrideFolder(["extract/labels.en.json": "{ \"meta\": "])
        defer {
            try? FileManager.default.removeItem(at: notText)
            try? FileManager.default.removeItem(at: broken)
        }
        #expect(throws: ExtractError.labelNotText(file: "extract/labels.en.json", origin: .override(directory: notText.path), key: "words.yes")) {
            try ExtractTemplates(overrideDirectory: notText).labels(.en)
        }
        #expect {
            try ExtractTemplates(overrideDirectory: broken).labels(.en)
        } throws: { error in
            guard case .malformedLabels(let file, _, _) = error as? ExtractError else { return false }
            return file == "extract/labels.en.json"
        }
    }

    @Test("the organisation's folder overrides file by file: its read-me, the shipped labels")
    func fileByFile() throws {
        let folder = try overrideFolder(["extract/readme.en.mustache": "## Hello & welcome\n{{organisationName}} <custom>\n\n\n{{requestReference}}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = ExtractTemplates(overrideDirectory: folder)
        #expect(try templates.readMe(.en).origin == .override(directory: folder.path))
        #expect(try templates.readMe(.nl).origin == .shipped)
        #expect(try templates.labels(.en).origin == .shipped)
        let fixture = try ExtractFixture.make(language: .en)
        let rows = try fixture.withDossier { try ExtractContent(dossier: $0, templates: templates, format: .xlsx).readMe }
        #expect(rows == [ReadMeRow(heading: "Hello & welcome", text: "Voorbeeld B.V. <custom>\n\n\(fixture.request.reference)")],
                "plain text: nothing escaped, blank lines collapsed")
    }

    @Test("a template using a variable that is not supplied is an error, never an empty text",
          arguments: [
            ("## About\n{{organisationNmae}}\n", ["organisationNmae"]),
            ("{{#rights}}\n## {{lable}}\n{{/rights}}\n", ["lable"]),
            ("{{#dataHeld}}{{personName}}{{/dataHeld}} {{#unknownFlag}}x{{/unknownFlag}}", ["personName", "unknownFlag"]),
          ])
    func unknownVariable(template: String, names: [String]) throws {
        let folder = try overrideFolder(["extract/readme.en.mustache": template])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = ExtractTemplates(overrideDirectory: folder)
        let fixture = try ExtractFixture.make(language: .en)
        let output = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        _ = try fixture.withDossier { dossier in
            #expect {
                try XLSXExtractWriter(templates: templates).write(dossier, to: output.appendingPathComponent("a.xlsx"))
            } throws: { error in
                guard case .unknownTemplateVariables(let file, let origin, let found, let available) = error as? ExtractError else { return false }
                return file == "extract/readme.en.mustache" && origin == .override(directory: folder.path) && found == names
                    && available.contains("organisationName") && !String(describing: error).isEmpty
            }
        }
        #expect(throws: ExtractError.self) { try templates.validate() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).isEmpty)
    }

    @Test("validation renders every branch: a mistake in the no-data text shows before any request needs it")
    func validateBranches() throws {
        let folder = try overrideFolder(["extract/readme.nl.mustache": "## Hallo\n{{^dataHeld}}{{geenGegevens}}{{/dataHeld}}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ExtractError.unknownTemplateVariables(
            file: "extract/readme.nl.mustache", origin: .override(directory: folder.path), names: ["geenGegevens"],
            available: try ReadMe.sampleVariables(labels: shippedLabels(.nl), hasRequest: true, dataHeld: false).names.sorted())) {
            try ExtractTemplates(overrideDirectory: folder).validate()
        }
    }

    @Test("an article citation with an unknown variable is refused when the labels are loaded")
    func citation() throws {
        let folder = try overrideFolder(["extract/labels.en.json": try labelsWithout(["meta", "articleCitation"], replacingWith: "Art. {{nummer}} GDPR")])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            try ExtractTemplates(overrideDirectory: folder).labels(.en)
        } throws: { error in
            guard case .unknownTemplateVariables(_, _, let names, _) = error as? ExtractError else { return false }
            return names == ["nummer"]
        }
        #expect(try shippedLabels(.nl).articleCitation("6(1)(a)") == "art. 6(1)(a) AVG")
        #expect(try shippedLabels(.en).articleCitation("7(3)") == "Art. 7(3) GDPR")
    }

    @Test("dotted names, partials and broken syntax are refused when the template is loaded",
          arguments: ["{{organisation.name}}", "{{> footer}}", "{{#rights}} never closed", "{{=<% %>=}}"])
    func unsupported(template: String) throws {
        #expect {
            try TextTemplate(TemplateFile(path: "extract/readme.en.mustache", origin: .shipped, contents: template))
        } throws: { error in
            guard case .invalidTemplate(let file, _, _) = error as? ExtractError else { return false }
            return file == "extract/readme.en.mustache"
        }
    }

    @Test("a template that cannot be parsed is described in words with its line, never as swift-mustache's dump",
          arguments: [
              ("Hello {{#broken", "line 1, column"),
              ("Dear {{name}},\n{{#rights}}\nnever closed", "every {{#name}} or {{^name}} needs its {{/name}}"),
              ("{{#a}}x{{/b}}", "closed with another name"),
          ])
    func parseErrors(template: String, expected: String) throws {
        #expect {
            try TextTemplate(TemplateFile(path: "messages/acknowledgement.nl.body.mustache", origin: .override(directory: "/srv/templates"), contents: template))
        } throws: { error in
            guard case .invalidTemplate(_, _, let reason) = error as? ExtractError else { return false }
            return reason.hasPrefix("line ") && reason.contains(expected) && !reason.contains("ParserError") && !reason.contains("Mustache.")
        }
    }

    @Test("the load-time check names the first unsupported tag and lets every supported one through",
          arguments: [
              ("Geachte {{ naam }}, {{! opmerking}} {{#lijst}}{{.}}{{/lijst}} {{{ruw}}} {{&ook}} {{^geen}}x{{/geen}}", nil),
              ("Één — ü {{\tnaam\u{00A0}}} en {{ organisation.name }}",
               "{{organisation.name}} uses a dotted name; variables are plain names such as {{organisationName}}"),
              ("{{% CONTENT_TYPE: TEXT}}{{> footer}}", "partials and blocks ({{> footer}}) are not supported; write the text in this file"),
              ("{{$block}}{{/block}}", "partials and blocks ({{$block}}) are not supported; write the text in this file"),
              ("a {{=<% %>=}}", "changing the delimiters ({{=<% %>=}}) is not supported"),
              ("{{#a.b}}x{{/a.b}}", "{{#a.b}} uses a dotted name; variables are plain names such as {{organisationName}}"),
              ("unclosed {{ name", nil),
              ("{{}} {{ }} plain", nil),
          ] as [(String, String?)])
    func unsupportedTagCheck(text: String, problem: String?) {
        #expect(TextTemplate.unsupportedTag(in: text) == problem)
    }

    @Test("the templates folder comes from --templates, else INZAGE_TEMPLATES, else none")
    func overrideDirectory() {
        #expect(TemplateFiles.overrideDirectory(option: "/a", environment: ["INZAGE_TEMPLATES": "/b"])?.path == "/a")
        #expect(TemplateFiles.overrideDirectory(option: nil, environment: ["INZAGE_TEMPLATES": "/b"])?.path == "/b")
        #expect(TemplateFiles.overrideDirectory(option: nil, environment: [:]) == nil)
        #expect(TemplateFiles.overrideDirectory(option: "", environment: ["INZAGE_TEMPLATES": ""]) == nil)
    }

    @Test("a file that exists nowhere is an error naming it and the folder searched")
    func notFound() throws {
        let folder = try overrideFolder([:])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ExtractError.templateNotFound(file: "extract/none.json", overrideDirectory: folder.path)) {
            try TemplateFiles(overrideDirectory: folder).file("extract/none.json")
        }
    }

    @Test("a text counts as yes in a section when it is there, and an absent one renders nothing without an error")
    func textSection() throws {
        let template = try TextTemplate(TemplateFile(path: "extract/test.mustache", origin: .shipped,
                                                     contents: "{{#due}}until {{due}}{{/due}}{{^due}}no date{{/due}}|{{due}}"))
        var variables = TemplateVariables()
        variables.set("due", "1 May & <after>")
        #expect(try template.render(variables) == "until 1 May & <after>|1 May & <after>")
        variables.set("due", nil)
        #expect(try template.render(variables) == "no date|")
    }

    @Test("the shipped read-me names the organisation's privacy statement, and apologises for an answer made after the last day",
          arguments: Language.allCases)
    func readMeLateAnswerAndPrivacyStatement(language: Language) throws {
        let templates = ExtractTemplates()
        let labels = try templates.labels(language)
        let due = CivilDate(uncheckedYear: 2026, month: 11, day: 2)
        let request = DataSubjectRequest(
            id: 1, reference: "DSR-2026-000001", type: .access, state: .inProgress, subject: SubjectIdentifiers(email: "a@example.nl"),
            channel: .email, language: language, formats: [.json], rectification: [], objection: nil,
            receivedAt: Date(timeIntervalSince1970: 0), receivedOn: CivilDate(uncheckedYear: 2026, month: 10, day: 2), dueOn: due,
            extendedDueOn: nil, extensionReason: nil, personID: nil, candidateIDs: [], origin: nil,
            createdAt: Date(timeIntervalSince1970: 0), createdBy: "system", updatedAt: Date(timeIntervalSince1970: 0), attempts: 0, lastError: nil)
        func text(generatedOn: CivilDate, request: DataSubjectRequest?, settings: [SettingKey: String]) throws -> String {
            let variables = try ReadMe.variables(organisation: OrganisationProfile(settings: settings), labels: labels, generatedOn: generatedOn,
                                                 timeZone: "Europe/Amsterdam", request: request, dataHeld: true, sheets: ExtractSheet.allCases,
                                                 jsonIncluded: true)
            return try ReadMe.render(templates.readMe(language), variables: variables).map(\.text).joined(separator: "\n")
        }
        let apology = language == .en ? "We are sorry that we answer later than the law allows." : "Het spijt ons dat wij later antwoorden dan de wet toestaat."
        let statement = [SettingKey.privacyStatementURL: "https://example.nl/privacy"]
        #expect(try text(generatedOn: due, request: request, settings: statement).contains(apology) == false, "the last day is in time")
        let late = try text(generatedOn: CivilDate(uncheckedYear: 2026, month: 11, day: 3), request: request, settings: statement)
        #expect(late.contains(apology))
        #expect(late.contains("https://example.nl/privacy"))
        var extended = request
        extended.extendedDueOn = CivilDate(uncheckedYear: 2027, month: 1, day: 4)
        #expect(try text(generatedOn: CivilDate(uncheckedYear: 2026, month: 11, day: 3), request: extended, settings: [:]).contains(apology) == false,
                "the extended last day counts")
        #expect(try text(generatedOn: due, request: nil, settings: [:]).contains("https://example.nl/privacy") == false, "no statement set, none named")
    }

    @Test("the read-me splits into rows at headings, collapsing blank lines")
    func readMeRows() {
        #expect(ReadMe.rows(from: "Intro\n\n## One\n\nline 1\n\n\n\nline 2\n  \n## Two\n## Three\ntext\n") == [
            ReadMeRow(heading: "", text: "Intro"),
            ReadMeRow(heading: "One", text: "line 1\n\nline 2"),
            ReadMeRow(heading: "Two", text: ""),
            ReadMeRow(heading: "Three", text: "text"),
        ])
    }
}
