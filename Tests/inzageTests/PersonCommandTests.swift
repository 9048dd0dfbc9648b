import Foundation
import Testing

@Suite("inzage person")
struct PersonCommandTests {
    static let cardKeys: Set<String> = [
        "id", "displayName", "firstName", "namePrefix", "lastName", "email", "secondaryEmail", "phone", "street", "postalCode",
        "city", "country", "organisation", "jobTitle", "language", "externalID", "source", "createdAt", "createdBy", "updatedAt", "updatedBy",
    ]
    static let purposeKeys: Set<String> = [
        "purpose", "registered", "consentID", "legalBasis", "status", "source", "givenAt", "withdrawnAt", "registeredAt", "registeredBy",
        "updatedAt", "updatedBy", "updateCount", "comment", "consentText", "suppression",
    ]
    static let historyKeys: Set<String> = [
        "kind", "id", "at", "by", "via", "reason", "requestReference", "evidence", "comment", "field", "oldValue", "newValue",
        "purpose", "consentID", "eventType", "fromStatus", "toStatus", "fromBasis", "toBasis", "fromSource", "toSource", "givenAt",
    ]

    @Test("add prints the id first; show --json carries the card and every active purpose, field by field")
    func addAndShow() throws {
        let sandbox = try CLISandbox()
        let id = try sandbox.addPerson(first: "Jan", last: "Vries", email: " Jan.de.Vries@Example.NL ",
                                       "--name-prefix", "de", "--phone", "+31 20 123 4567", "--organisation", "Acme",
                                       "--job-title", "Buyer", "--language", "en", "--source", "business-card", "--external-id", "crm-7",
                                       "--city", "Utrecht", "--country", "nl")
        let view = try JSON.object(try sandbox.json("person", "show", String(id)))
        #expect(Set(view.keys) == ["person", "purposes", "statements"])

        let card = try JSON.object(view["person"])
        #expect(Set(card.keys) == Self.cardKeys)
        #expect(card["id"] as? Int == id)
        #expect(card["displayName"] as? String == "Jan de Vries")
        #expect(card["firstName"] as? String == "Jan")
        #expect(card["namePrefix"] as? String == "de")
        #expect(card["lastName"] as? String == "Vries")
        #expect(card["email"] as? String == "jan.de.vries@example.nl")
        #expect(JSON.isNull(card["secondaryEmail"]))
        #expect(card["phone"] as? String == "+31 20 123 4567")
        #expect(JSON.isNull(card["street"]))
        #expect(JSON.isNull(card["postalCode"]))
        #expect(card["city"] as? String == "Utrecht")
        #expect(card["country"] as? String == "NL")
        #expect(card["organisation"] as? String == "Acme")
        #expect(card["jobTitle"] as? String == "Buyer")
        #expect(card["language"] as? String == "en")
        #expect(card["externalID"] as? String == "crm-7")
        let source = try JSON.object(card["source"])
        #expect(source["key"] as? String == "business-card")
        #expect(try JSON.object(source["name"])["en"] as? String == "Business card")
        #expect(JSON.isISO8601(card["createdAt"]))
        #expect(JSON.isISO8601(card["updatedAt"]))
        #expect(card["createdBy"] as? String == CLISandbox.actor)
        #expect(card["updatedBy"] as? String == CLISandbox.actor)

        let purposes = try JSON.objects(view["purposes"])
        #expect(purposes.map { try? JSON.object($0["purpose"])["key"] as? String } == ["sales-and-service", "e-marketing"])
        for purpose in purposes {
            #expect(Set(purpose.keys) == Self.purposeKeys)
            #expect(purpose["registered"] as? Bool == false)
            for key in Self.purposeKeys.subtracting(["purpose", "registered"]) {
                #expect(JSON.isNull(purpose[key]), "\(key) of an unregistered purpose is null")
            }
        }

        let text = try sandbox.succeed("person", "show", String(id)).stdout
        #expect(text.contains("Person \(id) — Jan de Vries"))
        #expect(text.contains("Business card (business-card)"))
        #expect(text.contains("not registered"))
        #expect(text.contains("Times are in Europe/Amsterdam."))
    }

