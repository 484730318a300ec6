import EventStore
public import Foundation
public import SyncDomain

/// One line of a customer's history: what happened (``kind`` and a sentence), when, where in the log, who acted and
/// what caused it. The API, the customer page and `accord history` show the same entries.
public struct TimelineEntry: Sendable, Hashable, Encodable {
    /// The event's global position (the log's order; ``causationPosition`` refers to it).
    public var position: Int64
    /// When the event was stored.
    public var recordedAt: Date
    /// The stream the event lives in (`customer-…`, `partners`, `outbound-…`).
    public var stream: String
    /// The event's version within its stream.
    public var version: Int64
    /// The stored type name, e.g. `PartnerLinked`.
    public var type: String
    /// What the entry records.
    public var kind: TimelineKind
    /// Who acted (`user:…`, `system:reactor`, `stripe:webhook`, …), when recorded.
    public var actor: String?
    /// The global position of the event that caused this one, when recorded (the reactor records it).
    public var causationPosition: Int64?
    /// Groups the events of one request or command chain.
    public var correlationId: String?
    /// The outside event behind it (e.g. a Stripe `evt_…`), when recorded.
    public var sourceEventId: String?
    /// The link the event concerns, if any.
    public var linkId: String?
    /// The outbound request the event concerns, if any.
    public var requestId: String?
    /// What happened, in a sentence.
    public var summary: String
    /// Field-level detail: an observation's changes from the previous one, a request's fields from base (or nothing,
    /// for a create) to the value sent, a conflict's e-conomic and source values, a resolution's outcome.
    public var changes: [FieldChange]
    /// The event itself (its payload as decoded, older schema versions upcast).
    public var event: SyncEvent

    /// Makes an entry.
    public init(
        _ source: TimelineEvent, kind: TimelineKind, summary: String, changes: [FieldChange] = [], linkId: LinkID? = nil,
        requestId: RequestID? = nil
    ) {
        position = source.position
        recordedAt = source.recordedAt
        stream = source.stream
        version = source.version
        type = source.event.typeName
        self.kind = kind
        actor = source.metadata.actor
        causationPosition = source.metadata.causationPosition
        correlationId = source.metadata.correlationID?.uuidString.lowercased()
        sourceEventId = source.metadata.sourceEventID
        self.linkId = linkId?.description
        self.requestId = requestId?.description
        self.summary = summary
        self.changes = changes
        event = source.event
    }

    private enum CodingKeys: String, CodingKey {
        case position, recordedAt, stream, version, type, kind, actor, causationPosition, correlationId, sourceEventId, linkId, requestId
        case summary, changes, data
    }

    /// Encodes the entry with the event's payload as `data`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(position, forKey: .position)
        try c.encode(recordedAt, forKey: .recordedAt)
        try c.encode(stream, forKey: .stream)
        try c.encode(version, forKey: .version)
        try c.encode(type, forKey: .type)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(actor, forKey: .actor)
        try c.encodeIfPresent(causationPosition, forKey: .causationPosition)
        try c.encodeIfPresent(correlationId, forKey: .correlationId)
        try c.encodeIfPresent(sourceEventId, forKey: .sourceEventId)
        try c.encodeIfPresent(linkId, forKey: .linkId)
        try c.encodeIfPresent(requestId, forKey: .requestId)
        try c.encode(summary, forKey: .summary)
        try c.encode(changes, forKey: .changes)
        try event.payload.encode(to: c.superEncoder(forKey: .data))
    }
}

/// One field's change: between two observations, from a base to the value a request sends, or between the two
/// sides of a conflict. `nil` is empty (or, for a create, nothing before).
public struct FieldChange: Codable, Sendable, Hashable {
    /// The field, in the vocabulary of the system the entry is about.
    public var field: String
    /// The value before.
    public var from: String?
    /// The value after.
    public var to: String?

    /// Makes a change.
    public init(field: String, from: String?, to: String?) {
        self.field = field
        self.from = from
        self.to = to
    }
}
