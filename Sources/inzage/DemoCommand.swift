import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Not yet available.")
}
