public import Foundation
public import PGClient

/// An event as stored in the log.
public struct RecordedEvent: Sendable, Hashable {
    /// Unique and increasing in insertion order (not in commit order; see ``Checkpoint``).
    public var globalPosition: Int64
    /// The id of the transaction that wrote the event (`xid8`).
    public var transactionID: UInt64
    /// The tenant the event belongs to.
    public var tenant: TenantID
    /// The stream within the tenant.
    public var stream: StreamID
    /// The event's version within its stream (1, 2, …).
    public var streamVersion: Int64
    /// The stable type name.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: Int32
    /// The JSON payload.
    public var data: PGJSON
    /// The metadata JSON; decode with ``decodedMetadata()``.
    public var metadata: PGJSON
    /// When the event was stored.
    public var recordedAt: Date

    /// The reader position just after this event.
    public var checkpoint: Checkpoint { Checkpoint(transactionID: transactionID, globalPosition: globalPosition) }

    /// Decodes the metadata.
    /// - Throws: `DecodingError` if the stored metadata is not valid ``EventMetadata``.
    public func decodedMetadata() throws -> EventMetadata { try metadata.decode(EventMetadata.self) }

    /// Makes a recorded event (used by the store and by tests).
    public init(
        globalPosition: Int64, transactionID: UInt64, tenant: TenantID, stream: StreamID, streamVersion: Int64,
        type: String, schemaVersion: Int32, data: PGJSON, metadata: PGJSON, recordedAt: Date
    ) {
        self.globalPosition = globalPosition
        self.transactionID = transactionID
        self.tenant = tenant
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
    }
}
