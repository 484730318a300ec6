import Credentials
import EventStore
import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Testing

@Suite("tenant credentials", .timeLimit(.minutes(5)))
struct CredentialsTests {
    static let appSecret = "app-secret-SENTINEL-1f3a9c"
    static let grant = "grant-SENTINEL-77b2e0"
    static let stripeKey = "sk_test_SENTINEL4c1d2e3f"
    static let webhookSecrets = ["whsec_SENTINELold0001", "whsec_SENTINELnew0002"]
    static let allSecrets = [appSecret, grant, stripeKey] + webhookSecrets

    static func connections(_ tenant: TenantID) -> TenantConnections {
        TenantConnections(
            tenant: tenant,
            economic: .init(baseURL: "http://127.0.0.1:8089", appSecretToken: Secret(appSecret), agreementGrantToken: Secret(grant)),
            stripe: .init(apiBase: "http://127.0.0.1:8420", secretKey: Secret(stripeKey), webhookSecrets: webhookSecrets.map(Secret.init)))
    }

    @Test("connections saved are loaded back identical, the secrets stored only encrypted")
    func roundTrip() async throws {
        try await withOutboundStore { store, database, acme, globex in
            let key = MasterKey.generate()
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: key), logger: database.logger)
            #expect(try await credentials.load(acme) == nil)
            try await credentials.save(Self.connections(acme))
            let loaded = try #require(try await credentials.load(acme))
            #expect(loaded.economic == Self.connections(acme).economic)
            #expect(loaded.stripe == Self.connections(acme).stripe)
            #expect(loaded.stripe?.webhookSecrets.map(\.revealed) == Self.webhookSecrets)
            #expect(loaded.keyID == key.id)
            #expect(try await credentials.load(globex) == nil)

            // Partial changes keep the other connection; removing both removes the row.
            try await credentials.setStripe(nil, for: acme)
            let economicOnly = try #require(try await credentials.load(acme))
            #expect(economicOnly.stripe == nil)
            #expect(economicOnly.economic?.agreementGrantToken.revealed == Self.grant)
            try await credentials.setStripe(.init(apiBase: "https://api.stripe.com", secretKey: Secret("sk_test_other")), for: globex)
            let summaries = try await credentials.list()
            #expect(summaries.map(\.tenant) == [acme, globex])
            #expect(summaries[0].economicBaseURL == "http://127.0.0.1:8089" && summaries[0].stripeAPIBase == nil)
            #expect(summaries[1].economicBaseURL == nil && summaries[1].stripeAPIBase == "https://api.stripe.com")
            try await credentials.setEconomic(nil, for: acme)
            #expect(try await credentials.load(acme) == nil)

