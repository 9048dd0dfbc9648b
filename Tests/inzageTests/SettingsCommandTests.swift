import Foundation
import Testing

@Suite("inzage settings")
struct SettingsCommandTests {
    @Test("show lists every setting; set changes one or several and records each change")
    func showAndSet() throws {
        let sandbox = try CLISandbox()
        let settings = try JSON.object(try sandbox.json("settings", "show"))
        #expect(settings["time-zone"] as? String == "Europe/Amsterdam")
        #expect(settings["supervisory-authority-name"] as? String == "Autoriteit Persoonsgegevens")

        let one = try sandbox.succeed("settings", "set", "time-zone", "Europe/London")
        #expect(one.stdout.contains("Europe/Amsterdam → Europe/London"))
        let several = try sandbox.succeed("settings", "set", "--set", "name=Acme B.V.", "--set", "dpo-email=fg@acme.example")
        #expect(several.stdout.contains("Acme B.V.") && several.stdout.contains("fg@acme.example"))

        let changed = try JSON.object(try sandbox.json("settings", "show"))
        #expect(changed["time-zone"] as? String == "Europe/London")
        #expect(changed["name"] as? String == "Acme B.V.")
        #expect(try sandbox.succeed("settings", "show").stdout.contains("Europe/London"))
        let history = try JSON.objects(try sandbox.json("settings", "history"))
        #expect(history.map { $0["key"] as? String } == ["dpo-email", "name", "time-zone"])
        // Text output uses the organisation's time zone.
        #expect(try sandbox.succeed("settings", "history").stdout.contains("Times are in Europe/London."))
    }

    @Test("New decreed days move the due dates of open requests, listed by the command, and request show agrees")
    func decreedDaysMoveDueDates() throws {
        let sandbox = try CLISandbox()
        let reference = try #require(try sandbox.succeed("request", "file", "access", "--email", "anna@example.nl", "--received", "2026-12-04")
            .stdout.split(separator: "\n").first.map(String.init))
        #expect(try JSON.object(try sandbox.json("request", "show", reference))["dueOn"] as? String == "2027-01-04")
        let set = try sandbox.succeed("settings", "set", "decreed-days", "2027-01-04")
        #expect(set.stdout.contains("\(reference): due 2027-01-05 (was 2027-01-04)") && set.stdout.contains("1 open request moved"))
        #expect(try JSON.object(try sandbox.json("request", "show", reference))["dueOn"] as? String == "2027-01-05")
    }

    @Test("An invalid time zone or an unknown key is refused with exit 2, and nothing is written")
    func refusals() throws {
        let sandbox = try CLISandbox()
        let unchanged = [["settings", "show", "--json"], ["settings", "history", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["settings", "set", "time-zone", "Mars/Olympus"], status: 2, mentioning: ["time-zone", "Mars/Olympus", "Europe/Amsterdam"])
            try sandbox.refuse(["settings", "set", "--set", "name=Acme", "--set", "time-zone=Nowhere"], status: 2, mentioning: ["Nowhere"])
            try sandbox.refuse(["settings", "set", "colour", "blue"], status: 2, mentioning: ["Unknown setting 'colour'", "time-zone", "dpo-email"])
            try sandbox.refuse(["settings", "set", "name"], status: 2, mentioning: ["VALUE"])
            // The organisation's privacy statement takes https, as a purpose's does.
            try sandbox.refuse(["settings", "set", "privacy-statement-url", "http://example.nl/privacy"], status: 2,
                               mentioning: ["privacy-statement-url", "starting with https://"])
            try sandbox.refuse(["purpose", "update", "e-marketing", "--set", "privacy-statement-url=http://example.nl/privacy"], status: 2,
                               mentioning: ["privacy-statement-url", "starting with https://"])
            // A negative number is read as an option by the parser; the officer learns what is wrong with it, not that the
            // value is missing.
            try sandbox.refuse(["settings", "set", "extract-retention-days", "-5"], status: 2,
                               mentioning: ["Invalid extract-retention-days '-5'", "from 1 to 3650"])
            try sandbox.refuse(["settings", "set", "name", "-1"], status: 2, mentioning: ["'-1' starts with a dash", "inzage settings set name -- -1"])
            // After --, as that message says, the value reaches the setting's own check.
            let afterDashes = try sandbox.run(["settings", "set", "--database", sandbox.database, "extract-retention-days", "--", "-5"], global: false)
            #expect(afterDashes.status == 2 && afterDashes.stderr.contains("Invalid extract-retention-days '-5'"), "\(afterDashes.stderr)")
        }
        try sandbox.succeed("settings", "set", "privacy-statement-url", "https://example.nl/privacy")
        let help = try sandbox.run(["settings", "set", "--help"], global: false)
        #expect(help.stdout.contains("time-zone") && help.stdout.contains("supervisory-authority-name"))
    }
}
