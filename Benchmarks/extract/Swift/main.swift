// The in-process view of the extract benchmark (issue #4): opens the database once, as a worker does (a pool; its
// open time includes GRDB's WAL set-up, which `inzage extract person`'s single connection skips), then writes one
// person's extract N times with the calls `inzage extract person` makes (a read transaction for the dossier, the
// file written through the extract archive: temporary name, SHA-256, rename), and prints the time of every extract.
// The previous extract's file is removed before each one, outside the timing.
//
//   ExtractBenchmark DATABASE PERSON_ID --format xlsx|json --out FILE [--reps N | --seconds S] [--warmup W]
//                    [--read-only | --resolve-only]
//
// Counts N extracts (default 20), or with --seconds as many as start within S seconds (at least one). The first W
// extracts (default 1) are not counted: they load the templates, as the first request of a worker does. Prints one JSON object: {"format": …, "reps": N, "open_ms": …, "first_ms": …, "ms": [ … ]}: the time to open
// the database, the first extract and every counted extract, in milliseconds. With
// --read-only nothing is written: each repetition gathers the dossier and reads its edit records and consent
// events once (the database's share of an extract); with --resolve-only it only gathers the dossier.
import Foundation
import Inzage

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ExtractBenchmark: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
guard arguments.count >= 2, let personID = Int64(arguments[1]) else {
    fail("usage: ExtractBenchmark DATABASE PERSON_ID --format xlsx|json --out FILE [--reps N | --seconds S] [--warmup W] [--read-only | --resolve-only]")
}
guard let format = option("--format").flatMap(ExtractFormat.init(rawValue:)) else { fail("--format xlsx|json is required") }
guard let out = option("--out") else { fail("--out FILE is required") }
func number<Value: LosslessStringConvertible & Comparable>(_ name: String, _ type: Value.Type, atLeast minimum: Value) -> Value? {
    guard let text = option(name) else { return nil }
    guard let value = Value(text), value >= minimum else { fail("\(name) must be a number of at least \(minimum), not '\(text)'") }
    return value
}
let reps = number("--reps", Int.self, atLeast: 1) ?? 20
let budget = number("--seconds", Double.self, atLeast: 0.001).map { seconds -> Duration in
    guard seconds.isFinite, seconds <= 3600 else { fail("--seconds must be at most 3600, not \(seconds)") }
    return .milliseconds(Int64(seconds * 1000))
}
let warmup = number("--warmup", Int.self, atLeast: 0) ?? 1
let resolveOnly = arguments.contains("--resolve-only")
let readOnly = resolveOnly || arguments.contains("--read-only")

do {
    let clock = ContinuousClock()
    let opening = clock.now
    let database = try InzageDatabase(path: arguments[0])
    let openMilliseconds = milliseconds(opening.duration(to: clock.now))
    let renderer = ExtractGenerator(templates: ExtractTemplates())
    let target = URL(fileURLWithPath: out)
    let archive = try ExtractArchive(root: target.deletingLastPathComponent())
    let resolver = Resolver(store: database)
    var times: [Double] = []
    var first = 0.0
    var countingSince = clock.now
    for index in 0... {
        if index == warmup { countingSince = clock.now }
        if index >= warmup {
            let counted = index - warmup
            if let budget {
                if counted > 0, countingSince.duration(to: clock.now) >= budget { break }
            } else if counted >= reps {
                break
            }
        }
        // The previous extract's file is removed first, outside the timing (the peer's loop does the same): a worker
        // never replaces a file (each attempt writes into a folder of its own), and replacing one would time freeing it.
        if !readOnly { unlink(target.path) }
        let elapsed = try clock.measure {
            _ = try resolver.withDossier(personID: personID) { dossier in
                if resolveOnly { return }
                if readOnly {
                    var count = 0
                    try dossier.forEachEdit { _ in count += 1 }
                    try dossier.forEachConsentEvent { _ in count += 1 }
                    return
                }
                _ = try archive.write(folder: ".", name: target.lastPathComponent) { url in
                    try renderer.render(dossier, as: format, to: url)
                }
            }
        }
        if index == 0 { first = milliseconds(elapsed) }
        if index >= warmup { times.append(milliseconds(elapsed)) }
    }
    let list = times.map { String(format: "%.3f", $0) }.joined(separator: ", ")
    print("{\"format\": \"\(resolveOnly ? "resolve" : readOnly ? "read" : format.rawValue)\", \"reps\": \(times.count), \"open_ms\": \(String(format: "%.3f", openMilliseconds)), \"first_ms\": \(String(format: "%.3f", first)), \"ms\": [\(list)]}")
} catch {
    fail("\(error)")
}
