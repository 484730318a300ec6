public import Connectors
public import EventStore
import Foundation
public import Logging
public import ServiceLifecycle
public import SyncEngine

/// Keeps e-conomic customers observed: for every tenant with an e-conomic connection, a full read when it
/// starts (and every `fullReadInterval`, which also notices customers deleted in e-conomic), and in between
/// only the customers changed since the newest `lastUpdated` seen. Identical observations append nothing.
///
/// Tenants take turns (``PollSchedule``): each is read again `interval` after its last read ended, up to
/// `concurrentTenants` reads run at once, and the tenant that has waited longest starts first. A tenant whose
/// e-conomic is slow or failing (or that is simply big) holds one place while the others keep being read.
public final class EconomicPoller: Service {
    /// A tenant to poll and how to reach its e-conomic.
    public typealias Connection = (tenant: TenantID, configuration: EconomicClient.Configuration)

    private let ingest: EconomicIngest
    private let connections: @Sendable () async throws -> [Connection]
    private let interval: Duration
    private let fullReadInterval: Duration
    private let concurrentTenants: Int
    private let logger: Logger

    /// Makes a poller.
    /// - Parameters:
    ///   - handler: the command handler observations go through.
    ///   - store: the handler's event store.
    ///   - interval: the time between the end of a tenant's read and its next one.
    ///   - fullReadInterval: the time between full reads.
    ///   - concurrentTenants: tenants read at once (one slow e-conomic holds one of these places).
    ///   - logger: receives each pass's counts at debug level, failures at warning.
    ///   - connections: the tenants with an e-conomic connection (read again every `interval`).
    public init(
        handler: CommandHandler, store: EventStore, interval: Duration = .seconds(30), fullReadInterval: Duration = .seconds(3600),
        concurrentTenants: Int = 4, logger: Logger,
        connections: @escaping @Sendable () async throws -> [Connection]
    ) {
        self.ingest = EconomicIngest(handler: handler, store: store, logger: logger)
        self.connections = connections
        self.interval = interval
        self.fullReadInterval = fullReadInterval
        self.concurrentTenants = concurrentTenants
        self.logger = logger
    }

    /// Polls until cancelled or gracefully shut down. A failing tenant is logged and tried again at its next turn.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.poll() }
    }

    private func poll() async {
        let turns = TenantTurns<EconomicClient.Configuration>(
            interval: interval, fullReadInterval: fullReadInterval, concurrentTenants: concurrentTenants, logger: logger,
            listingFailure: "could not list e-conomic connections")
        await turns.run(connections: { try await self.connections().map { ($0.tenant, $0.configuration) } }) { start, configuration in
            await self.read(start, configuration: configuration)
        }
    }

    private func read(_ start: PollSchedule.Start, configuration: EconomicClient.Configuration) async
        -> TenantTurns<EconomicClient.Configuration>.Outcome
    {
        let tenant = start.tenant
        do {
            let pass = try await ingest.pass(client: EconomicClient(configuration: configuration), tenant: tenant, since: start.since)
            if pass.changed + pass.deleted > 0 {
                logger.info(
                    "observed e-conomic changes",
                    metadata: [
                        "tenant": "\(tenant)", "read": "\(pass.read)", "changed": "\(pass.changed)", "deleted": "\(pass.deleted)",
                        "missed_by_paging": "\(pass.missedByPaging)",
                    ])
            }
            return .init(newest: pass.newest, succeeded: true)
        } catch {
            if !Task.isCancelled { logger.warning("e-conomic poll failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"]) }
            return .init(newest: nil, succeeded: false)
        }
    }
}
