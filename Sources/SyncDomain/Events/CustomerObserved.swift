public import Foundation

/// A customer as seen in its system (Stripe webhook or poll, e-conomic poll, file row). Lives in `customer-<system>-<id>`.
public struct CustomerObserved: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "CustomerObserved"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The customer.
    public var customer: CustomerRef
    /// Its fields in its system's vocabulary (source or e-conomic), blank values left out.
    public var fields: [String: String]
    /// The id of the event in the system that reported it (e.g. Stripe `evt_…`), for deduplication.
    public var sourceEventId: String?
    /// When the system says the customer had these values (Stripe event `created`, e-conomic `lastUpdated`, upload time).
    public var sourceUpdatedAt: Date?

    /// Creates the payload.
    public init(customer: CustomerRef, fields: [String: String], sourceEventId: String? = nil, sourceUpdatedAt: Date? = nil) {
        self.customer = customer
        self.fields = fields
        self.sourceEventId = sourceEventId
        self.sourceUpdatedAt = sourceUpdatedAt
    }
}
