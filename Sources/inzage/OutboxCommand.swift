import ArgumentParser
import Foundation
import Inzage

/// `inzage outbox`: lets an officer see the messages waiting to be sent, read one, and put a failed one back.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List the messages in the outbox, show one as it will be sent, and requeue a failed one.",
        discussion: """
            Messages are stored in the outbox together with the change that caused them and sent by `inzage deliver`. \
            A message is named by its id (a number) or its Message-ID. States: \(OutboxState.validKeys).
            """,
        subcommands: [OutboxList.self, OutboxShow.self, OutboxRequeue.self]
    )
}

/// Why an outbox command could not be carried out; exit code 1.
enum OutboxCommandError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// No message has this id or Message-ID.
    case unknownMessage(String)
    /// The message is not `failed`, so it cannot be requeued.
    case notFailed(id: Int64, messageID: String, state: OutboxState)

    /// What was wrong and what to do.
    var description: String {
        switch self {
        case .unknownMessage(let text):
            "No message has id or Message-ID '\(text)'; `inzage outbox list` shows the ids and Message-IDs."
        case .notFailed(let id, let messageID, let state):
            "Message \(id) (\(messageID)) is \(state.rawValue), not failed; only a failed message can be requeued "
                + "(a pending one is sent by `inzage deliver`, a sent one is not sent again)."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    var errorDescription: String? { description }
}

/// Finding messages from the command line.
enum OutboxCLI {
    /// The message named by `text`: a row id (digits only) or a Message-ID, with or without angle brackets.
    ///
    /// - Throws: a usage error when `text` is empty, ``OutboxCommandError/unknownMessage(_:)`` when nothing matches.
    static func message(_ text: String, in reader: any OutboxReader) throws -> StoredMessage {
        var name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.hasPrefix("<"), name.hasSuffix(">"), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty else {
            throw CLIUsageError(description: "Give a message's id (a number) or its Message-ID; `inzage outbox list` shows them.")
        }
        let found: StoredMessage?
        if name.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(name) {
            found = try reader.message(id: id)
        } else {
            found = try reader.message(messageID: name)
        }
        guard let found else { throw OutboxCommandError.unknownMessage(text) }
        return found
    }

    /// `text` as a state, or a usage error that names the valid states.
    static func state(_ text: String) throws -> OutboxState {
        try RequestCLI.choice(text, option: "--state")
    }
}

/// The message argument of the commands on one message.
struct OutboxMessageArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The message's id (a number, see `inzage outbox list`) or its Message-ID.", valueName: "id-or-message-id"))
    var message: String
}

/// `inzage outbox list`: the messages, oldest first.
struct OutboxList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the messages in the outbox, oldest first.",
        discussion: """
            Shows id, Message-ID, kind, language, request reference, recipient address, state, attempts, when it was \
            stored, when it was sent, and the start of the last error. With --json: an array of {id, messageID, kind, \
            language, requestReference, requestID, personID, recipient {address, name}, subject, state, attempts, \
            createdAt, nextAttemptAt, sentAt, lastError}; empty fields are null.
            """
    )

    @Option(help: ArgumentHelp("Only messages in this state: \(OutboxState.validKeys).", valueName: "state")) var state: String?
    @Option(help: ArgumentHelp("Only messages about this request, such as DSR-2026-000123.", valueName: "reference")) var request: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the messages.
    func run() throws {
        let filter = try state.map(OutboxCLI.state)
        let database = try global.openDatabase()
        let messages: [StoredMessage]
        if let request {
            // An unknown reference is an error (exit 1) rather than an empty list; a malformed one is an invalid value (exit 2).
            let found = try RequestQueue(store: database).request(request)
            messages = try database.readOutbox { try $0.messages(requestID: found.id) }
                .filter { message in filter.map { message.state == $0 } ?? true }
        } else {
            messages = try database.readOutbox { try $0.messages(states: filter.map { [$0] }) }
        }
        try output.emit(OutboxListDocument(messages), ledger: Ledger(store: database))
    }
}

