public import SyncDomain

/// A row of the `match_index` read model: one normalised match key of one customer (or of an e-conomic
/// customer whose creation is pending), per the tenant's current match fields.
public struct MatchIndexRow: Codable, Hashable, Sendable, Comparable {
    /// The tenant.
    public var tenantID: String
    /// The key's kind (`email`, `phone`, `taxID`, …).
    public var keyKind: String
    /// The normalised value.
    public var keyValue: String
    /// `source`, `economic`, or `pending` (an e-conomic customer being created).
    public var side: String
    /// The customer's system (`request` for a pending creation).
    public var system: String
    /// The customer's id (the request id for a pending creation).
    public var externalID: String

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", keyKind = "key_kind", keyValue = "key_value", side, system, externalID = "external_id"
    }

    /// The key.
    public var key: MatchKey? { MatchKeyKind(rawValue: keyKind).map { MatchKey(kind: $0, normalizedValue: keyValue) } }

    /// Orders like the table's primary key.
    public static func < (lhs: MatchIndexRow, rhs: MatchIndexRow) -> Bool {
        (lhs.tenantID, lhs.keyKind, lhs.keyValue, lhs.side, lhs.system, lhs.externalID)
            < (rhs.tenantID, rhs.keyKind, rhs.keyValue, rhs.side, rhs.system, rhs.externalID)
    }
}

/// Whose keys a set of match-index rows are: a customer, or a pending creation.
public struct MatchIndexOwner: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The system (`request` for a pending creation).
    public var system: String
    /// The id.
    public var externalID: String

    enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", system, externalID = "external_id" }

    /// The owner of a row.
    init(_ row: MatchIndexRow) {
        tenantID = row.tenantID
        system = row.system
        externalID = row.externalID
    }

    /// A customer owner.
    init(tenant: String, _ customer: CustomerRef) {
        tenantID = tenant
        system = customer.system.rawValue
        externalID = customer.id
    }

    /// A pending-creation owner.
    init(tenant: String, request: RequestID) {
        tenantID = tenant
        system = "request"
        externalID = request.description
    }
}
