public import Connectors
public import EventStore
import Foundation
public import Logging
public import ServiceLifecycle
public import SyncEngine

/// Keeps e-conomic customers observed: for every tenant with an e-conomic connection, a full read when it
/// starts (and every `fullReadInterval`, which also notices customers deleted in e-conomic), and in between
/// only the customers changed since the newest `lastUpdated` seen. Identical observations append nothing.
public final class EconomicPoller: Service {
    /// A tenant to poll and how to reach its e-conomic.
    public typealias Connection = (tenant: TenantID, configuration: EconomicClient.Configuration)

    private let ingest: EconomicIngest
    private let connections: @Sendable () async throws -> [Connection]
    private let interval: Duration
    private let fullReadInterval: Duration
    private let logger: Logger

    /// Makes a poller.
    /// - Parameters:
    ///   - handler: the command handler observations go through.
    ///   - store: the handler's event store.
    ///   - interval: the time between incremental passes.
    ///   - fullReadInterval: the time between full reads.
    ///   - logger: receives each pass's counts at debug level, failures at warning.
    ///   - connections: the tenants with an e-conomic connection (read again before every round).
    public init(
        handler: CommandHandler, store: EventStore, interval: Duration = .seconds(30), fullReadInterval: Duration = .seconds(3600),
        logger: Logger,
        connections: @escaping @Sendable () async throws -> [Connection]
    ) {
        self.ingest = EconomicIngest(handler: handler, store: store, logger: logger)
        self.connections = connections
        self.interval = interval
        self.fullReadInterval = fullReadInterval
        self.logger = logger
    }

    /// Polls until cancelled or gracefully shut down. A failing tenant is logged and tried again next round.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.poll() }
    }

    private func poll() async {
        var newest: [TenantID: Date] = [:]
        var lastFullRead: [TenantID: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            do {
                for (tenant, configuration) in try await connections() {
                    let now = ContinuousClock.now
                    let full = lastFullRead[tenant].map { now - $0 >= fullReadInterval } ?? true
                    do {
                        let pass = try await ingest.pass(
                            client: EconomicClient(configuration: configuration), tenant: tenant, since: full ? nil : newest[tenant])
                        if full { lastFullRead[tenant] = now }
                        if let date = pass.newest { newest[tenant] = date }
                        if pass.changed + pass.deleted > 0 {
                            logger.info(
                                "observed e-conomic changes",
                                metadata: [
                                    "tenant": "\(tenant)", "read": "\(pass.read)", "changed": "\(pass.changed)", "deleted": "\(pass.deleted)",
                                    "missed_by_paging": "\(pass.missedByPaging)",
                                ])
                        }
                    } catch {
                        logger.warning("e-conomic poll failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                    }
                }
            } catch {
                logger.warning("could not list e-conomic connections", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