/// `inzage outbox show`: one message with its delivery state, headers and text.
struct OutboxShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a message: its delivery state, and its headers and text as they will be sent.",
        discussion: """
            The headers are shown as they are sent (a name or subject with other than ASCII characters RFC 2047-encoded); \
            the readable sender, recipient and subject are shown above them, and the body as plain text (it is sent \
            quoted-printable). With --json: the fields of `outbox list --json` and sender {address, name}, body, \
            headers [{name, value}] (as sent, unfolded), leaseOwner, leaseExpiresAt, attachments [{fileName, contentType, \
            archivePath, sha256, size}] (the extracts sent with an answer, read from the archive beside the database when \
            the message is sent).
            """
    )

    @OptionGroup var message: OutboxMessageArgument
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the message.
    func run() throws {
        let database = try global.openDatabase()
        let stored = try database.readOutbox { try OutboxCLI.message(message.message, in: $0) }
        try output.emit(OutboxDetailDocument(stored), ledger: Ledger(store: database))
    }
}

/// `inzage outbox requeue`: puts a failed message back in the queue.
struct OutboxRequeue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue",
        abstract: "Put a failed message back in the queue: failed → pending, with its attempts reset.",
        discussion: """
            Only a failed message can be requeued; `inzage outbox show ID` shows its last error. `inzage deliver` sends \
            it on its next round. Exit codes: 0 requeued, 1 no such message or not failed.
            """
    )

    @OptionGroup var message: OutboxMessageArgument
    @OptionGroup var global: GlobalOptions

    /// Moves the failed message back to pending.
    func run() throws {
        let database = try global.openDatabase()
        let requeued = try database.writeOutbox { writer -> StoredMessage in
            let found = try OutboxCLI.message(message.message, in: writer)
            guard found.state == .failed, try Outbox.requeue(messageID: found.messageID, at: Date(), in: writer) else {
                throw OutboxCommandError.notFailed(id: found.id, messageID: found.messageID, state: found.state)
            }
            return found
        }
        print("Message \(requeued.id) (\(requeued.messageID)) is pending again; `inzage deliver` will send it.")
    }
}

/// The messages in the outbox, oldest first.
///
/// JSON: an array of ``OutboxSummaryDocument``.
struct OutboxListDocument: Presentable, Sendable {
    let messages: [OutboxSummaryDocument]

    /// The list of `messages`, in the order given.
    init(_ messages: [StoredMessage]) {
        self.messages = messages.map(OutboxSummaryDocument.init)
    }

    /// Encodes the messages as a bare array.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(messages)
    }

    /// A table of id, Message-ID, kind, language, request, recipient, state, attempts, created, sent and last error.
    func text(style: TextStyle) -> String {
        guard !messages.isEmpty else { return "No messages." }
        let rows = messages.map {
            [String($0.id), $0.messageID, $0.kind.rawValue, $0.language.rawValue, TextStyle.value($0.requestReference), $0.recipient.address,
             $0.state.rawValue, String($0.attempts), style.date($0.createdAt), style.date($0.sentAt), $0.lastErrorText(limit: 60)]
        }
        let counts = OutboxState.allCases.compactMap { state -> String? in
            let count = messages.filter { $0.state == state }.count
            return count > 0 ? "\(count) \(state.rawValue)" : nil
        }
        let header = ["Id", "Message-ID", "Kind", "Language", "Request", "To", "State", "Attempts", "Created", "Sent", "Last error"]
        return (TextLayout.table(header: header, rows: rows)
            + ["", "\(messages.count) message\(messages.count == 1 ? "" : "s"): \(counts.joined(separator: ", ")).", style.timeZoneNote])
            .joined(separator: "\n")
    }
}

/// One header of a message as it is sent.
///
/// JSON: `name`, `value` (unfolded).
struct OutboxHeaderDocument: Encodable, Sendable {
    let name: String
    let value: String
}

