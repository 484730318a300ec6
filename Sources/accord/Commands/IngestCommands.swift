import ArgumentParser
import Connectors
import Credentials
import EventStore
import Foundation
import Ingest
import Logging
import PGClient
import SyncDomain
import SyncEngine

/// Builds a command handler on a pool (for one-shot commands).
func makeHandler(_ pool: PGConnectionPool, logger: Logger) -> CommandHandler {
    let store = EventStore(pool: pool, logger: logger)
    return CommandHandler(store: store, cache: TenantStateCache(store: store), logger: logger)
}

/// `accord stripe backfill --tenant T`.
struct StripeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stripe", abstract: "Work with a tenant's Stripe account.", subcommands: [Backfill.self])

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every Stripe customer of a tenant and record each as observed (webhooks keep them current afterwards).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.stripe")
            let cipher = try CredentialCipher.fromEnvironment()
            let result = try await withPool(global, logger: logger, maxConnections: 3) { pool in
                guard let stripe = try await CredentialStore(pool: pool, cipher: cipher, logger: logger).load(tenantID)?.stripe else {
                    throw ValidationError("tenant \(tenantID) has no Stripe connection (accord tenant connect stripe \(tenantID) …)")
                }
                let client = StripeClient(configuration: StripeConfiguration(apiBase: stripe.apiBase, secretKey: stripe.secretKey.revealed))
                let bar = ProgressBar(label: "stripe backfill", unit: "customers")
                let ingest = StripeIngest(handler: makeHandler(pool, logger: logger), logger: logger)
                let result = try await ingest.backfill(client: client, tenant: tenantID) {
                    bar.update(done: $0, total: $0, rate: 0)
                }
                return result
            }
            print("read \(result.read) Stripe customers; \(result.changed) new or changed")
        }
    }
}

/// `accord economic read --tenant T`.
struct EconomicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "economic", abstract: "Work with a tenant's e-conomic agreement.", subcommands: [Read.self])

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every e-conomic customer of a tenant and record each as observed (deletions in e-conomic too).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.economic")
            let cipher = try CredentialCipher.fromEnvironment()
            let pass = try await withPool(global, logger: logger, maxConnections: 3) { pool in
                guard let economic = try await CredentialStore(pool: pool, cipher: cipher, logger: logger).load(tenantID)?.economic else {
                    throw ValidationError("tenant \(tenantID) has no e-conomic connection (accord tenant connect economic \(tenantID) …)")
                }
                let client = EconomicClient(
                    configuration: .init(
                        baseURL: economic.baseURL, appSecretToken: economic.appSecretToken.revealed, agreementGrantToken: economic.agreementGrantToken.revealed))
                let bar = ProgressBar(label: "e-conomic read", unit: "customers")
                let ingest = EconomicIngest(handler: makeHandler(pool, logger: logger), store: EventStore(pool: pool, logger: logger), logger: logger)
                return try await ingest.pass(client: client, tenant: tenantID, since: nil) {
                    bar.update(done: $0, total: $1, rate: 0, final: $0 == $1)
                }
            }
            print(
                "read \(pass.read) e-conomic customers; \(pass.changed) new or changed, \(pass.deleted) deleted"
                    + (pass.missedByPaging > 0 ? " (\(pass.missedByPaging) more found one by one: the list shifted while it was read)" : ""))
        }
    }
}

/// `accord settings show|set`.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Show or change a tenant's sync settings (JSON).", subcommands: [Show.self, Save.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the tenant's settings as JSON (edit it and pass it to `set`).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.settings")
            let settings = try await withPool(global, logger: logger, maxConnections: 2) { try await makeHandler($0, logger: logger).settings(of: tenantID) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(settings), as: UTF8.self))
        }
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Save settings from a JSON file; its \"version\" must be the current version (the edit is refused if someone saved since).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String
        @Argument(help: "The settings JSON file.") var file: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.settings")
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let settings: TenantSettings
            do {
                settings = try JSONDecoder().decode(TenantSettings.self, from: data)
            } catch {
                throw ValidationError("\(file) is not valid settings JSON: \(error)")
            }
            try await withPool(global, logger: logger, maxConnections: 2) { pool in
                try await makeHandler(pool, logger: logger).updateSettings(
                    settings, expectedVersion: settings.version, tenant: tenantID, metadata: CommandMetadata(actor: "cli"))
            }
            print("saved settings version \(settings.version + 1) for \(tenantID)")
        }
    }
}
