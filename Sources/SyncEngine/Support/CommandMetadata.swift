import EventStore
public import Foundation

/// Who or what issues a command, and how it relates to earlier work; stored with every event it appends.
public struct CommandMetadata: Sendable, Hashable {
    /// `user:<id>`, `system:reactor`, `stripe:webhook`, `import:<file>`, `cli`…
    public var actor: String
    /// Groups every event caused by one request or chain.
    public var correlationID: UUID
    /// The global position of the event that caused the command, if any.
    public var causationPosition: Int64?
    /// The outside event (e.g. a Stripe `evt_…`) behind the command, if any.
    public var sourceEventID: String?

    /// Makes metadata; a new correlation id by default.
    public init(actor: String, correlationID: UUID = UUID(), causationPosition: Int64? = nil, sourceEventID: String? = nil) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationPosition = causationPosition
        self.sourceEventID = sourceEventID
    }

    /// As stored in the event's metadata.
    var eventMetadata: EventMetadata {
        EventMetadata(actor: actor, correlationID: correlationID, causationPosition: causationPosition, sourceEventID: sourceEventID)
    }
}
