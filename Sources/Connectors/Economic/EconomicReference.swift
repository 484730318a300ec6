/// What an ``EconomicReference`` points at: the JSON key of its number and the collection's path.
public protocol EconomicReferenceKind: Sendable {
    /// e.g. `paymentTermsNumber`.
    static var numberKey: String { get }
    /// e.g. `payment-terms`.
    static var collectionPath: String { get }
}

/// The kinds of reference a customer holds.
public enum EconomicReferenceKinds {
    /// `{customerGroupNumber, self}`.
    public enum CustomerGroup: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "customerGroupNumber" }
        /// Collection path.
        public static var collectionPath: String { "customer-groups" }
    }
    /// `{paymentTermsNumber, self}`.
    public enum PaymentTerms: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "paymentTermsNumber" }
        /// Collection path.
        public static var collectionPath: String { "payment-terms" }
    }
    /// `{vatZoneNumber, self}`.
    public enum VatZone: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "vatZoneNumber" }
        /// Collection path.
        public static var collectionPath: String { "vat-zones" }
    }
    /// `{layoutNumber, self}`.
    public enum Layout: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "layoutNumber" }
        /// Collection path.
        public static var collectionPath: String { "layouts" }
    }
    /// `{employeeNumber, self}` (sales person).
    public enum Employee: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "employeeNumber" }
        /// Collection path.
        public static var collectionPath: String { "employees" }
    }
    /// `{customerContactNumber, self}` (attention, customerContact).
    public enum CustomerContact: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "customerContactNumber" }
        /// Collection path (below the customer).
        public static var collectionPath: String { "contacts" }
    }
    /// `{deliveryLocationNumber, self}`.
    public enum DeliveryLocation: EconomicReferenceKind {
        /// JSON key of the number.
        public static var numberKey: String { "deliveryLocationNumber" }
        /// Collection path (below the customer).
        public static var collectionPath: String { "delivery-locations" }
    }
}

/// A reference such as `{"paymentTermsNumber": 5, "self": "https://restapi.e-conomic.com/payment-terms/5"}`.
/// e-conomic accepts either the number or `self` on writes; other keys (a `name`, say) are ignored.
public struct EconomicReference<Kind: EconomicReferenceKind>: Codable, Hashable, Sendable {
    /// The referenced entity's number.
    public var number: Int?
    /// The referenced entity's URL.
    public var selfURL: String?

    /// A reference by number.
    public init(_ number: Int) {
        self.number = number
        self.selfURL = nil
    }

    /// A reference by number and/or URL.
    public init(number: Int?, selfURL: String?) {
        self.number = number
        self.selfURL = selfURL
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads `{<numberKey>, self}`; a number missing but a `self` URL ending in one is accepted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.number = try container.decodeIfPresent(Int.self, forKey: Key(Kind.numberKey))
        self.selfURL = try container.decodeIfPresent(String.self, forKey: Key("self"))
        if number == nil, let selfURL, let last = selfURL.split(separator: "/").last {
            number = Int(last)
        }
    }

    /// Writes `{<numberKey>, self}`, leaving out what is `nil`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(number, forKey: Key(Kind.numberKey))
        try container.encodeIfPresent(selfURL, forKey: Key("self"))
    }
}
