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
    /// Delivers `message` with `files`, its attachments read from the extract archive (empty when it has none);
    /// returns only when it was delivered, throws otherwise.
    func deliver(_ message: StoredMessage, files: [AttachedFile]) throws
}

/// Delivers messages as RFC 5322 `.eml` files into a Maildir folder (`tmp/`, `new/`, `cur/`), which mail programs
/// and IMAP servers such as Dovecot read directly.
///
/// Exactly once: a file is written in `tmp/`, flushed to disk, and linked into `new/` (atomic: a reader sees the
/// whole message or nothing; a link never replaces a file that is there). Its name is derived from the Message-ID alone, so a second delivery of the same
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

    /// Writes `message` with `files` into `new/` unless a file for it is already there or in `cur/`.
    public func deliver(_ message: StoredMessage, files: [AttachedFile]) throws {
        let name = Self.fileName(for: message)
        let folders = ["tmp", "new", "cur"].map { directory.appendingPathComponent($0, isDirectory: true) }
        let (tmp, new, cur) = (folders[0], folders[1], folders[2])
        do {
            for folder in folders where !FileManager.default.fileExists(atPath: folder.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            Self.removeStaleTemporaries(in: tmp)
            let seen = try FileManager.default.contentsOfDirectory(atPath: cur.path).contains { $0 == name || $0.hasPrefix(name + ":") }
            if seen || FileManager.default.fileExists(atPath: new.appendingPathComponent(name).path) { return }
            // A temporary name of this attempt alone, published with link(), which refuses to replace a file: two
            // delivery steps on one message (the first stalled past its lease) never overwrite each other's file,
            // and the second finds the first's and writes nothing.
            let temporary = tmp.appendingPathComponent("\(name).\(getpid()).\(UUID().uuidString.lowercased())")
            defer { _ = unlink(temporary.path) }
            try writeDurably(EmailComposer.compose(message, files: files, lineEnding: .crlf), to: temporary)
            if link(temporary.path, new.appendingPathComponent(name).path) != 0 {
                guard errno == EEXIST else {
                    throw DeliveryError.maildirUnavailable(path: directory.path, reason: "cannot move the message into new/: \(String(cString: strerror(errno)))")
                }
                return
            }
            DurableFiles.flushEntries(of: new)
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError.maildirUnavailable(path: directory.path, reason: ErrorText.reason(of: error))
        }
    }

    /// How long another program's file may sit in `tmp/` before it counts as abandoned (the Maildir convention).
    static let abandonedAfter: TimeInterval = 36 * 3600

    /// Removes from `tmp/` the copies that a delivery killed mid-way left (they hold a person's message): a file of
    /// ours (`<name>.<pid>.<uuid>`) whose process no longer runs, and any file older than ``abandonedAfter``.
    static func removeStaleTemporaries(in tmp: URL, now: Date = Date()) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: tmp.path) else { return }
        for entry in entries {
            let parts = entry.split(separator: ".")
            let url = tmp.appendingPathComponent(entry)
            if parts.count >= 3, parts[parts.count - 1].count == 36, let pid = pid_t(parts[parts.count - 2]), pid > 0, pid != getpid(),
               kill(pid, 0) != 0, errno == ESRCH {
                unlink(url.path)
                continue
            }
            let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? now
            if now.timeIntervalSince(modified) > abandonedAfter { unlink(url.path) }
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
}

