public import EventStore
public import PGClient
public import SyncDomain

/// Reading streams the way a decider needs them: decoded with ``EventCodec`` and folded with its `evolve`.
extension EventStore {
    /// Events read per query when folding one stream.
    static let foldPageSize = 10_000

    /// Reads a stream (in its own tenant-scoped transaction) and folds it.
    /// - Parameters:
    ///   - decider: folds the events.
    ///   - stream: the stream.
    ///   - initial: the state before the first event (the decider's ``SyncDomain/Decider/initial`` when `nil`).
    ///   - tenant: whose stream it is.
    /// - Throws: ``EventStore/EventStoreError``, or ``UnreadableEvent`` for an event that cannot be decoded.
    public func fold<D: Decider>(_ decider: D.Type, _ stream: StreamName, from initial: D.State? = nil, of tenant: TenantID) async throws
        -> FoldedStream<D.State>
    {
        let id = try StreamID(stream.rawValue)
        var folded = FoldedStream(state: initial ?? D.initial, version: 0, lastPosition: 0)
        while true {
            let page = try await readStream(id, of: tenant, fromVersion: folded.version + 1, limit: Self.foldPageSize)
            folded = try Self.fold(D.self, page, onto: folded)
            if page.count < Self.foldPageSize { return folded }
        }
    }

    /// Reads several streams of one tenant in one statement, inside the caller's transaction (in the tenant's
    /// scope), and folds each.
    /// - Parameters:
    ///   - decider: folds the events.
    ///   - initials: each stream with the state before its first event.
    ///   - tenant: whose streams they are.
    ///   - connection: the caller's transaction.
    /// - Returns: every stream given, folded (version 0 for a stream with no events).
    /// - Throws: ``EventStore/EventStoreError``, or ``UnreadableEvent`` for an event that cannot be decoded.
    public func fold<D: Decider>(_ decider: D.Type, _ initials: [StreamName: D.State], of tenant: TenantID, on connection: PGConnection)
        async throws -> [StreamName: FoldedStream<D.State>]
    {
        guard !initials.isEmpty else { return [:] }
        let streams = try initials.keys.map { name in (name, try StreamID(name.rawValue)) }
        let recorded = try await readStreams(streams.map(\.1), of: tenant, on: connection)
        var result: [StreamName: FoldedStream<D.State>] = [:]
        result.reserveCapacity(streams.count)
        for (name, id) in streams {
            result[name] = try Self.fold(D.self, recorded[id] ?? [], onto: FoldedStream(state: initials[name]!, version: 0, lastPosition: 0))
        }
        return result
    }

    /// Folds recorded events of one stream onto what was folded before them.
    static func fold<D: Decider>(_ decider: D.Type, _ events: [RecordedEvent], onto folded: FoldedStream<D.State>) throws(UnreadableEvent)
        -> FoldedStream<D.State>
    {
        var folded = folded
        for recorded in events {
            folded.state = D.evolve(folded.state, try EventCodec.decode(recorded))
            folded.version = recorded.streamVersion
            folded.lastPosition = recorded.globalPosition
        }
        return folded
    }
}
