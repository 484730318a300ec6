/// The outbound worker is about to send a create — e-conomic's `POST /customers`, or Stripe's `POST /v1/customers` (the
/// type name is from when only e-conomic creates were sent, and stays: it is stored): recorded right before the call,
/// so that whoever attempts the request next knows a create may have reached e-conomic even when no answer was
/// recorded (the worker died, or its answer was lost). Lives in `outbound-<requestId>`.
///
/// The first one also records which e-conomic customers already matched the request's identity (its known number
/// or its match keys) before anything was sent. Those were not made by this request, so reconciliation never
/// adopts one of them; as it is in the stream, a worker that takes over agrees with the one that died.
public struct EconomicCreateStarted: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "EconomicCreateStarted"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// On the request's first send: the numbers of the customers that matched its identity just before (empty
    /// when none did, when the request carries nothing to look up by, or for a Stripe create, which is recognised by the
    /// request id in its metadata instead). `nil` on later sends.
    public var existing: [Int]?

    /// Creates the payload.
    public init(requestId: RequestID, existing: [Int]? = nil) {
        self.requestId = requestId
        self.existing = existing
    }
}
