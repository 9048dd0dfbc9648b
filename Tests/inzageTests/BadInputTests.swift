import Foundation
import Testing

/// Bad input gets a message that names the field and the valid choices, exit 2 for usage errors and 1 for
/// failures, and nothing is written.
@Suite("Bad input")
struct BadInputTests {
    @Test("An unknown person: exit 1")
    func unknownPerson() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        let unchanged = [["person", "history", person, "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            for arguments in [["person", "show", "999"], ["person", "history", "999"], ["person", "update", "999", "--city", "Delft"],
                              ["consent", "give", "999", "--purpose", "e-marketing", "--source", "web-form"],
                              ["consent", "withdraw", "999", "--purpose", "e-marketing"]] {
                try sandbox.refuse(arguments, status: 1, mentioning: ["No person has id 999", "inzage person find"])
            }
            try sandbox.refuse(["person", "show", "anna"], status: 2, mentioning: ["<id>"])
        }
    }

    @Test("An argument that is not valid UTF-8 is refused, never stored with its bytes replaced")
    func invalidUTF8() throws {
        let sandbox = try CLISandbox()
        let binary = try #require(InzageBinary.path)
        try sandbox.expectNothingWritten([["person", "find", "--name", "Ann", "--json"]]) {
            // A shell makes the bytes: Foundation's Process takes only valid strings.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"exec "$0" person add --first-name "$(printf 'Ann\377\376')" --last-name Z --email z@example.nl --database "$1""#,
                                 binary, sandbox.database]
            let result = try sandbox.launch(process)
            #expect(result.status == 2 && result.stderr.contains("Argument 4") && result.stderr.contains("not valid UTF-8"), "\(result.stderr)")
        }
    }

    @Test("An unknown purpose, source or basis: exit 2, the message lists the valid keys")
    func unknownKeys() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        let unchanged = [["person", "history", person, "--json"], ["person", "find", "--name", "Piet", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["consent", "give", person, "--purpose", "newsletter", "--source", "web-form"], status: 2,
                               mentioning: ["Unknown purpose 'newsletter'", "sales-and-service, e-marketing"])
            try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "fair"], status: 2,
                               mentioning: ["Unknown source 'fair'", "business-card", "web-form"])
            try sandbox.refuse(["consent", "give", person, "--purpose", "e-marketing", "--source", "web-form", "--basis", "whim"], status: 2,
                               mentioning: ["Unknown legal basis 'whim'", "consent, contract, legal-obligation"])
            try sandbox.refuse(["consent", "object", person, "--purpose", "newsletter"], status: 2,
                               mentioning: ["Unknown purpose 'newsletter'", "e-marketing"])
            try sandbox.refuse(["person", "update", person, "--source", "fair"], status: 2,
                               mentioning: ["Unknown source 'fair'", "business-card"])
            try sandbox.refuse(["person", "add", "--first-name", "Piet", "--last-name", "Bakker", "--email", "piet@example.nl", "--source", "fair"],
                               status: 2, mentioning: ["Unknown source 'fair'"])
        }
    }

    @Test("A malformed e-mail address: exit 2, names the field")
    func malformedEmail() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson())
        let unchanged = [["person", "history", person, "--json"], ["person", "find", "--name", "Piet", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["person", "add", "--first-name", "Piet", "--last-name", "Bakker", "--email", "piet@example"], status: 2,
                               mentioning: ["email", "piet@example", "name@example.nl"])
            try sandbox.refuse(["person", "update", person, "--email", "anna at example.nl"], status: 2,
                               mentioning: ["email", "name@example.nl"])
            try sandbox.refuse(["person", "update", person, "--secondary-email", "x@@example.nl", "--city", "Delft"], status: 2,
                               mentioning: ["secondary-email"])
            try sandbox.refuse(["person", "update", person, "--language", "de"], status: 2, mentioning: ["language", "nl, en"])
        }
    }

    @Test("A country code no country has (QQ, XX) is refused for persons and recipients: exit 2, says what is valid; a country's name still passes for a person")
    func unassignedCountryCode() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--country", "nl"))
        let unchanged = [["person", "history", person, "--json"], ["recipient", "list", "--all", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            for code in ["QQ", "XX"] {
                try sandbox.refuse(["person", "update", person, "--country", code], status: 2,
                                   mentioning: ["country", code, "assigned ISO 3166-1 alpha-2", "NL"])
                try sandbox.refuse(["recipient", "add", "far", "--name", "Far Ltd", "--role", "processor", "--country", code], status: 2,
                                   mentioning: ["country", code, "assigned ISO 3166-1 alpha-2", "NL"])
            }
        }
        try sandbox.succeed("person", "update", person, "--country", "Nederland")
        try sandbox.succeed("recipient", "add", "far", "--name", "Far Ltd", "--role", "processor", "--country", "us")
    }

    @Test("An empty field option is refused: exit 2, names the option; update points at --remove")
    func emptyFieldValue() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--city", "Delft"))
        let unchanged = [["person", "history", person, "--json"], ["person", "find", "--name", "Piet", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["person", "add", "--first-name", "", "--last-name", "Bakker", "--email", "piet@example.nl"], status: 2,
                               mentioning: ["--first-name is empty"])
            try sandbox.refuse(["person", "add", "--first-name", "Piet", "--last-name", "Bakker", "--email", " "], status: 2,
                               mentioning: ["--email is empty"])
            try sandbox.refuse(["person", "add", "--first-name", "Piet", "--last-name", "Bakker", "--email", "piet@example.nl", "--city", ""],
                               status: 2, mentioning: ["--city is empty"])
            try sandbox.refuse(["person", "update", person, "--city", ""], status: 2, mentioning: ["--city is empty", "--remove city"])
            // Invisible characters only are empty too, as blanks are.
            for invisible in ["\u{202E}", "\u{200B}", " \u{2060} "] {
                try sandbox.refuse(["person", "add", "--first-name", "Piet", "--last-name", invisible, "--email", "piet@example.nl"], status: 2,
                                   mentioning: ["--last-name is empty"])
                try sandbox.refuse(["person", "update", person, "--last-name", invisible], status: 2, mentioning: ["--last-name is empty"])
            }
            // A line or paragraph separator is a line break, refused as U+000A is.
            for separator in ["\n", "\u{2028}", "\u{2029}"] {
                try sandbox.refuse(["person", "update", person, "--first-name", "Anna\(separator)Bcc"], status: 2,
                                   mentioning: ["first-name", "line break"])
            }
        }
    }

    @Test("An import file that is empty or not an import file: exit 2 for CSV and JSON alike, nothing written")
    func emptyOrMalformedImportFile() throws {
        let sandbox = try CLISandbox()
        let files: [(name: String, contents: String, phrase: String)] = [
            ("empty.csv", "", "no header row"),
            ("empty.json", "", "one array of objects"),
            ("object.json", #"{"first_name": "Piet"}"#, "one array of objects"),
            ("broken.json", "[{\"first_name\": \"Piet\", \"last_name\": \"Bakker\", \"email\": \"piet@example.nl\"},\n{\"first_name\": oops}]",
             "line 2"),
        ]
        try sandbox.expectNothingWritten([["person", "find", "--name", "Piet", "--json"], ["source", "history", "--json"]]) {
            for file in files {
                let url = sandbox.directory.appendingPathComponent(file.name)
                try Data(file.contents.utf8).write(to: url)
                try sandbox.refuse(["import", url.path, "--source", "import", "--batch-size", "1"], status: 2, mentioning: [file.phrase])
            }
        }
    }

    @Test("An unknown field in --remove or --set: exit 2, lists the valid fields")
    func unknownField() throws {
        let sandbox = try CLISandbox()
        let person = String(try sandbox.addPerson("--city", "Delft"))
        let unchanged = [["person", "history", person, "--json"], ["source", "history", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["person", "update", person, "--remove", "shoe-size", "--city", "Leiden"], status: 2,
                               mentioning: ["Unknown field 'shoe-size'", "first-name", "postal-code", "external-id"])
            try sandbox.refuse(["person", "update", person, "--city", "Leiden", "--remove", "city"], status: 2,
                               mentioning: ["city"])
            try sandbox.refuse(["source", "update", "phone", "--set", "shoe-size=42"], status: 2,
                               mentioning: ["Unknown field 'shoe-size'", "name-nl", "type", "confirmation-template"])
        }
    }

    @Test("A duplicate e-mail address: exit 1, names the field and the other person")
    func duplicateEmail() throws {
        let sandbox = try CLISandbox()
        let anna = try sandbox.addPerson()
        let piet = String(try sandbox.addPerson(first: "Piet", last: "Bakker", email: "piet@example.nl"))
        let unchanged = [["person", "history", piet, "--json"], ["person", "find", "--name", "Klaas", "--json"]]
        try sandbox.expectNothingWritten(unchanged) {
            try sandbox.refuse(["person", "add", "--first-name", "Klaas", "--last-name", "Vos", "--email", "ANNA.JANSEN@example.nl"], status: 1,
                               mentioning: ["email", "person \(anna)"])
            try sandbox.refuse(["person", "update", piet, "--secondary-email", "anna.jansen@example.nl", "--city", "Delft"], status: 1,
                               mentioning: ["secondary-email", "person \(anna)"])
        }
    }
}
