import Foundation

/// Why a message could not be rendered or stored. Messages name the template, the variable or the field at
/// fault and what is valid; they never contain personal data (no addresses, names or values).
public enum MessageError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A template uses variables that its message kind does not supply (a mistake in the template, or a name
    /// that only exists inside a section used outside it).
    case unknownVariables(file: String, origin: TemplateOrigin, names: [String], available: [String])
    /// A template uses a variable in a way its type does not allow (a text as a section, a list as a text, an
    /// unsupported transform).
    case misusedVariable(file: String, origin: TemplateOrigin, tag: String, reason: String)
    /// A setting of the organisation profile that every message shows is empty.
    case emptySetting(SettingKey)
    /// The content given for a message is incomplete or invalid.
    case invalidContent(kind: MessageKind, field: String, reason: String)
    /// The subject template rendered to nothing.
    case emptySubject(file: String, origin: TemplateOrigin)
    /// An address of a message is not an e-mail address.
    case invalidAddress(role: String)
    /// A body template does not show a list that this message has items for (an organisation's copy from before
    /// the list existed): sending it would leave out what was decided.
    case missingSections(file: String, origin: TemplateOrigin, names: [String])

    /// What was wrong and what is valid.
    public var description: String {
        switch self {
        case .unknownVariables(let file, let origin, let names, let available):
            let list = names.map { "{{\($0)}}" }.joined(separator: ", ")
            return "The message template \(file) (\(origin)) uses \(list), which this kind of message does not supply; "
                + "available here: \(available.joined(separator: ", ")). See messages/README.md in the templates folder."
        case .misusedVariable(let file, let origin, let tag, let reason):
            return "The message template \(file) (\(origin)) has {{\(tag)}}: \(reason)."
        case .emptySetting(let key):
            return "The setting \(key.rawValue) is empty, and every message shows it; set it with `inzage settings set \(key.rawValue) VALUE`."
        case .invalidContent(let kind, let field, let reason):
            return "Cannot write the \(kind.rawValue) message: \(field) \(reason)."
        case .emptySubject(let file, let origin):
            return "The subject template \(file) (\(origin)) rendered to an empty line; a message needs a subject."
        case .invalidAddress(let role):
            return "The \(role) address of the message is not an e-mail address (such as name@example.nl)."
        case .missingSections(let file, let origin, let names):
            let sections = names.map { "{{#\($0)}}…{{/\($0)}}" }.joined(separator: ", ")
            return "The message template \(file) (\(origin)) does not show \(sections), and this message has items for it: "
                + "the reader would not learn what was decided about them. Add the section as the shipped template has it "
                + "(see messages/README.md in the templates folder); nothing was written."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Why sending one message failed. The message stays in the outbox and is tried again (or becomes `failed`),
/// with this text kept as its last error. The sendmail command's own output may name the recipient, so the
/// delivery step keeps it in the outbox and never logs it.
public enum DeliveryError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The maildir folder cannot be created or written.
    case maildirUnavailable(path: String, reason: String)
    /// The sendmail command is not an executable file.
    case sendmailNotExecutable(path: String)
    /// The sendmail command could not be started.
    case sendmailNotStarted(path: String, reason: String)
    /// The sendmail command exited with a non-zero status; `output` is the start of what it wrote to standard error.
    case sendmailFailed(path: String, status: Int32, output: String)
    /// The sendmail command did not finish in time and was stopped.
    case sendmailTimedOut(path: String, seconds: Int)
    /// The sendmail command was ended by a signal; `output` is the start of what it wrote to standard error.
    case sendmailSignalled(path: String, signal: Int32, output: String)
    /// A file to attach is missing from the extract archive, or its bytes no longer match what was recorded.
    case attachmentUnavailable(fileName: String, reason: String)

    /// What went wrong and what to check.
    public var description: String {
        switch self {
        case .maildirUnavailable(let path, let reason):
            "Cannot write to the maildir folder \(path): \(reason). Check that the folder exists or can be created, and its permissions."
        case .sendmailNotExecutable(let path):
            "The sendmail command \(path) is not an executable file; give the full path of a sendmail-compatible program (such as /usr/sbin/sendmail)."
        case .sendmailNotStarted(let path, let reason):
            "The sendmail command \(path) could not be started: \(reason)."
        case .sendmailFailed(let path, let status, let output):
            "The sendmail command \(path) exited with status \(status)" + (output.isEmpty ? "." : ": \(output)")
        case .sendmailTimedOut(let path, let seconds):
            "The sendmail command \(path) did not finish within \(seconds) seconds and was stopped."
        case .sendmailSignalled(let path, let signal, let output):
            "The sendmail command \(path) was ended by signal \(signal)" + (output.isEmpty ? "." : ": \(output)")
        case .attachmentUnavailable(let fileName, let reason):
            "The attachment \(fileName) cannot be sent: \(reason). Nothing was sent; the message is tried again and fails after its last attempt. Hand the files over yourself: `inzage extract export REF`, or `inzage extract person ID` for new ones."
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
