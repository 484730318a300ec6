public import EventStore
public import SyncDomain

/// A recorded event this build cannot turn back into a ``SyncDomain/SyncEvent`` (an unknown type, a newer
/// schema version, a payload that does not match). It says where the event is, so a person can find it.
public struct UnreadableEvent: Error, Sendable, CustomStringConvertible {
    /// The tenant whose log holds the event.
    public var tenant: TenantID
    /// The stream holding the event.
    public var stream: StreamID
    /// The event's version within its stream.
    public var streamVersion: Int64
    /// The event's global position.
    public var position: Int64
    /// The stored type name.
    public var type: String
    /// Why it cannot be read.
    public var cause: EventDecodingError

    /// Describes a recorded event that failed to decode.
    public init(_ recorded: RecordedEvent, cause: EventDecodingError) {
        self.tenant = recorded.tenant
        self.stream = recorded.stream
        self.streamVersion = recorded.streamVersion
        self.position = recorded.globalPosition
        self.type = recorded.type
        self.cause = cause
    }

    /// Where the event is and why it cannot be read.
    public var description: String {
        "event \(position) (\(type), version \(streamVersion) of stream \(stream) of tenant \(tenant)) cannot be decoded: \(cause)"
    }
}
