public import Foundation

/// Accord wants to update a Stripe customer, or to create one (the partner of an e-conomic customer). Opens `outbound-<requestId>`; the request id keys Stripe's
/// Idempotency-Key.
///
/// Schema 2: field updates are a ``FieldPatch`` with bases (``StripeWriteKind/patch(_:)``); schema 1's blind
/// `fields` decode as a patch without bases, so they are still sent as they always were.
public struct StripeWriteRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "StripeWriteRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 2

    /// The request.
    public var requestId: RequestID
    /// The Stripe customer id (`cus_…`); empty for a ``StripeWriteKind/create(_:)``, whose customer Stripe names.
    public var customerId: String
    /// What to write.
    public var kind: StripeWriteKind
    /// The link the write serves, if any.
    public var linkId: LinkID?
    /// For a create: the customer it is the partner of (an e-conomic customer).
    public var source: CustomerRef?
    /// Earlier field updates of the same link this one carries forward (see
    /// ``EconomicWriteRequested/supersedes``).
    public var supersedes: [RequestID]
    /// Why.
    public var reason: WriteReason

    /// Creates the payload.
    public init(
        requestId: RequestID, customerId: String, kind: StripeWriteKind, linkId: LinkID? = nil, source: CustomerRef? = nil,
        supersedes: [RequestID] = [], reason: WriteReason
    ) {
        self.requestId = requestId
        self.customerId = customerId
        self.kind = kind
        self.linkId = linkId
        self.source = source
        self.supersedes = supersedes
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey { case requestId, customerId, kind, linkId, source, supersedes, reason }

    /// Encodes; `source` and `supersedes` only when there is one.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestId, forKey: .requestId)
        try c.encode(customerId, forKey: .customerId)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(linkId, forKey: .linkId)
        try c.encodeIfPresent(source, forKey: .source)
        if !supersedes.isEmpty { try c.encode(supersedes, forKey: .supersedes) }
        try c.encode(reason, forKey: .reason)
    }

    /// Decodes schema 2.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        customerId = try c.decode(String.self, forKey: .customerId)
        kind = try c.decode(StripeWriteKind.self, forKey: .kind)
        linkId = try c.decodeIfPresent(LinkID.self, forKey: .linkId)
        source = try c.decodeIfPresent(CustomerRef.self, forKey: .source)
        supersedes = try c.decodeIfPresent([RequestID].self, forKey: .supersedes) ?? []
        reason = try c.decode(WriteReason.self, forKey: .reason)
    }

    /// Decodes schema 1 by upcasting it: `{"fields":{…}}` becomes a patch without bases (set whatever Stripe holds,
    /// as schema 1 was sent); metadata writes are unchanged.
    public static func decode(schemaVersion: Int, from data: Data) throws -> StripeWriteRequested {
        guard schemaVersion == 1 else { return try EventJSON.decode(Self.self, from: data) }
        let stored = try EventJSON.decode(Version1.self, from: data)
        let kind: StripeWriteKind
        if let metadata = stored.kind.metadata {
            kind = .metadata(metadata)
        } else {
            kind = .patch(.unchecked(stored.kind.fields ?? [:]) { _ in .text })
        }
        return StripeWriteRequested(
            requestId: stored.requestId, customerId: stored.customerId, kind: kind, linkId: stored.linkId, reason: stored.reason)
    }

    /// The schema-1 shape: `kind` is `{"metadata":{…}}` or `{"fields":{…}}`.
    private struct Version1: Decodable {
        struct Kind: Decodable {
            var metadata: [String: String]?
            var fields: [String: String]?
        }
        var requestId: RequestID
        var customerId: String
        var kind: Kind
        var linkId: LinkID?
        var reason: WriteReason
    }
}
