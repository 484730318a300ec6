public import EventStore
import Foundation
import PGClient
public import SyncDomain

/// Reads and writes one request's stream (`outbound-<requestId>`) through ``SyncDomain/OutboundDecider``:
/// every write is decided against the folded state and appended with that state's version as the expected
/// version, so two writers can never both record an outcome for the same state.
public struct OutboundStream: Sendable {
    /// The event store.
    public let store: EventStore
    /// Stored with every event this writes (e.g. `system:outbound-worker`).
    public let metadata: EventMetadata

    /// Makes a stream writer.
    public init(store: EventStore, metadata: EventMetadata = EventMetadata(actor: "system:outbound")) {
        self.store = store
        self.metadata = metadata
    }

    /// A request's stream, folded.
    public struct Snapshot: Sendable, Hashable {
        /// The decider's state.
        public var state: OutboundState
        /// The stream's version (0: no such request).
        public var version: Int64
        /// The global position of the stream's last event (0: none).
        public var lastPosition: Int64
        /// Whether any attempt of this request has failed before (in any round): a create may then exist already.
        public var hasFailedBefore: Bool
    }

    /// Reads and folds a request's stream (tenant scope).
    /// - Throws: ``EventStoreError``, or ``SyncDomain/EventDecodingError`` for an event that cannot be decoded.
    public func load(_ id: RequestID, of tenant: TenantID) async throws -> Snapshot {
        let recorded = try await store.readStream(try Self.streamID(id), of: tenant)
        var state = OutboundState.initial
        var failed = false
        for event in recorded {
            let decoded = try SyncEvent.decode(type: event.type, schemaVersion: Int(event.schemaVersion), data: Data(event.data.text.utf8))
            switch decoded {
            case .outboundFailed, .outboundAbandoned: failed = true
            default: break
            }
            state = OutboundDecider.evolve(state, decoded)
        }
        return Snapshot(
            state: state, version: recorded.last?.streamVersion ?? 0, lastPosition: recorded.last?.globalPosition ?? 0, hasFailedBefore: failed)
    }

    /// What ``record(_:for:of:policy:)`` did.
    public struct Recorded: Sendable, Hashable {
        /// The events appended (empty when the decider had nothing to add, e.g. a repeated success).
        public var events: [SyncEvent]
        /// The stream after the write.
        public var snapshot: Snapshot
        /// How many times another writer got there first and the command was decided again.
        public var conflicts: Int
    }

    /// Decides `command` against the request's current state and appends the result with the expected version.
    /// When another writer appended first, the stream is read again and the command decided again (it is never
    /// carried out twice: only its record is redone). Gives up after five conflicts.
    /// - Throws: ``SyncDomain/OutboundDecider/Error`` when the command does not apply (e.g. a failure after a
    ///   success), ``EventStoreError``.
    @discardableResult
    public func record(_ command: OutboundCommand, for id: RequestID, of tenant: TenantID, policy: RetryPolicy = .default) async throws -> Recorded {
        var conflicts = 0
        while true {
            var snapshot = try await load(id, of: tenant)
            let events = try OutboundDecider.decide(command, state: snapshot.state, context: policy)
            guard !events.isEmpty else { return Recorded(events: [], snapshot: snapshot, conflicts: conflicts) }
            do {
                let result = try await store.append(
                    try events.map(newEvent), to: try Self.streamID(id), of: tenant,
                    expecting: snapshot.version == 0 ? .noStream : .exactly(snapshot.version))
                for event in events {
                    snapshot.state = OutboundDecider.evolve(snapshot.state, event)
                    if case .outboundFailed = event { snapshot.hasFailedBefore = true }
                    if case .outboundAbandoned = event { snapshot.hasFailedBefore = true }
                }
                snapshot.version = result.streamVersion
                snapshot.lastPosition = result.globalPositions.last ?? snapshot.lastPosition
                return Recorded(events: events, snapshot: snapshot, conflicts: conflicts)
            } catch let error as EventStoreError where error.code == .concurrencyConflict && conflicts < 5 {
                conflicts += 1
            }
        }
    }

    /// Records a new request (opens its stream); recording the identical request again does nothing.
    /// - Throws: ``SyncDomain/OutboundDecider/Error/conflictingRequest(_:)`` for a different request under the same id.
    @discardableResult
    public func submit(_ request: OutboundRequest, of tenant: TenantID) async throws -> Recorded {
        try await record(.request(request), for: request.requestId, of: tenant)
    }

    /// Asks for an abandoned request to be tried again (what the `RetryOutbound` command appends).
    /// - Throws: ``SyncDomain/OutboundDecider/Error/notAbandoned(_:status:)`` when it is not abandoned.
    @discardableResult
    public func retry(_ id: RequestID, of tenant: TenantID) async throws -> Recorded {
        try await record(.retry(id), for: id, of: tenant)
    }

    /// `outbound-<id>` as a stream id.
    public static func streamID(_ id: RequestID) throws -> StreamID {
        try StreamID(StreamName.outbound(id).rawValue)
    }

    private func newEvent(_ event: SyncEvent) throws -> NewEvent {
        let encoded = try event.encode()
        return NewEvent(
            type: encoded.type, schemaVersion: Int32(encoded.schemaVersion), data: PGJSON(text: String(decoding: encoded.data, as: UTF8.self)),
            metadata: metadata)
    }
}
