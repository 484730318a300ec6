/// What happens to a source customer that matches no e-conomic customer.
public enum CreatePolicy: String, Hashable, Sendable, Codable {
    /// Accord requests a new e-conomic customer with the tenant's defaults.
    case automatic
    /// The customer stays unpartnered until a user creates or selects a partner.
    case manual
}
