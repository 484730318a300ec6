import EventSourcing
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

@Suite("read-model queries against the in-memory fold", .timeLimit(.minutes(5)))
struct QueryTests {
    @Test("for random histories, every customer query answers in each tenant's scope what the in-memory fold answers", arguments: [UInt64(11), 12])
    func customerQueries(seed: UInt64) async throws {
        try await withProjectionStore { store, _, acme, globex in
            let reference = try await Self.caughtUp(store, seed: seed, tenants: [acme, globex])
            let queries = CustomerQueries(pool: store.pool)
            for tenant in [acme, globex] {
                let filters = [
                    CustomerFilter(limit: 10_000), CustomerFilter(side: "source", limit: 25, offset: 10),
                    CustomerFilter(side: "economic", limit: 10_000),
                    CustomerFilter(side: "stripe", includeDeleted: true, limit: 7, offset: 3), CustomerFilter(side: "file", limit: 10_000),
                    CustomerFilter(search: "CUSTOMER 1", includeDeleted: true, limit: 10_000), CustomerFilter(search: "example.com", limit: 40),
                    CustomerFilter(search: "100%", limit: 10_000), CustomerFilter(search: "_", limit: 10_000),
                ]
                for filter in filters {
                    let (rows, total) = try await queries.page(tenant, filter: filter)
                    let expected = reference.customers(tenant, filter: filter)
                    #expect(rows == expected.rows, "\(tenant) \(filter)")
                    #expect(total == expected.total, "\(tenant) \(filter)")
                }
                let all = reference.customers(tenant, filter: CustomerFilter(includeDeleted: true, limit: 10_000)).rows
                #expect(all.count > 50)
                let refs = all.prefix(30).map(\.customer) + [.stripe("cus_nobody")]
                #expect(Set(try await queries.customers(tenant, refs: refs)) == Set(reference.customers(tenant, refs: refs)))
                #expect(try await queries.customers(tenant, refs: refs).count == 30, "unknown customers are left out")

                for side in ["source", "economic"] {
                    for (limit, offset) in [(10_000, 0), (9, 4)] {
                        let (rows, total) = try await queries.unpartnered(tenant, side: side, limit: limit, offset: offset)
                        let expected = reference.unpartnered(tenant, side: side, limit: limit, offset: offset)
                        #expect(rows == expected.rows && total == expected.total, "\(tenant) \(side) \(limit) \(offset)")
                    }
                }
                #expect(try await queries.failures(tenant, limit: 10_000, offset: 0) == reference.failures(tenant, limit: 10_000, offset: 0))
                #expect(try await queries.failures(tenant, limit: 3, offset: 2) == reference.failures(tenant, limit: 3, offset: 2))
                #expect(!reference.failures(tenant, limit: 10_000, offset: 0).rows.isEmpty)
                // Searched lists: the same text rules as the customers list, held to the fold.
                for search in ["CUSTOMER 1", "example.com", "_", "100%"] {
                    for side in ["source", "economic"] {
                        let (rows, total) = try await queries.unpartnered(tenant, side: side, search: search, limit: 10_000, offset: 0)
                        let expected = reference.unpartnered(tenant, side: side, search: search, limit: 10_000, offset: 0)
                        #expect(rows == expected.rows && total == expected.total, "\(tenant) \(side) '\(search)'")
                    }
                    let failures = try await queries.failures(tenant, search: search, limit: 10_000, offset: 0)
                    #expect(failures == reference.failures(tenant, search: search, limit: 10_000, offset: 0), "\(tenant) '\(search)'")
                }
                let unpartnered = reference.unpartnered(tenant, side: "source", limit: 10_000, offset: 0).total
                let narrowed = reference.unpartnered(tenant, side: "source", search: "customer 1", limit: 10_000, offset: 0).total
                #expect(narrowed > 0 && narrowed < unpartnered, "the search narrows the list: \(narrowed) of \(unpartnered)")
                let counts = try await store.pool.withTransaction(scope: .tenant(tenant)) { try await CustomerQueries.counts(on: $0) }
                #expect(counts == reference.customerCounts(tenant))

                for side in [System.stripe, .economic] {
                    #expect(
                        try await queries.partnerCandidates(side: side, tenant: tenant) == reference.partnerCandidates(side: side, tenant: tenant))
                }
                let numbers = all.filter { $0.system == "economic" }.prefix(40).compactMap { Int($0.externalID) } + [999_999]
                let used = try await queries.economicNumbersInUse(among: numbers, tenant: tenant)
                #expect(used == reference.economicNumbersInUse(among: numbers, tenant: tenant))
                #expect(!used.isEmpty && !used.contains(999_999))
            }
        }
    }

    @Test("for random histories, the partnering and match-index queries answer what the in-memory fold answers")
    func partneringAndMatchQueries() async throws {
        try await withProjectionStore { store, _, acme, globex in
            let reference = try await Self.caughtUp(store, seed: 13, tenants: [acme, globex])
            let queries = PartnerLinkQueries(pool: store.pool)
            for tenant in [acme, globex] {
                for (limit, offset) in [(10_000, 0), (5, 3)] {
                    let (rows, total) = try await queries.page(tenant, limit: limit, offset: offset)
                    let expected = reference.links(tenant, limit: limit, offset: offset)
                    #expect(rows == expected.rows && total == expected.total, "\(tenant) \(limit) \(offset)")
                }
                let links = reference.links(tenant, limit: 10_000, offset: 0).rows
                #expect(links.count > 5)
                for search in ["CUSTOMER 1", "example.com", "cus_", "_", "100%"] {
                    let (rows, total) = try await queries.page(tenant, search: search, limit: 10_000, offset: 0)
                    let expected = reference.links(tenant, search: search, limit: 10_000, offset: 0)
                    #expect(rows == expected.rows && total == expected.total, "\(tenant) '\(search)'")
                }
                let named = reference.links(tenant, search: "customer 1", limit: 10_000, offset: 0).total
                #expect(named > 0 && named < links.count, "pairs found by a customer's name: \(named) of \(links.count)")
                let ids = links.prefix(4).map(\.linkID) + [UUID().uuidString]
                #expect(Set(try await queries.links(tenant, ids: ids)) == Set(reference.links(tenant, ids: ids)))

                let conflicts = try await queries.conflicts(tenant)
                #expect(conflicts == reference.conflicts(tenant))
                #expect(!conflicts.isEmpty)
                for search in ["CUSTOMER 1", "example.com", "cus_", "_", "100%"] {
                    #expect(try await queries.conflicts(tenant, search: search) == reference.conflicts(tenant, search: search), "\(tenant) '\(search)'")
                }
                let conflicting = Set(conflicts.map(\.linkID)).count
                let foundByName = Set(reference.conflicts(tenant, search: "customer 1").map(\.linkID)).count
                #expect(foundByName > 0 && foundByName < conflicting, "conflicting pairs found by a customer's name: \(foundByName) of \(conflicting)")
                let first = try #require(conflicts.first)
                let link = LinkID(try #require(UUID(uuidString: first.linkID)))
                #expect(try await queries.conflicts(tenant, link: link) == reference.conflicts(tenant, link: link))
                #expect(try await queries.pendingCreations(tenant) == reference.pendingCreations(tenant))
                let counts = try await store.pool.withTransaction(scope: .tenant(tenant)) { try await PartnerLinkQueries.counts(on: $0) }
                #expect(counts == reference.partnerLinkCounts(tenant))

                let indexed = reference.matchIndexRows.filter { $0.tenantID == tenant.rawValue && $0.side == "economic" }.compactMap(\.key)
                let keys = Array(Set(indexed).prefix(25)) + [MatchKey(kind: .email, normalizedValue: "nobody@nowhere.test")]
                let candidates = try await store.pool.withTransaction(scope: .tenant(tenant)) {
                    try await MatchIndexQueries.economicCandidates(for: keys, on: $0)
                }
                #expect(candidates == reference.economicCandidates(for: keys, tenant: tenant))
                #expect(!candidates.isEmpty)
            }
        }
    }

    /// Appends random histories for the tenants, catches every projection up, and folds the same events in memory.
    static func caughtUp(_ store: EventStore, seed: UInt64, tenants: [TenantID]) async throws -> ReferenceReadModels {
        let total = try await appendRandomHistories(seed: seed, store: store, tenants: tenants)
        try await catchUpAll(store, total)
        let events = try await allDomainEvents(store)
        let settings = latestSettings(events)
        return ReferenceReadModels.fold(events, settings: { settings[$0] ?? .default })
    }
}
