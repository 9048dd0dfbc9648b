import ArgumentParser
import Foundation
import Inzage
import Logging

/// The `inzage` command: parses the command line and calls the Inzage library.
@main
struct InzageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inzage",
        abstract: "Inzage keeps the consent ledger and answers data-subject requests (GDPR Art. 15, 16, 21).",
        discussion: """
            Exit codes: 0 success, 1 the command could not be carried out (a well-formed id or reference that names \
            nothing included), 2 the command was called wrongly (an unknown option, field, purpose, source or basis, or \
            an invalid value: text that is not shaped like a reference, a --database or --out that names no usable \
            file). Nothing is written when a command fails.
            """,
        subcommands: [
            InitCommand.self, DemoCommand.self, PersonCommand.self, ConsentCommand.self,
            PurposeCommand.self, SourceCommand.self, BasisCommand.self, RecipientCommand.self,
            SettingsCommand.self, ImportCommand.self, RequestCommand.self, WorkCommand.self, ExtractCommand.self,
            OutboxCommand.self, DeliverCommand.self,
        ]
    )

    /// Runs the parsed command, mapping errors to the documented exit codes (2 for usage, 1 for failures).
    static func main() async {
        // Logs (ids and references only, never personal data) go to standard error; standard output is the commands' own.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["INZAGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        do {
            try checkArgumentsAreUTF8()
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withCode: CLIErrors.report(error))
        }
    }

    /// Refuses an argument that is not valid UTF-8: Swift reads arguments with every invalid byte replaced by
    /// U+FFFD, which would store a name or a reason other than the one given.
    private static func checkArgumentsAreUTF8() throws {
        for index in 1..<max(1, Int(CommandLine.argc)) {
            guard let argument = CommandLine.unsafeArgv[index], String(validatingCString: argument) == nil else { continue }
            // `String(cString:)` shows each invalid byte as U+FFFD.
            throw CLIUsageError(description: "Argument \(index) ('\(String(cString: argument))') is not valid UTF-8 text; give every value in UTF-8 "
                + "(check the encoding of the terminal or the script that calls inzage).")
        }
    }

    private static func exit(withCode code: Int32) -> Never {
        Foundation.exit(code)
    }
}
