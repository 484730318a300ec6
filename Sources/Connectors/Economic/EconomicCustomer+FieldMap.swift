/// A field map the domain layer cannot apply to a customer.
public struct EconomicFieldMapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key that caused the problem.
    public var field: String
    /// What is wrong.
    public var reason: String

    /// A readable message.
    public var description: String { "e-conomic field '\(field)': \(reason)" }
}

extension EconomicCustomer {
    /// The keys of the flat field map the domain layer speaks. References are decimal numbers; `lastUpdated`
    /// and `barred` are read-only (`barred` is `"true"` only when true and absent otherwise).
    public static let fieldMapKeys: [String] = [
        "customerNumber", "name", "currency", "customerGroup", "paymentTerms", "vatZone", "layout",
        "address", "zip", "city", "country", "email", "telephoneAndFaxNumber", "mobilePhone", "website",
        "corporateIdentificationNumber", "vatNumber", "ean", "publicEntryNumber",
        "lastUpdated", "barred",
    ]

    /// Keys of ``fieldMapKeys`` that ``apply(fieldMap:)`` ignores.
    public static let readOnlyFieldMapKeys: Set<String> = ["lastUpdated", "barred"]

    private static var mappedTextKeys: [(String, WritableKeyPath<EconomicCustomer, String?>)] {
        [
            ("address", \.address), ("zip", \.zip), ("city", \.city), ("country", \.country), ("email", \.email),
            ("telephoneAndFaxNumber", \.telephoneAndFaxNumber), ("mobilePhone", \.mobilePhone), ("website", \.website),
            ("corporateIdentificationNumber", \.corporateIdentificationNumber), ("vatNumber", \.vatNumber), ("ean", \.ean),
            ("publicEntryNumber", \.publicEntryNumber),
        ]
    }

    /// The customer as a flat map with the keys of ``fieldMapKeys``; empty values are left out.
    public var fieldMap: [String: String] {
        var map: [String: String] = [:]
        func put(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { map[key] = value }
        }
        put("customerNumber", customerNumber.map(String.init))
        put("name", name)
        put("currency", currency)
        put("customerGroup", customerGroup?.number.map(String.init))
        put("paymentTerms", paymentTerms?.number.map(String.init))
        put("vatZone", vatZone?.number.map(String.init))
        put("layout", layout?.number.map(String.init))
        for (key, keyPath) in Self.mappedTextKeys { put(key, self[keyPath: keyPath]) }
        put("lastUpdated", lastUpdated)
        if barred == true { map["barred"] = "true" }
        return map
    }

    /// A new customer from a field map (see ``apply(fieldMap:)``).
    /// - Throws: ``EconomicFieldMapError`` for an unknown key or a reference that is not a number.
    public init(fieldMap: [String: String]) throws(EconomicFieldMapError) {
        self.init(name: "", currency: "", customerGroup: 0, paymentTerms: 0, vatZone: 0)
        customerGroup = nil
        paymentTerms = nil
        vatZone = nil
        try apply(fieldMap: fieldMap)
    }

    /// Sets the properties named in the map; an empty value clears the property. Keys not in the map are left
    /// as they are; `lastUpdated` and `barred` are read-only and ignored.
    /// - Throws: ``EconomicFieldMapError`` for an unknown key or a number that does not parse.
    public mutating func apply(fieldMap: [String: String]) throws(EconomicFieldMapError) {
        for (key, rawValue) in fieldMap.sorted(by: { $0.key < $1.key }) {
            let value = rawValue.trimmingWhitespace()
            func number() throws(EconomicFieldMapError) -> Int? {
                if value.isEmpty { return nil }
                guard let number = Int(value), number > 0 else {
                    throw EconomicFieldMapError(field: key, reason: "'\(rawValue)' is not a positive whole number")
                }
                return number
            }
            switch key {
            case "customerNumber": customerNumber = try number()
            case "name": name = rawValue
            case "currency": currency = value.uppercased()
            case "customerGroup": customerGroup = try number().map(CustomerGroupReference.init)
            case "paymentTerms": paymentTerms = try number().map(PaymentTermsReference.init)
            case "vatZone": vatZone = try number().map(VatZoneReference.init)
            case "layout": layout = try number().map(LayoutReference.init)
            case _ where Self.readOnlyFieldMapKeys.contains(key): continue
            default:
                guard let keyPath = Self.mappedTextKeys.first(where: { $0.0 == key })?.1 else {
                    throw EconomicFieldMapError(field: key, reason: "not a customer field the field map supports")
                }
                self[keyPath: keyPath] = rawValue.isEmpty ? nil : rawValue
            }
        }
    }
}
