import Foundation
import Logging

/// How a bulk import runs.
public struct ImportOptions: Sendable {
    /// The commit interval used when none is given.
    public static let defaultBatchSize = 1_000

    /// The source recorded for the persons and consents (a row's own `source` column takes precedence).
    public var sourceKey: String
    /// Consents given to every row, as `KEY` or `KEY:BASIS` (a row's own entry for the same purpose takes precedence).
    public var purposes: [String]
    /// Write nothing unless every row imports.
    public var allOrNothing: Bool
    /// Rows per transaction.
    public var batchSize: Int
    /// The acting user, recorded in every history record.
    public var actor: String

    /// Creates options.
    public init(sourceKey: String, purposes: [String] = [], allOrNothing: Bool = false,
                batchSize: Int = ImportOptions.defaultBatchSize, actor: String) {
        self.sourceKey = sourceKey
        self.purposes = purposes
        self.allOrNothing = allOrNothing
        self.batchSize = batchSize
        self.actor = actor
    }
}

extension Ledger {
    /// Imports persons and their consents from a CSV, JSON or JSON Lines file (chosen by the extension).
    ///
    /// Every row goes through ``LedgerTransaction``: a new person gets an edit record per filled field, an existing
    /// one (matched by external id, else e-mail address) one per changed field, and every consent recorded gets an
    /// `imported` event. Rows commit in batches of ``ImportOptions/batchSize``; each row runs in a savepoint, so a
    /// refused row leaves nothing behind while the rest of its batch imports. Problems with the command line or
    /// the file's columns throw ``ImportError`` or ``LedgerError`` before anything is written; problems with rows
    /// are returned as refusals in the summary.
    public func importFile(at path: String, options: ImportOptions) throws -> ImportSummary {
        let format = try ImportFormat(path: path)
        let plan = try ImportPlan(ledger: self, options: options)
        switch format {
        case .csv:
            var reader = try CSVRecordReader(chunks: try ByteChunks(path: path), parser: plan.parser, path: path)
            return try plan.run(reader: &reader)
        case .json, .jsonl:
            let layout: JSONRecordReader.Layout = format == .json ? .array : .lines
            // A first pass finds malformed JSON and unknown keys before anything is written.
            var check = JSONRecordReader(chunks: try ByteChunks(path: path), layout: layout, parser: plan.parser)
            while try check.next() != nil {}
            var reader = JSONRecordReader(chunks: try ByteChunks(path: path), layout: layout, parser: plan.parser)
            do {
                return try plan.run(reader: &reader)
            } catch let error as ImportError where error.isUsageError {
                // The first pass found no such error, so the file changed between the passes, and batches may have
                // committed: not "nothing was imported".
                throw ImportError.readFailed(path: path, reason: "it changed while it was being imported")
            }
        }
    }

    /// Imports CSV text held in memory (for tests and callers that already hold the bytes).
    func importCSV(_ bytes: [UInt8], chunkSize: Int = ByteChunks.fileChunkSize, options: ImportOptions) throws -> ImportSummary {
        let plan = try ImportPlan(ledger: self, options: options)
        var reader = try CSVRecordReader(chunks: ByteChunks(bytes: bytes, chunkSize: chunkSize), parser: plan.parser, path: "(memory)")
        return try plan.run(reader: &reader)
    }
}

/// The checked options of one import and the loop that applies records in batches.
struct ImportPlan {
    let ledger: Ledger
    let options: ImportOptions
    /// The consents every row gets, from `--purpose`.
    let optionConsents: [ImportConsent]
    /// Parses dates in the organisation's time zone.
    let parser: ImportValueParser
    let attribution: Attribution
    /// Logs batch progress (counts and line numbers only, never personal data).
    private static let logger = Logger(label: "inzage.import")

    /// Checks the options against the ledger: the source and purposes must exist and be active, the batch size positive.
    init(ledger: Ledger, options: ImportOptions) throws {
        guard options.batchSize >= 1 else { throw ImportError.invalidBatchSize(options.batchSize) }
        self.ledger = ledger
        self.options = options
        let lists = try ledger.referenceLists()
        _ = try lists.activeSource(options.sourceKey)
        var consents: [ImportConsent] = []
        for option in options.purposes {
            var scratch = ImportRecord(line: 0)
            guard let consent = ImportValueParser(timeZone: .current).consent(fromSpec: option, record: &scratch), scratch.problem == nil else {
                throw ImportError.invalidPurposeOption(option)
            }
            let purpose = try lists.activePurpose(consent.purposeKey)
            guard !consents.contains(where: { $0.purposeKey == purpose.key }) else { throw ImportError.duplicatePurposeOption(purpose.key) }
            if let basis = consent.basisKey { _ = try lists.activeBasis(basis) } else { _ = try lists.activeBasis(purpose.defaultBasisKey) }
            consents.append(consent)
        }
        optionConsents = consents
        let profile = try ledger.organisationProfile()
        parser = ImportValueParser(timeZone: TimeZone(identifier: profile.timeZone) ?? .current)
        attribution = Attribution(by: options.actor, via: .import)
    }

