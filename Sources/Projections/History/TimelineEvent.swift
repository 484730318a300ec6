public import EventSourcing
public import EventStore
public import Foundation
public import SyncDomain

/// One event of the log as a customer's timeline reads it: the decoded event with where it is (stream, version,
/// global position), when it was stored and its metadata (who acted, what caused it).
public struct TimelineEvent: Sendable, Hashable {
    /// The global position.
    public var position: Int64
    /// The stream it lives in.
    public var stream: String
    /// Its version within the stream.
    public var version: Int64
    /// When it was stored.
    public var recordedAt: Date
    /// Who acted and what caused it.
    public var metadata: EventMetadata
    /// The event.
    public var event: SyncEvent

    /// Makes a timeline event (tests build them by hand); the stream defaults to the event's home stream.
    public init(
        position: Int64, recordedAt: Date, event: SyncEvent, metadata: EventMetadata = EventMetadata(), stream: String? = nil,
        version: Int64 = 1
    ) {
        self.position = position
        self.stream = stream ?? event.homeStream.rawValue
        self.version = version
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.event = event
    }

    /// Decodes a recorded event. Metadata that cannot be read counts as none (it only annotates the entry).
    /// - Throws: ``EventSourcing/UnreadableEvent`` for an event this build cannot read — never skipped.
    public init(_ recorded: RecordedEvent) throws(UnreadableEvent) {
        self.init(
            position: recorded.globalPosition, recordedAt: recorded.recordedAt, event: try EventCodec.decode(recorded),
            metadata: (try? recorded.decodedMetadata()) ?? EventMetadata(), stream: recorded.stream.rawValue, version: recorded.streamVersion)
    }
}
