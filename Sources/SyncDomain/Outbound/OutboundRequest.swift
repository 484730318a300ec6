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

    /// The event that opens the stream.
    public var event: SyncEvent {
        switch self {
        case .economic(let e): .economicWriteRequested(e)
        case .stripe(let e): .stripeWriteRequested(e)
        }
    }
}
