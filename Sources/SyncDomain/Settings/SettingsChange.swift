/// What differs between two settings, for deciding which projections to rebuild.
public struct SettingsChange: Hashable, Sendable {
    /// Match pairs differ: the match index must be rebuilt.
    public var matchFieldsChanged: Bool
    /// Field mappings differ: mapped values and conflict views must be recomputed.
    public var mappingsChanged: Bool

    /// Compares two settings.
    /// - Parameters:
    ///   - old: The settings before.
    ///   - new: The settings after.
    public init(from old: TenantSettings, to new: TenantSettings) {
        matchFieldsChanged = old.matchFields != new.matchFields
        mappingsChanged = old.fieldMappings != new.fieldMappings
    }
}
