public import SyncDomain

/// The match fields a chaos run switches between. E-mail always comes first, so that two customers with the same
/// e-mail are the same customer under every rule (the duplicate check relies on it).
public enum ChaosMatchRule: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// E-mail ↔ e-mail, required (a Stripe customer without one waits for a person).
    case email
    /// E-mail (required), then phone ↔ telephone (optional).
    case emailThenPhone
    /// E-mail, then phone, both optional (a customer with neither is created from its name).
    case emailOrPhone

    /// The tenant's match pairs for this rule.
    public var matchFields: [MatchField] {
        switch self {
        case .email: [MatchField(source: "email", economic: "email")]
        case .emailThenPhone:
            [MatchField(source: "email", economic: "email"), MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false)]
        case .emailOrPhone:
            [
                MatchField(source: "email", economic: "email", required: false),
                MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false),
            ]
        }
    }

    /// Whether a customer is matched by phone under this rule.
    public var matchesPhone: Bool { self != .email }

    /// Whether a customer without an e-mail is an error under this rule.
    public var requiresEmail: Bool { self != .emailOrPhone }

    /// The rule's name.
    public var description: String { rawValue }
}

/// Which of the optional mappings are on. Name, e-mail, address, zip, country and the run's reference token are
/// always mapped.
public struct ChaosMappings: Sendable, Hashable, CustomStringConvertible {
    /// phone → telephoneAndFaxNumber.
    public var phone: Bool
    /// address.city → city.
    public var city: Bool

    /// Makes a set of mappings.
    public init(phone: Bool, city: Bool) {
        self.phone = phone
        self.city = city
    }

    /// Every optional mapping on.
    public static let all = ChaosMappings(phone: true, city: true)

    /// The Stripe metadata key holding each customer's reference token, mapped to ``tokenField``: the token tells
    /// which e-conomic customer belongs to which Stripe customer without asking Accord.
    public static let tokenKey = "chaos_ref"
    /// The e-conomic field the token is mapped to (text, filterable, otherwise unused by the run).
    public static let tokenField = EconomicField.publicEntryNumber

    /// The tenant's field mappings.
    public var fieldMappings: [FieldMapping] {
        var mappings = [
            FieldMapping("name", to: "name"),
            FieldMapping("email", to: "email"),
            FieldMapping(sources: ["address.line1", "address.line2"], economic: "address"),
            FieldMapping("address.postal_code", to: "zip"),
            FieldMapping("address.country", to: "country"),
            FieldMapping("metadata.\(Self.tokenKey)", to: Self.tokenField.rawValue),
        ]
        if phone { mappings.append(FieldMapping("phone", to: "telephoneAndFaxNumber")) }
        if city { mappings.append(FieldMapping("address.city", to: "city")) }
        return mappings
    }

    /// The e-conomic fields mapped under these mappings.
    public var mappedFields: Set<EconomicField> { Set(fieldMappings.compactMap { EconomicField(rawValue: $0.economic) }) }

    /// `phone on, city off`.
    public var description: String { "phone \(phone ? "on" : "off"), city \(city ? "on" : "off")" }
}
