import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "source", abstract: "Not yet available.")
}
