import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "person", abstract: "Not yet available.")
}
