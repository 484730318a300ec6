import EventSourcing
import EventStore
import Foundation
import PGClient
import Projections
import SyncDomain
import SyncEngine
import Testing

/// What the read models say about partners agrees with the `partners` stream, in the order the engine really
/// appends: a created partner is linked before e-conomic is read again; "create partners" appends file customers
/// after their links.
@Suite("read models agree with the command side", .timeLimit(.minutes(5)))
struct ReadModelAgreementTests {
    @Test("an e-conomic customer Accord created, observed after its link, is partnered in every read model")
    func createdPartnerObservedAfterLink() async throws {
        try await EngineHarness.run { engine throws in
            let berlin = CustomerRef.stripe("cus_berlin")
            _ = try await engine.observe(berlin, ["name": "Berlin Bikes", "email": "hello@berlin.example", "address.country": "DE"])
            try await engine.settle()
            let create = try #require(try await engine.events().compactMap(\.economicWrite).first { $0.kind == .create })
            // e-conomic answers with number 101; the reactor links it; e-conomic is read afterwards.
            try await engine.succeed(create.requestId, customerNumber: 101)
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.link(of: .economic(101))?.source == berlin)
            _ = try await engine.observe(
                .economic(101), ["name": "Berlin Bikes", "email": "hello@berlin.example", "currency": "DKK", "vatZone": "2"])
            try await engine.settle()
            try await engine.waitForReadModels()

            let row = try #require(try await engine.customerRows().first { $0.customer == .economic(101) })
            #expect(row.partner == "stripe:cus_berlin")
            let queries = ReadModelQueries(pool: engine.store.pool)
            #expect(try await queries.unpartnered(side: .economic, tenant: engine.tenant).isEmpty, "not offered for \"Create partner\"")
            #expect(try await queries.unpartnered(side: .stripe, tenant: engine.tenant).isEmpty)
            // …as the command side says.
            let refused = await #expect(throws: CommandError.self) {
                try await engine.handler.createPartner(
                    .economic(101), numbering: .economicAssigns, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(refused?.message.contains("already partnered") == true)
        }
    }

    @Test("file customers created for several e-conomic customers at once are partnered in every read model")
    func filePartnersOfSeveral() async throws {
        try await EngineHarness.run { engine throws in
            for number in 201...203 {
                _ = try await engine.observe(.economic(number), ["name": "Company \(number)", "email": "c\(number)@example.com", "currency": "DKK"])
            }
            try await engine.settle()
            try await engine.waitForReadModels()
            let result = try await engine.handler.createPartners(
                side: .economic, numbering: .economicAssigns, tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(result.created.count == 3)
            try await engine.settle()
            try await engine.waitForReadModels()
            let rows = try await engine.customerRows()
            for number in 201...203 {
                #expect(rows.first { $0.customer == .file(String(number)) }?.partner == "economic:\(number)")
                #expect(rows.first { $0.customer == .economic(number) }?.partner == "file:\(number)")
            }
            let queries = ReadModelQueries(pool: engine.store.pool)
            #expect(try await queries.unpartnered(side: .file, tenant: engine.tenant).isEmpty)
            #expect(try await queries.unpartnered(side: .economic, tenant: engine.tenant).isEmpty)
        }
    }
}

extension EngineHarness {
    /// Records that e-conomic created the customer an outbound request asked for.
    func succeed(_ request: RequestID, customerNumber: Int) async throws {
        let event = try EventCodec.encode(
            .outboundSucceeded(OutboundSucceeded(requestId: request, customerNumber: customerNumber)), metadata: EventMetadata(actor: "test"))
        try await store.append([event], to: try StreamID(StreamName.outbound(request).rawValue), of: tenant, expecting: .exactly(1))
    }

    /// The tenant's `customers` rows.
    func customerRows() async throws -> [CustomerRow] {
        let version = try await ProjectionRegistry(pool: store.pool).activeVersion(of: CustomersProjector())
        return try await store.pool.withTransaction(scope: .system) { connection in
            try await ProjectionRows<CustomerRow>(CustomersProjector.customers, ProjectionTarget(projection: "customers", version: version))
                .all(on: connection)
        }
    }
}
