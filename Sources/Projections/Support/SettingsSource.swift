import EventSourcing
public import PGClient
public import SyncDomain

/// The rules projectors apply: each tenant's latest settings, read from the head of its `settings` stream.
///
/// Projections that depend on rules (match keys, mapped previews) always use the current rules; when the
/// rules change, a rebuild recomputes the older rows (the live version keeps serving meanwhile).
public enum SettingsSource {
    /// The latest settings of each tenant given (``SyncDomain/TenantSettings/default`` when none were saved).
    /// - Throws: ``PGError``, or a decoding error for a corrupt settings event.
    public static func latest(for tenants: Set<String>, on connection: PGConnection) async throws -> [String: TenantSettings] {
        guard !tenants.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (tenant_id) tenant_id, type, schema_version, data FROM events
            WHERE tenant_id = ANY(\(Array(tenants))::text[]) AND stream_id = \(StreamName.settings.rawValue)
            ORDER BY tenant_id, stream_version DESC
            """)
        var result = Dictionary(uniqueKeysWithValues: tenants.map { ($0, TenantSettings.default) })
        for (tenant, type, schemaVersion, data) in try rows.decode((String, String, Int, PGJSON).self) {
            if case .settingsChanged(let changed) = try EventCodec.decode(type: type, schemaVersion: schemaVersion, data: data) {
                result[tenant] = changed.settings
            }
        }
        return result
    }

    /// The latest settings of one tenant (``SyncDomain/TenantSettings/default`` when none were saved).
    /// - Throws: ``PGError``, or a decoding error for a corrupt settings event.
    public static func latest(of tenant: String, on connection: PGConnection) async throws -> TenantSettings {
        try await latest(for: [tenant], on: connection)[tenant] ?? .default
    }
}
