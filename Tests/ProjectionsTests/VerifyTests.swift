import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

@Suite("verify", .timeLimit(.minutes(5)))
struct VerifyTests {
    @Test("verify says identical, then finds the row and column changed behind the projector's back, in that tenant only")
    func findsTamperedRow() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 21, store: store, tenants: [acme, globex])
            try await catchUpAll(store, total)
            let verifier = Verifier(store: store, logger: database.logger)
            for projector in AccordProjections.all {
                let report = try await verifier.verify(projector, tenant: acme, batchSize: 61)
                #expect(report.identical, "\(projector.name): \(report.tables.filter { !$0.identical })")
                #expect(report.behind == 0)
                #expect(report.tables.map(\.name) == projector.tables.map(\.name))
                #expect(report.tables.allSatisfy { $0.liveRows == $0.rebuiltRows })
            }

            let version = try await ProjectionRegistry(pool: store.pool).activeVersion(of: CustomersProjector())
            let customers = ProjectionTarget(projection: "customers", version: version).table("customers")
            let (system, externalID, email) = try #require(
                try await store.pool.withTransaction(scope: .system) { connection in
                    try await connection.query(
                        """
                        SELECT system, external_id, email FROM \(unsafeRaw: customers) WHERE tenant_id = \(acme.rawValue)
                        ORDER BY system, external_id LIMIT 1
                        """
                    ).decode((String, String, String?).self)
                }.first)
            try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    """
                    UPDATE \(unsafeRaw: customers) SET email = 'tampered@example.com'
                    WHERE tenant_id = \(acme.rawValue) AND system = \(system) AND external_id = \(externalID)
                    """)
                try await connection.execute("UPDATE \(unsafeRaw: customers) SET name = 'tampered' WHERE tenant_id = \(globex.rawValue)")
            }

            let report = try await verifier.verify(CustomersProjector(), tenant: acme)
            #expect(!report.identical)
            let table = try #require(report.tables.first { $0.name == "customers" })
            #expect(table.differing == 1, "only acme's one changed row: globex's rows are not compared")
            #expect(
                table.shown == [
                    RowDifference(
                        key: "system=\(system) external_id=\(externalID)", kind: .changed,
                        columns: [.init(name: "email", live: "tampered@example.com", rebuilt: email)], row: nil)
                ])
            #expect(report.tables.first { $0.name == "unpartnered" }?.identical == true)

            let other = try await verifier.verify(CustomersProjector(), tenant: globex, shown: 3)
            let globexRows = try #require(other.tables.first { $0.name == "customers" })
            #expect(globexRows.differing == globexRows.liveRows, "every globex row was renamed")
            #expect(globexRows.shown.count == 3)
            #expect(globexRows.shown.allSatisfy { $0.columns.map(\.name) == ["name"] && $0.columns.first?.live == "tampered" })
            #expect(try await stagingLeft(store) == 0, "staging tables and checkpoints are dropped")
        }
    }

    @Test("a live projector that is behind the log is reported as behind, not as differing rows")
    func behind() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 22, store: store, tenants: [acme, globex], customers: 40, steps: 150)
            try await catchUpAll(store, total)
            var generator = HistoryGenerator(seed: 77)
            let more = generator.history(sourceCustomers: 8, economicCustomers: 5, steps: 40).filter {
                if case .settingsChanged = $0 { return false }
                return true
            }
            try await append(more, tenant: acme, store: store)
            let verifier = Verifier(store: store, logger: database.logger)
            for projector in AccordProjections.all {
                let report = try await verifier.verify(projector, tenant: acme)
                #expect(report.identical, "\(projector.name): \(report.tables.filter { !$0.identical })")
                #expect(report.behind == more.filter { projector.eventTypes?.contains($0.typeName) ?? true }.count, "\(projector.name)")
            }
            #expect(try await stagingLeft(store) == 0)
        }
    }

    @Test("the staging copy is dropped when verifying fails or is interrupted")
    func dropsStaging() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 23, store: store, tenants: [acme, globex], customers: 60, steps: 200)
            let verifier = Verifier(store: store, logger: database.logger)

            try await catchUp(CustomersProjector(), store: store, expecting: total)
            await #expect(throws: ProjectionError.self) {
                _ = try await verifier.verify(FlakyProjector(wrapping: CustomersProjector()), tenant: acme)
            }
            #expect(try await stagingLeft(store) == 0, "dropped after a failure")

            let counting = CountingProjector(stallAfter: nil)
            try await catchUp(counting, store: store, expecting: total)
            counting.stallAfter = 150
            let interrupted = Task { try await verifier.verify(counting, tenant: acme, batchSize: 400) }
            try await counting.waitUntilStalled()
            interrupted.cancel()
            if case .success = await interrupted.result { Issue.record("an interrupted verification returned a report") }
            #expect(try await stagingLeft(store) == 0, "dropped after an interrupt")
        }
    }

    /// Staging tables and staging checkpoints left in the database.
    private func stagingLeft(_ store: EventStore) async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*) FROM pg_tables WHERE tablename LIKE '%\\_rb\\_%')
                     + (SELECT count(*) FROM projection_checkpoints WHERE shard LIKE 'rebuild:%')
                """
            ).singleValue(Int.self) ?? 0
        }
    }
}
