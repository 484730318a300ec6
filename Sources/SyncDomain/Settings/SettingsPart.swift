/// The parts of a tenant's settings, as a settings page groups them: where a problem is shown.
public enum SettingsPart: String, Sendable, Hashable, CaseIterable {
    /// The version the settings were edited from.
    case version
    /// The match fields.
    case matching
    /// How customer numbers are chosen, and the write-back key.
    case numbering
    /// The defaults for new e-conomic customers and the home country.
    case defaults
    /// The field mappings.
    case mappings
    /// The create policy, conflict policies and empty overwrites.
    case policies
}
