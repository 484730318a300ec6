public import Foundation
public import SyncDomain

/// A row of the `customers` read model: every customer Accord has seen, on every side, with its current
/// fields, flags, partner and — for source customers — the e-conomic fields the current mapping makes of it.
public struct CustomerRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// `stripe`, `file` or `economic`.
    public var system: String
    /// The id in that system (an e-conomic customer number in decimal).
    public var externalID: String
    /// The current fields (source vocabulary for Stripe/file customers, e-conomic fields for e-conomic ones).
    public var fields: [String: String]
    /// A display name.
    public var name: String?
    /// A display e-mail.
    public var email: String?
    /// Deleted in its system.
    public var deleted: Bool
    /// Excluded from synchronisation ("Don't synchronise").
    public var excluded: Bool
    /// Its partner link, if any.
    public var linkID: String?
    /// Its partner, e.g. `economic:42`.
    public var partner: String?
    /// A pending request to create its partner.
    public var pendingRequest: String?
    /// Why the last automatic match failed, if it did.
    public var matchFailure: MatchFailure?
    /// Why the last mapping failed, if it did.
    public var mappingFailure: MappingError?
    /// For a source customer: the e-conomic fields the tenant's current mapping makes of it.
    public var mapped: [String: String]?
    /// The source's own last-updated time, if it sent one.
    public var sourceUpdatedAt: Date?
    /// The source's last event id, if it sent one.
    public var lastSourceEventID: String?
    /// Since when it has had no partner (nil while partnered, pending, excluded or deleted).
    public var unpartneredSince: Date?
    /// When the last event about it was recorded.
    public var updatedAt: Date
    /// The global position of the last event about it.
    public var lastPosition: Int64

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", system, externalID = "external_id", fields, name, email, deleted, excluded
        case linkID = "link_id", partner, pendingRequest = "pending_request", matchFailure = "match_failure"
        case mappingFailure = "mapping_failure", mapped, sourceUpdatedAt = "source_updated_at"
        case lastSourceEventID = "last_source_event_id", unpartneredSince = "unpartnered_since", updatedAt = "updated_at"
        case lastPosition = "last_position"
    }

    /// The customer's reference.
    public var customer: CustomerRef { key.customer }

    /// The row's key.
    public var key: CustomerKey { CustomerKey(tenantID: tenantID, system: system, externalID: externalID) }

    /// The domain state this row holds.
    var state: CustomerState {
        CustomerState(
            customer: customer, fields: fields, exists: true, isDeleted: deleted, isExcluded: excluded,
            lastSourceUpdatedAt: sourceUpdatedAt, lastSourceEventId: lastSourceEventID, lastMatchFailure: matchFailure,
            lastMappingFailure: mappingFailure)
    }
}

/// The primary key of a customer row.
public struct CustomerKey: Codable, Hashable, Sendable, Comparable {
    /// The tenant.
    public var tenantID: String
    /// The system.
    public var system: String
    /// The id in the system.
    public var externalID: String

    /// Makes a key.
    public init(tenantID: String, system: String, externalID: String) {
        self.tenantID = tenantID
        self.system = system
        self.externalID = externalID
    }

    /// A customer's key in a tenant.
    public init(tenant: String, _ customer: CustomerRef) {
        self.init(tenantID: tenant, system: customer.system.rawValue, externalID: customer.id)
    }

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", system, externalID = "external_id"
    }

    /// The customer the key names.
    public var customer: CustomerRef { CustomerRef(system: System(rawValue: system) ?? .file, id: externalID) }

    /// Orders like the table's primary key.
    public static func < (lhs: CustomerKey, rhs: CustomerKey) -> Bool {
        (lhs.tenantID, lhs.system, lhs.externalID) < (rhs.tenantID, rhs.system, rhs.externalID)
    }
}

/// A row of the `unpartnered` read model: customers with no partner yet, per side, for the lists people work from.
public struct UnpartneredRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// `source` (Stripe or file) or `economic`.
    public var side: String
    /// The system.
    public var system: String
    /// The id in the system.
    public var externalID: String
    /// A display name.
    public var name: String?
    /// A display e-mail.
    public var email: String?
    /// Since when it has had no partner.
    public var since: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", side, system, externalID = "external_id", name, email, since
    }

    /// The row for a customer row that is unpartnered, or nil.
    init?(_ row: CustomerRow) {
        guard let since = row.unpartneredSince else { return nil }
        tenantID = row.tenantID
        side = row.system == System.economic.rawValue ? "economic" : "source"
        system = row.system
        externalID = row.externalID
        name = row.name
        email = row.email
        self.since = since
    }
}
