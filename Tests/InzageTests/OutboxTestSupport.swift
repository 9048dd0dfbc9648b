import Foundation
import GRDB
import Testing
@testable import Inzage

/// A database with the outbox table, whether or not the `v3-outbox` migration is registered yet.
func makeOutboxDatabase(path: String? = nil) throws -> InzageDatabase {
    let database = try path.map { try InzageDatabase(path: $0) } ?? InzageDatabase.inMemory()
    try database.dbWriter.write { db in
        if try !db.tableExists("outbox_message") { try Schema.createOutbox(db) }
    }
    return database
}

/// The organisation of the message tests: the defaults, with a name that shows whether it was used.
let messageOrganisation: OrganisationProfile = {
    var profile = OrganisationProfile(settings: [:])
    profile.name = "Bakkerij De Korenaar B.V."
    profile.contactEmail = "privacy@korenaar.nl"
    return profile
}()

/// A request of `type` received on Friday 28 March 2025, due Monday 28 April 2025, extended to 30 June 2025.
func messageRequest(_ type: RequestType, id: Int64 = 7, personID: Int64? = nil, extended: Bool = true) -> DataSubjectRequest {
    var request = MessageRenderer.sampleRequest(type)
    request.id = id
    request.reference = "DSR-2025-000042"
    request.personID = personID
    request.extensionReason = extended ? "Uw verzoek gaat over gegevens in vijf systemen." : nil
    if !extended { request.extendedDueOn = nil }
    return request
}

/// A message ready for the outbox, rendered from the shipped templates.
func renderedAcknowledgement(language: Language = .nl, requestID: Int64 = 7, recipientName: String? = "José Müller-Ørsted") throws -> OutgoingMessage {
    try MessageRenderer().render(.acknowledgement, about: messageRequest(.access, id: requestID), to: MailAddress(address: "jose@example.nl", name: recipientName),
                                 in: language, organisation: messageOrganisation)
}

/// The headers and decoded body of an e-mail as Python's `email` package reads it (policy `default`, strict).
struct ParsedEmail: Decodable {
    let headers: [String: String]
    let toName: String
    let toAddress: String
    let fromName: String
    let fromAddress: String
    let body: String
    let defects: [String]

    static let script = """
        import email, email.policy, json, sys
        data = open(sys.argv[1], 'rb').read()
        message = email.message_from_bytes(data, policy=email.policy.default)
        to = message['To'].addresses[0]
        sender = message['From'].addresses[0]
        print(json.dumps({
            'headers': {k: str(v) for k, v in message.items()},
            'toName': to.display_name, 'toAddress': to.addr_spec,
            'fromName': sender.display_name, 'fromAddress': sender.addr_spec,
            'body': message.get_content().replace('\\r\\n', '\\n'),
            'defects': [type(d).__name__ for d in message.defects] + [type(d).__name__ for p in message.walk() for d in p.defects],
        }))
        """

    static func read(_ url: URL) throws -> ParsedEmail {
        try JSONDecoder().decode(ParsedEmail.self, from: python(script, [url.path], needs: "email (standard library)"))
    }
}

/// The files of a Maildir subfolder, sorted.
func maildirFiles(_ maildir: URL, _ folder: String) throws -> [String] {
    let url = maildir.appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}

/// Writes an executable shell script.
func writeScript(_ text: String, in directory: URL, name: String) throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(("#!/bin/sh\n" + text + "\n").utf8).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    return url.path
}
