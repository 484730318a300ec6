import Credentials
import EventStore
import Foundation
import PostgresTestSupport
import Testing

@testable import Runtime

/// The webhook endpoint's secrets, held in memory by `accord serve` so that deliveries are verified before any
/// database work.
@Suite("webhook secrets in memory", .timeLimit(.minutes(5)))
struct WebhookSecretDirectoryTests {
    @Test("every tenant's secrets are loaded once, answered from memory, and a changed secret arrives with the next refresh")
    func loadedAndRefreshed() async throws {
        try await TestDatabase.with { database in
            try await database.withPool { pool in
                let acme = try await database.addTenant("acme", pool: pool)
                let globex = try await database.addTenant("globex", pool: pool)
                let credentials = CredentialStore(pool: pool, cipher: CredentialCipher(current: MasterKey.generate()), logger: database.logger)
                try await credentials.setStripe(.init(secretKey: Secret("sk_test_acme"), webhookSecrets: [Secret("whsec_acme_1")]), for: acme)
                try await credentials.setStripe(.init(secretKey: Secret("sk_test_globex")), for: globex)
                let directory = WebhookSecretDirectory(credentials: credentials, logger: database.logger)

                #expect(try await directory.webhookSecrets(for: acme) == ["whsec_acme_1"])
                #expect(try await directory.webhookSecrets(for: globex).isEmpty, "connected to Stripe, no webhook endpoint")
                #expect(try await directory.webhookSecrets(for: try TenantID("nobody")).isEmpty)

                // Rolled: both secrets; answered from what was loaded until the next refresh.
                try await credentials.setStripe(
                    .init(secretKey: Secret("sk_test_acme"), webhookSecrets: [Secret("whsec_acme_1"), Secret("whsec_acme_2")]), for: acme)
                try await credentials.setStripe(.init(secretKey: Secret("sk_test_globex"), webhookSecrets: [Secret("whsec_globex")]), for: globex)
                #expect(try await directory.webhookSecrets(for: acme) == ["whsec_acme_1"])
                try await directory.refresh()
                #expect(try await directory.webhookSecrets(for: acme) == ["whsec_acme_1", "whsec_acme_2"])
                #expect(try await directory.webhookSecrets(for: globex) == ["whsec_globex"])

                // A tenant that just got its first secret is found by the lookup itself, once a second has passed since
                // the last refresh (so that lookups for made-up tenants cost at most one query a second).
                let initech = try await database.addTenant("initech", pool: pool)
                try await credentials.setStripe(.init(secretKey: Secret("sk_test_initech"), webhookSecrets: [Secret("whsec_initech")]), for: initech)
                try await Task.sleep(for: WebhookSecretDirectory.missRefreshGap)
                #expect(try await directory.webhookSecrets(for: initech) == ["whsec_initech"])

                // Removed: gone at the next refresh.
                try await credentials.setStripe(nil, for: globex)
                try await directory.refresh()
                #expect(try await directory.webhookSecrets(for: globex).isEmpty)
            }
        }
    }
}
