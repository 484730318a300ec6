public import Foundation

/// The reactor's decision about one causing event: the events to append (each knows its stream,
/// see ``SyncEvent/homeStream``) and a summary. Deterministic in its inputs; ids of new links and
/// requests are derived from ``causationId``.
public struct SyncDecision: Hashable, Sendable {
    /// The id of the event that caused the decision (to record as causation id and key commands).
    public var causationId: UUID
    /// The summary.
    public var outcome: SyncOutcome
    /// The events to append.
    public var events: [SyncEvent]

    /// Creates a decision.
    public init(causationId: UUID, outcome: SyncOutcome, events: [SyncEvent] = []) {
        self.causationId = causationId
        self.outcome = outcome
        self.events = events
    }
}
