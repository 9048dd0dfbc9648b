import ArgumentParser
import Foundation
import Inzage

/// Turns errors into messages on standard error and the documented exit codes.
enum CLIErrors {
    /// The exit code of a command that was called wrongly.
    static let usage: Int32 = 2
    /// The exit code of a command that could not be carried out.
    static let failure: Int32 = 1

    /// Prints the message for `error` and returns the exit code.
    static func report(_ error: Error) -> Int32 {
        if let ledgerError = error as? LedgerError {
            printError(ledgerError.description)
            return ledgerError.isUsageError ? usage : failure
        }
        if let requestError = error as? RequestError {
            printError(requestError.description)
            return requestError.isUsageError ? usage : failure
        }
        if let storeError = error as? StoreError {
            printError(storeError.description)
            return storeError.isUsageError ? usage : failure
        }
        if let usageError = error as? CLIUsageError {
            printError(usageError.description)
            return usage
        }
        if let failureError = error as? CLIFailure {
            printError(failureError.description)
            return failure
        }
        let code = InzageCommand.exitCode(for: error)
        let message = InzageCommand.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            return 0
        }
        if code == .validationFailure {
            printError(message)
            return usage
        }
        if error is ExitCode {
            if !message.isEmpty { printError(message) }
            return code.rawValue
        }
        printError(message.isEmpty ? "Error: \(error)" : message)
        return failure
    }

    /// Writes a line to standard error.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
}

/// A command line that names something wrongly; exit code 2.
struct CLIUsageError: Error, CustomStringConvertible {
    let description: String
}

/// A command that is called rightly but cannot be carried out, with what to do instead; exit code 1.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
}
