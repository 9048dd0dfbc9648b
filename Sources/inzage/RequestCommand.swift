import ArgumentParser
import Foundation
import Inzage

/// `inzage request`: files data-subject requests and lets an officer follow and steer them.
struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "File data-subject requests (access, rectification, objection) and follow them to their answer.",
        discussion: """
            References look like DSR-2026-000123. The answer is due one month after the day of receipt (moved to the \
            next working day), or three months after it once extended. States: \(RequestState.validKeys).
            """,
        subcommands: [
            RequestFiling.self, RequestIngest.self, RequestList.self, RequestShow.self,
            RequestExtend.self, RequestAssign.self, RequestReview.self, RequestDecide.self, RequestReject.self,
            RequestWithdraw.self, RequestRetry.self, RequestAskIdentity.self, RequestConfirmIdentity.self,
        ]
    )
}

extension GlobalOptions {
    /// The request queue on the existing database, and the ledger for the organisation's profile.
    func openQueue() throws -> (RequestQueue, Ledger) {
        let database = try openDatabase()
        return (RequestQueue(store: database), Ledger(store: database))
    }
}

/// Parsing of the request commands' option values. A ``RequestError`` from the queue needs no handling here:
/// ``CLIErrors`` maps it to exit code 2 (``RequestError/isUsageError``) or 1.
enum RequestCLI {
    /// `text` as one of `Choice`'s keys (trimmed, any case), or a usage error that names `option` and the valid keys.
    static func choice<Choice: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> Choice where Choice.RawValue == String {
        guard let value = Choice(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let valid = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIUsageError(description: "Invalid \(option) '\(text)'. Valid values: \(valid).")
        }
        return value
    }

    /// `text` as a list of `Choice`'s keys separated by commas, or a usage error that quotes `text` as typed, names the
    /// item at fault and the valid keys.
    static func choices<Choice: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> [Choice] where Choice.RawValue == String {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let key = item.trimmingCharacters(in: .whitespaces).lowercased()
            guard let value = Choice(rawValue: key) else {
                let valid = Choice.allCases.map(\.rawValue).joined(separator: ", ")
                let fault = key.isEmpty ? "an item between or after the commas is empty" : "'\(item)' is not one of them"
                throw CLIUsageError(description: "Invalid \(option) '\(text)': \(fault). Valid values, separated by commas: \(valid).")
            }
            return value
        }
    }

    /// `text` as a state, or a usage error that names the valid states.
    static func state(_ text: String) throws -> RequestState {
        do {
            return try RequestState(key: text)
        } catch {
            throw CLIUsageError(description: "Invalid --state: \(error.description)")
        }
    }
}

