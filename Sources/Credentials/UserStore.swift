public import EventStore
public import Foundation
import HummingbirdBcrypt
import NIOPosix
public import PGClient

/// The people of a tenant who log in to the web UI with an e-mail address and a password (table `tenant_users`),
/// each with a ``UserRole``. Only a bcrypt hash of a password is stored; hashing and checking run on NIO's thread
/// pool, never on the cooperative pool (a check costs a few hundred milliseconds of CPU at the default cost, by
/// design).
///
/// Adding, removing and checking run in the system scope (only it reads hashes); listing runs in the tenant's scope,
/// which sees every column but the hash.
public struct UserStore: Sendable {
    /// A user as listed (never the hash).
    public struct User: Sendable, Hashable, Codable {
        /// The user's id (`u_` and 16 hex digits).
        public var userID: String
        /// The tenant.
        public var tenant: String
        /// The e-mail address they log in with (lower-case).
        public var email: String
        /// What they may do.
        public var role: UserRole
        /// When they were added.
        public var createdAt: Date
    }

    /// Why adding or changing a user was refused: a message a person can act on.
    public struct Error: Swift.Error, Sendable, CustomStringConvertible, Equatable {
        /// The message.
        public var description: String

        /// Makes an error with its message.
        public init(description: String) { self.description = description }
    }

    /// The outcome of a login attempt.
    public enum Verdict: Sendable, Hashable {
        /// The password is right.
        case valid(tenant: TenantID, userID: String, role: UserRole)
        /// No user has that address, or the password is wrong (not told apart).
        case unknown
    }

    /// The shortest password accepted.
    public static let minimumPasswordLength = 12
    /// The longest: bcrypt reads the first 72 bytes only, so a longer one would be accepted by its first 72 alone.
    public static let maximumPasswordBytes = 72

    let pool: PGConnectionPool
    let cost: UInt8

    /// Makes a store over a pool.
    /// - Parameter cost: bcrypt's cost for new hashes (2^cost rounds; 12 by default — lower only in tests). Checks
    ///   use the cost stored in each hash.
    public init(pool: PGConnectionPool, cost: UInt8 = 12) {
        self.pool = pool
        self.cost = cost
    }

    /// Adds a user to a tenant.
    /// - Returns: the user as listed.
    /// - Throws: ``Error`` for an address that is not one or is taken, a password that is too short or too long, or
    ///   an unknown tenant; ``PGError`` otherwise.
    public func add(email: String, password: String, role: UserRole, tenant: TenantID) async throws -> User {
        let email = try Self.normalized(email)
        try Self.check(password)
        let hash = try await Self.hash(password, cost: cost)
        let userID = "u_" + SecureRandom.bytes(8).map { String(format: "%02x", $0) }.joined()
        do {
            let created = try await pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    INSERT INTO tenant_users (tenant_id, user_id, email, role, password_hash)
                    VALUES (\(tenant.rawValue), \(userID), \(email), \(role.rawValue), \(hash)) RETURNING created_at
                    """
                ).singleValue(Date.self)
            }
            return User(userID: userID, tenant: tenant.rawValue, email: email, role: role, createdAt: created ?? Date())
        } catch let error as PGError where error.sqlState == .foreignKeyViolation {
            throw Error(description: "tenant \(tenant) does not exist")
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            throw Error(description: "another login already uses \(email)")
        }
    }

    /// Sets a user's password (an admin resetting it); the user's open sessions end.
    /// - Returns: false when the tenant has no such user.
    /// - Throws: ``Error`` for a password that is too short or too long; ``PGError``.
    @discardableResult
    public func setPassword(_ password: String, userID: String, tenant: TenantID) async throws -> Bool {
        try Self.check(password)
        let hash = try await Self.hash(password, cost: cost)
        return try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("DELETE FROM web_sessions WHERE tenant_id = \(tenant.rawValue) AND user_id = \(userID)")
            return try await connection.execute(
                "UPDATE tenant_users SET password_hash = \(hash) WHERE tenant_id = \(tenant.rawValue) AND user_id = \(userID)")
        } > 0
    }

    /// Removes a user; their open sessions end with them.
    /// - Returns: false when the tenant has no such user.
    /// - Throws: ``PGError``.
    @discardableResult
    public func remove(userID: String, tenant: TenantID) async throws -> Bool {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("DELETE FROM tenant_users WHERE tenant_id = \(tenant.rawValue) AND user_id = \(userID)")
        } > 0
    }

    /// A tenant's users by e-mail address (in the tenant's scope: hashes are not readable there).
    /// - Throws: ``PGError``.
    public func list(tenant: TenantID) async throws -> [User] {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT user_id, tenant_id, email, role, created_at FROM tenant_users ORDER BY email")
                .decode((String, String, String, String, Date).self)
        }.map { User(userID: $0.0, tenant: $0.1, email: $0.2, role: UserRole(rawValue: $0.3) ?? .viewer, createdAt: $0.4) }
    }

    /// Checks an e-mail address and password. An address without a user costs the same hash check as a wrong
    /// password, so the answer's timing does not tell which addresses have a login.
    /// - Throws: ``PGError``.
    public func authenticate(email: String, password: String) async throws -> Verdict {
        guard let email = try? Self.normalized(email), password.utf8.count <= Self.maximumPasswordBytes else { return .unknown }
        let rows = try await pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT tenant_id, user_id, role, password_hash FROM tenant_users WHERE email = \(email)")
                .decode((String, String, String, String).self)
        }
        guard let (tenant, userID, role, hash) = rows.first else {
            _ = try await Self.verify(password, hash: Self.decoyHash)
            return .unknown
        }
        guard try await Self.verify(password, hash: hash), let role = UserRole(rawValue: role) else { return .unknown }
        return .valid(tenant: try TenantID(tenant), userID: userID, role: role)
    }

    /// An address in its stored form (trimmed, lower-case).
    /// - Throws: ``Error`` when it is not an e-mail address.
    public static func normalized(_ email: String) throws -> String {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...254).contains(email.utf8.count), parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !email.contains(where: \.isWhitespace)
        else { throw Error(description: "\"\(email)\" is not an e-mail address") }
        return email
    }

    /// Refuses a password that is too short or too long.
    static func check(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw Error(description: "a password needs at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= maximumPasswordBytes else {
            throw Error(description: "a password may have at most \(maximumPasswordBytes) bytes (bcrypt reads no more)")
        }
    }

    /// A hash no password opens, checked when no user has the address (its cost is the default's).
    static let decoyHash = Bcrypt.hash(SecureRandom.bytes(32).base64URLString, cost: 12)

    static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
