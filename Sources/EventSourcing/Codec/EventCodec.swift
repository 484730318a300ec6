public import EventStore
import Foundation
public import PGClient
public import SyncDomain

/// The one place where the domain's events become stored events and back. The store knows only type names,
/// schema versions and JSON; the domain knows only ``SyncDomain/SyncEvent``; everything that reads or writes the
/// log (commands, the reactor, imports, outbound delivery, projections) goes through here.
///
/// ```swift
/// let stored = try EventCodec.encode(.customerExcluded(excluded), metadata: EventMetadata(actor: "user:1"))
/// let event = try EventCodec.decode(recorded)  // UnreadableEvent names the stream and position
/// ```
public enum EventCodec {
    /// A domain event as an event to append, with its stable type name, schema version and JSON payload.
    /// - Throws: `EncodingError` if a value cannot be encoded (not expected for valid events).
    public static func encode(_ event: SyncEvent, metadata: EventMetadata) throws -> NewEvent {
        let encoded = try event.encode()
        return NewEvent(
            type: encoded.type, schemaVersion: Int32(encoded.schemaVersion), data: PGJSON(text: String(decoding: encoded.data, as: UTF8.self)),
            metadata: metadata)
    }

    /// A recorded event as a domain event. Never skips: an event this build cannot read is an error.
    /// - Throws: ``UnreadableEvent`` naming the event's stream, version and position, with the cause.
    public static func decode(_ recorded: RecordedEvent) throws(UnreadableEvent) -> SyncEvent {
        do {
            return try decode(type: recorded.type, schemaVersion: Int(recorded.schemaVersion), data: recorded.data)
        } catch {
            throw UnreadableEvent(recorded, cause: error)
        }
    }

    /// A stored event's columns as a domain event, for readers that select them directly.
    /// - Throws: ``SyncDomain/EventDecodingError`` for an unknown type, an unsupported version or a bad payload.
    public static func decode(type: String, schemaVersion: Int, data: PGJSON) throws(EventDecodingError) -> SyncEvent {
        try SyncEvent.decode(type: type, schemaVersion: schemaVersion, data: Data(data.text.utf8))
    }
}
