import EventStore
public import Foundation
public import Logging
public import PGClient
public import ServiceLifecycle

/// Removes webhook deliveries (whose payloads are Stripe's copies of customers: personal data) once they are older
/// than the retention period and settled — processed, ignored or failed for good; a delivery still pending is kept
/// whatever its age. A `Service`: runs at start and then every ``Configuration/interval``, in batches, so a large
/// backlog never holds a long transaction.
///
/// The event log keeps what Accord observed (the customer's fields) as the record of the sync; the inbox's raw copies
/// serve only deduplication and debugging, and Stripe itself lists events for 30 days, so a delivery older than that
/// cannot come back through the catch-up.
public struct InboxRetention: Service {
    /// How long deliveries are kept and how often the job runs.
    public struct Configuration: Sendable {
        /// Days a settled delivery is kept (default 30).
        public var days: Int
        /// Time between runs (default one hour).
        public var interval: Duration
        /// Rows removed per statement.
        public var batchSize: Int

        /// Makes a configuration.
        public init(days: Int = 30, interval: Duration = .seconds(3600), batchSize: Int = 5000) {
            self.days = days
            self.interval = interval
            self.batchSize = batchSize
        }
    }

    let pool: PGConnectionPool
    let configuration: Configuration
    let logger: Logger

    /// Makes the job.
    public init(pool: PGConnectionPool, configuration: Configuration = .init(), logger: Logger) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
    }

    /// Removes settled deliveries received before `now` minus the retention period.
    /// - Returns: how many were removed.
    /// - Throws: ``PGClient/PGError``.
    @discardableResult
    public func purge(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(configuration.days) * 86_400)
        var removed = 0
        while !Task.isCancelled {
            let batch = try await pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    DELETE FROM webhook_inbox WHERE (tenant_id, source, event_id) IN (
                        SELECT tenant_id, source, event_id FROM webhook_inbox
                        WHERE received_at < \(cutoff) AND status <> 'pending' LIMIT \(configuration.batchSize))
                    RETURNING event_id
                    """
                ).count
            }
            removed += batch
            if batch < configuration.batchSize { break }
        }
        if removed > 0 { logger.info("removed old webhook deliveries", metadata: ["count": "\(removed)", "days": "\(configuration.days)"]) }
        return removed
    }

    /// Purges at start and every interval until graceful shutdown; a failed run is logged and tried at the next one.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await purge()
                } catch {
                    logger.warning("could not remove old webhook deliveries; trying again later", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: configuration.interval)
            }
        }
    }
}
