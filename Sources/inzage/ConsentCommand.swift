import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consent", abstract: "Not yet available.")
}
