import EventSourcing
public import EventStore
public import Foundation
public import PGClient
public import SyncDomain

/// A row of `tenant_settings`: each tenant's current settings.
public struct TenantSettingsRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The settings' version.
    public var version: Int
    /// The settings.
    public var settings: TenantSettings
    /// When they were saved.
    public var changedAt: Date

    enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", version, settings, changedAt = "changed_at" }
}

/// Projects each tenant's settings into `tenant_settings`, and asks for the rebuilds a rule change needs:
/// new match fields → `match_index`, new mappings → `customers` (for that tenant). A request is keyed by the
/// settings event's position, so replaying the event never asks twice.
public struct TenantSettingsProjector: Projector {
    /// `tenant_settings`
    public let name = "tenant_settings"

    /// Makes the projector.
    public init() {}

    /// The `tenant_settings` table.
    public static let table = ProjectionTable(
        name: "tenant_settings",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("version", "integer NOT NULL"), .init("settings", "jsonb NOT NULL"),
            .init("changed_at", "timestamptz NOT NULL"),
        ],
        primaryKey: ["tenant_id"])

    /// The table.
    public var tables: [ProjectionTable] { [Self.table] }

    /// Only settings changes.
    public var eventTypes: Set<String>? { [SettingsChanged.typeName] }

    /// The projections a settings change makes stale.
    public static func rebuilds(for change: SettingsChanged) -> [(projection: String, reason: String)] {
        var result: [(String, String)] = []
        if change.matchFieldsChanged { result.append(("match_index", "match fields changed (settings version \(change.settings.version))")) }
        if change.mappingsChanged { result.append(("customers", "field mappings changed (settings version \(change.settings.version))")) }
        return result
    }

    /// Applies a batch.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        var latest: [String: TenantSettingsRow] = [:]
        for event in try DomainEvent.decode(events) {
            guard case .settingsChanged(let change) = event.event else { continue }
            latest[event.tenant] = TenantSettingsRow(
                tenantID: event.tenant, version: change.settings.version, settings: change.settings, changedAt: event.recordedAt)
            for (projection, reason) in Self.rebuilds(for: change) {
                try await connection.execute(
                    """
                    INSERT INTO projection_rebuild_requests (projection, tenant_id, reason, cause_position)
                    VALUES (\(projection), \(event.tenant), \(reason), \(event.position))
                    ON CONFLICT (projection, tenant_id, cause_position) WHERE cause_position IS NOT NULL DO NOTHING
                    """)
            }
        }
        try await ProjectionRows<TenantSettingsRow>(Self.table, target).upsert(Array(latest.values), on: connection)
    }
}
