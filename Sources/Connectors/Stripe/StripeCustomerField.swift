/// A customer field Accord may write to Stripe. The raw value is the source-vocabulary key
/// (see ``StripeCustomer/sourceFields``); ``formKey`` is how Stripe's form encoding names it.
public enum StripeCustomerField: String, Sendable, Hashable, CaseIterable {
    /// `name`.
    case name
    /// `email`.
    case email
    /// `phone`.
    case phone
    /// `description`.
    case description
    /// `address[line1]`.
    case addressLine1 = "address.line1"
    /// `address[line2]`.
    case addressLine2 = "address.line2"
    /// `address[postal_code]`.
    case addressPostalCode = "address.postal_code"
    /// `address[city]`.
    case addressCity = "address.city"
    /// `address[state]`.
    case addressState = "address.state"
    /// `address[country]` (ISO alpha-2).
    case addressCountry = "address.country"

    /// The form key, e.g. `address[postal_code]`.
    public var formKey: String {
        switch self {
        case .name, .email, .phone, .description: return rawValue
        case .addressLine1: return "address[line1]"
        case .addressLine2: return "address[line2]"
        case .addressPostalCode: return "address[postal_code]"
        case .addressCity: return "address[city]"
        case .addressState: return "address[state]"
        case .addressCountry: return "address[country]"
        }
    }

    /// Whether it is part of the address.
    public var isAddress: Bool { rawValue.hasPrefix("address.") }
}

/// The outcome of retrieving a customer.
public enum StripeCustomerLookup: Sendable, Hashable {
    /// The customer.
    case customer(StripeCustomer)
    /// Stripe's deleted stub (`200 {id, object, deleted: true}`): the customer was deleted.
    case deleted(id: String)
    /// `404` (`resource_missing`): no such customer. localstripe answers this for deleted customers too, so
    /// treat it like a deletion when the id was known before.
    case notFound(id: String)

    /// The customer, when there is one.
    public var customer: StripeCustomer? {
        if case .customer(let customer) = self { return customer }
        return nil
    }
}

/// One page of `GET /v1/customers`.
public struct StripeCustomerPage: Decodable, Sendable, Hashable {
    /// The customers on this page (newest first in Stripe, oldest first in localstripe: don't rely on order).
    public var data: [StripeCustomer]
    /// Whether more pages follow.
    public var hasMore: Bool
    /// The list's URL path.
    public var url: String?

    /// The cursor for the next page: the last customer's id.
    public var nextCursor: String? { hasMore ? data.last?.id : nil }

    /// Creates a page.
    public init(data: [StripeCustomer], hasMore: Bool, url: String? = nil) {
        self.data = data
        self.hasMore = hasMore
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case data, url
        case hasMore = "has_more"
    }
}
