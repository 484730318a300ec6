public import Foundation

/// A customer was deleted in its system. Lives in `customer-<system>-<id>`.
public struct CustomerDeleted: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "CustomerDeleted"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The customer.
    public var customer: CustomerRef
    /// The id of the reporting event in the system, if any.
    public var sourceEventId: String?
    /// When the system deleted it, if known.
    public var sourceUpdatedAt: Date?

    /// Creates the payload.
    public init(customer: CustomerRef, sourceEventId: String? = nil, sourceUpdatedAt: Date? = nil) {
        self.customer = customer
        self.sourceEventId = sourceEventId
        self.sourceUpdatedAt = sourceUpdatedAt
    }
}
