public import EventSourcing
public import SyncDomain

/// The read models folded in memory from events with the same pure models the projectors use — the
/// reference the PostgreSQL read models are checked against, and a way to preview what a change of rules
/// would make of the history.
public struct ReferenceReadModels: Sendable {
    /// `customers` rows by key.
    public private(set) var customers: [CustomerKey: CustomerRow] = [:]
    /// `match_index` rows by owner.
    public private(set) var matchIndex: [MatchIndexOwner: [MatchIndexRow]] = [:]
    /// Partner links, conflicts and pending creations per tenant.
    public private(set) var partnerLinks: [String: PartnerLinksModel] = [:]
    /// `tenant_settings` rows by tenant.
    public private(set) var tenantSettings: [String: TenantSettingsRow] = [:]

    /// Empty read models.
    public init() {}

    /// Folds events in order, with each tenant's rules given by `settings` (projections use the current rules).
    public static func fold(_ events: [DomainEvent], settings: (String) -> TenantSettings) -> ReferenceReadModels {
        var models = ReferenceReadModels()
        for event in events { models.apply(event, settings: settings(event.tenant)) }
        return models
    }

    /// Applies one event.
    public mutating func apply(_ event: DomainEvent, settings: TenantSettings) {
        // A customer has a row once it has been observed.
        MatchIndexModel.apply(event, to: &matchIndex, settings: settings) { [customers] in customers[CustomerKey(tenant: event.tenant, $0)] != nil }
        let keys = Set(CustomersModel.touches(event).keys)
        let before = customers.filter { keys.contains($0.key) }
        CustomersModel.apply(event, to: &customers)
        var touched = customers.filter { keys.contains($0.key) }
        CustomersModel.refreshMapped(&touched, changedSince: before, settings: { _ in settings })
        customers.merge(touched) { _, new in new }
        if !PartnerLinksModel.touches(event.event).links.isEmpty || !PartnerLinksModel.touches(event.event).requests.isEmpty {
            partnerLinks[event.tenant, default: PartnerLinksModel(tenant: event.tenant)].apply(event)
        }
        if case .settingsChanged(let change) = event.event {
            tenantSettings[event.tenant] = TenantSettingsRow(
                tenantID: event.tenant, version: change.settings.version, settings: change.settings, changedAt: event.recordedAt)
        }
    }

    /// `customers`, ordered by key.
    public var customerRows: [CustomerRow] { customers.values.sorted { $0.key < $1.key } }
    /// `unpartnered`, ordered by key.
    public var unpartneredRows: [UnpartneredRow] { customerRows.compactMap(UnpartneredRow.init) }
    /// `match_index`, ordered by key.
    public var matchIndexRows: [MatchIndexRow] { matchIndex.values.joined().sorted() }
    /// `partner_links`, ordered by key.
    public var partnerLinkRows: [PartnerLinkRow] {
        partnerLinks.keys.sorted().flatMap { partnerLinks[$0]!.allRows.links }.sorted { ($0.tenantID, $0.linkID) < ($1.tenantID, $1.linkID) }
    }
    /// `conflicts`, ordered by key.
    public var conflictRows: [ConflictRow] {
        partnerLinks.keys.sorted().flatMap { partnerLinks[$0]!.allRows.conflicts }
            .sorted { ($0.tenantID, $0.linkID, $0.field) < ($1.tenantID, $1.linkID, $1.field) }
    }
    /// `pending_creations`, ordered by key.
    public var pendingCreationRows: [PendingCreationRow] {
        partnerLinks.keys.sorted().flatMap { partnerLinks[$0]!.allRows.pending }.sorted { ($0.tenantID, $0.requestID) < ($1.tenantID, $1.requestID) }
    }
    /// `tenant_settings`, ordered by key.
    public var tenantSettingsRows: [TenantSettingsRow] { tenantSettings.keys.sorted().map { tenantSettings[$0]! } }
}