/// One message with everything that is sent.
///
/// JSON: the fields of ``OutboxSummaryDocument`` and `sender` (an ``OutboxAddressDocument``), `body` (the plain
/// text), `headers` (an array of ``OutboxHeaderDocument``, in the order sent), `leaseOwner` and `leaseExpiresAt`
/// (or null).
struct OutboxDetailDocument: Presentable, Sendable {
    let summary: OutboxSummaryDocument
    let sender: OutboxAddressDocument
    let body: String
    let headers: [OutboxHeaderDocument]
    /// The header lines as they are written (folded), for the text view.
    let headerLines: [String]
    @ExplicitNull var leaseOwner: String?
    @ExplicitNull var leaseExpiresAt: Date?
    /// The files sent with it (the extracts of an answer), read from the extract archive when it is sent.
    let attachments: [MessageAttachment]

    /// The document of `stored`, with the headers ``EmailComposer`` writes for it.
    init(_ stored: StoredMessage) {
        summary = OutboxSummaryDocument(stored)
        sender = OutboxAddressDocument(stored.message.sender)
        body = stored.message.body
        let email = String(decoding: EmailComposer.compose(stored, lineEnding: .lf), as: UTF8.self)
        let head = email.components(separatedBy: "\n\n").first ?? ""
        headerLines = head.split(separator: "\n").map(String.init)
        headers = Self.unfold(headerLines)
        leaseOwner = stored.leaseOwner
        leaseExpiresAt = stored.leaseExpiresAt
        attachments = stored.message.attachments
    }

    /// Joins continuation lines to their header (RFC 5322 §2.2.3) and splits each at its first colon.
    static func unfold(_ lines: [String]) -> [OutboxHeaderDocument] {
        var joined: [String] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t", let last = joined.popLast() {
                joined.append(last + line)
            } else {
                joined.append(line)
            }
        }
        return joined.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return OutboxHeaderDocument(name: String(line[..<colon]),
                                        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    private enum Key: String, CodingKey {
        case sender, body, headers, leaseOwner, leaseExpiresAt, attachments
    }

    /// Encodes the summary's fields and the details next to them in one object.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(sender, forKey: .sender)
        try container.encode(body, forKey: .body)
        try container.encode(headers, forKey: .headers)
        try container.encode(_leaseOwner, forKey: .leaseOwner)
        try container.encode(_leaseExpiresAt, forKey: .leaseExpiresAt)
        try container.encode(attachments, forKey: .attachments)
    }

    /// The delivery state, then the headers as sent and the body as plain text.
    func text(style: TextStyle) -> String {
        let message = summary
        var lines = ["Message \(message.id) — \(message.kind.rawValue) (\(message.language.rawValue)), \(message.state.rawValue)"]
        var lease = TextStyle.empty
        if let leaseOwner { lease = "\(leaseOwner) until \(style.date(leaseExpiresAt))" }
        lines += TextLayout.labelled([
            ("Message-ID", "<\(message.messageID)>"),
            ("From", sender.text),
            ("To", message.recipient.text),
            ("Subject", message.subject),
            ("Request", TextStyle.value(message.requestReference)),
            ("Person id", TextStyle.value(message.personID.map(String.init))),
            ("State", message.state.rawValue),
            ("Attempts", String(message.attempts)),
            ("Created", style.date(message.createdAt)),
            ("Next attempt", style.date(message.nextAttemptAt)),
            ("Sent", style.date(message.sentAt)),
            ("Lease", lease),
            ("Last error", TextStyle.value(message.lastError)),
            ("Attachments", attachments.isEmpty ? TextStyle.empty
                : attachments.map { "\($0.fileName) (\($0.size) bytes, from the extract archive: \($0.archivePath))" }.joined(separator: "\n")),
        ], indent: 2)
        lines += ["", style.timeZoneNote, ""]
        lines.append(message.state == .sent ? "As sent (the body decoded from quoted-printable):" : "As it will be sent (the body decoded from quoted-printable):")
        lines += [""] + headerLines + [""]
        var text = body
        while text.hasSuffix("\n") { text.removeLast() }
        lines.append(text)
        return lines.joined(separator: "\n")
    }
}
