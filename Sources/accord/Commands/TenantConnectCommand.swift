import ArgumentParser
import Credentials
import EventStore
import Foundation
import Logging

/// `accord tenant connect economic|stripe T …`, `accord tenant connections`, `accord tenant api-key …`.
struct TenantConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Store a tenant's connection to e-conomic or Stripe (secrets are encrypted with ACCORD_MASTER_KEY).",
        subcommands: [Economic.self, Stripe.self])

    struct Economic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a tenant to e-conomic.",
            discussion: "Tokens can also come from ECONOMIC_APP_SECRET_TOKEN and ECONOMIC_AGREEMENT_GRANT_TOKEN (safer than arguments, which other users may see).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Option(help: "e-conomic's REST base URL.") var baseURL = "https://restapi.e-conomic.com"
        @Option(help: "The app's X-AppSecretToken.") var appSecretToken: String?
        @Option(help: "The agreement's X-AgreementGrantToken.") var agreementGrantToken: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard let app = appSecretToken ?? environment["ECONOMIC_APP_SECRET_TOKEN"],
                let grant = agreementGrantToken ?? environment["ECONOMIC_AGREEMENT_GRANT_TOKEN"]
            else { throw ValidationError("give --app-secret-token and --agreement-grant-token (or their environment variables)") }
            let tenantID = try TenantID(tenant)
            try await withCredentials(global) { store in
                try await store.setEconomic(.init(baseURL: baseURL, appSecretToken: Secret(app), agreementGrantToken: Secret(grant)), for: tenantID)
            }
            print("connected \(tenantID) to e-conomic at \(baseURL)")
        }
    }

    struct Stripe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a tenant to Stripe.",
            discussion: "The key and webhook secrets can also come from STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Option(help: "Stripe's API base URL.") var apiBase = "https://api.stripe.com"
        @Option(help: "The secret API key (sk_…).") var secretKey: String?
        @Option(help: "A webhook endpoint secret (whsec_…); repeat while rolling secrets.") var webhookSecret: [String] = []

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard let key = secretKey ?? environment["STRIPE_SECRET_KEY"] else { throw ValidationError("give --secret-key (or STRIPE_SECRET_KEY)") }
            let secrets = webhookSecret.isEmpty ? environment["STRIPE_WEBHOOK_SECRET"].map { [$0] } ?? [] : webhookSecret
            let tenantID = try TenantID(tenant)
            try await withCredentials(global) { store in
                try await store.setStripe(.init(apiBase: apiBase, secretKey: Secret(key), webhookSecrets: secrets.map(Secret.init)), for: tenantID)
            }
            print("connected \(tenantID) to Stripe at \(apiBase) (\(secrets.count) webhook secret(s))")
        }
    }
}

struct TenantConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connections", abstract: "List tenants' connections (never their secrets).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let summaries = try await withCredentials(global) { try await $0.list() }
        for summary in summaries { print(summary) }
        if summaries.isEmpty { print("no tenant has connections yet (accord tenant connect …)") }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Manage a tenant's API keys (for the API and the web UI).", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is shown once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Option(help: "A name to recognise the key by.") var name = "default"

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.tenant")
            let (key, info) = try await withPool(global, logger: logger, maxConnections: 1) { pool in
                try await APIKeyStore(pool: pool).create(tenant: tenantID, name: name)
            }
            print("API key \(info.keyID) for \(tenantID) (\(info.name)) — store it now, it is not shown again:")
            print(key.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (ids only).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.tenant")
            let keys = try await withPool(global, logger: logger, maxConnections: 1) { try await APIKeyStore(pool: $0).list(tenant: tenantID) }
            for key in keys { print("\(key.keyID)\t\(key.name)\tcreated \(key.createdAt)\(key.revokedAt.map { "\trevoked \($0)" } ?? "")") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key (its sessions end too).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Argument(help: "The key id.") var keyID: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.tenant")
            let revoked = try await withPool(global, logger: logger, maxConnections: 1) { try await APIKeyStore(pool: $0).revoke(keyID: keyID, tenant: tenantID) }
            guard revoked else { throw ValidationError("tenant \(tenantID) has no active key \(keyID)") }
            print("revoked \(keyID)")
        }
    }
}

/// Runs `body` with the credential store (needs ACCORD_MASTER_KEY).
func withCredentials<Result>(_ global: GlobalOptions, _ body: (CredentialStore) async throws -> Result) async throws -> Result {
    let logger = global.makeLogger("accord.credentials")
    let cipher = try CredentialCipher.fromEnvironment()
    return try await withPool(global, logger: logger, maxConnections: 1) { pool in
        try await body(CredentialStore(pool: pool, cipher: cipher, logger: logger))
    }
}
