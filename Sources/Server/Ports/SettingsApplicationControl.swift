public import EventStore
public import SyncEngine

/// Where carrying a saved change of mappings to the linked pairs stands, and the pause and resume a person has over
/// it (``SyncEngine/SettingsApplications`` over PostgreSQL).
public protocol SettingsApplicationControl: Sendable {
    /// The tenant's latest application, if a change of mappings was ever applied.
    func latest(of tenant: TenantID) async throws -> SettingsApplication?
    /// Pauses the running application after its chunk in progress; nil when none runs.
    func pause(_ tenant: TenantID) async throws -> SettingsApplication?
    /// Resumes the paused application from where it stopped; nil when none is paused.
    func resume(_ tenant: TenantID) async throws -> SettingsApplication?
}

extension SettingsApplications: SettingsApplicationControl {}
