public import SyncDomain

/// A customer's history as `GET /api/v1/customers/{system}/{id}/history` answers it and `accord history --json`
/// prints it: `{"customer": "stripe:cus_123", "entries": [...]}`.
public struct CustomerHistory: Encodable, Sendable {
    /// Whose history.
    public var customer: CustomerRef
    /// The entries, oldest first (``CustomerTimeline``).
    public var entries: [TimelineEntry]

    /// Makes the document.
    public init(customer: CustomerRef, entries: [TimelineEntry]) {
        self.customer = customer
        self.entries = entries
    }

    private enum CodingKeys: String, CodingKey { case customer, entries }

    /// Encodes the customer as `system:id`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(customer.description, forKey: .customer)
        try c.encode(entries, forKey: .entries)
    }
}
