/// One reason a source customer cannot be mapped to a valid e-conomic customer.
public enum MappingProblem: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A field e-conomic requires ended up empty (e.g. no name and no e-mail to fall back on).
    case requiredFieldMissing(field: String)
    /// A value is longer than e-conomic allows and the field is not one Accord truncates
    /// (identifiers and names are never silently cut).
    case valueTooLong(field: String, length: Int, limit: Int)
    /// A value has the wrong form for its field (e.g. a currency that is not three letters).
    case invalidValue(field: String, value: String, reason: String)
    /// Customer numbers come from a source field that is empty on this customer.
    case customerNumberMissing(sourceField: String)
    /// The customer number is not an integer between 1 and 999 999 999.
    case invalidCustomerNumber(value: String)

    /// The e-conomic field concerned, when there is one.
    public var field: String? {
        switch self {
        case .requiredFieldMissing(let field), .valueTooLong(let field, _, _), .invalidValue(let field, _, _): field
        case .customerNumberMissing, .invalidCustomerNumber: EconomicField.customerNumber.rawValue
        }
    }

    /// A message naming the field and what to fix.
    public var description: String {
        switch self {
        case .requiredFieldMissing(let field):
            field == EconomicField.name.rawValue
                ? "The customer has no name and no e-mail to use as its name; e-conomic requires a name."
                : "The e-conomic field '\(field)' is required but empty."
        case .valueTooLong(let field, let length, let limit):
            "The value for e-conomic '\(field)' is \(length) characters long; e-conomic allows \(limit)."
        case .invalidValue(let field, let value, let reason):
            "The value '\(value)' is not valid for e-conomic '\(field)': \(reason)."
        case .customerNumberMissing(let sourceField):
            "Customer numbers are taken from '\(sourceField)', which is empty on this customer."
        case .invalidCustomerNumber(let value):
            "'\(value)' is not a valid e-conomic customer number (an integer from 1 to 999999999)."
        }
    }
}
