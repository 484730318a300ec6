/// A user undid "Don't synchronise". Lives in the customer's stream.
public struct CustomerIncluded: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "CustomerIncluded"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The customer.
    public var customer: CustomerRef

    /// Creates the payload.
    public init(customer: CustomerRef) {
        self.customer = customer
    }
}
