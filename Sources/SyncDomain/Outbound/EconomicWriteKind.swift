/// What an e-conomic write does.
public enum EconomicWriteKind: Hashable, Sendable, Codable {
    /// `POST /customers` (the payload's `customerNumber`, when present, is the chosen number).
    case create
    /// Read `/customers/{customerNumber}`, apply the patch field by field, `PUT` the result.
    case update(customerNumber: Int)
}
