/// Accord wants to update a Stripe customer. Opens `outbound-<requestId>`; the request id is the Idempotency-Key.
public struct StripeWriteRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "StripeWriteRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// The Stripe customer id (`cus_…`).
    public var customerId: String
    /// What to write.
    public var kind: StripeWriteKind
    /// The link the write serves, if any.
    public var linkId: LinkID?
    /// Why.
    public var reason: WriteReason

    /// Creates the payload.
    public init(requestId: RequestID, customerId: String, kind: StripeWriteKind, linkId: LinkID? = nil, reason: WriteReason) {
        self.requestId = requestId
        self.customerId = customerId
        self.kind = kind
        self.linkId = linkId
        self.reason = reason
    }
}
