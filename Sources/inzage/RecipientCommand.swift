import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct RecipientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recipient", abstract: "Not yet available.")
}
