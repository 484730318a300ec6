import ArgumentParser
import EventStore
import Foundation

/// `accord tenant add|list`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants (companies whose customers Accord syncs).",
        subcommands: [Add.self, List.self, TenantConnectCommand.self, TenantConnectionsCommand.self, APIKeyCommand.self, UserCommand.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tenant.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Tenant id: 1-63 lower-case letters, digits, '-' or '_'.")
        var id: String

        @Option(help: "Display name (default: the id).")
        var name: String?

        func run() async throws {
            let tenant = try TenantID(id)
            let logger = global.makeLogger("accord.tenant")
            try await withPool(global, logger: logger, maxConnections: 1) { pool in
                try await TenantDirectory(pool: pool).add(tenant, name: name ?? id)
            }
            print("added tenant \(tenant)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let logger = global.makeLogger("accord.tenant")
            let tenants = try await withPool(global, logger: logger, maxConnections: 1) { pool in
                try await TenantDirectory(pool: pool).list()
            }
            for tenant in tenants { print("\(tenant.id)\t\(tenant.name)\t\(tenant.createdAt)") }
        }
    }
}
