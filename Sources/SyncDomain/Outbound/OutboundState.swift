/// The fold of one `outbound-<requestId>` stream.
public struct OutboundState: Hashable, Sendable {
    /// The request, once recorded.
    public var request: OutboundRequest?
    /// Where it stands.
    public var status: OutboundStatus
    /// Failed attempts since the request (or since the last user retry).
    public var failedAttempts: Int
    /// The last error.
    public var lastError: OutboundError?
    /// The result, once succeeded.
    public var result: OutboundSucceeded?
    /// How many times the request waited for the target's rate limit (429), over its whole life.
    public var rateLimitedWaits: Int

    /// Creates a state.
    public init(
        request: OutboundRequest? = nil, status: OutboundStatus = .none, failedAttempts: Int = 0, lastError: OutboundError? = nil,
        result: OutboundSucceeded? = nil, rateLimitedWaits: Int = 0
    ) {
        self.request = request
        self.status = status
        self.failedAttempts = failedAttempts
        self.lastError = lastError
        self.result = result
        self.rateLimitedWaits = rateLimitedWaits
    }

    /// The state of an empty stream.
    public static let initial = OutboundState()
}
