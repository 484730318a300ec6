public import EventStore
public import Logging
public import PGClient
public import ServiceLifecycle

/// Runs projectors continuously: each follows the event log into its active version's tables with its own
/// ``EventStore/Follower`` (woken by `NOTIFY`, re-reading for a while after one, polling as the fallback).
/// Several processes may run the same projectors; the per-batch shard lock lets one apply at a time. When a
/// rebuild activates a new version, the runner follows it.
///
/// A batch that fails (e.g. an event that cannot be decoded) is rolled back and retried with backoff — it is
/// never skipped — and the failure is logged with the event positions.
public final class ProjectionRunner: Service {
    private let projectors: [any Projector]
    private let store: EventStore
    private let listener: PGListener?
    private let batchSize: Int
    private let pollInterval: Duration
    private let gather: Duration
    private let logger: Logger

    /// Makes a runner.
    /// - Parameters:
    ///   - projectors: the projectors to run.
    ///   - store: the event store.
    ///   - listener: a listener on ``EventStore/notificationChannel`` (nil: poll only).
    ///   - batchSize: events per transaction.
    ///   - pollInterval: the longest wait between reads without a notification.
    ///   - gather: the least time between a batch and the next one a notification starts (see
    ///     ``EventStore/Follower/Configuration/gather``): on a busy log each projector reads what arrived meanwhile
    ///     in one batch instead of a transaction per append.
    ///   - logger: receives progress at debug level and failures at error level.
    public init(
        projectors: [any Projector], store: EventStore, listener: PGListener?, batchSize: Int = 1000,
        pollInterval: Duration = .seconds(1), gather: Duration = .milliseconds(50), logger: Logger
    ) {
        self.gather = gather
        self.projectors = projectors
        self.store = store
        self.listener = listener
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs every projector until cancelled or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for projector in self.projectors {
                    group.addTask { await self.follow(projector) }
                }
            }
        }
    }

    private func follow(_ projector: any Projector) async {
        let registry = ProjectionRegistry(pool: store.pool)
        let step = ProjectionStep(projector: projector, store: store)
        var logger = self.logger
        logger[metadataKey: "projection"] = "\(projector.name)"
        let follower = Follower(
            listener: listener, configuration: .init(pollInterval: pollInterval, firstBackoff: .milliseconds(500), gather: gather), logger: logger,
            failureMessage: "projection batch failed; retrying")
        var statistics = TableStatistics()
        await follower.run {
            let version = try await registry.activeVersion(of: projector)
            switch try await step.run(target: ProjectionTarget(projection: projector.name, version: version), batchSize: batchSize) {
            case .locked:
                return .locked
            case .applied(0, _):
                return .idle()
            case .applied(let count, let checkpoint):
                logger.debug("applied", metadata: ["event.count": "\(count)", "projection.checkpoint": "\(checkpoint)"])
                if statistics.applied(count) {
                    do {
                        try await registry.analyze(projector, version: version)
                    } catch {
                        logger.warning("could not refresh a projection's table statistics", metadata: ["error": "\(error)"])
                    }
                }
                // A batch short of full read everything below the watermark: the next notification (or re-read)
                // brings what comes after, and an extra read now would find nothing.
                return count < batchSize ? .idle() : .worked
            }
        }
    }
}
