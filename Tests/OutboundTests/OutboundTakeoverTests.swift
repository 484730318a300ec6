import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import NIOHTTP1
import PGClient
import PostgresTestSupport
import SyncDomain
import Testing

@testable import Outbound

/// A worker that dies leaves HTTP calls on the wire; they land up to their timeout later. Whoever takes its requests
/// over must neither act before they can have landed nor be overtaken by a write the dead worker had not yet sent.
@Suite("outbound takeovers after a crash", .timeLimit(.minutes(5)))
struct OutboundTakeoverTests {
    @Test("a restarted worker takes its own claims over only once what it sent before dying can no longer arrive")
    func restartWaitsForWritesOnTheWire() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let request = createRequest(email: "late@crash.test", name: "Landed Late")
                try await OutboundStream(store: store).submit(.economic(request), of: acme)
                // The dead worker recorded its start (nothing matched before) and sent its POST, which has not landed yet.
                try await append(
                    [.economicCreateStarted(EconomicCreateStarted(requestId: request.requestId, existing: []))], tenant: acme, store: store)
                try await store.pool.withTransaction(scope: .system) { connection in
                    try await connection.execute(
                        """
                        INSERT INTO outbound_claims (tenant_id, request_id, worker, token, expires_at)
                        VALUES ('acme', \(request.requestId.description), 'restarting', gen_random_uuid(), now() + interval '1 hour')
                        """)
                }
                var configuration = testConfiguration(workerID: "restarting")
                configuration.economicTimeout = .seconds(8)
                configuration.stripeTimeout = .seconds(8)
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { workers in
                    // The restarted worker has seen its old claim; a second later the dead worker's POST lands (e-conomic was
                    // slow), long before the eight seconds it could have taken.
                    try await eventually("the restarted worker to look at its old claims") {
                        try await store.pool.withTransaction(scope: .system) { connection in
                            try await connection.query(
                                "SELECT expires_at < now() + interval '30 minutes' FROM outbound_claims WHERE request_id = \(request.requestId.description)"
                            ).singleValue(Bool.self) ?? false
                        }
                    }
                    try await Task.sleep(for: .seconds(1))
                    let landed = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: request.payload))
                    let states = try await settle([request.requestId], acme, store)
                    #expect(states[request.requestId]?.status == .succeeded)
                    #expect(states[request.requestId]?.result?.customerNumber == landed.customerNumber, "the late customer is adopted")
                    #expect(workers[0].statistics.reconciledExisting == 1)
                }
                let customers = try await sandbox.client().allCustomers(filter: .equals("email", "late@crash.test"))
                #expect(customers.count == 1, "no second customer: \(customers.compactMap(\.customerNumber))")
            }
        }
    }

    @Test("a worker whose claim is taken over while it waits for the rate limit neither reads nor writes the customer")
    func fenceBeforeWriting() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let seeded = try EconomicCustomer(fieldMap: createRequest(email: "fence@crash.test", name: "Fenced").payload)
                let number = try #require(try await sandbox.client().createCustomer(seeded).customerNumber)
                try await sandbox.admin(.DELETE, "/_sandbox/stats")
                let request = EconomicWriteRequested(
                    requestId: RequestID(UUID()), kind: .update(customerNumber: number), linkId: LinkID(UUID()),
                    patch: FieldPatch(["city": FieldWrite(value: "Odense", base: "", kind: .text)]), reason: .sourceChanged)
                // An update costs two calls; the tenant's bucket is drained first, so the request waits four seconds.
                let configuration = testConfiguration(workerID: "cut-off", rateLimit: RateLimit(requestsPerSecond: 0.5, burst: 2))
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { workers in
                    try await workers[0].limiter.acquire(acme, cost: 2, while: { true })
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    try await eventually("the worker to claim the request, and another to take it over") {
                        try await store.pool.withTransaction(scope: .system) { connection in
                            try await connection.execute(
                                """
                                UPDATE outbound_claims SET worker = 'successor', token = gen_random_uuid(), expires_at = now() + interval '1 hour'
                                WHERE request_id = \(request.requestId.description) AND NOT released AND worker = 'cut-off'
                                """) == 1
                        }
                    }
                    try await eventually("the worker to find its claim gone before reading") { workers[0].statistics.lostClaims == 1 }
                }
                let stats = try await sandbox.stats()
                #expect(sandbox.count(stats, "GET", "/customers/{id}") == 0, "the customer was not read")
                #expect(sandbox.count(stats, "PUT", "/customers/{id}") == 0, "nor written")
                #expect(try await sandbox.client().customer(number: number)?.city == nil)
            }
        }
    }
}
