public import EventStore
import Foundation
public import Logging
import PGClient
public import ServiceLifecycle

/// Carries out the rebuilds that rule changes (or people) ask for in `projection_rebuild_requests`.
///
/// Requests are claimed with `FOR UPDATE SKIP LOCKED`, so several processes can run this service; several
/// open requests for the same projection and tenant are satisfied by one rebuild. A claim is a lease the working
/// process renews (every third of `lease`); a request whose claimer died or was cut off is taken over once its
/// lease has run out. A failed rebuild stays open with its error and is tried again after `retryAfter`: until a
/// match-rule change's rebuild is done, the tenant's matching waits for it.
public final class RebuildRequestService: Service {
    private let projectors: [String: any Projector]
    private let store: EventStore
    private let pollInterval: Duration
    private let retryAfter: Duration
    private let lease: Duration
    private let logger: Logger
    private let metrics: RebuildMetrics

    /// Makes the service.
    /// - Parameters:
    ///   - projectors: the projectors requests may name.
    ///   - store: the event store.
    ///   - pollInterval: how often to look for requests.
    ///   - retryAfter: how long a failed rebuild waits before it is tried again.
    ///   - lease: how long a claim holds without renewal (renewed every third of it while the rebuild runs).
    ///   - metrics: counts rebuilds by projection and result, and times them.
    ///   - logger: receives each rebuild's start and result.
    public init(
        projectors: [any Projector], store: EventStore, pollInterval: Duration = .seconds(2), retryAfter: Duration = .seconds(60),
        lease: Duration = .seconds(60), metrics: RebuildMetrics = .none, logger: Logger
    ) {
        self.metrics = metrics
        self.projectors = Dictionary(projectors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.store = store
        self.pollInterval = pollInterval
        self.retryAfter = retryAfter
        self.lease = lease
        self.logger = logger
    }

    /// Polls for requests until cancelled or gracefully shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await self.runNext() {}
                } catch {
                    if Task.isCancelled { break }
                    self.logger.error("rebuild request failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// Runs the oldest open request, if any.
    /// - Returns: whether a request was handled.
    /// - Throws: database errors (a failing rebuild is recorded on the request, which is tried again later, not thrown).
    @discardableResult
    public func runNext() async throws -> Bool {
        let claimed = try await store.pool.withTransaction(scope: .system) { connection -> (Int64, String, String?)? in
            guard
                let row = try await connection.query(
                    """
                    SELECT id, projection, tenant_id FROM projection_rebuild_requests
                    WHERE finished_at IS NULL AND (started_at IS NULL
                        OR error IS NULL AND coalesce(lease_until, started_at + interval '30 minutes') < now()
                        OR error IS NOT NULL AND started_at < now() - make_interval(secs => \(Self.seconds(retryAfter))))
                    ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """
                ).first
            else { return nil }
            let (id, projection, tenant) = try row.decode((Int64, String, String?).self)
            try await connection.execute(
                """
                UPDATE projection_rebuild_requests SET started_at = now(), error = NULL,
                    lease_until = now() + make_interval(secs => \(Self.seconds(lease)))
                WHERE id = \(id)
                """)
            return (id, projection, tenant)
        }
        guard let (id, projection, tenantID) = claimed else { return false }
        var error: String?
        let started = ContinuousClock.now
        metrics.started()
        do {
            guard let projector = projectors[projection] else {
                throw ProjectionError(code: .unknownProjection, message: "no projection named \(projection)")
            }
            let rebuilder = Rebuilder(store: store, logger: logger)
            logger.info("rebuilding on request", metadata: ["projection": "\(projection)", "tenant": "\(tenantID ?? "all")"])
            try await whileRenewingLease(of: id) {
                if let tenantID {
                    _ = try await rebuilder.rebuild(projector, tenant: try TenantID(tenantID))
                } else {
                    _ = try await rebuilder.rebuild(projector, reason: "requested")
                }
            }
        } catch let failure {
            error = "\(failure)"
            logger.error("rebuild failed", metadata: ["projection": "\(projection)", "error": "\(failure)"])
        }
        metrics.ended(projection, failed: error != nil, after: ContinuousClock.now - started)
        try await store.pool.withTransaction(scope: .system) { connection in
            guard let error else {
                // One rebuild satisfies every request for the same projection and tenant that was open when it started.
                try await connection.execute(
                    """
                    UPDATE projection_rebuild_requests SET finished_at = now(), error = NULL, started_at = coalesce(started_at, now())
                    WHERE finished_at IS NULL AND projection = \(projection) AND tenant_id IS NOT DISTINCT FROM \(tenantID)
                      AND requested_at <= (SELECT requested_at FROM projection_rebuild_requests WHERE id = \(id))
                    """)
                return
            }
            // Still open: tried again after `retryAfter`, counted from now.
            try await connection.execute(
                "UPDATE projection_rebuild_requests SET error = \(error), started_at = now(), lease_until = NULL WHERE id = \(id)")
        }
        return true
    }

    /// Runs `work` while a child task renews the request's lease every third of ``lease``. A renewal that fails is
    /// logged and tried again at the next turn (if the lease runs out meanwhile, another process may take the
    /// request over; the projection's own lock keeps two rebuilds of it from running at once).
    private func whileRenewingLease(of id: Int64, _ work: @Sendable () async throws -> Void) async throws {
        let (store, lease, logger) = (self.store, self.lease, self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    if Task.isCancelled { return }
                    do {
                        try await store.pool.withTransaction(scope: .system) { connection in
                            try await connection.execute(
                                """
                                UPDATE projection_rebuild_requests SET lease_until = now() + make_interval(secs => \(Self.seconds(lease)))
                                WHERE id = \(id) AND finished_at IS NULL
                                """)
                        }
                    } catch {
                        logger.warning("rebuild request lease not renewed", metadata: ["request": "\(id)", "error": "\(error)"])
                    }
                }
            }
            defer { group.cancelAll() }
            try await work()
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
