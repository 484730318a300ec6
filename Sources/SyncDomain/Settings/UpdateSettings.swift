/// Replace the tenant's settings, given the version the editor started from.
public struct UpdateSettings: Hashable, Sendable {
    /// The new settings (their `version` is ignored; the decider sets it).
    public var settings: TenantSettings
    /// The version the change was based on; must equal the current version.
    public var expectedVersion: Int

    /// Creates the command.
    public init(settings: TenantSettings, expectedVersion: Int) {
        self.settings = settings
        self.expectedVersion = expectedVersion
    }
}