    /// Reads every record of `reader` and applies it; returns what was done.
    ///
    /// Batches (of up to ``maximumReplayableBatch`` rows) run optimistically, without a savepoint per row: a ledger
    /// method that throws has written nothing, and the import checks a row's consents before writing its person,
    /// so a refused row normally leaves nothing behind by itself. Should a row fail after part of it was written,
    /// the batch is rolled back and run again with a savepoint per row. (Savepoints cost some 12% of an import's
    /// time; see Benchmarks/import/README.md.)
    func run<Reader: ImportRecordReader>(reader: inout Reader) throws -> ImportSummary {
        var state = ImportState(plan: self)
        state.summary.allOrNothing = options.allOrNothing
        if options.allOrNothing {
            do {
                try ledger.write { tx in
                    while let record = try reader.next() { try state.apply(record, in: tx, isolation: .savepoint) }
                    if !state.summary.isComplete { throw RollBack() }
                }
                state.summary.batchesCommitted = 1
            } catch is RollBack {
                state.summary.written = false
                state.summary.personsCreated = 0
                state.summary.personsUpdated = 0
                state.summary.consentsRecorded = 0
            }
            return state.summary
        }
        guard options.batchSize <= Self.maximumReplayableBatch else {
            // Too many rows to hold for a replay: stream each batch with a savepoint per row instead.
            var done = false
            while !done {
                let rowsBefore = state.summary.rowsRead
                try ledger.write { tx in
                    for _ in 0..<options.batchSize {
                        guard let record = try reader.next() else {
                            done = true
                            return
                        }
                        try state.apply(record, in: tx, isolation: .savepoint)
                    }
                }
                if state.summary.rowsRead > rowsBefore { state.summary.batchesCommitted += 1 }
            }
            return state.summary
        }
        var batch: [ImportRecord] = []
        batch.reserveCapacity(options.batchSize)
        while true {
            batch.removeAll(keepingCapacity: true)
            while batch.count < options.batchSize, let record = try reader.next() { batch.append(record) }
            guard !batch.isEmpty else { break }
            let checkpoint = state.checkpoint()
            do {
                try ledger.write { tx in
                    for record in batch { try state.apply(record, in: tx, isolation: .optimistic) }
                }
            } catch let failure as RowFailedAfterWrite {
                Self.logger.debug("import batch replayed with a savepoint per row", metadata: ["line": "\(failure.line)"])
                state.restore(checkpoint)
                try ledger.write { tx in
                    for record in batch { try state.apply(record, in: tx, isolation: .savepoint) }
                }
            }
            state.summary.batchesCommitted += 1
            Self.logger.debug("import batch committed", metadata: [
                "batch": "\(state.summary.batchesCommitted)", "rows": "\(state.summary.rowsRead)",
            ])
        }
        return state.summary
    }

    /// The largest batch held in memory so that it can be replayed with savepoints (about 2 KiB per row);
    /// larger batches stream with a savepoint per row, keeping memory flat.
    static let maximumReplayableBatch = 10_000

    /// Thrown to roll back an all-or-nothing import that refused something.
    private struct RollBack: Error {}
}

/// How a row is kept from leaving part of itself behind when it is refused.
enum RowIsolation {
    /// A savepoint per row: whatever the row wrote is undone when it fails.
    case savepoint
    /// No savepoint: a row that fails after writing throws ``RowFailedAfterWrite`` so that its batch is replayed.
    case optimistic
}

/// A row failed after part of it was written, outside a savepoint: the batch must be rolled back and replayed.
struct RowFailedAfterWrite: Error {
    /// The line where the row starts.
    let line: Int
}

