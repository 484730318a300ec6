import EventSourcing
public import EventStore
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
        /// Whether any attempt of this request has failed before (in any round).
        public var hasFailedBefore: Bool
        /// For an e-conomic create: its sends, whether one may have taken effect unseen, and what existed before.
        public var create: EconomicCreateProgress
    }

    /// Reads and folds a request's stream (tenant scope).
    /// - Throws: ``EventStoreError``, or ``EventSourcing/UnreadableEvent`` for an event that cannot be decoded.
    public func load(_ id: RequestID, of tenant: TenantID) async throws -> Snapshot {
        Snapshot(try await store.fold(History.self, .outbound(id), of: tenant))
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
    /// carried out twice: only its record is redone), up to ``EventSourcing/DecisionRunner``'s limit.
    /// - Throws: ``SyncDomain/OutboundDecider/Error`` when the command does not apply (e.g. a failure after a
    ///   success), ``EventSourcing/ContentionError`` when other writers kept winning, ``EventStoreError``.
    @discardableResult
    public func record(_ command: OutboundCommand, for id: RequestID, of tenant: TenantID, policy: RetryPolicy = .default) async throws -> Recorded {
        let outcome = try await DecisionRunner(store: store).decide(
            History.self, command, context: policy, on: .outbound(id), tenant: tenant, metadata: metadata)
        return Recorded(events: outcome.events, snapshot: Snapshot(outcome.output), conflicts: outcome.conflicts)
    }

    /// Records that an e-conomic create is about to be sent (``SyncDomain/EconomicCreateStarted``), appended at exactly
    /// the version of `snapshot`: a send is only ever decided on what the stream showed, so if anything was appended
    /// since, nothing is recorded and the append's concurrency conflict is thrown (then do not send).
    /// - Parameters:
    ///   - existing: on the first send, the customers that matched the request's identity just before (else `nil`).
    ///   - snapshot: the stream as the caller folded it.
    /// - Returns: the stream after the start.
    /// - Throws: ``SyncDomain/OutboundDecider/Error`` (e.g. already succeeded), ``EventStoreError`` (`concurrencyConflict`).
    public func recordStart(_ id: RequestID, existing: [Int]?, of tenant: TenantID, at snapshot: Snapshot) async throws -> Snapshot {
        let events = try OutboundDecider.decide(.startCreate(id, existing: existing), state: snapshot.state)
        let decision = try Decision(events, basedOn: [.outbound(id): snapshot.version], metadata: metadata)
        let positions = try await DecisionRunner(store: store).append(decision, tenant: tenant)
        var next = snapshot
        next.state = OutboundDecider.fold(events, from: snapshot.state)
        next.create = events.reduce(snapshot.create) { $0.evolve($1) }
        next.version += Int64(events.count)
        next.lastPosition = positions.last ?? snapshot.lastPosition
        return next
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

    /// A request's stream as the worker folds it: the decider's state, whether any attempt ever failed, and a
    /// create's progress.
    fileprivate enum History: Decider {
        struct State: Sendable {
            var request: OutboundState
            var hasFailedBefore: Bool
            var create: EconomicCreateProgress
        }

        static var initial: State { State(request: .initial, hasFailedBefore: false, create: .initial) }

        static func decide(_ command: OutboundCommand, state: State, context policy: RetryPolicy) throws(OutboundDecider.Error) -> [SyncEvent] {
            try OutboundDecider.decide(command, state: state.request, context: policy)
        }

        static func evolve(_ state: State, _ event: SyncEvent) -> State {
            var state = state
            state.request = OutboundDecider.evolve(state.request, event)
            state.create = state.create.evolve(event)
            switch event {
            case .outboundFailed, .outboundAbandoned: state.hasFailedBefore = true
            default: break
            }
            return state
        }
    }
}

extension OutboundStream.Snapshot {
    fileprivate init(_ folded: FoldedStream<OutboundStream.History.State>) {
        self.init(
            state: folded.state.request, version: folded.version, lastPosition: folded.lastPosition, hasFailedBefore: folded.state.hasFailedBefore,
            create: folded.state.create)
    }
}
