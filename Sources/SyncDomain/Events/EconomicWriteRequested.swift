public import Foundation

/// Accord wants to create or update an e-conomic customer. Opens `outbound-<requestId>`.
///
/// Schema 2: an update is a ``FieldPatch`` — only the fields that changed, each with its base — instead of the
/// whole customer as Accord last saw it (schema 1, which the worker laid over the live customer, overwriting
/// whatever e-conomic had changed since). A schema-1 update decodes as a patch without bases, so it is still sent
/// as it always was.
public struct EconomicWriteRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "EconomicWriteRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 2

    /// The request.
    public var requestId: RequestID
    /// Create or update.
    public var kind: EconomicWriteKind
    /// The link the write serves, if any.
    public var linkId: LinkID?
    /// The source customer the write comes from, if any.
    public var source: CustomerRef?
    /// A create's full e-conomic field map (empty for an update).
    public var payload: [String: String]
    /// An update's fields, each with its new value and base (empty for a create).
    public var patch: FieldPatch
    /// Earlier updates of the same link this one carries forward: they are recorded superseded before this one is
    /// sent, and never sent after it.
    public var supersedes: [RequestID]
    /// Keys to look the customer up by before retrying an ambiguous create (timeout, lost response).
    public var matchKeys: [MatchKey]
    /// Why.
    public var reason: WriteReason

    /// Creates the payload.
    public init(
        requestId: RequestID, kind: EconomicWriteKind, linkId: LinkID? = nil, source: CustomerRef? = nil, payload: [String: String] = [:],
        patch: FieldPatch = .empty, supersedes: [RequestID] = [], matchKeys: [MatchKey] = [], reason: WriteReason
    ) {
        self.requestId = requestId
        self.kind = kind
        self.linkId = linkId
        self.source = source
        self.payload = payload
        self.patch = patch
        self.supersedes = supersedes
        self.matchKeys = matchKeys
        self.reason = reason
    }

    /// What the request sends, field → value (empty: cleared): a create's payload, an update's new values.
    public var sentValues: [String: String] {
        if case .update = kind { return patch.values }
        return payload
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, kind, linkId, source, payload, patch, supersedes, matchKeys, reason
    }

    /// Encodes; empty collections are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestId, forKey: .requestId)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(linkId, forKey: .linkId)
        try c.encodeIfPresent(source, forKey: .source)
        if !payload.isEmpty { try c.encode(payload, forKey: .payload) }
        if !patch.isEmpty { try c.encode(patch, forKey: .patch) }
        if !supersedes.isEmpty { try c.encode(supersedes, forKey: .supersedes) }
        try c.encode(matchKeys, forKey: .matchKeys)
        try c.encode(reason, forKey: .reason)
    }

    /// Decodes schema 2; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        kind = try c.decode(EconomicWriteKind.self, forKey: .kind)
        linkId = try c.decodeIfPresent(LinkID.self, forKey: .linkId)
        source = try c.decodeIfPresent(CustomerRef.self, forKey: .source)
        payload = try c.decodeIfPresent([String: String].self, forKey: .payload) ?? [:]
        patch = try c.decodeIfPresent(FieldPatch.self, forKey: .patch) ?? .empty
        supersedes = try c.decodeIfPresent([RequestID].self, forKey: .supersedes) ?? []
        matchKeys = try c.decodeIfPresent([MatchKey].self, forKey: .matchKeys) ?? []
        reason = try c.decode(WriteReason.self, forKey: .reason)
    }

    /// Decodes schema 1 by upcasting it: an update's whole-customer payload becomes a patch without bases (laid
    /// over the live customer, as schema 1 was sent); a create is unchanged.
    public static func decode(schemaVersion: Int, from data: Data) throws -> EconomicWriteRequested {
        guard schemaVersion == 1 else { return try EventJSON.decode(Self.self, from: data) }
        let stored = try EventJSON.decode(Version1.self, from: data)
        var upcast = EconomicWriteRequested(
            requestId: stored.requestId, kind: stored.kind, linkId: stored.linkId, source: stored.source, payload: stored.payload,
            matchKeys: stored.matchKeys ?? [], reason: stored.reason)
        if case .update = stored.kind {
            upcast.payload = [:]
            upcast.patch = .unchecked(stored.payload) { EconomicField(rawValue: $0)?.spec.kind ?? .text }
        }
        return upcast
    }

    /// The schema-1 shape: the full field map to send, for a create and an update alike.
    private struct Version1: Decodable {
        var requestId: RequestID
        var kind: EconomicWriteKind
        var linkId: LinkID?
        var source: CustomerRef?
        var payload: [String: String]
        var matchKeys: [MatchKey]?
        var reason: WriteReason
    }
}