/// The running state of one import: counts, refusals and the keys seen so far in the file.
struct ImportState {
    let plan: ImportPlan
    var summary = ImportSummary()
    /// Hashes of the e-mail addresses and external ids of the rows read so far, with their lines, to find
    /// a second row for the same person. About 12 bytes per key (some 3 MiB per 100,000 rows with growth slack);
    /// the rows themselves are not kept.
    private var seen: [UInt64: UInt32] = [:]
    /// The keys added to `seen` since the last checkpoint, so that a replayed batch can take them out again.
    private var seenSinceCheckpoint: [UInt64] = []

    /// What ``restore(_:)`` needs to undo a batch.
    struct Checkpoint {
        /// The summary before the batch.
        fileprivate let summary: ImportSummary
    }

    /// Marks the start of a batch.
    mutating func checkpoint() -> Checkpoint {
        seenSinceCheckpoint.removeAll(keepingCapacity: true)
        return Checkpoint(summary: summary)
    }

    /// Forgets everything recorded since `checkpoint`, whose batch was rolled back.
    mutating func restore(_ checkpoint: Checkpoint) {
        summary = checkpoint.summary
        for key in seenSinceCheckpoint { seen[key] = nil }
        seenSinceCheckpoint.removeAll(keepingCapacity: true)
    }

    /// Starts an import of `plan`.
    init(plan: ImportPlan) {
        self.plan = plan
    }

    /// Applies one record; a refused row is recorded in the summary and leaves nothing behind (see ``RowIsolation``).
    /// Throws ``RowFailedAfterWrite`` for a row that must be replayed in a savepoint, and errors that stop the
    /// import (the database failing).
    mutating func apply(_ record: ImportRecord, in tx: LedgerTransaction, isolation: RowIsolation) throws {
        summary.rowsRead += 1
        if let problem = record.problem {
            refuse(problem)
            return
        }
        let details = record.details
        do {
            let email = details.email.flatMap(matchKey)
            let secondaryEmail = details.secondaryEmail.flatMap(matchKey)
            let externalID = details.externalID.flatMap(ImportRecord.nonBlank)
            if let duplicate = firstDuplicate(email: email, secondaryEmail: secondaryEmail, externalID: externalID, line: record.line, record: record.number) {
                refuse(duplicate)
                return
            }
            let consents = try mergedConsents(record)
            for consent in consents {
                if let givenAt = consent.givenAt, givenAt > tx.now {
                    throw RowProblem(field: "consent-given-at", reason: "the consent date lies in the future")
                }
            }
            let sourceKey = record.details.sourceKey ?? plan.options.sourceKey
            try check(consents, sourceKey: sourceKey, lists: tx.lists)
            let matched = try externalID.flatMap { try findPerson(externalID: $0, tx: tx) }
            var outcome = RowOutcome()
            switch isolation {
            case .savepoint:
                try tx.atomically {
                    outcome = RowOutcome()
                    try write(record, details: details, consents: consents, matched: matched, sourceKey: sourceKey, tx: tx, outcome: &outcome)
                }
            case .optimistic:
                do {
                    try write(record, details: details, consents: consents, matched: matched, sourceKey: sourceKey, tx: tx, outcome: &outcome)
                } catch {
                    // A ledger method that throws has written nothing; only earlier calls of this row may have.
                    if outcome.wroteSomething { throw RowFailedAfterWrite(line: record.line) }
                    throw error
                }
            }
            summary.personsCreated += outcome.personsCreated
            summary.personsUpdated += outcome.personsUpdated
            summary.personsUnchanged += outcome.personsUnchanged
            summary.consentsRecorded += outcome.consentsRecorded
            summary.consentsUnchanged += outcome.consentsUnchanged
            summary.consentsRefused += outcome.refusals.filter { $0.scope == .consent }.count
            summary.fieldsKept += outcome.refusals.filter { $0.scope == .field }.count
            summary.refused += outcome.refusals
        } catch let problem as RowProblem {
            refuse(ImportRefusal(line: record.line, record: record.number, field: problem.field, reason: problem.reason))
        } catch let error as LedgerError {
            refuse(ImportRefusal(line: record.line, record: record.number, field: Self.field(of: error, default: "row"), reason: Self.reason(error)))
        } catch let failure as ConsentFailure {
            refuse(ImportRefusal(line: record.line, record: record.number, field: "consents", reason: "\(failure.purposeKey): \(Self.reason(failure.error))"))
        }
    }

    /// Records a refused row.
    private mutating func refuse(_ refusal: ImportRefusal) {
        summary.rowsRefused += 1
        summary.refused.append(refusal)
    }

