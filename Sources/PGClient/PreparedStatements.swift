import Synchronization

/// The statements one connection has prepared in its server session, so that a statement it runs again is only bound
/// and executed: not parsed, analysed and — once the server settles on a generic plan — planned again. In
/// `ops/bench/sync.sh` those three steps were about 45 % of the server's CPU (docs/event-store.md).
///
/// A statement (its text and parameter types) is prepared the second time the connection runs it, so statements
/// built with varying text (a versioned table's name, a list spelled out) cost nothing until they repeat. At most
/// ``capacity`` per connection (`sync.sh` used about 50): when full, the next statement run alone starts the set over
/// (`DEALLOCATE ALL`), so that a long-lived connection keeps preparing what it runs now — after a rebuild, say, whose
/// new tables give its statements new text. Only statements with parameters are prepared: transaction control,
/// `LISTEN` and constant probes gain nothing.
///
/// Protocol-level prepared statements outlive the transaction that made them (a rollback keeps them) and end with the
/// session, which is why they belong to the connection. The server analyses a prepared statement again when a table,
/// view or function it uses changes, or when the role or row-security setting it was planned for changes (row-level
/// security stays per role and per tenant), and plans it again after its tables are analysed.
final class PreparedStatements: Sendable {
    /// How to send a statement.
    enum Use: Equatable {
        /// As an unnamed statement (parsed, analysed and planned on each run).
        case unnamed
        /// Prepare it under this name first, then run it; ``confirm(_:)`` or ``abandon(_:)`` the outcome.
        case prepare(String)
        /// Drop every prepared statement (`DEALLOCATE ALL`), then prepare this one under this name and run it.
        case startOverAndPrepare(String)
        /// Run the statement prepared under this name.
        case prepared(String)
    }

    /// A statement as the server sees it: text and parameter types.
    struct Key: Hashable, Sendable {
        var sql: String
        var types: [UInt32]

        init(_ query: PGQuery) {
            sql = query.sql
            types = query.typeOIDs
        }
    }

    /// At most this many statements are prepared per connection.
    static let capacity = 256
    /// At most this many statements seen once are remembered (by hash); the set starts over when full.
    static let seenCapacity = 4096

    private struct State {
        var names: [Key: String] = [:]
        /// Prepares sent and not yet answered (a pipeline): the same statement runs unnamed until it is confirmed.
        var pending: [Key: String] = [:]
        var seen: Set<Int> = []
        var next = 1
    }

    private let state = Mutex(State())
    private let enabled: Bool

    /// Makes an empty set; when not `enabled`, every statement runs unnamed.
    init(enabled: Bool = true) {
        self.enabled = enabled
    }

    /// How `query` is to be sent now; a `.prepare` or `.startOverAndPrepare` must be followed by ``confirm(_:)`` or
    /// ``abandon(_:)``.
    /// - Parameter alone: the statement is sent on its own (not in a pipeline), so a full set may start over first.
    func use(for query: PGQuery, alone: Bool) -> Use {
        guard enabled, query.parameterCount > 0 else { return .unnamed }
        let key = Key(query)
        return state.withLock { state in
            if let name = state.names[key] { return .prepared(name) }
            guard state.pending[key] == nil else { return .unnamed }
            if state.seen.insert(key.hashValue).inserted {
                if state.seen.count > Self.seenCapacity { state.seen = [key.hashValue] }
                return .unnamed
            }
            var startOver = false
            if state.names.count + state.pending.count >= Self.capacity {
                // Prepares still unanswered would be dropped too: wait for a quiet moment.
                guard alone, state.pending.isEmpty else { return .unnamed }
                startOver = true
            }
            let name = "accord_\(state.next)"
            state.next += 1
            state.pending[key] = name
            return startOver ? .startOverAndPrepare(name) : .prepare(name)
        }
    }

    /// The server dropped every prepared statement (`DEALLOCATE ALL`).
    func startedOver() {
        state.withLock { $0.names = [:] }
    }

    /// The server prepared `query`: later runs use it.
    func confirm(_ query: PGQuery) {
        let key = Key(query)
        state.withLock { state in
            if let name = state.pending.removeValue(forKey: key) { state.names[key] = name }
        }
    }

    /// The prepare failed (or its answer never came): the statement is not prepared.
    func abandon(_ query: PGQuery) {
        let key = Key(query)
        _ = state.withLock { $0.pending.removeValue(forKey: key) }
    }

    /// Stops using `query`'s prepared statement (the server refused to run it as prepared); it is prepared afresh, under
    /// a new name, when it runs again.
    func forget(_ query: PGQuery) {
        let key = Key(query)
        _ = state.withLock { $0.names.removeValue(forKey: key) }
    }
}
