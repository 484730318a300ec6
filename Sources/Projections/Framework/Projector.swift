public import EventStore
public import PGClient

/// Keeps read-model tables up to date from the event log.
///
/// A projector is deterministic: the same events, in the same order, give the same rows — rebuilds depend
/// on it. It never performs side effects (no HTTP, no appends); it only writes its own tables.
public protocol Projector: Sendable {
    /// The projection's name: lower-case letters, digits and `_`, used for the registry, checkpoints and locks.
    var name: String { get }
    /// The tables it owns; each starts with a `tenant_id` column and is protected by row-level security.
    var tables: [ProjectionTable] { get }
    /// The event types it consumes (the others are never read, decoded or given to it); nil for all.
    var eventTypes: Set<String>? { get }
    /// Applies events, in order, to the target's tables inside the caller's system-scoped transaction.
    /// The events are every event after the checkpoint of the types in ``eventTypes``.
    /// - Throws: when an event cannot be decoded or applied; the batch is rolled back and retried, never skipped.
    func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws
}

extension Projector {
    /// Every type, unless a projector says otherwise.
    public var eventTypes: Set<String>? { nil }

    /// The table definition with the given base name.
    public func table(named base: String) -> ProjectionTable? { tables.first { $0.name == base } }
}
