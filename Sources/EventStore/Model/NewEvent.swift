public import PGClient

/// An event to append: its stable type name, schema version, JSON payload and metadata.
public struct NewEvent: Sendable, Hashable {
    /// The stable event type name (e.g. `CustomerObserved`); never a Swift type name.
    public var type: String
    /// The payload's schema version (starting at 1).
    public var schemaVersion: Int32
    /// The JSON payload.
    public var data: PGJSON
    /// Context (actor, correlation and causation).
    public var metadata: EventMetadata

    /// Makes an event.
    public init(type: String, schemaVersion: Int32 = 1, data: PGJSON, metadata: EventMetadata = EventMetadata()) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
    }
}
