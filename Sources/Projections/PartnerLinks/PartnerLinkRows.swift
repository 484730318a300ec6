public import Foundation
public import SyncDomain

/// A row of the `partner_links` read model: a linked pair, its state and the values both sides last agreed on.
public struct PartnerLinkRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The link.
    public var linkID: String
    /// The source customer (`stripe:cus_…` or `file:…`).
    public var source: String
    /// The e-conomic customer number.
    public var economicNumber: String
    /// How the link came about (auto-match with its key, a person, or a created partner).
    public var origin: LinkOrigin
    /// Synchronisation stopped for this pair.
    public var stopped: Bool
    /// The values both sides last agreed on (e-conomic field names).
    public var agreed: [String: String]
    /// The source values last seen.
    public var sourceSeen: [String: String]
    /// The e-conomic values last seen.
    public var economicSeen: [String: String]
    /// When the pair was linked.
    public var linkedAt: Date
    /// When it last changed.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", linkID = "link_id", source, economicNumber = "economic_number", origin, stopped, agreed
        case sourceSeen = "source_seen", economicSeen = "economic_seen", linkedAt = "linked_at", updatedAt = "updated_at"
    }
}

/// A row of the `conflicts` read model: a field of a linked pair changed on both sides to different values.
public struct ConflictRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The link.
    public var linkID: String
    /// The e-conomic field.
    public var field: String
    /// The source side's value (mapped).
    public var sourceValue: String?
    /// The e-conomic value.
    public var economicValue: String?
    /// The last agreed value.
    public var baseValue: String?
    /// Since when the conflict has been open.
    public var since: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", linkID = "link_id", field, sourceValue = "source_value", economicValue = "economic_value"
        case baseValue = "base_value", since
    }
}

/// A row of the `pending_creations` read model: a partner Accord has asked to be created and not yet linked.
public struct PendingCreationRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The request.
    public var requestID: String
    /// The customer whose partner is being created.
    public var from: String
    /// The system the partner is created in.
    public var targetSystem: String
    /// The customer number asked for, if any.
    public var customerNumber: Int?
    /// The fields sent.
    public var payload: [String: String]
    /// When it was requested.
    public var requestedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", requestID = "request_id", from = "from_customer", targetSystem = "target_system"
        case customerNumber = "customer_number", payload, requestedAt = "requested_at"
    }
}
