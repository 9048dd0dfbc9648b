import Foundation
import Testing
@testable import Inzage

/// The JSON extract, validated against `schemas/inzage-extract-1.schema.json` with python-jsonschema.
@Suite("JSON extract")
struct ExtractJSONTests {
    private func object(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test("the extract validates against the schema and holds the dossier, coded values in words", arguments: Language.allCases)
    func extract(language: Language) throws {
        let fixture = try ExtractFixture.make(language: language)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try fixture.withDossier { try writeExtracts($0, into: directory, name: "anna").json }
        #expect(try validateAgainstSchema([url]) == [url.path: []])
        let labels = try shippedLabels(language)
        let document = try object(url)

        #expect(document["schemaVersion"] as? String == "inzage-extract/1")
        #expect(document["generatedAt"] as? String == "2025-06-17T00:40:00+02:00")
        #expect(document["timeZone"] as? String == "Europe/Amsterdam")
        #expect((document["language"] as? [String: Any])?["label"] as? String == labels.code(language).label)
        #expect(document["dataHeld"] as? Bool == true)
        #expect(Array(document.keys).sorted() == ["complaint", "consents", "dataHeld", "editHistory", "generatedAt", "language", "organisation",
                                                  "purposes", "readMe", "recipients", "request", "requests", "rights", "schemaVersion",
                                                  "sources", "subject", "timeZone"])

