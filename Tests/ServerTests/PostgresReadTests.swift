import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("reads end to end over PostgreSQL", .timeLimit(.minutes(5)))
struct PostgresReadTests {
    @Test("every read of the API and the pages answers from the projections' queries, the log and the inbox in PostgreSQL")
    func everyRead() async throws {
        try await ServerHarness.run { harness in
            // A linked pair with a conflict, a match failure, an unpartnered e-conomic customer, and a partner being
            // created whose request was abandoned.
            try await harness.manualCreation()
            let anna = CustomerRef.stripe("cus_anna")
            try await harness.observe(anna, ["name": "Anna Jensen", "email": "anna@example.com", "address.city": "Odense"])
            try await harness.observe(.economic(1), ["name": "Anna Jensen", "email": "anna@example.com", "city": "Vejle", "currency": "DKK"])
            try await harness.handler.selectPartner(source: anna, economic: .economic(1), tenant: harness.acme, metadata: ServerHarness.user)
            try await harness.observe(.stripe("cus_nomail"), ["name": "No Mail & Co"])
            try await harness.observe(.economic(2), ["name": "Economic Only", "email": "only@example.com", "currency": "DKK"])
            try await harness.observe(.stripe("cus_bo"), ["name": "Bo", "email": "bo@example.com"])
            let created = try await harness.handler.createPartner(
                .stripe("cus_bo"), numbering: .explicit(number: 500), tenant: harness.acme, metadata: ServerHarness.user)
            let request = try #require(
                created.events.compactMap { event -> RequestID? in
                    if case .economicWriteRequested(let write) = event { write.requestId } else { nil }
                }.first)
            let abandoned = try SyncEvent.outboundAbandoned(
                OutboundAbandoned(requestId: request, attempts: 5, error: OutboundError(httpStatus: 400, message: "Name is required"))
            ).encode()
            try await harness.store.append(
                [NewEvent(type: abandoned.type, data: PGJSON(text: String(decoding: abandoned.data, as: UTF8.self)))],
                to: try StreamID(StreamName.outbound(request).rawValue), of: harness.acme, expecting: .exactly(1))
            try await harness.settle()

            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let overview = try await client.get("/api/v1/overview", key: key).json()
                #expect(overview["synchronised"] as? Int == 1 && overview["conflicts"] as? Int == 1 && overview["conflictingFields"] as? Int == 1)
                #expect(overview["unpartneredSource"] as? Int == 1 && overview["unpartneredEconomic"] as? Int == 1)
                #expect(overview["matchFailures"] as? Int == 1 && overview["pendingCreations"] as? Int == 1)
                #expect(overview["outboundFailures"] as? Int == 1 && overview["inboxPending"] as? Int == 0 && overview["excluded"] as? Int == 0)

                let sources = try await client.get("/api/v1/customers?side=source&search=anna", key: key).json()
                #expect(sources["total"] as? Int == 1)
                let detail = try await client.get("/api/v1/customers/stripe/cus_anna", key: key).json()
                #expect((detail["link"] as? [String: Any])?["economic"] as? String == "economic:1")
                #expect((detail["conflicts"] as? [[String: Any]])?.map { $0["field"] as? String } == ["city"])
                #expect((detail["history"] as? [[String: Any]])?.first?["type"] as? String == "CustomerObserved")

                let unpartnered = try await client.get("/api/v1/unpartnered?side=economic", key: key).json()
                #expect((unpartnered["items"] as? [[String: Any]])?.map { $0["ref"] as? String } == ["economic:2"])
                let failed = try await client.get("/api/v1/match-failures", key: key).json()
                #expect((failed["items"] as? [[String: Any]])?.map { $0["ref"] as? String } == ["stripe:cus_nomail"])
                #expect(failed["total"] as? Int == 1 && failed["limit"] as? Int == 50 && failed["offset"] as? Int == 0)
                let beyond = try await client.get("/api/v1/match-failures?offset=1", key: key).json()
                #expect((beyond["items"] as? [[String: Any]])?.isEmpty == true && beyond["total"] as? Int == 1, "a page past the end, with the total")

                let links = try await client.get("/api/v1/links", key: key).json()
                #expect(links["total"] as? Int == 1)
                let link = try #require((links["items"] as? [[String: Any]])?.first?["linkId"] as? String)
                #expect(try await client.get("/api/v1/links/\(link)", key: key).json()["source"] as? String == "stripe:cus_anna")
                let conflicts = try await client.get("/api/v1/conflicts", key: key).jsonItems()
                let conflictPage = try await client.get("/api/v1/conflicts?limit=1&offset=1", key: key).json()
                #expect((conflictPage["items"] as? [[String: Any]])?.isEmpty == true && conflictPage["total"] as? Int == 1, "paged by pair")
                #expect(conflicts.map { $0["linkId"] as? String } == [link])
                #expect(conflicts.first?["source"] as? String == "stripe:cus_anna" && conflicts.first?["economic"] as? String == "economic:1")

                #expect(try await client.get("/api/v1/pending-creations", key: key).jsonArray().map { $0["customerNumber"] as? Int } == [500])
                let failures = try await client.get("/api/v1/outbound/failures", key: key).jsonItems()
                #expect(failures.map { $0["state"] as? String } == ["abandoned"])
                #expect(failures.first?["customer"] as? String == "stripe:cus_bo")
                let failurePage = try await client.get("/api/v1/outbound/failures?limit=1&offset=1", key: key).json()
                #expect((failurePage["items"] as? [[String: Any]])?.isEmpty == true && failurePage["total"] as? Int == 1, "paged, with the total")
                #expect(try await client.get("/api/v1/overview", key: key).json()["outboundFailures"] as? Int == 1)
                #expect(try await client.get("/api/v1/webhooks/inbox", key: key).jsonArray().isEmpty)

                let cookie = try await client.login(key)
                let synchronised = try await client.get("/ui/synchronised", cookie: cookie)
                #expect(synchronised.status == .ok)
                #expect(synchronised.text.contains("Anna Jensen"), "names come from the customers read model")
            }
        }
    }
}
