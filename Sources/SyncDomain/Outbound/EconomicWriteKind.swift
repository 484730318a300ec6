/// What an e-conomic write does.
public enum EconomicWriteKind: Hashable, Sendable, Codable {
    /// `POST /customers` (the payload's `customerNumber`, when present, is the chosen number).
    case create
    /// `PUT /customers/{customerNumber}` with the full payload.
    case update(customerNumber: Int)
}
