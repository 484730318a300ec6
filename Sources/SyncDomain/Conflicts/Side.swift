/// One side of a partner link.
public enum Side: String, Hashable, Sendable, Codable, CaseIterable {
    /// The source customer (Stripe or file).
    case source
    /// The e-conomic customer.
    case economic

    /// The other side.
    public var opposite: Side { self == .source ? .economic : .source }
}
