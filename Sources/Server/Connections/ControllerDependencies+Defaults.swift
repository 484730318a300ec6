public import EventStore
public import SyncDomain

extension ControllerDependencies {
    /// What is wrong with the defaults of valid `settings` in the tenant's e-conomic agreement, checked only when they
    /// differ from the saved ones (so other settings can be saved while e-conomic is away) and e-conomic is connected.
    /// - Throws: ``APIError`` 502 `economic_unavailable` when the agreement's lists cannot be read.
    public func defaultsProblems(_ settings: TenantSettings, tenant: TenantID) async throws -> [String] {
        guard let connections, settings.validationErrors().isEmpty, try await commands.settings(of: tenant).defaults != settings.defaults
        else { return [] }
        return try await connections.checkDefaults(settings.defaults, tenant: tenant)
    }
}