/// `inzage request file`: files one request given on the command line.
struct RequestFiling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "File a request of type access, rectification or objection.",
        discussion: """
            Identify the person with --email, --person or --external-id (matched by person id, else external id, else \
            e-mail address; identifiers given together that point to different persons make them all candidates). \
            Prints the reference as the first line, then the due date and how the person was matched; when several \
            persons match, the request awaits a decision (`inzage request assign REF --person ID`).

            Rectification: one --set FIELD=VALUE per correction (FIELD= with nothing after it asks for removal) and \
            optionally --statement FIELD=TEXT for a supplementary statement on a field that has a --set. Fields: \
            \(PersonField.validKeys). Objection: one --purpose KEY per purpose objected to, and optionally --grounds.

            Exit codes: 0 filed, 2 invalid (an unknown field, purpose or value; a received date that cannot be read or \
            lies in the future), 1 failed.
            """
    )

    @Argument(help: ArgumentHelp("The request type: \(RequestType.validKeys).", valueName: "type"))
    var type: String

    @Option(help: "The e-mail address the person gave.") var email: String?
    @Option(help: ArgumentHelp("The person's id in Inzage.", valueName: "id")) var person: Int64?
    @Option(name: .customLong("external-id"), help: ArgumentHelp("The person's id in the CRM.", valueName: "id")) var externalID: String?
    @Option(help: "The name the person gave.") var name: String?
    @Option(help: ArgumentHelp("When the request was received: \(RequestFile.receivedDateForms). Default: now.", valueName: "date"))
    var received: String?
    @Option(help: ArgumentHelp("How it arrived: \(RequestChannel.validKeys).", valueName: "channel")) var channel = RequestChannel.email.rawValue
    @Option(help: ArgumentHelp("The language to answer in: \(Language.validKeys). Default: the person's.", valueName: "language"))
    var language: String?
    @Option(help: ArgumentHelp("The formats of the extract, separated by commas, each once: \(ExtractFormat.validKeys).", valueName: "formats"))
    var formats = ExtractFormat.allCases.map(\.rawValue).joined(separator: ",")
    @Option(name: .customLong("set"), help: ArgumentHelp("Rectification: a correction FIELD=VALUE (repeatable); FIELD= asks for removal.", valueName: "field=value"))
    var corrections: [String] = []
    @Option(help: ArgumentHelp("Rectification: a supplementary statement FIELD=TEXT on a field that has a --set (repeatable).", valueName: "field=text"))
    var statement: [String] = []
    @Option(help: ArgumentHelp("Objection: the key of a purpose objected to (repeatable), such as e-marketing.", valueName: "key"))
    var purpose: [String] = []
    @Option(help: "Objection: the person's grounds relating to their particular situation.") var grounds: String?
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Requires an identifier, and only the options of the type given.
    func validate() throws {
        guard email != nil || person != nil || externalID != nil else {
            throw ValidationError("Identify the person with --email, --person or --external-id.")
        }
        if let person, person < 1 {
            throw ValidationError("--person takes a person id from 1 up; got \(person). Find it with `inzage person find`.")
        }
        let requestType = try parsedType()
        if requestType != .rectification, !corrections.isEmpty || !statement.isEmpty {
            throw ValidationError("--set and --statement are for rectification requests, not for \(requestType.rawValue) requests.")
        }
        if requestType != .objection, !purpose.isEmpty || grounds != nil {
            throw ValidationError("--purpose and --grounds are for objection requests, not for \(requestType.rawValue) requests.")
        }
    }

    /// The request type argument, or a usage error that names the valid types.
    private func parsedType() throws -> RequestType {
        do {
            return try RequestType(key: type)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Files the request and prints the reference, the due date and the match.
    func run() throws {
        let (queue, ledger) = try global.openQueue(templates: templates)
        // An officer who types a person id means someone on file: an unknown id is a slip, not a person of whom no data
        // is held. (The queue refuses it too, for request files; checked here first, before the other options.)
        if let person { _ = try ledger.person(id: person) }
        let submission = try makeSubmission(timeZone: try ledger.organisationProfile().deadlineCalendar().timeZone)
        let request = try queue.file(submission, by: global.actor).request
        print(request.reference)
        print("Due on \(request.dueOn) (received on \(request.receivedOn)).")
        // A letter filed late can be past its due date on the day it is filed: the officer must know at once.
        let details = try queue.details(request.reference)
        if details.isOverdue {
            let days = -details.daysLeft
            print("Already overdue by \(days) day\(days == 1 ? "" : "s"): answer it as soon as possible; the period can no longer be extended (Art. 12(3)).")
        }
        if !request.candidateIDs.isEmpty, request.personID == nil {
            let ids = request.candidateIDs.map(String.init).joined(separator: ", ")
            print("Awaits a decision: \(request.candidateIDs.count) persons match (ids \(ids)); settle it with `inzage request assign \(request.reference) --person ID`.")
            return
        }
        if let personID = request.personID {
            print("Matched to person \(personID).")
        } else if let note = request.unmatchedNote {
            print(note)
        } else {
            print("No person matches; the answer will say that no data is held.")
        }
        switch (request.type, request.state) {
        case (.rectification, .awaitingDecision):
            print("Awaits an officer's review: `inzage request review \(request.reference)`.")
        case (.objection, .completed):
            print("The objection to direct marketing is applied (Art. 21(3)) and the confirmation is queued; the request is completed.")
        case (.objection, .awaitingDecision):
            print("Awaits an officer's decision (Art. 21(1)): `inzage request decide \(request.reference) --uphold|--override --reason TEXT`.")
        default:
            break
        }
    }

    /// The submission the options describe; a usage error names the option at fault and the valid values.
    func makeSubmission(timeZone: TimeZone) throws -> RequestSubmission {
        let requestType = try parsedType()
        var submission = RequestSubmission(
            type: requestType, subject: SubjectIdentifiers(email: email, personID: person, externalID: externalID, name: name),
            channel: try RequestCLI.choice(channel, option: "--channel"),
            language: try language.map { try RequestCLI.choice($0, option: "--language") })
        if let received {
            guard let date = RequestFile.receivedDate(received.trimmingCharacters(in: .whitespaces), timeZone: timeZone) else {
                throw CLIUsageError(description: "Invalid --received '\(received)': give \(RequestFile.receivedDateForms).")
            }
            submission.receivedAt = date
        }
        submission.formats = try RequestCLI.choices(formats, option: "--formats")
        // As in a request file: each format once.
        for (index, format) in submission.formats.enumerated() where submission.formats[..<index].contains(format) {
            throw CLIUsageError(description: "Invalid --formats '\(formats)': \(format.rawValue) is listed twice; list each format once (\(ExtractFormat.validKeys)).")
        }
        submission.rectification = try rectificationItems()
        if requestType == .objection {
            submission.objection = ObjectionContent(purposeKeys: purpose.map { $0.trimmingCharacters(in: .whitespaces) }, grounds: grounds)
        }
        return submission
    }

    /// The --set items in the order given, each with its --statement.
    private func rectificationItems() throws -> [RectificationItem] {
        var items: [RectificationItem] = []
        for (key, value) in try Assignments.parse(corrections, option: "--set", example: "city=Utrecht") {
            let field = try PersonField(key: key)
            guard !items.contains(where: { $0.field == field }) else {
                throw CLIUsageError(description: "--set names the field \(field.rawValue) twice; give one correction per field.")
            }
            items.append(RectificationItem(field: field, requestedValue: value.isEmpty ? nil : value))
        }
        for (key, text) in try Assignments.parse(statement, option: "--statement", example: "city='I moved in May'") {
            let field = try PersonField(key: key)
            guard let index = items.firstIndex(where: { $0.field == field }) else {
                throw CLIUsageError(description: "--statement names the field \(field.rawValue), which has no --set \(field.rawValue)=VALUE; add the correction the statement belongs to.")
            }
            guard items[index].statement == nil else {
                throw CLIUsageError(description: "--statement names the field \(field.rawValue) twice; give one statement per field.")
            }
            items[index].statement = text
        }
        return items
    }
}

/// `inzage request ingest`: files every request file in a folder.
struct RequestIngest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "File every request file (*.json) in a folder.",
        discussion: """
            Files are read in name order; *.schema.json and hidden files are skipped. Each file is one request in the \
            form of requests/request.schema.json; a date without a time in receivedAt is the start of that day in the \
            organisation's time zone. A file filed before (the same name and the same bytes) is not filed again, so \
            ingesting a folder twice files nothing twice; the same bytes under another name are a request of their \
            own. An invalid file is reported with its name, the JSON path and the reason, and nothing of it is filed; \
            the valid files still are. A valid file that cannot be filed (a message template that cannot be rendered) \
            is reported as not filed, and tried again at the next ingest. Prints one line per file, then a note for \
            each request filed that asks for a change and that nobody matches (assign a person or refuse it), then the \
            counts. With --json: {directory, files: [{file, outcome (filed, already-filed, invalid, not-filed), \
            reference, state, dueOn, path, reason}], filed, alreadyFiled, invalid, notFiled}.

            Invalid, beyond what the schema says: a file larger than \(RequestFile.maximumSize >> 20) MiB or not \
            UTF-8; text that is not strict JSON (RFC 8259: no trailing commas, no comments, no control characters \
            written as themselves inside strings); a key twice in one object; arrays and objects nested more than \
            \(RequestFile.maximumDepth) deep; a personId that names no person (as `request file --person` refuses it); \
            a control character or line break in subject.name or subject.externalId; a control character other than a \
            line break or tab in objection.grounds or a rectification statement; the same field twice in \
            rectification; an e-mail address that is not one, a purpose that does not exist, a value not valid for its \
            field, a receivedAt in the future.

            Exit codes: 0 every file valid and filed (or filed before), 1 some file was invalid or not filed, 2 the \
            folder does not exist.
            """
    )

    @Argument(help: ArgumentHelp("The folder of request files.", valueName: "dir")) var directory: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Ingests the folder, prints the report, and fails when a file was invalid.
    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIUsageError(description: "No folder at \(directory); give the folder that holds the request files (*.json).")
        }
        let (queue, ledger) = try global.openQueue(templates: templates)
        let report = try queue.ingest(directory: URL(fileURLWithPath: directory, isDirectory: true), by: global.actor)
        try output.emit(RequestIngestDocument(report), ledger: ledger)
        if report.invalidCount > 0 || report.notFiledCount > 0 { throw ExitCode(CLIErrors.failure) }
    }
}

