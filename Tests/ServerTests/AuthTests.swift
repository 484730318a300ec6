import Credentials
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Projections
import Prometheus
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("API keys and tenant isolation", .timeLimit(.minutes(5)))
struct AuthTests {
    @Test("no key, a malformed header, an unknown key and a revoked key are 401 with a JSON error")
    func unauthorized() async throws {
        try await ServerHarness.run { harness in
            let keys = harness.apiKeys
            let (revoked, _) = try await keys.create(tenant: harness.acme, name: "to revoke")
            #expect(try await keys.revoke(keyID: revoked.keyID, tenant: harness.acme))
            #expect(try await keys.revoke(keyID: revoked.keyID, tenant: harness.acme) == false, "revoking twice changes nothing")
            try await harness.withClient { client throws in
                let none = try await client.get("/api/v1/customers")
                #expect(none.status == .unauthorized)
                #expect(none.errorCode == "unauthorized")
                #expect(none.errorMessage?.contains("Authorization") == true)

                let basic = try await client.request(.get, "/api/v1/customers", headers: [.authorization: "Basic YWJjOmRlZg=="])
                #expect(basic.status == .unauthorized)
                #expect(basic.errorMessage?.contains("Bearer") == true)

                let unknown = try await client.get("/api/v1/customers", key: "ak_0123456789abcdef_notthesecret")
                #expect(unknown.status == .unauthorized)
                #expect(unknown.errorMessage == "invalid API key")

                // The right key id with a wrong secret is no better than an unknown key.
                let acmeID = String(harness.acmeKey.dropFirst(3).prefix(16))
                let wrongSecret = try await client.get("/api/v1/customers", key: "ak_\(acmeID)_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                #expect(wrongSecret.status == .unauthorized)

                let gone = try await client.get("/api/v1/customers", key: revoked.token)
                #expect(gone.status == .unauthorized)
                #expect(gone.errorMessage?.contains("revoked") == true)

                #expect(try await client.get("/api/v1/customers", key: harness.acmeKey).status == .ok)
            }
        }
    }

    @Test("keys are listed in the tenant's scope without hashes; only the system role reads hashes")
    func keyListing() async throws {
        try await ServerHarness.run { harness in
            let listed = try await harness.apiKeys.list(tenant: harness.acme)
            #expect(listed.map(\.name) == ["acme tests"])
            #expect(listed.allSatisfy { $0.tenant == "acme" })
            let error = await #expect(throws: PGError.self) {
                try await harness.store.pool.withTransaction(scope: .tenant(harness.acme)) { connection in
                    try await connection.query("SELECT secret_hash FROM api_keys")
                }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            let otherTenants = try await harness.store.pool.withTransaction(scope: .tenant(harness.acme)) { connection in
                try await connection.query("SELECT count(*) FROM api_keys WHERE tenant_id = 'globex'").singleValue(Int.self)
            }
            #expect(otherTenants == 0, "row-level security hides other tenants' keys")
            await #expect(throws: APIKeyStore.Error.self) { try await harness.apiKeys.create(tenant: try TenantID("nobody"), name: "x") }
        }
    }

    @Test("tenant A's key can neither see nor change tenant B's data, in every endpoint family")
    func isolation() async throws {
        try await ServerHarness.run { harness in
            try await harness.manualCreation(harness.globex)
            let bob = CustomerRef.stripe("cus_globex_bob")
            try await harness.observe(
                bob, ["name": "Bob of Globex", "email": "bob@globex.test", "address.city": "Springfield"], tenant: harness.globex)
            try await harness.observe(
                .economic(7), ["name": "Bob of Globex", "email": "bob@globex.test", "city": "Shelbyville", "currency": "DKK"], tenant: harness.globex)
            try await harness.observe(.stripe("cus_globex_carl"), ["name": "Carl"], tenant: harness.globex)
            let linked = try await harness.handler.selectPartner(
                source: bob, economic: .economic(7), tenant: harness.globex, metadata: ServerHarness.user)
            let link = try #require(
                linked.events.compactMap { event -> LinkID? in
                    if case .partnerLinked(let e) = event { return e.linkId } else { return nil }
                }.first)
            try await harness.settle()
            let globexEventsBefore = try await harness.events(of: harness.globex).count

            try await harness.withClient { client throws in
                let key = harness.acmeKey
                // Globex's own key sees its data.
                #expect(try await client.get("/api/v1/customers", key: harness.globexKey).json()["total"] as? Int == 3)

                // Reads
                #expect(try await client.get("/api/v1/customers", key: key).json()["total"] as? Int == 0)
                #expect(try await client.get("/api/v1/customers?search=Globex", key: key).json()["total"] as? Int == 0)
                #expect(try await client.get("/api/v1/customers/stripe/cus_globex_bob", key: key).status == .notFound)
                #expect(try await client.get("/api/v1/unpartnered?side=source", key: key).json()["total"] as? Int == 0)
                #expect(try await client.get("/api/v1/links", key: key).json()["total"] as? Int == 0)
                #expect(try await client.get("/api/v1/links/\(link)", key: key).status == .notFound)
                #expect(try await client.get("/api/v1/conflicts", key: key).jsonItems().isEmpty)
                #expect(try await client.get("/api/v1/match-failures", key: key).jsonItems().isEmpty)
                #expect(try await client.get("/api/v1/pending-creations", key: key).jsonArray().isEmpty)
                #expect(try await client.get("/api/v1/outbound/failures", key: key).jsonItems().isEmpty)
                let overview = try await client.get("/api/v1/overview", key: key).json()
                #expect(overview["synchronised"] as? Int == 0 && overview["conflicts"] as? Int == 0)
                #expect(try await client.get("/api/v1/settings", key: key).json()["version"] as? Int == 0, "acme's own settings, not globex's")

                // Commands on globex's customers and link are refused and change nothing.
                for path in [
                    "customers/stripe/cus_globex_carl/exclude", "customers/stripe/cus_globex_carl/create-partner", "links/\(link)/stop",
                    "links/\(link)/unlink",
                ] {
                    let response = try await client.post("/api/v1/\(path)", key: key)
                    #expect(!(200..<300).contains(Int(response.status.code)), "\(path) answered \(response.status)")
                }
                let select = try await client.post("/api/v1/links", key: key, json: #"{"source":"stripe:cus_globex_carl","economic":"economic:7"}"#)
                #expect(select.status == .conflict)
                let resolve = try await client.post("/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{"city":{"keep":"source"}}}"#)
                #expect(resolve.status == .conflict)
                let settings = try await client.request(
                    .put, "/api/v1/settings", key: key,
                    json: #"{"expectedVersion":1,"settings":{"matchFields":[{"source":"phone","economic":"telephoneAndFaxNumber"}]}}"#)
                #expect(settings.status == .conflict, "globex is at version 1, acme at 0: acme's key edits acme's settings only")
            }
            #expect(try await harness.events(of: harness.globex).count == globexEventsBefore, "nothing was appended to globex")
            #expect(try await harness.handler.settings(of: harness.globex).createPolicy == .manual)
        }
    }
}
