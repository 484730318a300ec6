public import ArgumentParser
public import Credentials
import EventStore
import Foundation

/// `accord tenant user add|list|remove`: the people who log in to the web UI with a password.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the people who log in to a tenant's web UI with an e-mail address and password.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person. Without --password-stdin a password is made and shown once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Argument(help: "The e-mail address they log in with.") var email: String
        @Option(help: "admin (changes settings, connections, partners and people) or viewer (reads only).") var role: UserRole = .viewer
        @Flag(help: "Read the password from the first line of standard input (at least 12 characters).") var passwordStdin = false

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let password: String
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no password on standard input") }
                password = line
            } else {
                password = SecureRandom.bytes(15).base64URLString
            }
            let logger = global.makeLogger("accord.tenant")
            do {
                let user = try await withPool(global, logger: logger, maxConnections: 1) { pool in
                    try await UserStore(pool: pool).add(email: email, password: password, role: role, tenant: tenantID)
                }
                print("added \(user.email) to \(tenantID) as \(user.role.rawValue)")
                if !passwordStdin { print("password (shown once; they log in at /login with it): \(password)") }
            } catch let error as UserStore.Error {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's people (never their passwords).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.tenant")
            let users = try await withPool(global, logger: logger, maxConnections: 1) { try await UserStore(pool: $0).list(tenant: tenantID) }
            for user in users { print("\(user.email)\t\(user.role.rawValue)\tadded \(user.createdAt)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a person (their sessions end).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant.") var tenant: String
        @Argument(help: "Their e-mail address.") var email: String

        func run() async throws {
            let tenantID = try TenantID(tenant)
            let logger = global.makeLogger("accord.tenant")
            let removed = try await withPool(global, logger: logger, maxConnections: 1) { pool in
                let store = UserStore(pool: pool)
                let address = try UserStore.normalized(email)
                guard let user = try await store.list(tenant: tenantID).first(where: { $0.email == address }) else { return false }
                return try await store.remove(userID: user.userID, tenant: tenantID)
            }
            guard removed else { throw ValidationError("tenant \(tenantID) has no user \(email)") }
            print("removed \(email)")
        }
    }
}

extension UserRole: ExpressibleByArgument {}
