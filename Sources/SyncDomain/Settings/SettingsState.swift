/// The fold of the `settings` stream.
public struct SettingsState: Hashable, Sendable, Codable {
    /// The last recorded settings, or `nil` before the first change.
    public var recorded: TenantSettings?

    /// Creates a state.
    public init(recorded: TenantSettings? = nil) { self.recorded = recorded }

    /// The state of an empty stream.
    public static let initial = SettingsState()

    /// The settings in force: the recorded ones, else ``TenantSettings/default``.
    public var effective: TenantSettings { recorded ?? .default }

    /// The current version (0 before the first change).
    public var version: Int { recorded?.version ?? TenantSettings.default.version }
}
