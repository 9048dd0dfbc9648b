import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct PurposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purpose", abstract: "Not yet available.")
}
