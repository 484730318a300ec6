import EventStore
import PGClient
import PostgresTestSupport
import Testing

@Suite("tenant isolation by row-level security", .timeLimit(.minutes(5)))
struct TenancyTests {
    @Test("with tenant A set, tenant B's events are invisible and cannot be written")
    func isolation() async throws {
        try await withStore { store, pool, _, acme, globex in
            try await store.append([event("A1"), event("A2")], to: "s", of: acme, expecting: .noStream)
            try await store.append([event("G1")], to: "s", of: globex, expecting: .noStream)

            let seenByAcme = try await pool.withTransaction(scope: .tenant(acme)) { connection in
                try await connection.query("SELECT DISTINCT tenant_id FROM events").decode((String).self)
            }
            #expect(seenByAcme == ["acme"])
            let globexRowsForAcme = try await pool.withTransaction(scope: .tenant(acme)) { connection in
                try await connection.query("SELECT count(*) FROM events WHERE tenant_id = 'globex'").singleValue(Int.self)
            }
            #expect(globexRowsForAcme == 0)
            let forward = try await readForward(store, atLeast: 2, scope: .tenant(acme))
            #expect(forward.map(\.type) == ["A1", "A2"])
            let tenants = try await pool.withTransaction(scope: .tenant(acme)) { connection in
                try await connection.query("SELECT id FROM tenants").decode((String).self)
            }
            #expect(tenants == ["acme"])

            let error = try await #require(throws: EventStoreError.self) {
                try await pool.withTransaction(scope: .tenant(acme)) { connection in
                    try await store.append([event("Sneaky")], to: "s", of: globex, expecting: .any, on: connection)
                }
            }
            #expect(error.code == .tenantMismatch)
            #expect(try await store.readStream("s", of: globex).map(\.type) == ["G1"])

            let all = try await readForward(store, atLeast: 3)
            #expect(Set(all.map(\.tenant)) == [acme, globex])
        }
    }

    @Test("without a scope, a tenant-role transaction sees nothing (fails closed)")
    func failsClosed() async throws {
        try await withStore { store, pool, _, acme, _ in
            try await store.append([event("A1")], to: "s", of: acme, expecting: .noStream)
            let count = try await pool.withTransaction { connection in
                try await connection.execute("SET LOCAL ROLE accord_tenant")
                return try await connection.query("SELECT count(*) FROM events").singleValue(Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("the tenant role cannot read projector checkpoints")
    func checkpointsAreSystemOnly() async throws {
        try await withStore { _, pool, _, acme, _ in
            let error = try await #require(throws: PGError.self) {
                try await pool.withTransaction(scope: .tenant(acme)) { connection in
                    try await connection.query("SELECT * FROM projection_checkpoints")
                }
            }
            #expect(error.sqlState == .insufficientPrivilege)
        }
    }
}
