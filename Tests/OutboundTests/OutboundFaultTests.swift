import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Outbound
import PGClient
import PostgresTestSupport
import SyncDomain
import Testing

@Suite("outbound delivery under faults", .timeLimit(.minutes(5)))
struct OutboundFaultTests {
    @Test("200 creates through dropped responses, 429s and 500s, with two workers: exactly 200 customers, none twice, every request succeeded")
    func noDuplicatesUnderFaults() async throws {
        let total = 200
        try await withOutboundStore(maxConnections: 16) { store, database, acme, _ in
            var configuration = SandboxConfiguration(randomSeed: 20_261_124, seed: .referenceData)
            configuration.knobs = SandboxKnobs(
                rateLimitRate: 0.10, retryAfterSeconds: 1, serverErrorRate: 0.10, serverErrorStatus: 500, dropResponseRate: 0.15,
                scope: .customerWrites)
            try await Sandbox.run(configuration) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let requests = (0..<total).map { index in
                    createRequest(email: "fault-\(index)@accord.test", name: "Fault Customer \(index)", extra: ["city": "City \(index % 17)"])
                }
                let emails = Set(requests.map { $0.payload["email"]! })
                let configurations = ["worker-a", "worker-b"].map { testConfiguration(workerID: $0, maxAttempts: 100, pollInterval: .seconds(2)) }
                let statistics = try await withWorkers(configurations, store: store, database: database, credentials: credentials) { workers in
                    // Requests arrive while the workers run, in batches, as a reactor would append them.
                    let stream = OutboundStream(store: store)
                    for batch in stride(from: 0, to: total, by: 25) {
                        for request in requests[batch..<min(batch + 25, total)] { try await stream.submit(.economic(request), of: acme) }
                    }
                    let states = try await settle(requests.map(\.requestId), acme, store, timeout: .seconds(180))
                    #expect(states.count == total)
                    #expect(states.values.filter { $0.status == .succeeded }.count == total, "every request succeeded")
                    return workers.map(\.statistics)
                }

                // e-conomic holds exactly one customer per request, each the one its request recorded.
                let customers = try await sandbox.client().allCustomers()
                #expect(customers.count == total)
                let byEmail = Dictionary(grouping: customers, by: { $0.email ?? "" })
                #expect(Set(byEmail.keys) == emails, "none missing")
                #expect(byEmail.values.allSatisfy { $0.count == 1 }, "none twice")
                for request in requests {
                    let recorded = try await snapshot(request.requestId, acme, store).state.result?.customerNumber
                    #expect(recorded != nil && recorded == byEmail[request.payload["email"]!]?.first?.customerNumber)
                }

                // Every POST e-conomic saw is one recorded attempt: no attempt was sent twice.
                let stats = try await sandbox.stats()
                let created = sandbox.count(stats, "POST", "/customers", status: 201)
                let dropped = sandbox.count(stats, "POST", "/customers", status: 0)
                let limited = sandbox.count(stats, "POST", "/customers", status: 429)
                let failed = sandbox.count(stats, "POST", "/customers", status: 500)
                let posts = sandbox.count(stats, "POST", "/customers")
                #expect(stats.customersCreated == total)
                #expect(created + dropped == total, "each customer was made by exactly one POST (answered or dropped)")
                #expect(dropped > 0 && limited > 0 && failed > 0, "every kind of fault happened: \(stats.faultsInjected)")
                let recorded = try await events(store)
                let failures = recorded.compactMap { event -> OutboundError? in
                    if case .outboundFailed(let e) = event { return e.error }
                    return nil
                }
                let waits = recorded.compactMap { event -> OutboundError? in
                    if case .outboundRateLimited(let e) = event { return e.error }
                    return nil
                }
                #expect(waits.filter { $0.httpStatus == 429 }.count == limited, "every 429 is recorded once, as a wait")
                #expect(failures.filter { $0.httpStatus == 429 }.isEmpty, "and never as a failure")
                #expect(failures.filter { $0.httpStatus == 500 }.count == failed)
                #expect(failures.filter { $0.httpStatus == nil }.count == dropped)
                #expect(failures.count + waits.count == posts - created, "every failed POST is recorded once, and nothing else failed")
                #expect(statistics.reduce(0) { $0 + $1.sent } == posts)
                #expect(statistics.reduce(0) { $0 + $1.reconciledExisting } == dropped, "every dropped create was found, not sent again")
                #expect(statistics.reduce(0) { $0 + $1.conflicts } == 0)
                #expect(statistics.reduce(0) { $0 + $1.lostClaims } == 0)
                #expect(statistics.allSatisfy { $0.sent > 0 }, "both workers took part: \(statistics)")
                print(
                    "outbound fault test: \(total) requests, \(posts) POSTs (\(created) answered 201, \(dropped) dropped after commit, "
                        + "\(limited) 429, \(failed) 500), \(statistics.reduce(0) { $0 + $1.reconciliations }) lookups, "
                        + "\(customers.count) customers, duplicates \(customers.count - byEmail.count)")
            }
        }
    }
}