/// Delivers messages by piping them to a sendmail-compatible command (`sendmail -f SENDER -t -i`: the organisation
/// as envelope sender, recipients from the headers, a line with a single dot does not end the message); its exit
/// status decides success.
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

    /// Runs the command with the message (LF line endings) on standard input and the organisation's address as the
    /// envelope sender (`-f`), so that bounces reach the organisation.
    ///
    /// The command is started with `posix_spawn`, with no signal blocked and default signal handling (a child of a
    /// worker thread would otherwise inherit a mask that blocks SIGTERM), in a process group of its own (stopped as
    /// a whole on a timeout), and only standard input, output and error passed on; its exit is observed with `waitpid` on its own process id, so a background process it forks (a
    /// queueing sendmail) does not make a delivered message look unfinished.
    public func deliver(_ message: StoredMessage, files: [AttachedFile]) throws {
        // Standard input and error are files, not pipes: a command that exits without reading its input cannot
        // raise SIGPIPE in this process, and one that writes much to standard error cannot block. The message file
        // (personal data) is unlinked as soon as the command holds it open.
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("inzage-sendmail-\(UUID().uuidString.lowercased())", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DeliveryError.sendmailNotStarted(path: command, reason: "cannot create a temporary folder: \(ErrorText.reason(of: error))")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("message.eml")
        let errors = scratch.appendingPathComponent("stderr.txt")
        do {
            try EmailComposer.compose(message, files: files, lineEnding: .lf).write(to: input)
        } catch {
            throw DeliveryError.sendmailNotStarted(path: command, reason: "cannot write a temporary file: \(ErrorText.reason(of: error))")
        }
        let pid = try spawn(arguments: ["-f", message.message.sender.address] + arguments, input: input, errors: errors)
        try? FileManager.default.removeItem(at: input)

        var status = try wait(for: pid, seconds: timeout)
        if status == nil {
            // The command leads its own process group, so what it started goes too (a shell script's children would
            // be left running otherwise). SIGTERM first, so that a real sendmail can clean up; SIGKILL for the group
            // unless the command then exited with 0, accepting the message (its queue runner is left alone then).
            _ = kill(-pid, SIGTERM)
            status = try wait(for: pid, seconds: 1)
            if status.flatMap(Self.exitCode) != 0 {
                _ = kill(-pid, SIGKILL)
            }
            if status == nil {
                status = try wait(for: pid, seconds: .infinity)
            }
            // A command that still exited with 0 accepted the message.
            guard let status, Self.exitCode(status) == 0 else {
                throw DeliveryError.sendmailTimedOut(path: command, seconds: Int(timeout.rounded(.up)))
            }
            return
        }
        guard let status else { return }
        if let code = Self.exitCode(status), code == 0 { return }
        let output = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        let summary = String(output.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces).prefix(500))
        if let code = Self.exitCode(status) {
            throw DeliveryError.sendmailFailed(path: command, status: code, output: summary)
        }
        throw DeliveryError.sendmailSignalled(path: command, signal: status & 0x7f, output: summary)
    }

    /// The exit code of a `waitpid` status, or nil when the command was ended by a signal.
    static func exitCode(_ status: Int32) -> Int32? {
        status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    /// Starts the command with `input` as standard input, `errors` as standard error and /dev/null as standard output.
    private func spawn(arguments: [String], input: URL, errors: URL) throws -> pid_t {
        let inputFD = open(input.path, O_RDONLY | O_CLOEXEC)
        let errorFD = open(errors.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let nullFD = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { for fd in [inputFD, errorFD, nullFD] where fd >= 0 { _ = close(fd) } }
        guard inputFD >= 0, errorFD >= 0, nullFD >= 0 else {
            throw DeliveryError.sendmailNotStarted(path: command, reason: "cannot open its input or output: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        posix_spawn_file_actions_adddup2(&actions, nullFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errorFD, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Its own process group (0: the child's id), so that a timeout can stop everything it started.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = ([command] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let result = argv.withUnsafeBufferPointer { buffer -> Int32 in
            // Never nil: the array holds at least the command and its terminating nil.
            guard let base = buffer.baseAddress else { return EINVAL }
            return posix_spawn(&pid, command, &actions, &attributes, base, environ)
        }
        guard result == 0 else {
            throw DeliveryError.sendmailNotStarted(path: command, reason: String(cString: strerror(result)))
        }
        return pid
    }

    /// Waits up to `seconds` for the command to exit and returns its `waitpid` status; nil when it is still running.
    private func wait(for pid: pid_t, seconds: TimeInterval) throws -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        var pause: useconds_t = 1_000
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 && errno != EINTR {
                throw DeliveryError.sendmailNotStarted(path: command, reason: "lost track of it: \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }
}