    @Test("update prints old → new; --remove clears; history --json lists every edit newest first with every field")
    func updateAndHistory() throws {
        let sandbox = try CLISandbox()
        let id = try sandbox.addPerson("--phone", "020 123 4567", "--city", "Delft")
        let update = try sandbox.succeed("person", "update", String(id), "--email", "anna@example.nl", "--phone", "+31 6 1234 5678",
                                         "--remove", "city", "--reason", "Moved, new number")
        #expect(update.stdout.contains("anna.jansen@example.nl → anna@example.nl"))
        #expect(update.stdout.contains("020 123 4567 → +31 6 1234 5678"))
        #expect(update.stdout.contains("Delft → —"))

        let card = try JSON.object(JSON.object(try sandbox.json("person", "show", String(id)))["person"])
        #expect(card["email"] as? String == "anna@example.nl")
        #expect(JSON.isNull(card["city"]))

        let history = try JSON.objects(try sandbox.json("person", "history", String(id)))
        #expect(history.count == 5 + 3)
        for entry in history {
            #expect(Set(entry.keys) == Self.historyKeys)
            #expect(entry["kind"] as? String == "edit")
            #expect(entry["by"] as? String == CLISandbox.actor)
            #expect(entry["via"] as? String == "cli")
            #expect(JSON.isISO8601(entry["at"]))
            for key in ["purpose", "consentID", "eventType", "fromStatus", "toStatus", "fromBasis", "toBasis", "fromSource", "toSource",
                        "givenAt", "requestReference", "evidence", "comment"] {
                #expect(JSON.isNull(entry[key]), "\(key) of an edit is null")
            }
        }
        let newest = Array(history.prefix(3))
        #expect(Set(newest.compactMap { $0["field"] as? String }) == ["email", "phone", "city"])
        #expect(newest.allSatisfy { $0["reason"] as? String == "Moved, new number" })
        let email = try #require(newest.first { $0["field"] as? String == "email" })
        #expect(email["oldValue"] as? String == "anna.jansen@example.nl")
        #expect(email["newValue"] as? String == "anna@example.nl")
        let city = try #require(newest.first { $0["field"] as? String == "city" })
        #expect(city["oldValue"] as? String == "Delft")
        #expect(JSON.isNull(city["newValue"]))
        let added = history.dropFirst(3)
        #expect(added.allSatisfy { JSON.isNull($0["oldValue"]) && JSON.isNull($0["reason"]) })
        #expect(Set(added.compactMap { $0["field"] as? String }) == ["first-name", "last-name", "email", "phone", "city"])

        let text = try sandbox.succeed("person", "history", String(id)).stdout
        #expect(text.contains("by tester via cli · reason: Moved, new number"))
    }

    @Test("find matches by e-mail (ignoring case) or name; no match is an empty list, exit 0, with a note on stderr")
    func find() throws {
        let sandbox = try CLISandbox()
        let id = try sandbox.addPerson("--organisation", "Acme")
        let byEmail = try JSON.objects(try sandbox.json("person", "find", "--email", "  ANNA.Jansen@example.nl"))
        #expect(byEmail.map { $0["id"] as? Int } == [id])
        let match = try #require(byEmail.first)
        #expect(match["organisation"] as? String == "Acme")
        #expect(Set(match.keys) == ["id", "displayName", "firstName", "namePrefix", "lastName", "email", "organisation"])

        let byName = try sandbox.succeed("person", "find", "--name", "jans")
        #expect(byName.lines.first?.hasPrefix("Id") == true)
        #expect(byName.stdout.contains("Anna Jansen"))
        #expect(byName.stdout.contains("anna.jansen@example.nl"))

        let none = try sandbox.run(["person", "find", "--name", "Nobody"])
        #expect(none.status == 0)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("No person matches"))
        #expect(try JSON.array(try sandbox.json("person", "find", "--email", "nobody@example.nl")).isEmpty)

        let neither = try sandbox.run(["person", "find"])
        #expect(neither.status == 2)
        #expect(neither.stderr.contains("--email") && neither.stderr.contains("--name"))
        for option in ["--email", "--name"] {
            let empty = try sandbox.run(["person", "find", option, " "])
            #expect(empty.status == 2 && empty.stderr.contains("give"), "\(option): \(empty.stderr)")
        }
    }
}