/// `inzage request list`: requests, most urgent first.
struct RequestList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List requests by due date, most urgent first.",
        discussion: """
            Shows reference, type, subject (e-mail address or person id as given), the person matched, state, the day \
            of receipt, the due date (the extended one when extended), days left (negative and marked OVERDUE when past \
            due) and the number of extracts. --due-within DAYS shows open requests due within DAYS days, overdue ones \
            included. With --json: an array of {reference, type, state, subject {email, personID, externalID, name}, \
            personID, candidateIDs, receivedAt, receivedOn, dueOn, extendedDueOn, effectiveDueOn, daysLeft (null once \
            the request has ended), overdue, extractCount}.
            """
    )

    @Option(help: ArgumentHelp("Only requests in this state: \(RequestState.validKeys).", valueName: "state")) var state: String?
    @Flag(help: "Only open requests past their due date.") var overdue = false
    @Option(name: .customLong("due-within"), help: ArgumentHelp("Only open requests due within this many days.", valueName: "days"))
    var dueWithin: Int?
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Requires a non-negative number of days.
    func validate() throws {
        if let dueWithin, dueWithin < 0 {
            throw ValidationError("--due-within takes a number of days from 0 up; got \(dueWithin).")
        }
    }

    /// Prints the requests.
    func run() throws {
        let filter = try state.map(RequestCLI.state)
        let (queue, ledger) = try global.openQueue()
        try output.emit(try queue.listDocument(state: filter, overdueOnly: overdue, dueWithinDays: dueWithin), ledger: ledger)
    }
}

