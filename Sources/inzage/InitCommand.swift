import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Not yet available.")
}
