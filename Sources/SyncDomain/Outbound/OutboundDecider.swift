/// Decides and folds one outbound request stream (`outbound-<requestId>`).
///
/// A retryable failure (see ``OutboundError/isRetryable``) below the attempt limit becomes
/// `OutboundFailed` with the next attempt time from the ``RetryPolicy``; a permanent failure or the
/// last allowed attempt becomes `OutboundAbandoned`. A 429 is none of these: the target is asking to
/// slow down, so it becomes `OutboundRateLimited`, waits at least its Retry-After, and neither uses an
/// attempt nor ever abandons the request. A user's retry of an abandoned request becomes
/// `OutboundRetryRequested` and starts a fresh round of attempts. A success may arrive after
/// abandonment (a lost response found by reconciliation) and is recorded; a repeated success is
/// ignored. A request a newer one of the same link carries forward is `OutboundSuperseded` and never
/// attempted again (a success found for it later is still recorded: it is the truth). Before each
/// e-conomic create is sent, `EconomicCreateStarted` marks that it may reach e-conomic (see
/// ``EconomicCreateProgress``).
public enum OutboundDecider: Decider {
    /// Why an outbound command is refused.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// The stream holds no request (or another request than the command names).
        case unknownRequest(RequestID)
        /// The stream already holds a different request under this id.
        case conflictingRequest(RequestID)
        /// The request already succeeded; a failure cannot follow.
        case alreadySucceeded(RequestID)
        /// The request is abandoned; record a retry first.
        case alreadyAbandoned(RequestID)
        /// A newer request carries this one forward; it is never attempted again.
        case superseded(RequestID, by: RequestID)
        /// Only an abandoned request can be retried by a user.
        case notAbandoned(RequestID, status: OutboundStatus)
        /// Only a create (e-conomic or Stripe) is started with ``OutboundCommand/startCreate(_:existing:)``.
        case notACreate(RequestID)

        /// A message naming the request.
        public var description: String {
            switch self {
            case .unknownRequest(let id): "No outbound request \(id) is recorded."
            case .conflictingRequest(let id): "Outbound request \(id) already exists with different content."
            case .alreadySucceeded(let id): "Outbound request \(id) already succeeded."
            case .alreadyAbandoned(let id): "Outbound request \(id) was abandoned; retry it before recording new attempts."
            case .superseded(let id, let newer): "Outbound request \(id) is superseded by \(newer), which carries its changes forward."
            case .notAbandoned(let id, let status):
                "Outbound request \(id) is not abandoned (it is \(status)); only abandoned requests can be retried."
            case .notACreate(let id): "Outbound request \(id) is not a create."
            }
        }
    }

    /// A stream with no events: no request recorded.
    public static var initial: OutboundState { .initial }

    /// Decides the events for a command.
    /// - Parameters:
    ///   - command: The command.
    ///   - state: The stream's state.
    ///   - policy: The retry policy, which says when a failed attempt is tried again and when it is abandoned.
    /// - Throws: ``Error``.
    public static func decide(_ command: OutboundCommand, state: OutboundState, context policy: RetryPolicy = .default) throws(Error) -> [SyncEvent] {
        switch command {
        case .request(let request):
            if let existing = state.request {
                guard existing == request else { throw .conflictingRequest(request.requestId) }
                return []
            }
            return [request.event]

        case .recordSuccess(let id, let customerNumber, let stripeCustomerId, let written, let targetMoved):
            try check(id, in: state)
            if state.status == .succeeded { return [] }
            return [
                .outboundSucceeded(
                    OutboundSucceeded(
                        requestId: id, customerNumber: customerNumber, stripeCustomerId: stripeCustomerId, written: written, targetMoved: targetMoved))
            ]

        case .recordFailure(let id, let error, let retryAfter, let now, let jitter):
            try check(id, in: state)
            switch state.status {
            case .succeeded: throw .alreadySucceeded(id)
            case .abandoned: throw .alreadyAbandoned(id)
            case .superseded(let newer): throw .superseded(id, by: newer)
            default: break
            }
            if error.isRateLimit {
                let waits = state.rateLimitedWaits + 1
                let retryAt = policy.rateLimitedRetryAt(wait: waits, now: now, retryAfter: retryAfter, jitter: jitter)
                return [
                    .outboundRateLimited(
                        OutboundRateLimited(requestId: id, waits: waits, failedAttempts: state.failedAttempts, error: error, retryAt: retryAt))
                ]
            }
            let attempt = state.failedAttempts + 1
            if !error.isRetryable || attempt >= policy.maxAttempts {
                return [.outboundAbandoned(OutboundAbandoned(requestId: id, attempts: attempt, error: error))]
            }
            let retryAt = policy.retryAt(afterAttempt: attempt, now: now, retryAfter: retryAfter, jitter: jitter)
            return [.outboundFailed(OutboundFailed(requestId: id, attempt: attempt, error: error, retryAt: retryAt))]

        case .startCreate(let id, let existing):
            try check(id, in: state)
            switch state.request {
            case .economic(let write) where write.kind == .create: break
            case .stripe(let write) where write.kind.isCreate: break
            default: throw .notACreate(id)
            }
            switch state.status {
            case .succeeded: throw .alreadySucceeded(id)
            case .abandoned: throw .alreadyAbandoned(id)
            case .superseded(let newer): throw .superseded(id, by: newer)
            default: return [.economicCreateStarted(EconomicCreateStarted(requestId: id, existing: existing))]
            }

        case .retry(let id):
            try check(id, in: state)
            guard state.status == .abandoned else { throw .notAbandoned(id, status: state.status) }
            return [.outboundRetryRequested(OutboundRetryRequested(requestId: id))]

        case .supersede(let id, let newer):
            try check(id, in: state)
            switch state.status {
            case .pending, .retrying, .rateLimited, .abandoned: return [.outboundSuperseded(OutboundSuperseded(requestId: id, by: newer))]
            case .none, .succeeded, .superseded: return []  // carried out (its value is among the newer one's), or already done
            }
        }
    }

    private static func check(_ id: RequestID, in state: OutboundState) throws(Error) {
        guard let request = state.request, request.requestId == id else { throw .unknownRequest(id) }
    }

    /// Applies one event; other events leave the state unchanged.
    public static func evolve(_ state: OutboundState, _ event: SyncEvent) -> OutboundState {
        var state = state
        switch event {
        case .economicWriteRequested(let e):
            state = OutboundState(request: .economic(e), status: .pending)
        case .stripeWriteRequested(let e):
            state = OutboundState(request: .stripe(e), status: .pending)
        case .outboundSucceeded(let e):
            state.status = .succeeded
            state.result = e
        case .outboundFailed(let e):
            state.status = .retrying(retryAt: e.retryAt)
            state.failedAttempts = e.attempt
            state.lastError = e.error
        case .outboundAbandoned(let e):
            state.status = .abandoned
            state.failedAttempts = e.attempts
            state.lastError = e.error
        case .outboundRateLimited(let e):
            state.status = .rateLimited(until: e.retryAt)
            state.rateLimitedWaits = e.waits
            state.lastError = e.error
        case .outboundRetryRequested:
            state.status = .pending
            state.failedAttempts = 0
        case .outboundSuperseded(let e):
            // Its failures no longer matter: the newer request carries its changes (and shows its own errors).
            state.status = .superseded(by: e.by)
            state.lastError = nil
        default:
            break
        }
        return state
    }
}
