public import EventStore
import Foundation
public import PGClient

/// Where each saved settings change stands in being applied to the customers it concerns (`settings_applications`,
/// migrations 0021 and 0023): recorded by the reactor when it handles a change of match fields or of mappings, worked
/// through by ``SettingsApplicationService`` a chunk at a time — first the customers whose matching failed (after a
/// change of match fields), then the pairs already linked (after a change of mappings) — paused and resumed by a
/// person.
///
/// Recording is idempotent (the row is keyed by the change's position); a newer change supersedes an unfinished older
/// one and takes over what it still had to do; a worker holds an application for one chunk at a time by a lease
/// (lapsing when its process dies), so two processes never work through the same application at once and a killed
/// one's application goes on elsewhere.
public struct SettingsApplications: Sendable {
    let store: EventStore

    /// Makes the accessor.
    public init(store: EventStore) { self.store = store }

    /// An application a worker holds: what its decisions derive their ids from and where it stands.
    struct Claim: Sendable {
        var tenant: TenantID
        var position: Int64
        var correlationID: UUID
        /// The phase in progress.
        var phase: SettingsApplication.Phase
        /// Whether the links phase follows the failures.
        var appliesLinks: Bool
        /// Failures counted when their phase began (nil: not yet, or no such phase).
        var failures: Int?
        /// The last customer (failures) or link done, in key order (nil: none yet in this phase).
        var cursor: String?
    }

    /// Records a settings change to apply (again: nothing changes): its failures to match again when the match fields
    /// changed, its links when the mappings changed. It supersedes the tenant's unfinished older ones and takes over
    /// what they still had to do; it is recorded superseded at once when a newer one exists already.
    func begin(_ recorded: RecordedEvent, correlationID: UUID, total: Int, failures: Bool, links: Bool) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            let tenant = recorded.tenant.rawValue
            let inherited = try await connection.query(
                """
                WITH older AS (
                    UPDATE settings_applications SET state = 'superseded', finished_at = now(), updated_at = now(), holder = NULL
                    WHERE tenant_id = \(tenant) AND global_position < \(recorded.globalPosition) AND state IN ('running', 'paused')
                    RETURNING phase, applies_links
                )
                SELECT coalesce(bool_or(phase = 'failures'), false), coalesce(bool_or(applies_links), false) FROM older
                """
            ).decode((Bool, Bool).self).first ?? (false, false)
            let phase: SettingsApplication.Phase = failures || inherited.0 ? .failures : .links
            try await connection.execute(
                """
                INSERT INTO settings_applications (
                    tenant_id, global_position, settings_version, correlation_id, total, state, finished_at, phase, applies_links)
                SELECT \(tenant), \(recorded.globalPosition), \(recorded.streamVersion), \(correlationID), \(total), s.state, s.finished_at,
                    \(phase.rawValue), \(links || inherited.1)
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
                RETURNING a.tenant_id, a.global_position, a.correlation_id, a.cursor, a.phase, a.applies_links, a.failures_total
                """
            ).decode((String, Int64, UUID, String?, String, Bool, Int?).self)
        }
        return try rows.map { row in
            Claim(
                tenant: try TenantID(row.0), position: row.1, correlationID: row.2, phase: SettingsApplication.Phase(rawValue: row.4) ?? .links,
                appliesLinks: row.5, failures: row.6, cursor: row.3)
        }
    }

    /// Records a chunk of the phase in progress done (up to `cursor`, `applied` customers or links) and gives the
    /// application back (the next round claims it again, here or in another
    /// process). Returns its state afterwards — nil when `holder` no longer held it (its lease lapsed and another worker
    /// took it over: the chunk is applied again there, to no effect). A state other than running means a person paused
    /// it or a newer change superseded it.
    func advance(_ claim: Claim, to cursor: String, applied: Int, holder: String) async throws -> SettingsApplication.State? {
        let state = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                UPDATE settings_applications SET cursor = \(cursor), updated_at = now(), holder = NULL, lease_until = '-infinity',
                    done = done + CASE phase WHEN 'links' THEN \(applied) ELSE 0 END,
                    failures_done = failures_done + CASE phase WHEN 'failures' THEN \(applied) ELSE 0 END
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder)
                RETURNING state
                """
            ).singleValue(String.self)
        }
        return state.flatMap(SettingsApplication.State.init(rawValue:))
    }

    /// Records how many failures the failures phase of a held application concerns (counted when it begins).
    func count(_ claim: Claim, failures: Int, holder: String) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE settings_applications SET failures_total = \(failures), updated_at = now()
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder)
                """)
        }
    }

    /// Ends the failures phase of a held application: on to the links from the first one when the mappings changed too,
    /// finished otherwise.
    func endFailures(_ claim: Claim, holder: String) async throws {
        guard claim.appliesLinks else { return try await finish(claim, holder: holder) }
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE settings_applications SET phase = 'links', cursor = NULL, updated_at = now(), holder = NULL, lease_until = '-infinity',
                    failures_total = CASE WHEN failures_total IS NOT NULL THEN greatest(failures_total, failures_done) END
                WHERE tenant_id = \(claim.tenant.rawValue) AND global_position = \(claim.position) AND holder = \(holder)
                  AND state = 'running' AND phase = 'failures'
                """)
        }
    }

    /// Marks a held application finished (every customer of its last phase done).
    func finish(_ claim: Claim, holder: String) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE settings_applications SET state = 'finished', finished_at = now(), updated_at = now(), total = greatest(total, done),
                    failures_total = CASE WHEN failures_total IS NOT NULL THEN greatest(failures_total, failures_done) END,
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

    /// The tenant's latest application, if a change of match fields or mappings was ever applied.
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
            SELECT global_position, settings_version, state, phase, applies_links, failures_total, failures_done, total, done, started_at,
                finished_at
            FROM settings_applications ORDER BY global_position DESC LIMIT 1
            """
        ).decode((Int64, Int64, String, String, Bool, Int?, Int, Int, Int, Date, Date?).self)
        return rows.first.map { row in
            SettingsApplication(
                position: row.0, settingsVersion: row.1, state: SettingsApplication.State(rawValue: row.2) ?? .running,
                phase: SettingsApplication.Phase(rawValue: row.3) ?? .links, appliesLinks: row.4, failures: row.5.map { max($0, row.6) },
                failuresDone: row.6, total: max(row.7, row.8), done: row.8, startedAt: row.9, finishedAt: row.10)
        }
    }
}