/// The reference argument of the commands on one request.
struct RequestReference: ParsableArguments {
    @Argument(help: ArgumentHelp("The request's reference, such as DSR-2026-000123.", valueName: "reference")) var reference: String
}

/// `inzage request show`: everything about one request.
struct RequestShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a request: dates, subject, match, content, state history, extracts, decisions and messages.",
        discussion: """
            With --json: the fields of `request list --json` and channel, language, formats, extensionReason, origin, \
            createdAt, createdBy, updatedAt, matchedPerson and candidates ({id, displayName, firstName, namePrefix, \
            lastName, email, organisation}), rectification [{field, value, statement}], objection {purposes [{key, name, \
            isDirectMarketing}], grounds}, history [{at, from, to, by, note}], extracts [{format, path, sha256, size, \
            createdAt, expiresAt}], decisions [{item, outcome, field, requestedValue, before, after, reason, statement, \
            at, by}], recipientNotifications [{recipientKey, recipientName, status (planned, sent, failed, exempt), \
            exemptReason, outboxMessageID, at}], messages (as `inzage outbox list --json`), attempts, lastError. \
            Empty fields are null.
            """
    )

    @OptionGroup var request: RequestReference
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// Prints the request.
    func run() throws {
        let (queue, ledger) = try global.openQueue()
        try output.emit(try queue.detailDocument(request.reference), ledger: ledger)
    }
}

