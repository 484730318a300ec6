public import PGClient

/// Which rows a transaction may see: one tenant's (row-level security applies) or all (cross-tenant workers).
///
/// A scope is set per transaction (`SET LOCAL ROLE` and the `accord.tenant_id` setting), so it ends with the
/// transaction and can never leak to the next task that leases the connection.
public enum DatabaseScope: Sendable, Hashable, CustomStringConvertible {
    /// One tenant: runs as role `accord_tenant` with `accord.tenant_id` set; other tenants' rows are invisible.
    case tenant(TenantID)
    /// Every tenant: runs as role `accord_system`, which bypasses row-level security. For projectors and workers only.
    case system

    /// The role tenant-scoped transactions run as.
    public static let tenantRole = "accord_tenant"
    /// The role cross-tenant transactions run as.
    public static let systemRole = "accord_system"

    /// `tenant:<id>` or `system`.
    public var description: String {
        switch self {
        case .tenant(let tenant): return "tenant:\(tenant)"
        case .system: return "system"
        }
    }

    /// The statement that sets the scope for the rest of the transaction (the first statement of a pipeline).
    var statement: PGQuery { statement(notifyAfterCommit: false) }

    /// The scope statement; with `notifyAfterCommit` the `events` trigger stays quiet because the writer
    /// notifies subscribers itself once the transaction has committed.
    func statement(notifyAfterCommit: Bool) -> PGQuery {
        let notify = notifyAfterCommit ? "on" : "off"
        switch self {
        case .tenant(let tenant):
            return """
                SELECT set_config('accord.tenant_id', \(tenant.rawValue), true), set_config('role', \(Self.tenantRole), true),
                       set_config('accord.notify_after_commit', \(notify), true)
                """
        case .system:
            return """
                SELECT set_config('accord.tenant_id', '', true), set_config('role', \(Self.systemRole), true),
                       set_config('accord.notify_after_commit', \(notify), true)
                """
        }
    }
}

extension PGConnectionPool {
    /// Runs `body` in a transaction limited to one tenant's rows (row-level security), committing on return.
    /// - Throws: `body`'s error, or ``PGError`` from the database.
    @discardableResult
    public func withTransaction<Result>(
        scope: DatabaseScope,
        isolation: PGIsolationLevel = .readCommitted,
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await withTransaction(isolation: isolation, prelude: [scope.statement], body)
    }

    /// Runs `queries` in the scope as one transaction in one round trip (libpq pipeline mode: the scope first, then
    /// the statements, committed at the end, none of them if one fails) and returns the statements' rows. For a write
    /// whose statements do not depend on each other's results: a busy process then waits for one answer, not three.
    /// - Throws: the first failing statement's ``PGError``.
    @discardableResult
    public func pipeline(scope: DatabaseScope, _ queries: [PGQuery]) async throws -> [PGRows] {
        try await withConnection { connection in Array(try await connection.pipeline([scope.statement] + queries).dropFirst()) }
    }
}

extension PGConnection {
    /// Runs `body` in a transaction on this connection limited to the scope's rows, committing on return — as the
    /// pool's ``PGClient/PGConnectionPool/withTransaction(scope:isolation:_:)`` does, for a caller that holds one
    /// connection across several transactions (e.g. with a session lock).
    /// - Throws: `body`'s error, or ``PGError`` from the database.
    @discardableResult
    public func withTransaction<Result>(
        scope: DatabaseScope,
        isolation: PGIsolationLevel = .readCommitted,
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await withTransaction(isolation: isolation, prelude: [scope.statement], body)
    }

    /// Sets a scope for the rest of the current transaction (call it right after `BEGIN`).
    /// - Throws: ``PGError`` when the scope's role cannot be assumed (e.g. `42501`).
    public func enter(_ scope: DatabaseScope) async throws {
        try await execute(scope.statement)
    }
}