    /// The `--purpose` consents followed by the row's own, a row's entry replacing an option's for the same purpose.
    /// A purpose the row names twice is a problem (which basis or date would hold?).
    private func mergedConsents(_ record: ImportRecord) throws -> [ImportConsent] {
        let own = record.resolvedConsents
        if own.count > 1 {
            for index in own.indices.dropFirst() where own[..<index].contains(where: { $0.purposeKey == own[index].purposeKey }) {
                throw RowProblem(field: "consents", reason: "the purpose \(own[index].purposeKey) is named twice; name each purpose once")
            }
        }
        guard !plan.optionConsents.isEmpty else { return own }
        var merged: [ImportConsent] = []
        for option in plan.optionConsents where !own.contains(where: { $0.purposeKey == option.purposeKey }) {
            var consent = option
            consent.givenAt = record.givenAt
            consent.evidence = record.evidence
            consent.comment = record.comment
            merged.append(consent)
        }
        return merged + own
    }

    /// Writes one row: registers or updates its person, then records its consents.
    private func write(_ record: ImportRecord, details: PersonDetails, consents: [ImportConsent], matched: Person?,
                       sourceKey: String, tx: LedgerTransaction, outcome: inout RowOutcome) throws {
        let person: Person
        var isNew = false
        if let matched {
            person = try update(matched, with: details, line: record.line, record: record.number, tx: tx, outcome: &outcome)
        } else {
            do {
                var newDetails = details
                if newDetails.sourceKey == nil { newDetails.sourceKey = plan.options.sourceKey }
                person = try tx.addPerson(newDetails, attribution: plan.attribution)
                outcome.personsCreated = 1
                isNew = true
            } catch LedgerError.duplicateEmail(let field, let personID) where field == PersonField.email.rawValue {
                // The e-mail address is a person's already (as primary or secondary address): that is the match,
                // unless that person carries another external id (the row's found nobody): then the file and the
                // ledger disagree about who this is, which an officer settles rather than the import overwriting it.
                let byEmail = try tx.existingPerson(personID)
                if let rowID = details.externalID.flatMap(ImportRecord.nonBlank), let heldID = byEmail.details.externalID, heldID != rowID {
                    throw RowProblem(field: PersonField.externalID.rawValue, reason: """
                        the person with this e-mail address (id \(personID)) has another external id; correct the file, or change \
                        the person's with `inzage person update \(personID) --external-id …` first
                        """)
                }
                person = try update(byEmail, with: details, line: record.line, record: record.number, tx: tx, outcome: &outcome)
            }
        }
        for consent in consents {
            try give(consent, to: person, isNewPerson: isNew, sourceKey: sourceKey, line: record.line, record: record.number, tx: tx, outcome: &outcome)
        }
    }

    /// Checks the row's consents against the reference lists before anything of the row is written, so that a row
    /// naming an unknown purpose, basis or source is refused before its person is registered.
    private func check(_ consents: [ImportConsent], sourceKey: String, lists: ReferenceSnapshot) throws {
        guard !consents.isEmpty else { return }
        _ = try lists.activeSource(ImportValueParser.trimmed(sourceKey))
        for consent in consents {
            do {
                let purpose = try lists.activePurpose(consent.purposeKey)
                _ = try lists.activeBasis(consent.basisKey ?? purpose.defaultBasisKey)
            } catch let error as LedgerError {
                throw ConsentFailure(purposeKey: consent.purposeKey, error: error)
            }
        }
    }

    /// The e-mail address as the ledger stores it (trimmed, lower case), to find duplicates within the file.
    /// Whether it is valid is for the ledger to say when the row is applied.
    private func matchKey(_ value: String) -> String? {
        ImportRecord.nonBlank(value)?.lowercased()
    }

    /// A refusal when an earlier row of the file had the same e-mail address or external id; records this row's keys
    /// with its line, or for a JSON object its number (`record` > 0).
    private mutating func firstDuplicate(email: String?, secondaryEmail: String?, externalID: String?, line: Int, record: Int) -> ImportRefusal? {
        let keys: [(field: PersonField, value: String?, hash: UInt64)] = [
            (.email, email, email.map { Self.hash($0, domain: 1) } ?? 0),
            (.secondaryEmail, secondaryEmail, secondaryEmail.map { Self.hash($0, domain: 1) } ?? 0),
            (.externalID, externalID, externalID.map { Self.hash($0, domain: 2) } ?? 0),
        ]
        // Rows are told apart by their line, the objects of a JSON array by their number (an array may be one line).
        let (place, here) = record > 0 ? ("record", record) : ("line", line)
        for key in keys where key.value != nil {
            if let earlier = seen[key.hash].map(Int.init) {
                let what = key.field == .externalID ? "external id" : "e-mail address"
                return ImportRefusal(line: line, record: record, field: key.field.rawValue,
                                     reason: "\(place) \(earlier) has the same \(what); one person is one row (merge \(place)s \(earlier) and \(here))")
            }
        }
        for key in keys where key.value != nil {
            seen[key.hash] = UInt32(clamping: here)
            seenSinceCheckpoint.append(key.hash)
        }
        return nil
    }