        let request = try #require(document["request"] as? [String: Any])
        #expect(request["reference"] as? String == fixture.request.reference)
        #expect(request["receivedOn"] as? String == "2025-06-16" && request["dueOn"] as? String == "2025-07-16")
        #expect(request["receivedAt"] as? String == "2025-06-16T20:53:20+02:00")
        #expect(request["extendedDueOn"] is NSNull && request["stateHistory"] == nil)
        let type = try #require(request["type"] as? [String: Any])
        #expect(type["gdprArticle"] as? String == "15" && type["dpvIRI"] as? String == "https://w3id.org/dpv/legal/eu/gdpr#A15")
        let requests = try #require(document["requests"] as? [[String: Any]])
        // Received, in progress, and completed when the file was made: the state the person reads it in.
        #expect(requests.count == 1 && (requests[0]["stateHistory"] as? [[String: Any]])?.compactMap { ($0["to"] as? [String: Any])?["key"] as? String }
                == ["received", "in-progress", "completed"])
        #expect((requests[0]["stateHistory"] as? [[String: Any]])?.last?["at"] as? String == document["generatedAt"] as? String)
        let given = try #require(requests[0]["givenDetails"] as? [[String: String]])
        #expect(given == [["label": labels.code(PersonField.email).label, "value": try #require(fixture.request.subject.email)]])
        // The request this file answers reads as completed, the state it has once the person reads the file, in both
        // places; its recorded history is left as it is (the completion is recorded when the worker keeps the file).
        for answered in [request, requests[0]] {
            #expect((answered["state"] as? [String: Any])?["key"] as? String == RequestState.completed.rawValue)
            #expect(answered["lastStateChangeAt"] as? String == document["generatedAt"] as? String)
        }

        let subject = try #require(document["subject"] as? [String: Any])
        #expect(subject["personID"] as? Int == Int(fixture.personID))
        let details = try #require(subject["details"] as? [[String: Any]])
        let values = Dictionary(uniqueKeysWithValues: details.map { (($0["field"] as? [String: Any])?["key"] as? String ?? "", $0) })
        #expect(values["job-title"]?["value"] as? String == "=1+1")
        #expect(values["last-name"]?["value"] as? String == ExtractFixture.oddUnicode)
        #expect(values["language"]?["valueInWords"] as? String == labels.code(language).label)
        #expect(values["source"]?["value"] as? String == "business-card")
        #expect(values["last-name"]?["lastChangedBy"] as? String == ExtractFixture.privacyTeam(language))
        #expect(details.count == 11)
        // Where each value came from, as the workbook's details say: the person's source, or the person themself.
        let businessCard = try #require(DefaultReferenceLists.sources.first { $0.key == "business-card" }).name[language]
        #expect(values["city"]?["source"] as? String == businessCard)
        #expect(values["last-name"]?["source"] as? String == labels.word(.valueFromYou), "corrected through a request")
        // An edit of a coded field gives its values in words too; other edits do not carry the members.
        let editHistory = try #require(document["editHistory"] as? [[String: Any]])
        let languageEdit = try #require(editHistory.first { ($0["field"] as? [String: Any])?["key"] as? String == "language" })
        #expect(languageEdit["newValueInWords"] as? String == labels.code(language).label && languageEdit["oldValueInWords"] is NSNull)
        #expect(editHistory.filter { ($0["field"] as? [String: Any])?["key"] as? String == "city" }.allSatisfy { $0["newValueInWords"] == nil })
        // The request's first state began when it was received.
        let history = try #require(requests[0]["stateHistory"] as? [[String: Any]])
        #expect(history.first?["at"] as? String == request["receivedAt"] as? String)

        let consents = try #require(document["consents"] as? [[String: Any]])
        #expect(consents.count == 2)
        let marketing = try #require(consents.last)
        #expect((marketing["status"] as? [String: Any])?["key"] as? String == "objected")
        #expect((marketing["status"] as? [String: Any])?["explanation"] as? String == labels.code(ConsentStatus.objected).explanation)
        #expect((marketing["legalBasis"] as? [String: Any])?["dpvIRI"] as? String == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a")
        #expect(marketing["updateCount"] as? Int == 3 && marketing["comment"] is NSNull)
        let events = try #require(marketing["events"] as? [[String: Any]])
        #expect(events.compactMap { ($0["type"] as? [String: Any])?["key"] as? String } == ["given", "withdrawn", "given", "objected"])
        #expect(events[1]["by"] as? String == (language == .en ? "You" : "Uzelf"))
        #expect((events[1]["channel"] as? [String: Any])?["key"] as? String == "preference-page")
        #expect(events[3]["requestReference"] as? String == ExtractFixture.objectionReference)
        #expect(events[3]["comment"] as? String == "Objected by letter")
        // Who registered and last changed the consent, named by the channel of the events that did it, as the history does.
        #expect(marketing["registeredBy"] as? String == events[0]["by"] as? String)
        #expect(marketing["updatedBy"] as? String == ExtractFixture.privacyTeam(language) && events[3]["by"] as? String == ExtractFixture.privacyTeam(language))
        #expect(events[0]["fromStatus"] is NSNull && events[0]["evidence"] as? String == "form-4711")
        let sales = try #require(consents.first)
        #expect((sales["legalBasis"] as? [String: Any])?["key"] as? String == "legitimate-interest")
        #expect((sales["events"] as? [[String: Any]])?.count == 1)

        let edits = try #require(document["editHistory"] as? [[String: Any]])
        let ledgerEdits = try fixture.ledger.edits(fixture.personID)
        #expect(edits.count == ledgerEdits.count)
        #expect(edits.compactMap { $0["at"] as? String } == ledgerEdits.map { ExtractTime(timeZone: ExtractFixture.amsterdam).iso8601($0.at) })
        #expect(edits.allSatisfy { ($0["at"] as? String)?.hasSuffix("+02:00") == true })
        #expect(ExtractFixture.formulaLike.allSatisfy { value in edits.contains { $0["newValue"] as? String == value } })

        let purposes = try #require(document["purposes"] as? [[String: Any]])
        #expect(purposes.compactMap { $0["directMarketing"] as? Bool } == [false, true])
        #expect(purposes.first?["transfersOutsideEU"] is NSNull && purposes.last?["transfersOutsideEU"] is String)
        #expect(purposes.first?["consentText"] is NSNull, "no consent text for a purpose on legitimate interest")
        #expect((purposes.last?["consentText"] as? String)?.isEmpty == false)
        #expect(purposes.map { $0["privacyStatementURL"] as? String } == [ExtractFixture.organisationPrivacyStatement, "https://example.nl/privacy"])
        #expect(purposes.first?["objectionRecordedAt"] is NSNull && purposes.last?["objectionRecordedAt"] is String)
        #expect((purposes.last?["consentSummary"] as? String)?.hasSuffix("\n" + labels.word(.objectionKept)) == true)
        let recipients = try #require(document["recipients"] as? [[String: Any]])
        #expect(recipients.compactMap { $0["name"] as? String } == ["Mail House Inc.", "CRM Hosting B.V."])
        // Countries come with their names, as the workbook shows them (design.md §5: no code without words).
        #expect(recipients.compactMap { $0["countryInWords"] as? String } == [labels.countryName("US"), labels.countryName("NL")])
        #expect(recipients.first?["countryInWords"] as? String == (language == .en ? "United States (US)" : "Verenigde Staten (US)"))
        #expect((document["organisation"] as? [String: Any])?["countryInWords"] as? String == labels.countryName("NL"))
        #expect(recipients.map { ($0["data"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String } }
                == [ExtractFixture.mailHouseData, ExtractFixture.heldData].map { $0.map(\.rawValue) })

        let rights = try #require((document["rights"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(rights.compactMap { $0["key"] as? String } == DataSubjectRight.allCases.map(\.rawValue))
        #expect(rights.compactMap { $0["dpvIRI"] as? String } == DataSubjectRight.allCases.map(\.dpvIRI))
        #expect(rights.last?["dpvIRI"] as? String == "https://w3id.org/dpv/legal/eu/gdpr#A7-3")
        let complaint = try #require(document["complaint"] as? [String: Any])
        #expect((complaint["supervisoryAuthority"] as? [String: Any])?["name"] as? String == "Autoriteit Persoonsgegevens")

        let readMe = try #require(document["readMe"] as? [[String: Any]])
        #expect(readMe.contains { ($0["text"] as? String)?.contains(fixture.request.reference) == true })
        // The document's read-me speaks of its named parts, never of sheets or tabs it does not have.
        let readMeText = readMe.compactMap { $0["text"] as? String }.joined(separator: "\n")
        #expect(readMeText.contains("\"editHistory\""))
        for sheetWord in [#"\bsheets?\b"#, #"\btabblad(en)?\b"#, #"\btabs\b"#] {
            #expect(readMeText.range(of: sheetWord, options: [.regularExpression, .caseInsensitive]) == nil, "the JSON read-me mentions \(sheetWord)")
        }

        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        let editLines = text.components(separatedBy: "\n").filter { $0.contains("\"editID\":") }
        #expect(editLines.count == 12 && editLines.allSatisfy { $0.hasPrefix("{\"at\":") }, "one edit record per line")
    }

    @Test("with nobody matched: dataHeld false, no subject, empty personal lists, still valid", arguments: Language.allCases)
    func noMatch(language: Language) throws {
        let (database, request) = try ExtractFixture.makeNoMatch(language: language)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try Resolver(store: database, clock: { ExtractFixture.generatedAt }).withDossier(personID: nil, request: request) {
            try writeExtracts($0, into: directory, name: "nobody").json
        }
        #expect(try validateAgainstSchema([url]) == [url.path: []])
        let document = try object(url)
        #expect(document["dataHeld"] as? Bool == false)
        #expect(document["subject"] is NSNull)
        for key in ["purposes", "consents", "editHistory", "recipients", "sources"] {
            #expect((document[key] as? [Any])?.isEmpty == true, "\(key)")
        }
        #expect((document["request"] as? [String: Any])?["reference"] as? String == request.reference)
        let readMe = try #require(document["readMe"] as? [[String: Any]])
        #expect(readMe.contains { ($0["text"] as? String)?.hasPrefix(language == .en ? "No." : "Nee.") == true })
    }

    @Test("a country is named in the person's language, with its code, in both extracts", arguments: [(Language.en, "Germany (DE)"), (.nl, "Duitsland (DE)")])
    func countryInWords(language: Language, expected: String) throws {
        let fixture = try ExtractFixture.make(language: language)
        _ = try fixture.ledger.updatePerson(id: fixture.personID, changes: [.country: "DE"], attribution: officer)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try fixture.withDossier { try writeExtracts($0, into: directory, name: "country") }
        let labels = try shippedLabels(language)
        let details = try #require(try object(json)["subject"] as? [String: Any])["details"] as? [[String: Any]]
        let country = try #require(details?.first { ($0["field"] as? [String: Any])?["key"] as? String == "country" })
        #expect(country["value"] as? String == "DE" && country["valueInWords"] as? String == expected)
        let sheet = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.details))
        let fields = try sheet.texts(labels.column(.details, "field"))
        let row = try #require(fields.firstIndex(of: labels.code(PersonField.country).label))
        #expect(try sheet.texts(labels.column(.details, "value"))[row] == expected)
    }

    @Test("a recipient outside the EEA is named for a purpose that does not describe the transfer, never hidden behind 'stays in the EEA'",
          arguments: Language.allCases)
    func transfersOutsideEEA(language: Language) throws {
        let fixture = try ExtractFixture.make(language: language)
        // The mail house is in the United States; the e-marketing purpose loses its statement of that transfer.
        try fixture.ledger.updateEntry(.purpose, key: "e-marketing", changes: [
            (field: "transfers-outside-eu-en", value: ""), (field: "transfers-outside-eu-nl", value: ""),
        ], by: "officer")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try fixture.withDossier { try writeExtracts($0, into: directory, name: "transfers") }
        let labels = try shippedLabels(language)
        let expected = "Mail House Inc., \(labels.countryName("US")): \(labels.word(.transfersUnstated))"
        #expect(expected.contains(language == .en ? "United States (US)" : "Verenigde Staten (US)"))
        let sheet = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.purposes))
        #expect(try sheet.texts(labels.column(.purposes, "transfers")) == [labels.word(.transfersNone), expected],
                "sales and service goes to a hosting company in the Netherlands only")
        let purposes = try #require(try object(json)["purposes"] as? [[String: Any]])
        #expect(purposes.map { $0["key"] as? String } == ["sales-and-service", "e-marketing"])
        #expect(purposes[0]["transfersOutsideEU"] is NSNull && purposes[1]["transfersOutsideEU"] as? String == expected)
        #expect(try validateAgainstSchema([json]) == [json.path: []])
    }

    @Test("the right to data portability speaks of the JSON file only when the answer includes one", arguments: Language.allCases)
    func portabilityAndTheJSONFile(language: Language) throws {
        let fixture = try ExtractFixture.make(language: language)
        let labels = try shippedLabels(language)
        let portability = labels.right(.portability).label
        func explanation(_ xlsx: URL) throws -> String? {
            let readMe = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.readMe))
            let headings = try readMe.texts(labels.column(.readMe, "topic"))
            let texts = try readMe.texts(labels.column(.readMe, "text"))
            return try #require(headings.firstIndex { $0?.hasPrefix(portability) == true }).map { texts[$0] } ?? nil
        }
        func jsonExplanation(_ json: URL) throws -> String? {
            let rights = try #require(try object(json)["rights"] as? [String: Any])
            let items = try #require(rights["items"] as? [[String: Any]])
            return items.first { $0["key"] as? String == "portability" }?["explanation"] as? String
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let withJSON = labels.rightExplanation(.portability, jsonIncluded: true)
        let withoutJSON = labels.rightExplanation(.portability, jsonIncluded: false)
        #expect(withJSON.hasSuffix(labels.word(.portabilityWithJSON)) && withoutJSON.hasSuffix(labels.word(.portabilityWithoutJSON)))

        // The fixture's request asks for both formats.
        let answer = try fixture.withDossier { try writeExtracts($0, into: directory, name: "answer") }
        #expect(try explanation(answer.xlsx) == withJSON && jsonExplanation(answer.json) == withJSON)
        // An officer's workbook made without a request comes without a JSON file; the JSON file is one itself.
        let direct = try Resolver(store: fixture.database, clock: { ExtractFixture.generatedAt }).withDossier(personID: fixture.personID) {
            try writeExtracts($0, into: directory, name: "direct")
        }
        #expect(try explanation(direct.xlsx) == withoutJSON && jsonExplanation(direct.json) == withJSON)
        // A request that asked for the workbook only.
        let queue = RequestQueue(store: fixture.database, clock: { ExtractFixture.generatedAt.addingTimeInterval(-60) })
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "anna.jansen@example.nl"), language: language,
                                                     receivedAt: ExtractFixture.generatedAt.addingTimeInterval(-120), formats: [.xlsx]), by: "officer")
        let workbookOnly = try Resolver(store: fixture.database, clock: { ExtractFixture.generatedAt })
            .withDossier(personID: fixture.personID, request: filed.request) { try writeExtracts($0, into: directory, name: "xlsx-only") }
        #expect(try explanation(workbookOnly.xlsx) == withoutJSON)
    }

    @Test("each grant of consent keeps when it was given, also when recorded later and renewed since, in both extracts")
    func dateOfConsentPerEvent() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let person = try fixture.ledger.addPerson(PersonDetails(firstName: "Ann", lastName: "Lee", email: "ann.lee@example.com", language: "en",
                                                                sourceKey: "web-form"), attribution: officer)
        // Given on paper in March 2025, recorded now; renewed later.
        let onPaper = Date(timeIntervalSince1970: 1_740_837_600)  // 2025-03-01 14:00 in Amsterdam
        let given = try fixture.ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent",
                                                                sourceKey: "web-form", evidence: "f-1", givenAt: onPaper), attribution: officer)
        let renewed = try fixture.ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", basisKey: "consent",
                                                                  sourceKey: "email", evidence: "f-2"), attribution: officer)
        #expect(given.givenAt == onPaper && renewed.givenAt != onPaper)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try Resolver(store: fixture.database, clock: { ExtractFixture.generatedAt }).withDossier(personID: person.id) {
            try writeExtracts($0, into: directory, name: "given")
        }
        let labels = try shippedLabels(.en)
        let history = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.consentHistory))
        let renewedAt = try #require(renewed.givenAt)
        #expect(try history.texts(labels.column(.consentHistory, "event")) == [labels.code(ConsentEventType.given).label, labels.code(ConsentEventType.renewed).label])
        #expect(try history.column(labels.column(.consentHistory, "givenAt")).map(\.v) == [.text(amsterdamLocal(onPaper)), .text(amsterdamLocal(renewedAt))])
        let consents = try #require(try object(json)["consents"] as? [[String: Any]])
        let events = try #require(consents.first?["events"] as? [[String: Any]])
        let time = ExtractTime(timeZone: ExtractFixture.amsterdam)
        #expect(events.map { $0["givenAt"] as? String } == [time.iso8601(onPaper), time.iso8601(renewedAt)])
        #expect(try validateAgainstSchema([json]) == [json.path: []])
    }

    @Test("an upheld objection to a purpose that is not direct marketing shows when it was recorded, in both extracts")
    func objectionToOtherPurposeRecorded() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let objected = try fixture.ledger.recordObjection(personID: fixture.personID, purposeKey: "sales-and-service", attribution: officer)
        let at = try #require(objected.withdrawnAt)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try fixture.withDossier { try writeExtracts($0, into: directory, name: "objected") }
        let purposes = try #require(try object(json)["purposes"] as? [[String: Any]])
        #expect(purposes.first?["key"] as? String == "sales-and-service")
        #expect(purposes.first?["objectionRecordedAt"] as? String == ExtractTime(timeZone: ExtractFixture.amsterdam).iso8601(at))
        let labels = try shippedLabels(.en)
        let column = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.purposes)).column(labels.column(.purposes, "objectionRecorded"))
        #expect(column.first?.v == .text(amsterdamLocal(at)))
    }

    @Test("a purpose the person's data is not used for now says so, and its recipients do not receive the data for it now",
          arguments: [Language.en, .nl])
    func purposeNotInUse(language: Language) throws {
        // Anna objected to e-marketing (mail house); sales and service (CRM hosting) goes on under her consent.
        let fixture = try ExtractFixture.make(language: language)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (xlsx, json) = try fixture.withDossier { try writeExtracts($0, into: directory, name: "in-use") }
        let purposes = try #require(try object(json)["purposes"] as? [[String: Any]])
        let inUse = Dictionary(uniqueKeysWithValues: purposes.compactMap { p in (p["key"] as? String).map { ($0, p["inUse"] as? Bool) } })
        #expect(inUse == ["sales-and-service": true, "e-marketing": false])
        #expect(try validateAgainstSchema([json]) == [json.path: []])

        let labels = try shippedLabels(language)
        let sheet = try ReadWorkbook.read(xlsx).sheet(labels.sheetName(.purposes))
        let keys = purposes.compactMap { $0["key"] as? String }
        let shownInUse = try sheet.texts(labels.column(.purposes, "inUse"))
        let recipients = try sheet.texts(labels.column(.purposes, "recipients"))
        let marketing = try #require(keys.firstIndex(of: "e-marketing"))
        let sales = try #require(keys.firstIndex(of: "sales-and-service"))
        #expect(shownInUse[marketing] == labels.word(.no) && shownInUse[sales] == labels.word(.yes))
        #expect(recipients[marketing] == "Mail House Inc.\n\(labels.word(.recipientsNotNow))")
        #expect(recipients[sales] == "CRM Hosting B.V.")
    }

    @Test("a request's state history shows changes of state, not the officer's notes that keep it")
    func stateHistoryWithoutNotes() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let queue = RequestQueue(store: fixture.database, clock: { ExtractFixture.generatedAt.addingTimeInterval(-60) })
        // Nobody matches this address; the officer assigns Anna, which the request's history notes without a change of state.
        let filed = try queue.file(RequestSubmission(type: .access, subject: SubjectIdentifiers(email: "a.jansen@elsewhere.example"),
                                                     receivedAt: ExtractFixture.generatedAt.addingTimeInterval(-120)), by: "intake").request
        _ = try queue.assign(filed.reference, personID: fixture.personID, by: "officer")
        #expect(try queue.details(filed.reference).transitions.map(\.to) == [.received, .received])
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try Resolver(store: fixture.database, clock: { ExtractFixture.generatedAt }).withDossier(personID: fixture.personID) {
            try writeExtracts($0, into: directory, name: "notes").json
        }
        let requests = try #require(try object(json)["requests"] as? [[String: Any]])
        let shown = try #require(requests.first { $0["reference"] as? String == filed.reference })
        let history = try #require(shown["stateHistory"] as? [[String: Any]])
        #expect(history.count == 1 && history[0]["from"] is NSNull)
    }

    @Test("an extract made without a request has request null and says nothing about one")
    func withoutRequest() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try Resolver(store: fixture.database, clock: { ExtractFixture.generatedAt }).withDossier(personID: fixture.personID) {
            try writeExtracts($0, into: directory, name: "direct").json
        }
        #expect(try validateAgainstSchema([url]) == [url.path: []])
        let document = try object(url)
        #expect(document["request"] is NSNull)
        let readMe = try #require(document["readMe"] as? [[String: Any]])
        #expect(readMe.first?["text"] as? String == """
            This file shows which personal data we hold about you and what we do with it.
            We made this file on 17 June 2025. All dates and times in it are in the time zone Europe/Amsterdam.
            """)
        #expect(!readMe.contains { ($0["heading"] as? String) == "Your request" })
    }

    @Test("the schema's code lists are the model's codes")
    func schemaMatchesModel() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: Any])
        func keys(_ name: String) throws -> [String] {
            let definition = try #require(definitions[name] as? [String: Any], "no $defs/\(name)")
            let parts = try #require(definition["allOf"] as? [[String: Any]])
            let key = try #require((parts.last?["properties"] as? [String: Any])?["key"] as? [String: Any])
            return try #require(key["enum"] as? [String])
        }
        let names: [CodeCategory: String] = [
            .consentStatus: "consentStatusCode", .consentEventType: "consentEventTypeCode", .changeChannel: "channelCode",
            .sourceType: "sourceTypeCode", .recipientRole: "recipientRoleCode", .requestState: "requestStateCode",
            .extractFormat: "extractFormatCode", .language: "languageCode", .personField: "personFieldCode",
            .itemOutcome: "itemOutcomeCode", .refusalReason: "refusalReasonCode",
        ]
        for (category, name) in names { #expect(try keys(name) == category.keys, "\(name)") }
        let top = try #require(schema["properties"] as? [String: Any])
        #expect((top["schemaVersion"] as? [String: Any])?["const"] as? String == JSONExtractWriter.schemaVersion)
    }

    /// Strings no writer should get wrong: quotes and backslashes, every control character, the line and paragraph
    /// separators (valid in JSON, not in JavaScript source), DEL, non-characters, emoji with modifiers and joiners,
    /// combining marks, right-to-left text and spreadsheet-formula lookalikes.
    static let nastyStrings = [
        "",
        "plain",
        "quote \" backslash \\ slash / both \\\"",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }),
        "tab\tnewline\ncarriage return\r\nform feed\u{0C}backspace\u{08}nul\u{0}end",
        "\u{2028}line separator\u{2029}paragraph separator",
        "\u{7F}\u{80}\u{9F}\u{A0}\u{FEFF}\u{FFFE}\u{FFFF}\u{10FFFF}",
        "👩🏽‍💻 🇳🇱 e\u{301} Zoë Łódź 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 مرحبا 漢字",
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+31 6 1234 5678",
        "-2+3",
        "</script><script>alert(1)</script>",
        "{\"key\": [1, 2]}",
        String(repeating: "long \u{1}\"\\ ", count: 5_000),
    ]

    @Test("strings are escaped exactly as JSONEncoder escaped them before")
    func escaping() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("strings.json")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        let output = JSONStreamOutput(descriptor: descriptor, path: url.path)
        output.openArray()
        for string in Self.nastyStrings {
            output.element()
            output.string(string)
        }
        output.closeArray()
        // finish() waits until the background writer has written every block (flush() only hands them over).
        _ = try output.finish()
        close(descriptor)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try Data(contentsOf: url) == encoder.encode(Self.nastyStrings))
    }

    @Test("nasty strings in the history come back from Python's json.loads value for value, and the file stays valid")
    func nastyStringsRoundTrip() throws {
        let fixture = try ExtractFixture.make(language: .en)
        // Edit records as the history may hold them (imports and corrections take what they are given).
        let values = Self.nastyStrings
        try fixture.database.dbWriter.write { db in
            for (index, value) in values.enumerated() {
                try db.execute(sql: """
                    INSERT INTO person_edit (person_id, field, old_value, new_value, at, by, via, reason, request_reference)
                    VALUES (?, 'city', ?, ?, ?, 'officer', 'cli', ?, ?)
                    """, arguments: [fixture.personID, value, String(value.reversed()),
                                     Date(timeIntervalSince1970: 1_750_000_000 + Double(index)), "reason: " + value, value])
            }
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try fixture.withDossier { try writeExtracts($0, into: directory, name: "nasty").json }
        #expect(try validateAgainstSchema([url]) == [url.path: []])

        // Python reads the file strictly (a raw control character in a string is an error), checks the order of the
        // members (the top level fixed, every object inside alphabetical, a consent's `events` last) and hands back
        // the values of the last edit records in ASCII-only JSON, which cannot be mangled on the way.
        let script = """
            import json, sys
            with open(sys.argv[1], encoding="utf-8") as f:
                document = json.loads(f.read(), object_pairs_hook=lambda pairs: pairs)
            top = [key for key, _ in document]
            expected = ["schemaVersion", "generatedAt", "language", "timeZone", "organisation", "request", "dataHeld", "readMe",
                        "subject", "purposes", "consents", "sources", "editHistory", "recipients", "requests", "rights", "complaint"]
            assert top == expected, top
            def check(value):
                if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value) and value:
                    keys = [key for key, _ in value]
                    if keys[-1] == "events":
                        keys = keys[:-1]
                    assert keys == sorted(keys), keys
                    for _, inner in value:
                        check(inner)
                elif isinstance(value, list):
                    for inner in value:
                        check(inner)
            for _, section in document:
                check(section)
            document = dict(document)
            edits = [dict(e) for e in document["editHistory"][-int(sys.argv[2]):]]
            print(json.dumps([[e["oldValue"], e["newValue"], e["reason"], e["requestReference"]] for e in edits], ensure_ascii=True))
            """
        let data = try python(script, [url.path, String(values.count)], needs: "(nothing beyond python3)")
        let read = try JSONDecoder().decode([[String?]].self, from: data)
        // Value for value what the writer was given: the edit records as Inzage reads them back, which are the
        // strings inserted (SQLite keeps a NUL inside a text; the reader may end the text there, which is not the
        // writer's business but is shown here if it happens).
        let stored = Array(try fixture.ledger.edits(fixture.personID).suffix(values.count))
        #expect(read.count == values.count && stored.count == values.count)
        for (row, edit) in zip(read, stored) {
            #expect(row == [edit.oldValue, edit.newValue, edit.attribution.reason, edit.attribution.requestReference],
                    "\(String(describing: edit.oldValue?.debugDescription.prefix(80)))")
        }
        for (edit, value) in zip(stored, values) where !value.contains("\u{0}") {
            #expect(edit.oldValue == value && edit.newValue == String(value.reversed()) && edit.attribution.reason == "reason: " + value)
        }
    }

    @Test("the digest hashed while writing is the file's SHA-256 and size, as Python's hashlib computes it")
    func digestWhileWriting() throws {
        let fixture = try ExtractFixture.make(language: .nl)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("extract.json")
        let written = try fixture.withDossier { try JSONExtractWriter().write($0, to: url) }
        let bytes = try Data(contentsOf: url)
        #expect(written.size == Int64(bytes.count))
        #expect(written == (try ExtractArchive.sha256(of: url)))
        let hashlib = try python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", [url.path], needs: "hashlib")
        #expect(written.sha256 == String(decoding: hashlib, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))

        // Through the archive, the renderer's digest is what gets recorded: and it matches a read-back.
        let archive = try ExtractArchive(root: directory.appendingPathComponent("archive"))
        let stored = try fixture.withDossier { dossier in
            try archive.write(folder: "r", name: "e.json") { try ExtractGenerator().render(dossier, as: .json, to: $0) }
        }
        let readBack = try ExtractArchive.sha256(of: archive.url(of: stored.relativePath))
        #expect(stored.sha256 == readBack.sha256 && stored.size == readBack.size)
    }

    @Test("writing is atomic: a folder that does not exist is an error and nothing is left behind")
    func atomic() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing/extract.json")
        try fixture.withDossier { dossier in
            #expect(throws: ExtractError.self) { try JSONExtractWriter().write(dossier, to: missing) }
            let url = directory.appendingPathComponent("extract.json")
            try Data("old".utf8).write(to: url)
            try JSONExtractWriter().write(dossier, to: url)
            #expect(try Data(contentsOf: url).first == UInt8(ascii: "{"), "an existing file is replaced")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["extract.json"], "no temporary file is left")
    }

    @Test("writing into a new file: the same bytes, no temporary file, and an existing file is refused and kept")
    func newFile() throws {
        let fixture = try ExtractFixture.make(language: .en)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let replaced = directory.appendingPathComponent("replaced.json")
        let created = directory.appendingPathComponent("created.json")
        try fixture.withDossier { dossier in
            let first = try JSONExtractWriter().write(dossier, to: replaced)
            let second = try JSONExtractWriter().write(dossier, toNewFile: created)
            #expect(first == second)
            #expect(try Data(contentsOf: created) == Data(contentsOf: replaced))
            #expect(throws: ExtractError.writeFailed(path: created.path, reason: "a file is already there")) {
                try JSONExtractWriter().write(dossier, toNewFile: created)
            }
        }
        #expect(try Data(contentsOf: created) == Data(contentsOf: replaced), "the existing file is kept as it was")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["created.json", "replaced.json"])
    }
}

/// The JSON output's blocks and their digest.
@Suite("JSON extract: output blocks")
struct JSONBlockWriterTests {
    /// Runs `body` with a folder on a tmpfs of `kilobytes` (the tests run as root, as CI does).
    private func withSmallDisk(kilobytes: Int, _ body: (URL) throws -> Void) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func run(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        let status = try run(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", directory.path])
        try #require(status == 0, "the full-disk test mounts a small tmpfs and needs root")
        defer { _ = try? run(["umount", directory.path]) }
        try body(directory)
    }

    /// Writes `blocks` times 50 KiB of JSON text through a stream output into `url` (several flushes).
    private func write(blocks: Int, to url: URL) throws -> FileDigest {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let output = JSONStreamOutput(descriptor: descriptor, path: url.path)
        let line = Array(repeating: UInt8(ascii: "x"), count: 1000)
        output.raw("[")
        for block in 0..<blocks {
            for row in 0..<50 {
                if block + row > 0 { output.raw(",") }
                output.string(String(decoding: line, as: UTF8.self))
            }
            try output.flushIfFull()
        }
        output.raw("]")
        return try output.finish()
    }

    @Test("many blocks come out whole and in order, with the digest of exactly the file")
    func order() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("blocks.json")
        let digest = try write(blocks: 40, to: url)
        #expect(digest.size == Int64(try Data(contentsOf: url).count))
        let data = try Data(contentsOf: url)
        let parsed = try JSONSerialization.jsonObject(with: data) as? [String]
        #expect(parsed?.count == 40 * 50)
        #expect(digest == (try ExtractArchive.sha256(of: url)))
    }

    @Test("a failed block is reported by the next hand-over and by finish, never waited for twice")
    func failedBlock() throws {
        // A descriptor open for reading only: every write fails with EBADF, on the background queue.
        let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let writer = BlockFileWriter(descriptor: descriptor, path: "/dev/null")
        func block() -> BlockFileWriter.Buffer {
            let buffer = BlockFileWriter.Buffer.make(capacity: 1024)
            buffer.bytes.initialize(repeating: UInt8(ascii: "x"), count: 1024)
            return buffer
        }
        let expected = ExtractError.writeFailed(path: "/dev/null", reason: String(cString: strerror(EBADF)))
        #expect(try writer.submit(block(), count: 1024) == nil, "the first hand-over has no buffer to give back")
        // The second hand-over waits for the first block, finds its error and keeps its own buffer.
        let second = block()
        #expect(throws: expected) { _ = try writer.submit(second, count: 1024) }
        // A third one does not wait again (nothing is in flight), and finish reports the same error.
        #expect(throws: expected) { _ = try writer.submit(second, count: 1024) }
        #expect(throws: expected) { _ = try writer.finish() }
        second.release()
    }

    @Test("a full disk is an error, wherever the block that fails is, and nothing crashes",
          arguments: [8, 200])
    func fullDisk(kilobytes: Int) throws {
        try withSmallDisk(kilobytes: kilobytes) { folder in
            let url = folder.appendingPathComponent("blocks.json")
            #expect(throws: ExtractError.writeFailed(path: url.path, reason: String(cString: strerror(ENOSPC)))) {
                try write(blocks: 10, to: url)
            }
        }
    }
}
