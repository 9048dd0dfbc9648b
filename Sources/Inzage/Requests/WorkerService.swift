import Foundation
import Logging
import ServiceLifecycle

/// Runs request workers until shut down: `concurrency` loops, each taking one request at a time.
///
/// On graceful shutdown (SIGTERM, SIGINT) every loop finishes the request it is processing and stops;
/// a waiting loop stops at once. With `once`, each loop stops when no request is ready.
public struct WorkerService: Service {
    /// Builds the worker for loop number `n`.
    public let makeWorker: @Sendable (Int) -> RequestWorker
    /// How many requests are processed at the same time.
    public let concurrency: Int
    /// Stop when the queue has nothing ready instead of waiting for more.
    public let once: Bool
    /// How long an idle loop waits before looking again.
    public let pollInterval: Duration
    /// Called after each processed request (for the command's output).
    public let onOutcome: @Sendable (WorkOutcome) -> Void
    private let logger: Logger

    /// Creates the service.
    public init(concurrency: Int, once: Bool, pollInterval: Duration = .seconds(2), logger: Logger = Logger(label: "inzage.worker"),
                onOutcome: @escaping @Sendable (WorkOutcome) -> Void = { _ in },
                makeWorker: @escaping @Sendable (Int) -> RequestWorker) {
        self.makeWorker = makeWorker
        self.concurrency = max(1, concurrency)
        self.once = once
        self.pollInterval = pollInterval
        self.onOutcome = onOutcome
        self.logger = logger
    }

    /// Runs the loops until they are done (`once`) or the service group shuts down.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<concurrency {
                let worker = makeWorker(index)
                group.addTask { try await loop(worker) }
            }
            try await group.waitForAll()
        }
        logger.info("workers stopped")
    }

    private func loop(_ worker: RequestWorker) async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Processing is not cancelled by a graceful shutdown: the current request is finished.
            do {
                if let outcome = try await worker.processNext() {
                    onOutcome(outcome)
                    failures = 0
                    continue
                }
                if once { return }
                failures = 0
            } catch {
                // The queue itself could not be read or written (the database locked past its busy timeout by a long
                // import, a full disk): a run with --once reports it; a running worker keeps going, waiting longer
                // after each failure in a row (up to a minute), so that the queue is processed again once it can be.
                if once { throw error }
                failures += 1
                logger.error("worker could not use the queue; trying again", metadata: ["failuresInARow": "\(failures)"])
            }
            let pause = failures == 0 ? pollInterval : min(pollInterval * (1 << min(failures, 5)), .seconds(60))
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: pause)
            }
        }
    }
}
