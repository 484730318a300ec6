/// The request an `outbound-<id>` stream carries out.
public enum OutboundRequest: Hashable, Sendable {
    /// An e-conomic create or update.
    case economic(EconomicWriteRequested)
    /// A Stripe customer update.
    case stripe(StripeWriteRequested)

    /// The request id.
    public var requestId: RequestID {
        switch self {
        case .economic(let e): e.requestId
        case .stripe(let e): e.requestId
        }
    }

    /// Earlier requests this one carries forward (recorded superseded before it is sent).
    public var supersedes: [RequestID] {
        switch self {
        case .economic(let e): e.supersedes
        case .stripe(let e): e.supersedes
        }
    }

    /// The event that opens the stream.
    public var event: SyncEvent {
        switch self {
        case .economic(let e): .economicWriteRequested(e)
        case .stripe(let e): .stripeWriteRequested(e)
        }
    }
}
