public import EventStore
public import SyncDomain

/// What one attempt at a decision came to: the events to append, each stream's version the decision was based
/// on, and what the caller wants back. The events are encoded when the decision is made, so a caller that
/// prepares the next decision while the previous one is appended (the importer) encodes off the append's path.
///
/// The events go to their home streams (``SyncDomain/SyncEvent/homeStream``), all in one atomic append. A stream
/// the decision read is listed with the version it read (0: it had no events); a stream it did not read must
/// not exist yet (a new outbound request, import or file customer). Any stale version fails the whole append
/// with a concurrency conflict, and ``DecisionRunner`` decides again.
public struct Decision<Output: Sendable>: Sendable {
    /// The events, in the order decided.
    public let events: [SyncEvent]
    /// What the caller gets back once the events are appended.
    public var output: Output
    /// One append per home stream, in the order the streams first appear among the events.
    let appends: [StreamAppend]
    /// For each append, the indices of its events in ``events``.
    let slots: [[Int]]

    /// A decision to append `events`.
    /// - Parameters:
    ///   - events: the events, in order (empty: nothing to append).
    ///   - versions: the version of every stream the decision read; streams not listed must be empty.
    ///   - metadata: stored with every event.
    ///   - output: what the caller gets back.
    /// - Throws: `EncodingError` if an event cannot be encoded (not expected), ``EventStore/EventStoreError``
    ///   for a stream name the store refuses.
    public init(_ events: [SyncEvent], basedOn versions: [StreamName: Int64], metadata: EventMetadata, output: Output) throws {
        try self.init(events.map { ($0, metadata) }, basedOn: versions, output: output)
    }

    /// Several decisions appended as one (e.g. the reactor's batch of a tenant's observations), each event with the
    /// metadata of the decision it belongs to (its own cause).
    /// - Parameters:
    ///   - events: the events, in order, each with its metadata.
    ///   - versions: the version of every stream the decisions read; streams not listed must be empty.
    ///   - output: what the caller gets back.
    /// - Throws: as ``init(_:basedOn:metadata:output:)``.
    public init(_ events: [(event: SyncEvent, metadata: EventMetadata)], basedOn versions: [StreamName: Int64], output: Output) throws {
        var order: [StreamName] = []
        var grouped: [StreamName: (slots: [Int], events: [NewEvent])] = [:]
        for (index, (event, metadata)) in events.enumerated() {
            let stream = event.homeStream
            if grouped[stream] == nil { order.append(stream) }
            grouped[stream, default: ([], [])].slots.append(index)
            grouped[stream]!.events.append(try EventCodec.encode(event, metadata: metadata))
        }
        self.events = events.map(\.event)
        self.output = output
        self.appends = try order.map { stream in
            let version = versions[stream] ?? 0
            return StreamAppend(
                stream: try StreamID(stream.rawValue), expecting: version == 0 ? .noStream : .exactly(version), events: grouped[stream]!.events)
        }
        self.slots = order.map { grouped[$0]!.slots }
    }

    /// A decision that appends nothing: the command changes nothing, or there was nothing to decide.
    public init(output: Output) {
        self.events = []
        self.output = output
        self.appends = []
        self.slots = []
    }

    /// The global positions of ``events``, in their order, from the results of the appends.
    func positions(_ results: [AppendResult]) -> [Int64] {
        var positions = Array(repeating: Int64(0), count: events.count)
        for (slots, result) in zip(slots, results) {
            for (index, position) in zip(slots, result.globalPositions) { positions[index] = position }
        }
        return positions
    }
}

extension Decision where Output == Void {
    /// A decision to append `events`, with nothing to give back (see ``init(_:basedOn:metadata:output:)``).
    /// - Throws: `EncodingError` or ``EventStore/EventStoreError`` (see ``init(_:basedOn:metadata:output:)``).
    public init(_ events: [SyncEvent], basedOn versions: [StreamName: Int64], metadata: EventMetadata) throws {
        try self.init(events, basedOn: versions, metadata: metadata, output: ())
    }

    /// A decision that appends nothing and gives nothing back.
    public static var nothing: Decision<Void> { Decision(output: ()) }
}
