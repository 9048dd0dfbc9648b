import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Not yet available.")
}
