import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct BasisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "basis", abstract: "Not yet available.")
}
