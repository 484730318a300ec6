import EventStore
import PGClient
import SyncDomain

/// The reactor's park (`reactor_held_decisions`): the events whose decisions wait while their tenant's matching is
/// held (``MatchingHold``), kept until they have been decided.
///
/// Parking and releasing are each idempotent, and deciding an event twice issues nothing new (ids derive from the
/// event), so a crash between any two steps loses nothing and creates nothing twice: an event parked but not yet
/// behind the reactor's checkpoint is handled again (parked again, or decided); one decided but not yet released
/// is decided again, to no effect.
struct HeldDecisions: Sendable {
    let store: EventStore

    /// Parks an event (again: nothing changes).
    func hold(_ recorded: RecordedEvent) async throws {
        try await store.pool.withTransaction(scope: .tenant(recorded.tenant)) { connection in
            try await connection.execute(
                """
                INSERT INTO reactor_held_decisions (tenant_id, global_position, stream_id, stream_version)
                VALUES (\(recorded.tenant.rawValue), \(recorded.globalPosition), \(recorded.stream.rawValue), \(recorded.streamVersion))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    /// The tenants with parked events.
    func tenants() async throws -> [TenantID] {
        let ids = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT DISTINCT tenant_id FROM reactor_held_decisions ORDER BY 1").decode((String).self)
        }
        return try ids.map { try TenantID($0) }
    }

    /// A tenant's oldest parked events, read from the log.
    func events(of tenant: TenantID, limit: Int) async throws -> [RecordedEvent] {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            let parked = try await connection.query(
                "SELECT stream_id, stream_version FROM reactor_held_decisions ORDER BY global_position LIMIT \(limit)"
            ).decode((String, Int64).self)
            var events: [RecordedEvent] = []
            for (stream, version) in parked {
                events += try await store.readStream(try StreamID(stream), of: tenant, fromVersion: version, limit: 1, on: connection)
            }
            return events
        }
    }

    /// Forgets a decided event.
    func release(_ recorded: RecordedEvent) async throws {
        try await store.pool.withTransaction(scope: .tenant(recorded.tenant)) { connection in
            try await connection.execute("DELETE FROM reactor_held_decisions WHERE global_position = \(recorded.globalPosition)")
        }
    }

    /// Whether an event of `stream` older than `position` is parked, in the caller's transaction (the tenant's scope):
    /// then a newer event of that customer waits behind it, so its decisions are made in the log's order — a newer
    /// observation decided first (matching no longer held, the parked one not yet resumed) could create a partner for
    /// a customer the parked observation matched.
    static func hasEarlier(in stream: StreamName, before position: Int64, on connection: PGConnection) async throws -> Bool {
        try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM reactor_held_decisions WHERE stream_id = \(stream.rawValue) AND global_position < \(position))"
        ).singleValue(Bool.self) ?? false
    }

    /// How many events are parked, in the caller's transaction (in a tenant's scope: that tenant's).
    static func count(on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT count(*) FROM reactor_held_decisions").singleValue(Int.self) ?? 0
    }
}
