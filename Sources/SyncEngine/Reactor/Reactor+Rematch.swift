import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import Projections
import SyncDomain

extension Reactor {
    /// Decides again, after a change of match fields, every customer whose matching failed and that is still
    /// unlinked (and neither excluded nor deleted): under the new fields it may now match, or be created, or fail
    /// for another reason. Ids derive from the settings change and the customer, so handling the change again (after
    /// a crash, or when it is resumed) issues nothing new.
    /// - Returns: whether matching is held (a rebuild of the match index is open): the change is then parked and
    ///   handled again once the rebuild is done.
    func rematchFailures(after recorded: RecordedEvent, causation: UUID, metadata: EventMetadata) async throws -> Bool {
        let tenant = recorded.tenant
        // Every failure recorded before the change must be in the read model the list comes from.
        try await ProjectionProgress(store: store).waitUntil([CustomersProjector().name], reached: recorded.checkpoint)
        let failed = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT system, external_id FROM customers
                WHERE tenant_id = \(tenant.rawValue) AND NOT deleted AND NOT excluded AND link_id IS NULL AND match_failure IS NOT NULL
                ORDER BY system, external_id
                """
            ).decode((String, String).self)
        }.compactMap { row in System(rawValue: row.0).map { CustomerRef(system: $0, id: row.1) } }
        for customer in failed where customer.system.isSource {
            let decided = try await runner.run(tenant: tenant) { _ in
                try await react(to: customer, observed: nil, position: nil, tenant: tenant, causation: causation, metadata: metadata)
            }
            if decided.output { return true }
        }
        if !failed.isEmpty {
            logger.info(
                "matched earlier match failures again under the new match fields", metadata: ["tenant": "\(tenant)", "customers": "\(failed.count)"])
        }
        return false
    }
}
