import EventSourcing
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Server
import SyncDomain
import SyncEngine
import Testing

/// A customer's history through the API and the customer page, over the real store in PostgreSQL: the reactor
/// matches, links and creates; the outbound answers are recorded as the worker records them.
@Suite("customer history over PostgreSQL", .timeLimit(.minutes(5)))
struct HistoryTests {
    @Test("a match, a conflict resolved through the API, the update answered; a creation answered and its number written back; 404s")
    func history() async throws {
        try await ServerHarness.run { harness in
            var settings = TenantSettings.default
            settings.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
            try await harness.handler.updateSettings(settings, expectedVersion: 0, tenant: harness.acme, metadata: ServerHarness.user)
            let anna = CustomerRef.stripe("cus_anna")
            try await harness.observe(.economic(1), ["name": "Anna Jensen", "email": "anna@example.com", "city": "Vejle", "currency": "DKK"])
            try await harness.observe(anna, ["name": "Anna Jensen", "email": "Anna@Example.com", "address.city": "Odense"])
            try await harness.observe(.stripe("cus_bo"), ["name": "Bo Berg", "email": "bo@example.com"])
            try await harness.settle()

            let link = try #require(
                try await harness.events().compactMap { event -> LinkID? in
                    if case .partnerLinked(let linked) = event, linked.source == anna { linked.linkId } else { nil }
                }.first)
            try await harness.withClient { client throws in
                let resolved = try await client.post(
                    "/api/v1/conflicts/\(link)/resolve", key: harness.acmeKey, json: #"{"choices": {"city": {"keep": "source"}}}"#)
                #expect(resolved.status == .ok, "\(resolved.text)")
            }
            let requests = try await harness.events().compactMap { event -> EconomicWriteRequested? in
                if case .economicWriteRequested(let write) = event { write } else { nil }
            }
            let update = try #require(requests.first { $0.linkId == link })
            let creation = try #require(requests.first { $0.source == .stripe("cus_bo") })
            try await Self.record(.outboundSucceeded(OutboundSucceeded(requestId: update.requestId, written: ["city": "Odense"])), harness)
            try await Self.record(.outboundSucceeded(OutboundSucceeded(requestId: creation.requestId, customerNumber: 77)), harness)
            try await harness.settle()
            let writeBack = RequestID.numberWriteBack(after: creation.requestId)
            try await Self.record(.outboundSucceeded(OutboundSucceeded(requestId: writeBack, written: ["economic_number": "77"])), harness)
            try await harness.settle()

            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let history = try await client.get("/api/v1/customers/stripe/cus_anna/history", key: key)
                #expect(history.status == .ok)
                #expect(try history.json()["customer"] as? String == "stripe:cus_anna")
                let entries = try #require(try history.json()["entries"] as? [[String: Any]])
                let kinds = entries.compactMap { $0["kind"] as? String }
                let order = ["observed", "matched", "conflictDetected", "conflictResolved", "requested", "succeeded", "writeSettled"]
                let firsts = order.map { kind in kinds.firstIndex(of: kind) ?? -1 }
                #expect(!firsts.contains(-1) && firsts == firsts.sorted(), "every step, in this order: \(kinds)")
                let positions = entries.compactMap { $0["position"] as? Int }
                #expect(positions == positions.sorted())
                let matched = try #require(entries.first { $0["kind"] as? String == "matched" })
                #expect((matched["summary"] as? String)?.contains("email:anna@example.com") == true, "the normalised key")
                #expect((matched["summary"] as? String)?.contains("email ↔ email") == true, "the rule in force")
                #expect(matched["causationPosition"] as? Int == positions.first, "caused by the observation")
                let resolution = try #require(entries.first { $0["kind"] as? String == "conflictResolved" })
                #expect((resolution["actor"] as? String)?.hasPrefix("api-key:") == true)
                #expect((resolution["summary"] as? String)?.contains("city = 'Odense' (the source's value)") == true)
                let request = try #require(entries.first { $0["kind"] as? String == "requested" })
                #expect(request["requestId"] as? String == update.requestId.description)
                let changes = try #require(request["changes"] as? [[String: Any]])
                #expect(
                    changes.first?["field"] as? String == "city" && changes.first?["from"] as? String == "Vejle"
                        && changes.first?["to"] as? String == "Odense")
                let answer = try #require(entries.first { $0["kind"] as? String == "succeeded" })
                #expect((answer["summary"] as? String)?.hasPrefix("e-conomic answered") == true)

                let bo = try await client.get("/api/v1/customers/stripe/cus_bo/history", key: key).json()
                let boKinds = (bo["entries"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
                #expect(boKinds == ["observed", "creationRequested", "requested", "succeeded", "linked", "requested", "writtenBack"], "\(boKinds)")
                let created = (bo["entries"] as? [[String: Any]])?.first { $0["kind"] as? String == "succeeded" }
                #expect(created?["summary"] as? String == "e-conomic answered: created customer 77")

                let partner = try await client.get("/api/v1/customers/economic/77/history", key: key)
                #expect(partner.status == .ok, "known through its creation and link, though never observed")
                #expect((try partner.json()["entries"] as? [[String: Any]])?.first?["kind"] as? String == "creationRequested")

                let unknown = try await client.get("/api/v1/customers/stripe/cus_nobody/history", key: key)
                #expect(unknown.status == .notFound)
                #expect(unknown.errorCode == "unknown_customer")
                let otherTenant = try await client.get("/api/v1/customers/stripe/cus_anna/history", key: harness.globexKey)
                #expect(otherTenant.status == .notFound && otherTenant.errorCode == "unknown_customer", "tenant isolation")
                #expect(try await client.get("/api/v1/customers/paypal/x/history", key: key).status == .notFound)

                let cookie = try await client.login(key)
                let page = try await client.get("/ui/customers/stripe/cus_anna", cookie: cookie)
                #expect(page.status == .ok)
                #expect(page.text.contains("Matched automatically") && page.text.contains("Conflict resolved by api-key:"))
                #expect(page.text.contains("e-conomic answered"))
            }
        }
    }

    /// Appends an outbound outcome to its request's stream, as the worker records it.
    private static func record(_ event: SyncEvent, _ harness: ServerHarness) async throws {
        try await harness.store.append(
            [try EventCodec.encode(event, metadata: EventMetadata(actor: "system:outbound-worker"))], to: try StreamID(event.homeStream.rawValue),
            of: harness.acme, expecting: .any)
    }
}
