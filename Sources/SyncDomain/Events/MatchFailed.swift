/// A source customer could not be matched automatically. Lives in the customer's stream.
public struct MatchFailed: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "MatchFailed"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The source customer.
    public var customer: CustomerRef
    /// Why.
    public var reason: MatchFailure

    /// Creates the payload.
    public init(customer: CustomerRef, reason: MatchFailure) {
        self.customer = customer
        self.reason = reason
    }
}
