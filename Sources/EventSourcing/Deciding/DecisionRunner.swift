public import EventStore
public import Logging
public import SyncDomain

/// Makes decisions against the event log, written once for every writer of Accord: load the streams a decision
/// needs, fold them, decide, append the events to their home streams with the versions the decision was based on
/// (one atomic append), and when another writer got there first, load again and decide again — a bounded number
/// of times, with a short jittered wait between, then ``ContentionError``.
///
/// The command handler, the importer, the reactor and the outbound streams all decide through it. Loading and
/// deciding are the caller's (`decide` runs once per attempt, so it must read fresh state each time); errors it
/// throws (a decider's refusal, an unreadable event) end the run unchanged.
///
/// ```swift
/// let outcome = try await runner.run(tenant: tenant) { _ in
///     let customer = try await store.fold(CustomerDecider.self, .customer(ref), of: tenant)
///     let events = try CustomerDecider.decide(.exclude(ref), state: customer.state)
///     return try Decision(events, basedOn: [.customer(ref): customer.version], metadata: metadata)
/// }
/// ```
public struct DecisionRunner: Sendable {
    /// The log decisions are read from and appended to.
    public let store: EventStore
    /// How many attempts a decision gets (``SyncDomain/RetryPolicy/maxAttempts``) and how long to wait between them.
    public var backoff: RetryPolicy
    /// Whether a stream's id derives from the cause of the decision that starts it (the reactor's outbound requests,
    /// whose ids derive from the event that called for them): such a stream existing already, where a decision expects
    /// to start it, proves that the same cause was decided and appended before — the run ends appending nothing.
    let derivesFromCause: @Sendable (StreamID) -> Bool
    let logger: Logger?

    /// Makes a runner.
    /// - Parameters:
    ///   - store: the event store.
    ///   - backoff: attempts and waits after a lost race.
    ///   - derivesFromCause: streams whose ids derive from the cause of the decision starting them (none by default);
    ///     see ``run(tenant:_:)``.
    ///   - logger: receives each lost race at debug level.
    public init(
        store: EventStore, backoff: RetryPolicy = .concurrencyConflicts, derivesFromCause: @escaping @Sendable (StreamID) -> Bool = { _ in false },
        logger: Logger? = nil
    ) {
        self.store = store
        self.backoff = backoff
        self.derivesFromCause = derivesFromCause
        self.logger = logger
    }

    /// Decides and appends, deciding again after each lost race.
    /// - Parameters:
    ///   - tenant: whose streams are decided on.
    ///   - decide: loads fresh state and decides; called once per attempt with the attempt's number (from 1).
    /// A decision that would start a stream whose id derives from its cause (``init(store:backoff:derivesFromCause:logger:)``)
    /// which exists already was made before — handling the same cause again after a crash between appending and saving
    /// a checkpoint decides on state that already holds its effects, and may ask for the same request again: then
    /// nothing is appended, and the outcome has no events.
    /// - Returns: the appended decision's output, events, positions and the number of lost races.
    /// - Throws: ``ContentionError`` when every attempt lost; whatever `decide` throws; ``EventStore/EventStoreError``
    ///   for other append failures (e.g. `unknownTenant`).
    @discardableResult
    public func run<Output: Sendable>(tenant: TenantID, _ decide: (_ attempt: Int) async throws -> Decision<Output>) async throws
        -> DecisionOutcome<Output>
    {
        var conflicts = 0
        while true {
            let decision = try await decide(conflicts + 1)
            do {
                let positions = try await append(decision, tenant: tenant)
                return DecisionOutcome(output: decision.output, events: decision.events, positions: positions, conflicts: conflicts)
            } catch let error as EventStoreError where error.code == .concurrencyConflict {
                if let stream = error.stream, derivesFromCause(stream),
                    decision.appends.contains(where: { $0.stream == stream && $0.expectedVersion == .noStream })
                {
                    logger?.debug(
                        "a decision's cause was decided before; appending nothing",
                        metadata: ["tenant": "\(tenant)", "event.stream": "\(stream.rawValue)"])
                    return DecisionOutcome(output: decision.output, events: [], positions: [], conflicts: conflicts)
                }
                conflicts += 1
                guard conflicts < backoff.maxAttempts else { throw ContentionError(tenant: tenant, attempts: conflicts, conflict: error) }
                logger?.debug(
                    "a decision raced another writer; deciding again",
                    metadata: ["tenant": "\(tenant)", "event.stream": "\(error.stream?.rawValue ?? "?")", "decision.attempt": "\(conflicts)"])
                try await Task.sleep(for: .seconds(backoff.delay(afterAttempt: conflicts, jitter: Double.random(in: 0..<1))))
            }
        }
    }

    /// Appends one decision's events once, without deciding again: for callers that pipeline decisions and
    /// handle a conflict themselves (then usually with ``run(tenant:_:)``).
    /// - Returns: the events' global positions, in their order (none for a decision without events).
    /// - Throws: ``EventStore/EventStoreError`` (`concurrencyConflict` naming the stale stream, …).
    @discardableResult
    public func append<Output>(_ decision: Decision<Output>, tenant: TenantID) async throws -> [Int64] {
        guard !decision.events.isEmpty else { return [] }
        return decision.positions(try await store.append(decision.appends, of: tenant))
    }

    /// Decides a command on one stream: folds it with the decider, decides, appends at the version folded.
    /// - Parameters:
    ///   - decider: the stream's decider; every event it decides must belong to `stream`.
    ///   - command: what to decide.
    ///   - context: what the decider needs beyond the stream.
    ///   - stream: the stream.
    ///   - initial: the state before the stream's first event (the decider's initial state when `nil`).
    ///   - tenant: whose stream it is.
    ///   - metadata: stored with every event.
    /// - Returns: the outcome, with the stream as folded after the append.
    /// - Throws: the decider's `Failure` when it refuses; ``ContentionError``; ``UnreadableEvent``;
    ///   ``EventStore/EventStoreError``.
    public func decide<D: Decider>(
        _ decider: D.Type, _ command: D.Command, context: D.Context, on stream: StreamName, from initial: D.State? = nil, tenant: TenantID,
        metadata: EventMetadata
    ) async throws -> DecisionOutcome<FoldedStream<D.State>> where D.State: Sendable {
        var outcome = try await run(tenant: tenant) { _ in
            let folded = try await store.fold(D.self, stream, from: initial, of: tenant)
            let events = try D.decide(command, state: folded.state, context: context)
            return try Decision(events, basedOn: [stream: folded.version], metadata: metadata, output: folded)
        }
        outcome.output.state = D.fold(outcome.events, from: outcome.output.state)
        outcome.output.version += Int64(outcome.events.count)
        outcome.output.lastPosition = outcome.positions.last ?? outcome.output.lastPosition
        return outcome
    }
}
