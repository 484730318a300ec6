/// The shape every decider of Accord has, so that one runtime can load, fold, decide and append for all of
/// them: a stream (or a few) is folded from ``initial`` with ``evolve(_:_:)``, and ``decide(_:state:context:)``
/// turns a command into the events to append — pure functions, no IO.
///
/// `Context` carries what a decision needs beyond the state it was folded from: facts from read models
/// (``PartneringContext``) or a policy (``RetryPolicy``). Deciders that need nothing else use `Void` and take
/// `context: Void = ()`, so their callers write `decide(command, state: state)`.
///
/// ```swift
/// let state = CustomerDecider.fold(recorded)                            // from CustomerDecider.initial
/// let events = try CustomerDecider.decide(.exclude(ref), state: state)  // [.customerExcluded(…)]
/// ```
public protocol Decider {
    /// What a decider is asked to do.
    associatedtype Command
    /// What a decision is made on: the fold of the decider's stream.
    associatedtype State
    /// What a decision needs beyond the state (`Void` when nothing).
    associatedtype Context = Void
    /// Why a command is refused.
    associatedtype Failure: Error

    /// The state of a stream with no events.
    static var initial: State { get }

    /// The events a command calls for (possibly none: the command changes nothing).
    /// - Throws: `Failure` when the command is refused; nothing is appended then.
    static func decide(_ command: Command, state: State, context: Context) throws(Failure) -> [SyncEvent]

    /// The state after one more event; events the decider does not own leave it unchanged.
    static func evolve(_ state: State, _ event: SyncEvent) -> State
}

extension Decider {
    /// Folds events, in stream order, onto a state (by default the empty stream's).
    public static func fold(_ events: some Sequence<SyncEvent>, from state: State = initial) -> State {
        events.reduce(state, evolve)
    }
}
