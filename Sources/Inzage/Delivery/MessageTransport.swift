import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one message from the outbox. ``MessageDelivery`` calls it outside any database transaction and marks
/// the message sent only after it returns, so a transport must accept the same message again (after a crash or
/// a lapsed lease) and should make that harmless.
public protocol MessageTransport: Sendable {
    /// Delivers `message`; returns only when it was delivered, throws otherwise.
    func deliver(_ message: StoredMessage) throws
}

/// Delivers messages as RFC 5322 `.eml` files into a Maildir folder (`tmp/`, `new/`, `cur/`), which mail programs
/// and IMAP servers such as Dovecot read directly.
///
/// Exactly once: a file is written in `tmp/`, flushed to disk, and renamed into `new/` (atomic: a reader sees the
/// whole message or nothing). Its name is derived from the Message-ID alone, so a second delivery of the same
/// message — after a crash between writing the file and marking the message sent — finds the file in `new/` (or,
/// once a mail program has read it, in `cur/` with a `:2,…` suffix) and writes nothing: one file per message.
public struct MaildirTransport: MessageTransport {
    /// The Maildir folder; it and its `tmp/`, `new/` and `cur/` are created (mode 0700) when missing.
    public let directory: URL

    /// A transport into `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The file name of `message` in `new/`: its Message-ID with characters other than letters, digits and
    /// `.-_@` replaced, and `.eml`.
    public static func fileName(for message: StoredMessage) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@")
        let safe = String(String.UnicodeScalarView(message.messageID.unicodeScalars.map { allowed.contains($0) ? $0 : "_" }))
        return "\(safe).eml"
    }

    /// Writes `message` into `new/` unless a file for it is already there or in `cur/`.
    public func deliver(_ message: StoredMessage) throws {
        let name = Self.fileName(for: message)
        let folders = ["tmp", "new", "cur"].map { directory.appendingPathComponent($0, isDirectory: true) }
        let (tmp, new, cur) = (folders[0], folders[1], folders[2])
        do {
            for folder in folders where !FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let seen = try FileManager.default.contentsOfDirectory(atPath: cur.path).contains { $0 == name || $0.hasPrefix(name + ":") }
            if seen || FileManager.default.fileExists(atPath: new.appendingPathComponent(name).path) { return }
            let temporary = tmp.appendingPathComponent(name)
            try writeDurably(EmailComposer.compose(message, lineEnding: .crlf), to: temporary)
            guard rename(temporary.path, new.appendingPathComponent(name).path) == 0 else {
                throw DeliveryError.maildirUnavailable(path: directory.path, reason: "cannot move the message into new/: \(String(cString: strerror(errno)))")
            }
            syncDirectory(new)
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError.maildirUnavailable(path: directory.path, reason: error.localizedDescription)
        }
    }

    /// Writes `data` to a new file (mode 0600: it holds personal data) and flushes it to disk.
    private func writeDurably(_ data: Data, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw DeliveryError.maildirUnavailable(path: directory.path, reason: "cannot create a file in tmp/")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    /// Flushes a directory's entries, so that a rename survives a power loss.
    private func syncDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}

/// Delivers messages by piping them to a sendmail-compatible command (`sendmail -t -i`: recipients from the
/// headers, a line with a single dot does not end the message); its exit status decides success.
///
/// At least once, with duplicates recognisable: the outbox records the message as `sending`, with the attempt
/// counted, before the command runs, and marks it sent right after the command exits with 0. If the process dies
/// in between — a window of milliseconds after the mail system accepted the message — the message's lease lapses
/// and the next delivery step sends it again, with the same Message-ID and the same bytes. The mail system does not
/// know it has seen it (Postfix and Exim do not de-duplicate by Message-ID), so the person may receive it twice;
/// mail programs and services that de-duplicate by Message-ID show it once. A command that exits with non-zero
/// status after queueing the message also leads to a second copy. The maildir transport has neither problem.
public struct SendmailTransport: MessageTransport {
    /// The command's path, such as `/usr/sbin/sendmail`.
    public let command: String
    /// Its arguments.
    public let arguments: [String]
    /// How long the command may run before it is stopped and the attempt counts as failed.
    public let timeout: TimeInterval

    /// The arguments of a sendmail-compatible command: recipients from the headers, dots not special.
    public static let defaultArguments = ["-t", "-i"]

    /// A transport through the command at `command`.
    ///
    /// - Throws: ``DeliveryError/sendmailNotExecutable(path:)`` when `command` is not an executable file.
    public init(command: String, arguments: [String] = SendmailTransport.defaultArguments, timeout: TimeInterval = 60) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: command, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isExecutableFile(atPath: command)
        else { throw DeliveryError.sendmailNotExecutable(path: command) }
        self.command = command
        self.arguments = arguments
        self.timeout = timeout
    }

    /// Runs the command with the message (LF line endings) on standard input.
    public func deliver(_ message: StoredMessage) throws {
        // Standard input and error are files, not pipes: a command that exits without reading its input cannot
        // raise SIGPIPE in this process, and one that writes much to standard error cannot block.
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("inzage-sendmail-\(UUID().uuidString.lowercased())", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DeliveryError.sendmailNotStarted(path: command, reason: "cannot create a temporary folder: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("message.eml")
        let errors = scratch.appendingPathComponent("stderr.txt")

        let process = Process()
        let finished = DispatchSemaphore(value: 0)
        do {
            try EmailComposer.compose(message, lineEnding: .lf).write(to: input)
            guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
                throw DeliveryError.sendmailNotStarted(path: command, reason: "cannot create a temporary file")
            }
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
            process.standardInput = try FileHandle(forReadingFrom: input)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: errors)
            process.terminationHandler = { _ in finished.signal() }
            try process.run()
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError.sendmailNotStarted(path: command, reason: error.localizedDescription)
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // SIGTERM first, so that a real sendmail can clean up; SIGKILL when it does not stop (a child may
            // have inherited a signal mask that blocks SIGTERM).
            process.terminate()
            if finished.wait(timeout: .now() + 1) == .timedOut {
                _ = kill(process.processIdentifier, SIGKILL)
                _ = finished.wait(timeout: .now() + 5)
            }
            throw DeliveryError.sendmailTimedOut(path: command, seconds: Int(timeout.rounded(.up)))
        }
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            let summary = output.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
            throw DeliveryError.sendmailFailed(path: command, status: process.terminationStatus, output: String(summary.prefix(500)))
        }
    }
}
