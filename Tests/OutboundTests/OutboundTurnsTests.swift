import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

@testable import Outbound

@Suite("outbound claims give tenants turns, and cap each tenant's requests in flight", .timeLimit(.minutes(5)))
struct OutboundTurnsTests {
    @Test("a burst of one tenant does not hold another tenant's request behind it; the burst stops at its cap until one settles")
    func burstAndCap() async throws {
        try await withOutboundStore { store, _, acme, globex in
            let burst = try await submitCreates(200, of: acme, store: store)
            let urgent = try await submitCreates(1, of: globex, store: store)
            let queue = OutboundQueue(store: store)
            let version = try await catchUpQueue(store)

            let first = try await queue.claim(worker: "w1", limit: 32, perTenantCap: 4, ttl: .seconds(60), version: version)
            let claimedIDs = Set(first.map(\.requestID))
            #expect(claimedIDs.contains(urgent[0]), "globex's request is in the first claim")
            let acmeClaims = first.filter { $0.tenant == acme }
            #expect(acmeClaims.count == 4, "acme stops at its cap")
            let oldestFour = Set(burst.prefix(4))
            #expect(Set(acmeClaims.map(\.requestID)) == oldestFour, "acme's own requests still go oldest first")
            let inFlight = try await queue.counts(for: acme).inFlight
            #expect(inFlight == 4)

            // acme at its cap: another worker gets nothing of it, whatever its free slots.
            let atCap = try await queue.claim(worker: "w2", limit: 32, perTenantCap: 4, ttl: .seconds(60), version: version)
            #expect(atCap.isEmpty)

            // One settles: exactly one more of acme's is claimed.
            try await queue.release(acmeClaims[0], position: 0)
            let next = try await queue.claim(worker: "w2", limit: 32, perTenantCap: 4, ttl: .seconds(60), version: version)
            let nextTenants = next.map(\.tenant)
            #expect(nextTenants == [acme])
            let inFlightAfter = try await queue.counts(for: acme).inFlight
            #expect(inFlightAfter == 4)
        }
    }

    @Test("claims of one request alternate between the tenants that have some due, whoever's are older")
    func singleClaimsAlternate() async throws {
        try await withOutboundStore { store, _, acme, globex in
            let acmeRequests = try await submitCreates(6, of: acme, store: store)
            _ = try await submitCreates(6, of: globex, store: store)
            let queue = OutboundQueue(store: store)
            let version = try await catchUpQueue(store)
            var order: [TenantID] = []
            var acmeClaimed: [RequestID] = []
            for index in 0..<8 {
                let claims = try await queue.claim(worker: "w\(index)", limit: 1, perTenantCap: 100, ttl: .seconds(60), version: version)
                #expect(claims.count == 1)
                order += claims.map(\.tenant)
                acmeClaimed += claims.filter { $0.tenant == acme }.map(\.requestID)
            }
            #expect(Set(order) == [acme, globex])
            #expect(zip(order, order.dropFirst()).allSatisfy { $0 != $1 }, "turns: \(order)")
            #expect(acmeClaimed == Array(acmeRequests.prefix(4)), "within a tenant, oldest first")
        }
    }

    @Test("claims made at the same time by several workers never take a tenant past its cap")
    func concurrentClaimsKeepTheCap() async throws {
        try await withOutboundStore { store, _, acme, _ in
            _ = try await submitCreates(60, of: acme, store: store)
            let queue = OutboundQueue(store: store)
            let version = try await catchUpQueue(store)
            let claimed = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        try await queue.claim(worker: "w\(worker)", limit: 32, perTenantCap: 3, ttl: .seconds(60), version: version).count
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(claimed == 3)
            let inFlight = try await queue.counts(for: acme).inFlight
            #expect(inFlight == 3)
        }
    }
}

/// Submits `count` e-conomic creates for `tenant`, one after the other; returns their ids in that order.
private func submitCreates(_ count: Int, of tenant: TenantID, store: EventStore) async throws -> [RequestID] {
    var ids: [RequestID] = []
    for index in 0..<count {
        let request = createRequest(email: "\(tenant)-\(index)@accord.test", name: "\(tenant) \(index)")
        try await OutboundStream(store: store).submit(.economic(request), of: tenant)
        ids.append(request.requestId)
    }
    return ids
}

/// Brings `outbound_requests` up to date with every event committed (counted directly: a read of the log stops at the
/// watermark, which other tests' open transactions may hold back); returns its active version.
private func catchUpQueue(_ store: EventStore) async throws -> Int {
    let projector = OutboundRequestsProjector()
    let total = try await store.pool.withTransaction(scope: .system) { connection in
        try await connection.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0
    }
    try await catchUp(projector, store: store, expecting: total)
    return try await ProjectionRegistry(pool: store.pool).activeVersion(of: projector)
}
