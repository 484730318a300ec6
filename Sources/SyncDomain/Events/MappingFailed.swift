/// A source customer's values cannot be written to e-conomic (too long, invalid, no name). Lives in the customer's stream. Not in the first catalogue: added so that a blocked create or update is visible.
public struct MappingFailed: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "MappingFailed"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The source customer.
    public var customer: CustomerRef
    /// The link, when the customer is partnered.
    public var linkId: LinkID?
    /// Every problem found.
    public var error: MappingError

    /// Creates the payload.
    public init(customer: CustomerRef, linkId: LinkID? = nil, error: MappingError) {
        self.customer = customer
        self.linkId = linkId
        self.error = error
    }
}
