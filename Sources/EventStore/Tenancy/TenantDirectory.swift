public import Foundation
public import PGClient

/// The tenants table: create and list tenants (system scope). Secrets are stored elsewhere, encrypted.
public struct TenantDirectory: Sendable {
    /// A tenant as listed.
    public struct Tenant: Sendable, Hashable {
        /// Its id.
        public var id: TenantID
        /// Its display name.
        public var name: String
        /// When it was added.
        public var createdAt: Date
    }

    let pool: PGConnectionPool

    /// Makes a directory over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Adds a tenant.
    /// - Throws: ``EventStoreError`` with code `invalidEvent` for a bad name, or `duplicateTenant`.
    public func add(_ id: TenantID, name: String) async throws {
        guard (1...200).contains(name.count) else {
            throw EventStoreError(code: .invalidEvent, message: "a tenant name must have 1 to 200 characters", tenant: id)
        }
        do {
            try await pool.withTransaction(scope: .system) { connection in
                try await connection.execute("INSERT INTO tenants (id, name) VALUES (\(id.rawValue), \(name))")
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            throw EventStoreError(code: .duplicateTenant, message: "tenant \(id) already exists", tenant: id, underlying: error)
        }
    }

    /// Every tenant, by id.
    /// - Throws: ``PGError`` from the database.
    public func list() async throws -> [Tenant] {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT id, name, created_at FROM tenants ORDER BY id").decode((String, String, Date).self)
        }.map { Tenant(id: try TenantID($0.0), name: $0.1, createdAt: $0.2) }
    }

    /// Whether a tenant exists.
    /// - Throws: ``PGError`` from the database.
    public func contains(_ id: TenantID) async throws -> Bool {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = \(id.rawValue))").singleValue(Bool.self) ?? false
        }
    }
}
