import EventStore

extension WebController {
    /// One of the synchronisation's lists as a tab of one screen: the tabs with each section's count (from one
    /// snapshot, ``TenantReads/overview(_:)``) above the list, and what is missing to synchronise (``gated(_:tenant:)``).
    func syncScreen(_ body: HTML, _ section: Layout.Section, tenant: TenantID, overview: TenantOverview? = nil) async throws -> HTML {
        let counts: TenantOverview
        if let overview { counts = overview } else { counts = try await reads.overview(tenant) }
        return try await gated(HTML(trusted: Pages.syncTabs(current: section, overview: counts).rendered + body.rendered), tenant: tenant)
    }
}
