/// What an e-conomic create request's stream says about its sends, for deciding whether it may already exist in
/// e-conomic before it is sent again. e-conomic has no idempotency keys, so this is what keeps a create's effect
/// exactly-once: a send whose outcome is unknown is reconciled first, and reconciliation never adopts a customer
/// that existed before the request was first sent.
///
/// Every send is announced by ``EconomicCreateStarted`` before the `POST`, and its worker records the answer right
/// after: a success, or a refusal (a 4xx, 429 included), leave nothing unknown; no answer, an unreadable one or a
/// 5xx leave the outcome unknown, and so does a start whose worker died before recording anything. Only failures of
/// the write itself answer a start (``OutboundError/afterSending``): a lookup that fails while reconciling says
/// nothing about the send. Streams written before ``EconomicCreateStarted`` existed show no start; there a failure
/// that may have reached e-conomic (not known to be before sending) counts as an unknown outcome without a baseline
/// (``lacksBaseline``).
public struct EconomicCreateProgress: Hashable, Sendable {
    /// The customers that matched the request's identity right before its first send; `nil` while no send has been
    /// recorded as started.
    public var existingAtFirstSend: [Int]?
    /// How many sends were started.
    public var sends: Int
    /// Whether a send may have reached e-conomic without its outcome being known.
    public var outcomeUnknown: Bool
    /// Whether a person retried the request after it was abandoned as one that cannot be reconciled safely
    /// (``OutboundError/isCannotReconcile``): they looked in e-conomic, so it is sent without a lookup.
    public var clearedByPerson: Bool
    /// Abandoned as one that cannot be reconciled safely, and not retried since.
    var awaitingPerson: Bool
    /// A customer number an earlier attempt learned from e-conomic's answer (see ``OutboundError/customerNumber``).
    public var learnedNumber: Int?
    /// A start is recorded and no answer to it yet (or ever: its worker died, or could not record what happened).
    public var unanswered: Bool

    /// A stream with no sends.
    public static let initial = EconomicCreateProgress(
        existingAtFirstSend: nil, sends: 0, outcomeUnknown: false, clearedByPerson: false, awaitingPerson: false, learnedNumber: nil,
        unanswered: false)

    /// Whether the outcome is unknown and what existed before the first send was never recorded (a stream from
    /// before ``EconomicCreateStarted``): then no customer found can be told apart from a stranger.
    public var lacksBaseline: Bool { outcomeUnknown && existingAtFirstSend == nil }

    /// Applies one event of the request's stream; other events leave it unchanged.
    public func evolve(_ event: SyncEvent) -> EconomicCreateProgress {
        var next = self
        switch event {
        case .economicCreateStarted(let e):
            next.existingAtFirstSend = existingAtFirstSend ?? e.existing ?? []
            next.sends += 1
            next.outcomeUnknown = true
            next.clearedByPerson = false
            next.unanswered = true
        case .outboundSucceeded:
            next.outcomeUnknown = false
            next.unanswered = false
        case .outboundFailed(let e): next.answer(e.error)
        case .outboundAbandoned(let e):
            next.answer(e.error)
            next.awaitingPerson = e.error.isCannotReconcile
        case .outboundRateLimited(let e): next.answer(e.error)
        case .outboundRetryRequested:
            next.clearedByPerson = awaitingPerson
            next.awaitingPerson = false
        default:
            break
        }
        return next
    }

    private mutating func answer(_ error: OutboundError) {
        if let number = error.customerNumber { learnedNumber = number }
        guard error.afterSending != false else { return }
        if unanswered {
            unanswered = false
            outcomeUnknown = error.leavesOutcomeUnknown
        } else if sends == 0, error.afterSending == nil, error.leavesOutcomeUnknown {
            outcomeUnknown = true  // a send recorded by a worker from before EconomicCreateStarted
        }
    }
}
