/// What differs between two settings, for deciding which projections to rebuild and what to carry to the customers.
public struct SettingsChange: Hashable, Sendable {
    /// Match pairs differ: the match index must be rebuilt.
    public var matchFieldsChanged: Bool
    /// Field mappings differ: mapped values and conflict views must be recomputed.
    public var mappingsChanged: Bool
    /// Linked Stripe customers get their number written back under a key they did not before: the pairs already
    /// linked must be given it.
    public var numberWriteBackChanged: Bool

    /// Compares two settings.
    /// - Parameters:
    ///   - old: The settings before.
    ///   - new: The settings after.
    public init(from old: TenantSettings, to new: TenantSettings) {
        matchFieldsChanged = old.matchFields != new.matchFields
        mappingsChanged = old.fieldMappings != new.fieldMappings
        numberWriteBackChanged = new.linkedNumberWriteBackKey != nil && new.linkedNumberWriteBackKey != old.linkedNumberWriteBackKey
    }
}
