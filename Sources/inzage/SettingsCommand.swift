import ArgumentParser
import Inzage

/// Placeholder until the command lands.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settings", abstract: "Not yet available.")
}
