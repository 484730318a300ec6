import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

/// A link and the first observation of its customers come in either order: a partner created in e-conomic is
/// linked when e-conomic answers and observed when it is next read; "create partners" appends file customers after
/// all their links. The read models must agree with the `partners` stream either way.
@Suite("links before observations", .timeLimit(.minutes(5)))
struct LinkOrderTests {
    static let anna = CustomerRef.stripe("cus_anna")
    static let bob = CustomerRef.stripe("cus_bob")
    static let carl = CustomerRef.stripe("cus_carl")
    static let dora = CustomerRef.stripe("cus_dora")

    @Test(
        "a created partner observed after its link shows its partner, is not unpartnered, and is indexed by its creation's keys meanwhile",
        arguments: [1, 500])
    func createdPartnerObservedAfterLink(batchSize: Int) async throws {
        try await withProjectionStore { store, database, acme, _ in
            let (request, link) = (Self.request(1), Self.link(1))
            var total = try await appendCounting(
                [
                    .customerObserved(CustomerObserved(customer: Self.anna, fields: ["name": "Anna", "email": "anna@example.com"])),
                    .partnerCreationRequested(Self.creation(request, from: Self.anna, email: "anna@example.com")),
                    .partnerLinked(PartnerLinked(linkId: link, source: Self.anna, economic: .economic(101), origin: .created(requestId: request))),
                ], tenant: acme, store: store)
            try await catchUpAll(store, total, batchSize: batchSize)
            var stored = try await StoredReadModels.load(store)
            #expect(stored.customer(Self.anna)?.partner == "economic:101")
            #expect(stored.customer(.economic(101)) == nil, "not observed yet")
            #expect(stored.matchIndex.filter { $0.externalID == "101" }.map(\.keyValue) == ["anna@example.com"], "found by its creation's keys")
            #expect(stored.matchIndex.allSatisfy { $0.side != "pending" }, "no longer pending")

            total += try await appendCounting(
                [
                    .customerObserved(
                        CustomerObserved(customer: .economic(101), fields: ["name": "Anna", "email": "anna.j@example.com", "currency": "DKK"]))
                ],
                tenant: acme, store: store)
            try await catchUpAll(store, total, batchSize: batchSize)
            stored = try await StoredReadModels.load(store)
            #expect(stored.customer(.economic(101))?.linkID == link.description)
            #expect(stored.customer(.economic(101))?.partner == "stripe:cus_anna")
            #expect(stored.unpartnered.isEmpty, "both linked")
            #expect(
                stored.matchIndex.filter { $0.externalID == "101" }.map(\.keyValue) == ["anna.j@example.com"], "its own keys replace the creation's")
            try await expectEqualsReference(store, database: database, tenant: acme)
        }
    }

    @Test(
        "file partners appended after their links, a link undone before the partner is observed, a partner observed before its link",
        arguments: [1, 500])
    func otherOrders(batchSize: Int) async throws {
        try await withProjectionStore { store, database, acme, globex in
            var total = 0
            for tenant in [acme, globex] {
                total += try await appendCounting(
                    [
                        // "Create partners" for two e-conomic customers: both links first, then both file customers.
                        .customerObserved(CustomerObserved(customer: .economic(200), fields: ["name": "Twenty", "currency": "DKK"])),
                        .customerObserved(CustomerObserved(customer: .economic(201), fields: ["name": "Twenty-one", "currency": "DKK"])),
                        .partnerLinked(PartnerLinked(linkId: Self.link(200), source: .file("200"), economic: .economic(200), origin: .copiedToFile)),
                        .partnerLinked(PartnerLinked(linkId: Self.link(201), source: .file("201"), economic: .economic(201), origin: .copiedToFile)),
                        .customerObserved(CustomerObserved(customer: .file("200"), fields: ["name": "Twenty", "customerNumber": "200"])),
                        .customerObserved(CustomerObserved(customer: .file("201"), fields: ["name": "Twenty-one", "customerNumber": "201"])),
                        // Linked, unlinked, then observed: unpartnered.
                        .customerObserved(CustomerObserved(customer: Self.bob, fields: ["name": "Bob", "email": "bob@example.com"])),
                        .partnerCreationRequested(Self.creation(Self.request(2), from: Self.bob, email: "bob@example.com")),
                        .partnerLinked(
                            PartnerLinked(
                                linkId: Self.link(2), source: Self.bob, economic: .economic(102), origin: .created(requestId: Self.request(2)))),
                        .partnerUnlinked(PartnerUnlinked(linkId: Self.link(2), reason: .user)),
                        .customerObserved(
                            CustomerObserved(customer: .economic(102), fields: ["name": "Bob", "email": "bob@example.com", "currency": "DKK"])),
                        // Observed before its link: its own keys stand.
                        .customerObserved(CustomerObserved(customer: Self.carl, fields: ["name": "Carl", "email": "carl@example.com"])),
                        .partnerCreationRequested(Self.creation(Self.request(3), from: Self.carl, email: "carl@example.com")),
                        .customerObserved(
                            CustomerObserved(customer: .economic(103), fields: ["name": "Carl", "email": "c@example.com", "currency": "DKK"])),
                        .partnerLinked(
                            PartnerLinked(
                                linkId: Self.link(3), source: Self.carl, economic: .economic(103), origin: .created(requestId: Self.request(3)))),
                        // A cancelled creation leaves its customer unpartnered and nothing indexed.
                        .customerObserved(CustomerObserved(customer: Self.dora, fields: ["name": "Dora", "email": "dora@example.com"])),
                        .partnerCreationRequested(Self.creation(Self.request(4), from: Self.dora, email: "dora@example.com")),
                        .partnerCreationCancelled(PartnerCreationCancelled(requestId: Self.request(4), reason: "abandoned")),
                    ], tenant: tenant, store: store)
            }
            try await catchUpAll(store, total, batchSize: batchSize)
            let stored = try await StoredReadModels.load(store)
            for tenant in ["acme", "globex"] {
                for number in [200, 201] {
                    #expect(stored.customer(.file(String(number)), tenant: tenant)?.partner == "economic:\(number)")
                    #expect(stored.customer(.economic(number), tenant: tenant)?.partner == "file:\(number)")
                }
                #expect(stored.customer(.economic(102), tenant: tenant)?.linkID == nil)
                #expect(stored.customer(Self.bob, tenant: tenant)?.linkID == nil)
                #expect(stored.customer(.economic(103), tenant: tenant)?.partner == "stripe:cus_carl")
                #expect(stored.customer(Self.dora, tenant: tenant)?.pendingRequest == nil)
                let unpartnered = Set(stored.unpartnered.filter { $0.tenantID == tenant }.map(\.externalID))
                #expect(unpartnered == ["cus_bob", "102", "cus_dora"])
                let index = stored.matchIndex.filter { $0.tenantID == tenant }
                #expect(index.filter { $0.externalID == "103" }.map(\.keyValue) == ["c@example.com"])
                #expect(index.allSatisfy { $0.side != "pending" })
            }
            try await expectEqualsReference(store, database: database, tenant: acme)
        }
    }

    static func request(_ number: Int) -> RequestID { RequestID(UUID(uuidString: String(format: "00000000-0000-4000-9000-%012d", number))!) }
    static func link(_ number: Int) -> LinkID { LinkID(UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", number))!) }

    static func creation(_ request: RequestID, from source: CustomerRef, email: String) -> PartnerCreationRequested {
        PartnerCreationRequested(
            requestId: request, from: source, targetSystem: .economic, numbering: .economicAssigns, payload: ["name": "New", "email": email],
            matchKeys: [MatchKey(kind: .email, normalizedValue: email)])
    }
}

/// Appends events, one transaction each (so a batch can end between any two), and returns how many.
func appendCounting(_ events: [SyncEvent], tenant: TenantID, store: EventStore) async throws -> Int {
    for event in events { try await append([event], tenant: tenant, store: store) }
    return events.count
}

/// The stored read models equal the in-memory fold, before and after rebuilding one tenant's rows and whole projections.
func expectEqualsReference(_ store: EventStore, database: TestDatabase, tenant: TenantID) async throws {
    let events = try await allDomainEvents(store)
    let settings = latestSettings(events)
    let reference = StoredReadModels(ReferenceReadModels.fold(events, settings: { settings[$0] ?? .default }))
    expectEqual(try await StoredReadModels.load(store), reference)
    let rebuilder = Rebuilder(store: store, logger: database.logger)
    for projector in AccordProjections.all { _ = try await rebuilder.rebuild(projector, tenant: tenant, batchSize: 100) }
    expectEqual(try await StoredReadModels.load(store), reference)
    for projector in AccordProjections.all { _ = try await rebuilder.rebuild(projector, reason: "test", batchSize: 100) }
    expectEqual(try await StoredReadModels.load(store), reference)
}

extension StoredReadModels {
    /// A customer's row.
    func customer(_ ref: CustomerRef, tenant: String = "acme") -> CustomerRow? {
        customers.first { $0.tenantID == tenant && $0.customer == ref }
    }

    /// Every link shows on the rows of its customers that have been observed, and no linked customer is unpartnered.
    func expectLinksShowOnCustomers(sourceLocation: SourceLocation = #_sourceLocation) {
        let rows = Dictionary(uniqueKeysWithValues: customers.map { ($0.key, $0) })
        let unpartneredKeys = Set(unpartnered.map { CustomerKey(tenantID: $0.tenantID, system: $0.system, externalID: $0.externalID) })
        for link in partnerLinks {
            guard let source = CustomerRef(parsing: link.source), let number = Int(link.economicNumber) else { continue }
            for (customer, partner) in [(source, CustomerRef.economic(number)), (CustomerRef.economic(number), source)] {
                let key = CustomerKey(tenant: link.tenantID, customer)
                #expect(!unpartneredKeys.contains(key), "\(customer) is linked but listed as unpartnered", sourceLocation: sourceLocation)
                guard let row = rows[key] else { continue }
                #expect(
                    row.linkID == link.linkID && row.partner == partner.description, "\(customer)'s row misses its link",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// A partner created in e-conomic that has not been observed yet is found under its creation's keys.
    func expectCreatedPartnersIndexed(sourceLocation: SourceLocation = #_sourceLocation) {
        let observed = Set(customers.map(\.key))
        let indexed = Set(
            matchIndex.filter { $0.side == "economic" }.map { CustomerKey(tenantID: $0.tenantID, system: $0.system, externalID: $0.externalID) })
        for link in partnerLinks {
            guard case .created = link.origin else { continue }
            let key = CustomerKey(tenantID: link.tenantID, system: System.economic.rawValue, externalID: link.economicNumber)
            guard !observed.contains(key) else { continue }
            #expect(indexed.contains(key), "economic:\(link.economicNumber) was created but cannot be found", sourceLocation: sourceLocation)
        }
    }
}