            // The table holds ciphertext only.
            try await credentials.save(Self.connections(acme))
            let stored = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT encode(economic_app_secret_token, 'escape') || encode(economic_agreement_grant_token, 'escape')
                        || encode(stripe_secret_key, 'escape') || encode(stripe_webhook_secrets, 'escape')
                    FROM tenant_connections WHERE tenant_id = 'acme'
                    """
                ).singleValue(String.self) ?? ""
            }
            #expect(!stored.isEmpty)
            for secret in Self.allSecrets { #expect(!stored.contains(secret)) }
            #expect(!stored.contains("SENTINEL"))
        }
    }

    @Test("a missing, malformed or wrong master key is refused with a clear error that names no secret")
    func wrongKey() async throws {
        #expect(throws: CredentialError.self) { try MasterKey.fromEnvironment([:]) }
        do {
            _ = try MasterKey.fromEnvironment([:])
        } catch {
            #expect(error.code == .masterKeyMissing)
            #expect(error.description.contains("ACCORD_MASTER_KEY is not set"))
        }
        do {
            _ = try MasterKey.fromEnvironment(["ACCORD_MASTER_KEY": "not base64!"])
            Issue.record("a malformed key was accepted")
        } catch {
            #expect(error.code == .masterKeyInvalid)
        }
        do {
            _ = try MasterKey.fromEnvironment(["ACCORD_MASTER_KEY": Data(repeating: 7, count: 16).base64EncodedString()])
            Issue.record("a 128-bit key was accepted")
        } catch {
            #expect(error.code == .masterKeyInvalid)
            #expect(error.description.contains("32 bytes"))
        }
        let good = MasterKey.generate()
        #expect(try MasterKey.fromEnvironment(["ACCORD_MASTER_KEY": good.exportBase64()]).id == good.id)

        try await withOutboundStore { store, database, acme, _ in
            let right = MasterKey.generate()
            let wrong = MasterKey.generate()
            try await CredentialStore(pool: store.pool, cipher: CredentialCipher(current: right), logger: database.logger)
                .save(Self.connections(acme))
            let misconfigured = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: wrong), logger: database.logger)
            do {
                _ = try await misconfigured.load(acme)
                Issue.record("secrets sealed with another key were opened")
            } catch let error as CredentialError {
                #expect(error.code == .wrongMasterKey)
                #expect(error.description.contains(right.id) && error.description.contains(wrong.id))
                #expect(!error.description.contains(right.exportBase64()) && !error.description.contains(wrong.exportBase64()))
                for secret in Self.allSecrets { #expect(!error.description.contains(secret)) }
            }
            // Changing one connection would need the other's secrets: refused too, and nothing is overwritten.
            await #expect(throws: CredentialError.self) {
                try await misconfigured.setStripe(nil, for: acme)
            }

            // Rotation: the new key as current, the old one as previous, then reseal.
            let rotated = CredentialStore(
                pool: store.pool, cipher: CredentialCipher(current: wrong, previous: [right]), logger: database.logger)
            #expect(try await rotated.load(acme)?.economic?.appSecretToken.revealed == Self.appSecret)
            #expect(try await rotated.reseal() == 1)
            #expect(try await misconfigured.load(acme)?.stripe?.secretKey.revealed == Self.stripeKey)
        }
    }

    @Test("a sealed value copied to another tenant or column does not open")
    func tampering() async throws {
        try await withOutboundStore { store, database, acme, globex in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.save(Self.connections(acme))
            try await credentials.save(Self.connections(globex))
            try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    """
                    UPDATE tenant_connections SET stripe_secret_key = (SELECT stripe_secret_key FROM tenant_connections WHERE tenant_id = 'acme')
                    WHERE tenant_id = 'globex'
                    """)
                try await connection.execute(
                    "UPDATE tenant_connections SET economic_app_secret_token = economic_agreement_grant_token WHERE tenant_id = 'acme'")
            }
            for tenant in [acme, globex] {
                do {
                    _ = try await credentials.load(tenant)
                    Issue.record("a moved ciphertext was opened for \(tenant)")
                } catch let error as CredentialError {
                    #expect(error.code == .decryptionFailed)
                }
            }
        }
    }

    @Test("secrets never appear in descriptions, dumps or logs")
    func redaction() async throws {
        try await withOutboundStore { store, _, acme, _ in
            let capture = LogCapture()
            let key = MasterKey.generate()
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: key), logger: capture.logger())
            let connections = Self.connections(acme)
            try await credentials.save(connections)
            let loaded = try #require(try await credentials.load(acme))
            try await credentials.setStripe(nil, for: acme)
            var dumped = ""
            dump(loaded, to: &dumped)
            var keyDump = ""
            dump(key, to: &keyDump)
            let texts = [
                connections.description, loaded.description, String(reflecting: loaded), "\(loaded)", dumped, keyDump,
                "\(loaded.economic!)", "\(loaded.stripe!)", "\(loaded.stripe!.webhookSecrets)", key.description, "\(credentials.cipher)",
                capture.text,
            ]
            for text in texts {
                for secret in Self.allSecrets + [key.exportBase64()] {
                    #expect(!text.contains(secret), "a secret leaked into: \(text)")
                }
            }
            #expect(loaded.description.contains("http://127.0.0.1:8089"))
            #expect(capture.text.contains("saved tenant connections"), "the store logs its changes (without secrets)")
        }
    }

    @Test("a tenant-scoped transaction can read neither the secrets nor another tenant's row")
    func rowLevelSecurity() async throws {
        try await withOutboundStore { store, database, acme, globex in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.save(Self.connections(acme))
            try await credentials.save(Self.connections(globex))
            for column in ["economic_app_secret_token", "economic_agreement_grant_token", "stripe_secret_key", "stripe_webhook_secrets"] {
                do {
                    try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                        _ = try await connection.query("SELECT \(unsafeRaw: column) FROM tenant_connections")
                    }
                    Issue.record("a tenant read \(column)")
                } catch let error as PGError {
                    #expect(error.sqlState == .insufficientPrivilege)
                }
            }
            let visible = try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                try await connection.query("SELECT tenant_id, economic_base_url FROM tenant_connections").decode((String, String?).self)
            }
            #expect(visible.map(\.0) == ["acme"])
            await #expect(throws: PGError.self) {
                try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                    try await connection.execute("UPDATE tenant_connections SET stripe_api_base = 'https://evil.example' WHERE tenant_id = 'globex'")
                }
            }
            let systemCount = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT count(*) FROM tenant_connections WHERE stripe_secret_key IS NOT NULL").singleValue(Int.self)
            }
            #expect(systemCount == 2)
            #expect(try await credentials.load(globex)?.stripe?.apiBase == "http://127.0.0.1:8420")
        }
    }

    @Test("incomplete connections are refused before anything is stored")
    func validation() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            for bad in [
                TenantConnections(tenant: acme, economic: .init(baseURL: "ftp://x", appSecretToken: Secret("a"), agreementGrantToken: Secret("b"))),
                TenantConnections(tenant: acme, economic: .init(appSecretToken: Secret(" "), agreementGrantToken: Secret("b"))),
                TenantConnections(tenant: acme, stripe: .init(secretKey: Secret(""))),
            ] {
                await #expect(throws: CredentialError.self) { try await credentials.save(bad) }
            }
            #expect(try await credentials.list().isEmpty)
            do {
                try await credentials.save(Self.connections(try TenantID("nobody")))
                Issue.record("connections of an unknown tenant were saved")
            } catch let error as CredentialError {
                #expect(error.code == .unknownTenant)
            }
        }
    }
}