    /// 64-bit FNV-1a of `text`'s UTF-8 bytes, seeded with `domain` so that e-mail addresses and ids do not collide.
    private static func hash(_ text: String, domain: UInt8) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        hash = (hash ^ UInt64(domain)) &* 0x0000_0100_0000_01B3
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The existing person with the row's external id; several matches refuse the row. (A row without a match by
    /// external id is matched by e-mail address when adding it finds the address taken.)
    private func findPerson(externalID: String, tx: LedgerTransaction) throws -> Person? {
        let matches = try tx.reader.persons(externalID: externalID)
        if matches.count > 1 {
            throw RowProblem(field: PersonField.externalID.rawValue,
                             reason: "persons \(matches.map { String($0.id) }.joined(separator: ", ")) share this external id; an officer must decide which one the row is about")
        }
        return matches.first
    }

    /// Applies the row's non-empty fields to an existing person: edit records for the changed ones only. A value the
    /// person set themself (their preference page) or that was set at their request (a rectification, Art. 16) is
    /// not overwritten by a file from another system: that field is reported and left, the rest of the row applied.
    private func update(_ person: Person, with details: PersonDetails, line: Int, record: Int, tx: LedgerTransaction,
                        outcome: inout RowOutcome) throws -> Person {
        var changes: [PersonField: String?] = [:]
        var changing: Set<PersonField> = []
        for field in PersonField.allCases {
            guard let value = details[field] else { continue }
            changes[field] = value
            // As the ledger compares it ("PIET@example.nl" does not change "piet@example.nl"); a value stored as it
            // stands needs no normalising to know it is no change.
            if value != person.details[field], try FieldValidation.normalise(value, for: field, sources: tx.lists) != person.details[field] {
                changing.insert(field)
            }
        }
        if !changing.isEmpty {
            for edit in try tx.reader.lastEdits(personID: person.id) where changing.contains(edit.field) {
                let attribution = edit.attribution
                let byRequest = attribution.via == .request && attribution.requestReference != nil
                guard byRequest || attribution.by == Attribution.dataSubject else { continue }
                changes[edit.field] = nil
                let origin = byRequest ? "was set at the person's request \(attribution.requestReference ?? "")" : "was set by the person themself"
                outcome.refusals.append(ImportRefusal(
                    line: line, record: record, field: edit.field.rawValue,
                    reason: "\(origin) on \(Self.day(edit.at)); an import does not overwrite it (change it with `inzage person update` if the person asks)",
                    scope: .field))
            }
        }
        do {
            let (updated, _) = try tx.updatePerson(id: person.id, changes: changes, attribution: plan.attribution)
            outcome.personsUpdated = 1
            return updated
        } catch LedgerError.nothingChanged {
            outcome.personsUnchanged = 1
            return person
        }
    }

