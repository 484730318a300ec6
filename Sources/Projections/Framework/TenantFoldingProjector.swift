public import EventSourcing
public import EventStore
public import PGClient

/// A projector whose rows for a tenant follow from that tenant's events alone (and its current settings), so that a
/// rebuild from the first event can fold each tenant's whole history in memory and write every row once — instead of
/// loading, changing and writing rows back batch after batch (``Rebuilder``). Memory is bounded by the two largest
/// tenants' rows (one tenant's are written while the next is folded), not by the log.
///
/// The fold gives the rows ``Projector/apply(_:to:on:)`` gives for the same events: both run the same pure model.
public protocol TenantFoldingProjector: Projector {
    /// One tenant's rows being folded.
    associatedtype TenantFold: Sendable

    /// An empty fold for a tenant, with what it needs read in the caller's system-scoped transaction (such as the
    /// tenant's current settings).
    func startFold(of tenant: TenantID, on connection: PGConnection) async throws -> TenantFold

    /// Folds the tenant's next events (of ``Projector/eventTypes``), in log order.
    func fold(_ events: [DomainEvent], into fold: inout TenantFold)

    /// Writes the folded rows into the target's tables (which hold none of the tenant's rows), in the caller's
    /// system-scoped transaction.
    func write(_ fold: TenantFold, to target: ProjectionTarget, on connection: PGConnection) async throws
}
