import Foundation
import GRDB
import Testing
@testable import Inzage

@Suite("Outbox store: enqueueing in the transaction of the cause")
struct OutboxStoreTests {
    private struct Abort: Error {}
    private let now = Date(timeIntervalSince1970: 1_745_830_800)

    /// Files an access request and enqueues its acknowledgement in one transaction, then runs `after` in it.
    private func fileAndAcknowledge(_ database: InzageDatabase, after: () throws -> Void = {}) throws -> StoredMessage {
        try database.transaction { (_: any LedgerWriter, requests: any RequestWriter, outbox: any OutboxWriter) in
            let request = try requests.insertRequest(messageRequest(.access), originDigest: nil)
            var message = try renderedAcknowledgement(requestID: request.id)
            message.requestID = request.id
            let stored = try Outbox.enqueue(message, at: now, in: outbox)
            try after()
            return stored
        }
    }

    @Test("a message enqueued in a transaction that then fails is not stored, nor is its cause")
    func rolledBack() throws {
        let database = try makeOutboxDatabase()
        #expect(throws: Abort.self) { _ = try fileAndAcknowledge(database) { throw Abort() } }
        #expect(try database.readOutbox { try $0.messages(states: nil) }.isEmpty)
        #expect(try database.readRequests { try $0.requests(states: nil) }.isEmpty)
    }

    @Test("a message enqueued with its cause is stored pending, with a unique Message-ID and the request")
    func committed() throws {
        let database = try makeOutboxDatabase()
        let first = try fileAndAcknowledge(database)
        let stored = try #require(try database.readOutbox { try $0.message(messageID: first.messageID) })
        #expect(stored == first)
        #expect(stored.state == .pending && stored.attempts == 0 && stored.sentAt == nil)
        #expect(stored.messageID.hasSuffix(".inzage@korenaar.nl") && !stored.messageID.contains("<"))
        #expect(stored.message.requestReference == "DSR-2025-000042" && stored.message.kind == .acknowledgement)
        let request = try #require(try database.readRequests { try $0.request(reference: "DSR-2025-000042") })
        #expect(try database.readOutbox { try $0.messages(requestID: request.id) } == [stored])

        let second = try database.writeOutbox { try Outbox.enqueue(stored.message, at: now, in: $0) }
        #expect(second.messageID != first.messageID)
    }

    @Test("a stored message's content cannot change; only its delivery state does")
    func contentFixed() throws {
        let database = try makeOutboxDatabase()
        var message = try renderedAcknowledgement()
        message.requestID = nil
        let stored = try database.writeOutbox { try Outbox.enqueue(message, at: now, in: $0) }
        #expect(throws: DatabaseError.self) {
            try database.dbWriter.write { try $0.execute(sql: "UPDATE outbox_message SET body = 'x' WHERE id = ?", arguments: [stored.id]) }
        }
    }

    @Test("a message with an invalid address or subject is refused and nothing is stored")
    func invalid() throws {
        let database = try makeOutboxDatabase()
        var message = try renderedAcknowledgement()
        message.requestID = nil
        var badRecipient = message
        badRecipient.recipient = MailAddress(address: "anna@", name: "Anna")
        var badSender = message
        badSender.sender = MailAddress(address: "privacy")
        var badSubject = message
        badSubject.subject = "Two\r\nBcc: everyone@example.nl"
        var badReference = message
        badReference.requestReference = "DSR-1\nX-Evil: 1"
        #expect(throws: MessageError.invalidAddress(role: "recipient")) { try database.writeOutbox { try Outbox.enqueue(badRecipient, at: now, in: $0) } }
        #expect(throws: MessageError.invalidAddress(role: "sender")) { try database.writeOutbox { try Outbox.enqueue(badSender, at: now, in: $0) } }
        #expect(throws: MessageError.self) { try database.writeOutbox { try Outbox.enqueue(badSubject, at: now, in: $0) } }
        #expect(throws: MessageError.self) { try database.writeOutbox { try Outbox.enqueue(badReference, at: now, in: $0) } }
        #expect(try database.readOutbox { try $0.messages(states: nil) }.isEmpty)
    }

    @Test("a line break in a display name cannot inject a header")
    func displayNameCleaned() {
        #expect(MailAddress(address: " anna@example.nl ", name: "Anna\r\nBcc: x@example.nl").name == "Anna  Bcc: x@example.nl")
        #expect(MailAddress(address: "anna@example.nl").address == "anna@example.nl")
    }
}
