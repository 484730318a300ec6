public import EventStore
public import Foundation
public import PGClient

/// Where each tenant's catch-up from Stripe's events list stands (table `stripe_event_cursors`, in the tenant's
/// scope): the next read lists events created at or after ``Cursor/createdFrom``. Kept in the database, so a
/// restarted process goes on from where the last complete read left off.
public struct StripeEventCursors: Sendable {
    /// A tenant's cursor.
    public struct Cursor: Sendable, Hashable {
        /// The next read lists events created at or after this.
        public var createdFrom: Date
        /// When the last complete read ended.
        public var lastReadAt: Date?
        /// Events that read listed.
        public var lastReadListed: Int
        /// Events that read found new (not delivered by a webhook or read before).
        public var lastReadNew: Int
    }

    let pool: PGConnectionPool

    /// Makes the cursors over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// The tenant's cursor, or nil before its first complete read.
    /// - Throws: ``PGError``.
    public func cursor(of tenant: TenantID) async throws -> Cursor? {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                "SELECT created_from, last_read_at, last_read_listed, last_read_new FROM stripe_event_cursors"
            ).decode((Date, Date?, Int, Int).self).first
        }.map { Cursor(createdFrom: $0.0, lastReadAt: $0.1, lastReadListed: $0.2, lastReadNew: $0.3) }
    }

    /// Records a complete read: the cursor moves to `createdFrom` unless it already stands later (two processes
    /// reading at once never move it back).
    /// - Throws: ``PGError``.
    func advance(_ tenant: TenantID, to createdFrom: Date, listed: Int, new: Int) async throws {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.execute(
                """
                INSERT INTO stripe_event_cursors AS c (tenant_id, created_from, last_read_at, last_read_listed, last_read_new)
                VALUES (\(tenant.rawValue), \(createdFrom), now(), \(listed), \(new))
                ON CONFLICT (tenant_id) DO UPDATE SET created_from = greatest(c.created_from, excluded.created_from),
                    last_read_at = excluded.last_read_at, last_read_listed = excluded.last_read_listed,
                    last_read_new = excluded.last_read_new, updated_at = now()
                """)
        }
    }
}
