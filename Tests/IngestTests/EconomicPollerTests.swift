import Connectors
import EconomicSandbox
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Ingest
import Logging
import PGClient
import PostgresTestSupport
import SyncDomain
import Synchronization
import Testing

@Suite("the e-conomic poller gives tenants turns", .timeLimit(.minutes(5)))
struct EconomicPollerTests {
    @Test("a tenant whose e-conomic never answers does not hold back another tenant's poll")
    func silentEconomicHoldsNoOneBack() async throws {
        try await IngestHarness.run { harness in
            let globex = try await harness.database.addTenant("globex", pool: harness.pool)
            try await Sandbox.run { sandbox in
                try await sandbox.generate(3)
                try await SilentRemote.run { silent in
                    // acme is listed first, and its e-conomic keeps every request waiting (far longer than this test).
                    let connections: [EconomicPoller.Connection] = [
                        (harness.tenant, silent.economicConfiguration), (globex, sandbox.client.configuration),
                    ]
                    let poller = EconomicPoller(
                        handler: harness.handler, store: harness.store, interval: .seconds(3600), concurrentTenants: 2,
                        logger: harness.database.logger
                    ) { connections }
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await poller.run() }
                        try await waitFor("acme's read to reach its e-conomic") { silent.requests > 0 }
                        try await waitFor("globex's customers to be observed") {
                            try await observedEconomicCustomers(of: globex, pool: harness.pool) == 3
                        }
                        // The order: globex was read to its end while acme's read was still waiting for an answer.
                        #expect(silent.answered == 0, "acme's e-conomic has not answered")
                        #expect(try await observedEconomicCustomers(of: harness.tenant, pool: harness.pool) == 0)
                        tasks.cancelAll()
                    }
                }
            }
        }
    }
}

/// Waits until `condition` holds, checking every 50 ms; records an issue after `timeout`.
func waitFor(
    _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out after \(timeout) waiting for \(what)", sourceLocation: sourceLocation)
}

/// The e-conomic customers observed for a tenant.
private func observedEconomicCustomers(of tenant: TenantID, pool: PGConnectionPool) async throws -> Int {
    let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
        try await connection.query("SELECT type, schema_version, data FROM events ORDER BY global_position").decode((String, Int, PGJSON).self)
    }
    return try rows.map { try SyncEvent.decode(type: $0.0, schemaVersion: $0.1, data: Data($0.2.text.utf8)) }.filter {
        if case .customerObserved(let e) = $0 { e.customer.system == .economic } else { false }
    }.count
}