/// `inzage request extend`: extends the period by two further months.
struct RequestExtend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Extend the period to answer by two further months (Art. 12(3) GDPR).",
        discussion: """
            Allowed once, and only while the request is not yet due; the reason (the complexity or the number of \
            requests) is recorded, and the person must be told it before the original due date. A request that waits \
            (for the person's identity, an officer's decision, or a retry after a failure) keeps waiting, with the \
            period extended; any other becomes extended. A refusal exits with 1.
            """
    )

    @OptionGroup var request: RequestReference
    @Option(help: "Why: the complexity or the number of requests.") var reason: String
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Requires a reason that is not blank.
    func validate() throws {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason is empty; say why the period is extended (the complexity or the number of requests).")
        }
    }

    /// Extends the period and prints the new due date.
    func run() throws {
        let (queue, _) = try global.openQueue(templates: templates)
        let extended = try queue.extend(request.reference, reason: reason, by: global.actor)
        print("Extended \(extended.reference): now due on \(extended.effectiveDueOn) instead of \(extended.dueOn).")
        if try queue.details(extended.reference).messages.contains(where: { $0.message.kind == .extensionNotice }) {
            print("The extension notice with the reason was queued for the person (`inzage deliver` sends it).")
        } else {
            print("No e-mail address is known: tell the person, with the reason, by post no later than \(extended.dueOn).")
        }
    }
}

/// `inzage request assign`: settles an ambiguous match.
struct RequestAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Settle an ambiguous match: the request continues for this person.",
        discussion: "`inzage request show REF` lists the candidates. The request then continues (in-progress, or extended when extended)."
    )

    @OptionGroup var request: RequestReference
    @Option(help: ArgumentHelp("The person's id.", valueName: "id")) var person: Int64
    @OptionGroup var templates: TemplateOptions
    @OptionGroup var global: GlobalOptions

    /// Assigns the person and prints the new state.
    func run() throws {
        let (queue, _) = try global.openQueue(templates: templates)
        let assigned = try queue.assign(request.reference, personID: person, by: global.actor)
        print("Assigned \(assigned.reference) to person \(person); it is \(assigned.state.rawValue).")
        if !assigned.candidateIDs.isEmpty, !assigned.candidateIDs.contains(person) {
            // Recorded in the request's history too; said here so that a slip of the id is seen at once.
            CLIErrors.printError("Note: person \(person) was not among the persons the request's identifiers matched "
                                 + "(\(assigned.candidateIDs.map(String.init).joined(separator: ", "))). The identifiers it gave that are theirs "
                                 + "are left out of person \(person)'s extract.")
        }
    }
}

/// `inzage request withdraw`: records that the person withdrew the request.
struct RequestWithdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Record that the person withdrew the request.",
        discussion: "Allowed from every state that has not ended; the note is recorded in the state history."
    )

    @OptionGroup var request: RequestReference
    @Option(help: "How or why the person withdrew, for the record.") var note: String?
    @OptionGroup var global: GlobalOptions

    /// Moves the request to withdrawn.
    func run() throws {
        let (queue, _) = try global.openQueue()
        let withdrawn = try queue.transition(request.reference, to: .withdrawn, by: global.actor, note: note ?? "Withdrawn by the person")
        print("\(withdrawn.reference) is withdrawn.")
    }
}

/// `inzage request retry`: resumes a request that a processing error interrupted.
struct RequestRetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Resume a failed request: failed → in-progress (extended when its period was extended), for a worker to take again.",
        discussion: "Only a failed request can be retried; `inzage request show REF` shows its last error."
    )

    @OptionGroup var request: RequestReference
    @OptionGroup var global: GlobalOptions

    /// Moves the failed request back to in-progress, or to extended when its period was extended.
    func run() throws {
        let (queue, _) = try global.openQueue()
        let retried = try queue.retry(request.reference, by: global.actor)
        print("\(retried.reference) is \(retried.state.rawValue) again; a worker will take it.")
    }
}
