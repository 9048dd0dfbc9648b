import Foundation
import Logging
import ServiceLifecycle

/// Sends the outbox until shut down: one loop that hands the oldest due message to ``MessageDelivery`` and, when
/// none is due, waits `pollInterval` before looking again.
///
/// On graceful shutdown (SIGTERM, SIGINT) the loop finishes the message it is sending — the transport has
/// delivered it and it is marked sent, or the failure is recorded — and stops; a waiting loop stops at once.
/// With `once`, the loop stops when no message is due, and an error of the outbox's storage ends it; without, such
/// an error is logged and the loop tries again after `pollInterval`. Logs name message ids only (see ``MessageDelivery``).
public struct DeliveryService: Service {
    /// The delivery step: the outbox, the transport, leases and retries.
    public let delivery: MessageDelivery
    /// Stop when no message is due instead of waiting for more.
    public let once: Bool
    /// How long an idle loop waits before looking again.
    public let pollInterval: Duration
    /// Called after each delivery attempt (for the command's output).
    public let onOutcome: @Sendable (DeliveryOutcome) -> Void
    private let logger: Logger

    /// Creates the service.
    public init(delivery: MessageDelivery, once: Bool, pollInterval: Duration = .seconds(5),
                logger: Logger = Logger(label: "inzage.delivery"), onOutcome: @escaping @Sendable (DeliveryOutcome) -> Void = { _ in }) {
        self.delivery = delivery
        self.once = once
        self.pollInterval = pollInterval
        self.onOutcome = onOutcome
        self.logger = logger
    }

    /// Runs the loop until it is done (`once`) or the service group shuts down.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // A delivery is not cancelled by a graceful shutdown: the message in hand is finished.
            let outcome: DeliveryOutcome?
            do {
                outcome = try delivery.deliverNext()
            } catch {
                // The outbox could not be read or updated (the database busy beyond its timeout, a full disk). A single
                // run reports it; a long-running one keeps going: every message stays in the outbox with its lease.
                if once { throw error }
                logger.error("delivery step failed; trying again", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
                continue
            }
            if let outcome {
                onOutcome(outcome)
                continue
            }
            if once { break }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: pollInterval)
            }
        }
        logger.info("delivery stopped")
    }
}
