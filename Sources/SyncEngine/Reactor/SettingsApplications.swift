public import EventStore
import Foundation
public import PGClient

/// Where each change of mappings stands in being carried to the pairs already linked (`settings_applications`,
/// migration 0021): recorded by the reactor when it handles the change, worked through by
/// ``SettingsApplicationService`` a chunk of links at a time, paused and resumed by a person.
///
/// Recording is idempotent (the row is keyed by the change's position), a newer change supersedes an unfinished older
/// one, and a worker holds an application for one chunk at a time by a lease (lapsing when its process dies), so
/// two processes never work through the same application at once and a killed one's application goes on elsewhere.
public struct SettingsApplications: Sendable {
    let store: EventStore

    /// Makes the accessor.
    public init(store: EventStore) { self.store = store }

    /// An application a worker holds: what its decisions derive their ids from and where it stands.
    struct Claim: Sendable {
        var tenant: TenantID
        var position: Int64
        var correlationID: UUID
        /// The last link done, in link-id order (nil: none yet).
        var cursor: String?
    }

    /// Records a change of mappings to apply (again: nothing changes), superseding the tenant's unfinished older ones;
    /// recorded superseded at once when a newer one exists already.
    func begin(_ recorded: RecordedEvent, correlationID: UUID, total: Int) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            let tenant = recorded.tenant.rawValue
            try await connection.execute(
                """
                UPDATE settings_applications SET state = 'superseded', finished_at = now(), updated_at = now(), holder = NULL
                WHERE tenant_id = \(tenant) AND global_position < \(recorded.globalPosition) AND state IN ('running', 'paused')
                """)
            try await connection.execute(
                """
                INSERT INTO settings_applications (tenant_id, global_position, settings_version, correlation_id, total, state, finished_at)
                SELECT \(tenant), \(recorded.globalPosition), \(recorded.streamVersion), \(correlationID), \(total), s.state, s.finished_at
                FROM (
                    SELECT CASE WHEN newer THEN 'superseded' ELSE 'running' END AS state, CASE WHEN newer THEN now() END AS finished_at
                    FROM (SELECT EXISTS (
                        SELECT 1 FROM settings_applications WHERE tenant_id = \(tenant) AND global_position > \(recorded.globalPosition)
                    ) AS newer) n
                ) s
                ON CONFLICT DO NOTHING
                """)
        }
    }

    /// Takes the running applications no live worker holds (or `holder` holds already), one per tenant, oldest
    /// progress first, leasing each to `holder` for `lease`.
    func claim(holder: String, lease: Duration, limit: Int) async throws -> [Claim] {
        let rows = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                UPDATE settings_applications a SET holder = \(holder), lease_until = clock_timestamp() + make_interval(secs => \(lease.seconds))
                FROM (
                    SELECT tenant_id, global_position FROM settings_applications
                    WHERE state = 'running' AND (lease_until < clock_timestamp() OR holder = \(holder))
                    ORDER BY updated_at, tenant_id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) due
                WHERE a.tenant_id = due.tenant_id AND a.global_position = due.global_position
                RETURNING a.tenant_id, a.global_position, a.correlation_id, a.cursor
                """
            ).decode((String, Int64, UUID, String?).self)
        }
        return try rows.map { Claim(tenant: try TenantID($0.0), position: $0.1, correlationID: $0.2, cursor: $0.3) }
    }

    /// Records a chunk done and gives the application back (the next round claims it again, here or in another
    /// process). Returns its state afterwards — nil when `holder` no longer held it (its lease lapsed and another worker
    /// took it over: the chunk is applied again there, to no effect). A state other than running means a person paused
    /// it or a newer change superseded it.
    func advance(_ claim: Claim, to cursor: String, applied: Int, holder: String) async throws -> SettingsApplication.State? {
        let state = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                UPDATE settings_applications SET done = done + \(applied), cursor = \(cursor), updated_at = now(), holder = NULL,
                    lease_until = '-infinity'
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder)
                RETURNING state
                """
            ).singleValue(String.self)
        }
        return state.flatMap(SettingsApplication.State.init(rawValue:))
    }

    /// Marks a held application finished (every link done).
    func finish(_ claim: Claim, holder: String) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE settings_applications SET state = 'finished', finished_at = now(), updated_at = now(), total = greatest(total, done),
                    holder = NULL, lease_until = '-infinity'
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder) AND state = 'running'
                """)
        }
    }

    /// Gives a held application back (the worker stops: it goes on from its cursor at the next claim, anywhere).
    func release(_ claim: Claim, holder: String) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE settings_applications SET holder = NULL, lease_until = '-infinity'
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder)
                """)
        }
    }

    // MARK: For people

    /// The tenant's latest application, if a change of mappings was ever applied.
    public func latest(of tenant: TenantID) async throws -> SettingsApplication? {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await Self.latest(on: connection)
        }
    }

    /// Pauses the tenant's running application after the chunk in progress. Returns it, or nil when none runs.
    public func pause(_ tenant: TenantID) async throws -> SettingsApplication? {
        try await change(tenant, from: .running, to: .paused)
    }

    /// Resumes the tenant's paused application from where it stopped. Returns it, or nil when none is paused.
    public func resume(_ tenant: TenantID) async throws -> SettingsApplication? {
        try await change(tenant, from: .paused, to: .running)
    }

    /// How many applications are running, in the caller's transaction (in a tenant's scope: that tenant's).
    public static func running(on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT count(*) FROM settings_applications WHERE state = 'running'").singleValue(Int.self) ?? 0
    }

    private func change(_ tenant: TenantID, from: SettingsApplication.State, to: SettingsApplication.State) async throws -> SettingsApplication? {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            let changed = try await connection.execute(
                "UPDATE settings_applications SET state = \(to.rawValue), updated_at = now() WHERE state = \(from.rawValue)")
            return changed == 0 ? nil : try await Self.latest(on: connection)
        }
    }

    private static func latest(on connection: PGConnection) async throws -> SettingsApplication? {
        let rows = try await connection.query(
            """
            SELECT global_position, settings_version, state, total, done, started_at, finished_at FROM settings_applications
            ORDER BY global_position DESC LIMIT 1
            """
        ).decode((Int64, Int64, String, Int, Int, Date, Date?).self)
        return rows.first.map { row in
            SettingsApplication(
                position: row.0, settingsVersion: row.1, state: SettingsApplication.State(rawValue: row.2) ?? .running, total: max(row.3, row.4),
                done: row.4, startedAt: row.5, finishedAt: row.6)
        }
    }
}
