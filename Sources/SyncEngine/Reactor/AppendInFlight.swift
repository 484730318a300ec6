import EventStore
import SyncDomain

/// A tenant's batch whose events are being appended while the reactor reads and decides the tenant's next batch
/// (``Reactor/decideTogether(_:handled:inFlight:)``): the append waits on the database — its commit, the inserts and
/// their indexes — while the next batch's read and decisions need little of it, so the two overlap.
///
/// The next batch is decided on what this one leaves (its partnering and the customers it appends to, carried here),
/// and appended only once this one is stored, with the versions this one leaves as the expected ones: the log keeps
/// the decisions in their order, and nothing is appended on an outcome that did not happen. When this append raced
/// another writer (nothing stored), its runs are decided again event by event on fresh state, and the next batch's
/// decisions are dropped and made again after them.
struct AppendInFlight: Sendable {
    /// The runs the append settles, in log order (a run with nothing to append that was decided on this one's outcome
    /// joins it: it counts as handled only once this one is stored).
    var runs: [[Reactor.Batched]]
    /// The append: true once the events are stored, false when another writer changed one of its streams first (then
    /// nothing is stored).
    let stored: Task<Bool, any Error>
    /// The `partners` stream's version before the batch's events.
    let partneringBase: Int64
    /// The `partners` stream's version after them.
    let partneringVersion: Int64
    /// The partnering after the batch's events: moved to the next batch that decides on it (nil then), or kept for the
    /// tenant's next turn once stored.
    var partnering: PartneringState?
    /// The customers the batch appends to, as they are after it, with their streams' versions then.
    let customers: [CustomerRef: (state: CustomerState, version: Int64)]

    /// The checkpoint of the last event the append settles.
    var reaches: Checkpoint? { runs.last?.last?.recorded.checkpoint }

    /// Whether a batch whose read saw the `partners` stream at `version` may decide on this append's outcome: the read
    /// came before it was stored, or after it with nothing else appended since.
    func chains(fromPartneringVersion version: Int64) -> Bool {
        version == partneringBase || version == partneringVersion
    }
}