    /// Records one consent of a row. A consent the person withdrew or objected to is refused (reported, not applied)
    /// unless the file dates a new consent after that; a suppression always refuses it. A consent that stands
    /// exactly as in the file writes no event.
    private func give(_ consent: ImportConsent, to person: Person, isNewPerson: Bool, sourceKey: String, line: Int, record: Int,
                      tx: LedgerTransaction, outcome: inout RowOutcome) throws {
        let personID = person.id
        let grant = ConsentGrant(personID: personID, purposeKey: consent.purposeKey, basisKey: consent.basisKey,
                                 sourceKey: sourceKey, comment: consent.comment, evidence: consent.evidence, givenAt: consent.givenAt)
        do {
            if !isNewPerson, let current = try tx.reader.consent(personID: personID, purposeKey: consent.purposeKey) {
                let basisKey = try consent.basisKey ?? tx.lists.activePurpose(consent.purposeKey).defaultBasisKey
                let status: ConsentStatus = basisKey == LegalBasis.consentKey ? .given : .notApplicable
                switch current.status {
                case .objected:
                    // An objection (Art. 21) is taken up again only by the person's own consent with evidence, or an
                    // officer's override on a request; never by a file, however it dates a consent.
                    if let suppression = try tx.reader.suppression(personID: personID, purposeKey: consent.purposeKey) {
                        throw LedgerError.suppressed(personID: personID, purpose: consent.purposeKey, since: suppression.at)
                    }
                    let since = current.withdrawnAt ?? current.updatedAt
                    outcome.refusals.append(ImportRefusal(
                        line: line, record: record, field: "consents",
                        reason: "\(consent.purposeKey): person \(personID) objected on \(Self.day(since)); an import never takes that up (only the person's own new consent, with evidence, or an officer's override on a request)",
                        scope: .consent))
                    return
                case .withdrawn, .refused:
                    let since = current.withdrawnAt ?? current.updatedAt
                    if let suppression = try tx.reader.suppression(personID: personID, purposeKey: consent.purposeKey) {
                        throw LedgerError.suppressed(personID: personID, purpose: consent.purposeKey, since: suppression.at)
                    }
                    guard let givenAt = consent.givenAt, givenAt > since, status == .given else {
                        outcome.refusals.append(ImportRefusal(
                            line: line, record: record, field: "consents",
                            reason: "\(consent.purposeKey): person \(personID) has status \(current.status.rawValue) since \(Self.day(since)); an import does not undo that unless consent-given-at dates a new consent after it",
                            scope: .consent))
                        return
                    }
                case .given, .notApplicable, .expired:
                    let sameDate = consent.givenAt.map { given in current.givenAt.map { abs($0.timeIntervalSince(given)) < 0.001 } ?? false } ?? true
                    if current.status == status, current.basisKey == basisKey, current.sourceKey == sourceKey, sameDate,
                       consent.evidence == nil, consent.comment == nil || consent.comment == current.comment {
                        outcome.consentsUnchanged += 1
                        return
                    }
                }
            }
            try tx.giveConsent(grant, to: person, isNewPerson: isNewPerson, attribution: plan.attribution)
            outcome.consentsRecorded += 1
        } catch LedgerError.suppressed(let person, let purpose, let since) {
            let error = LedgerError.suppressed(personID: person, purpose: purpose, since: since)
            outcome.refusals.append(ImportRefusal(line: line, record: record, field: "consents", reason: "\(purpose): \(Self.reason(error))", scope: .consent))
        } catch let error as LedgerError {
            throw ConsentFailure(purposeKey: consent.purposeKey, error: error)
        }
    }

    /// A date as `YYYY-MM-DD` in UTC, for messages.
    private static func day(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }

    /// The field a ledger error is about.
    static func field(of error: LedgerError, default fallback: String) -> String {
        switch error {
        case .invalidValue(let field, _, _), .missingValue(let field, _), .duplicateEmail(let field, _): field
        case .unknownField(let field, _): field
        case .unknownEntry(.source, _, _), .inactiveEntry(.source, _, _): PersonField.source.rawValue
        case .unknownEntry, .inactiveEntry, .suppressed, .consentNotGiven, .notBasedOnConsent, .alreadyObjected: "consents"
        default: fallback
        }
    }

    /// Why a ledger error refused a row, without the offending value (which may be personal data).
    static func reason(_ error: LedgerError) -> String {
        switch error {
        case .invalidValue(_, _, let reason):
            "invalid value: \(reason)"
        case .missingValue(_, let reason):
            reason
        case .duplicateEmail(_, let personID):
            "it is already the e-mail address of person \(personID); an e-mail address belongs to one person"
        case .suppressed(let personID, _, let since):
            "person \(personID) objected to this direct-marketing purpose on \(day(since)); an import never gives that consent again, only a new consent from the person lifts the objection"
        default:
            error.description
        }
    }
}

/// What one row did, applied to the summary only when the row's savepoint is released.
private struct RowOutcome {
    var personsCreated = 0
    var personsUpdated = 0
    var personsUnchanged = 0
    var consentsRecorded = 0
    var consentsUnchanged = 0
    var refusals: [ImportRefusal] = []

    /// Whether the row has written anything yet.
    var wroteSomething: Bool { personsCreated + personsUpdated + consentsRecorded > 0 }
}

/// A problem with a row found by the import itself (not by the ledger).
private struct RowProblem: Error {
    let field: String
    let reason: String
}

/// A ledger error while recording one of a row's consents, so that the refusal names the purpose.
private struct ConsentFailure: Error {
    let purposeKey: String
    let error: LedgerError
}
