public import EventStore
public import Projections
public import SyncDomain

extension ControllerDependencies {
    /// What a settings change would do, when it would change more customers than `threshold` — then it is saved only
    /// once a person has confirmed it (the API's `"confirm": true`, the page's confirmation step); nil when it may be
    /// saved at once: the settings are invalid (the save refuses them, naming every problem), the rules are unchanged
    /// (only the version differs), or the change touches `threshold` customers or fewer. The count is the preview's (``TenantReads/replay(_:proposal:limit:offset:)``): customers that would
    /// be partnered differently, linked, created or updated.
    /// - Parameters:
    ///   - settings: the proposed settings.
    ///   - tenant: whose settings.
    ///   - threshold: the most customers a change may change unconfirmed.
    /// - Throws: database errors, or the replay's.
    public func confirmationNeeded(for settings: TenantSettings, tenant: TenantID, threshold: Int) async throws -> ReplayReport? {
        guard settings.validationErrors().isEmpty else { return nil }
        var proposal = settings
        let current = try await commands.settings(of: tenant)
        proposal.version = current.version
        guard proposal != current else { return nil }
        let report = try await reads.replay(tenant, proposal: settings, limit: 20, offset: 0)
        return report.changed > threshold ? report : nil
    }
}
