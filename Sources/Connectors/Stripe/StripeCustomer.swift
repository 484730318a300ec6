/// A Stripe customer, decoded tolerantly: only `id` is required, unknown fields are ignored, and both the
/// current shape and localstripe's older one (`business_vat_id`, no `balance`) are read. The deleted stub
/// `{id, object, deleted: true}` decodes too (see ``isDeleted``).
///
/// Encoding writes the same JSON shape back (snake_case keys; `tax_ids` as a list object).
public struct StripeCustomer: Codable, Sendable, Hashable {
    /// `cus_…`.
    public var id: String
    /// `"customer"`.
    public var object: String?
    /// Not unique in Stripe; may be absent.
    public var email: String?
    /// Full name or business name.
    public var name: String?
    /// Phone number.
    public var phone: String?
    /// Free text.
    public var description: String?
    /// The billing address.
    public var address: StripeAddress?
    /// String key/value pairs (at most 50).
    public var metadata: [String: String]
    /// Unix seconds.
    public var created: Int64?
    /// Lowercase ISO 4217 code used for recurring billing.
    public var currency: String?
    /// `false` in test mode.
    public var livemode: Bool?
    /// `true` only on the deleted stub.
    public var deleted: Bool?
    /// The customer's tax ids (only when `tax_ids` was expanded, or in localstripe, which always includes them).
    public var taxIDs: [StripeTaxID]
    /// The legacy single VAT id (old API versions and localstripe).
    public var businessVATID: String?

    /// Creates a customer value.
    public init(
        id: String, object: String? = "customer", email: String? = nil, name: String? = nil, phone: String? = nil,
        description: String? = nil, address: StripeAddress? = nil, metadata: [String: String] = [:], created: Int64? = nil,
        currency: String? = nil, livemode: Bool? = nil, deleted: Bool? = nil, taxIDs: [StripeTaxID] = [], businessVATID: String? = nil
    ) {
        self.id = id
        self.object = object
        self.email = email
        self.name = name
        self.phone = phone
        self.description = description
        self.address = address
        self.metadata = metadata
        self.created = created
        self.currency = currency
        self.livemode = livemode
        self.deleted = deleted
        self.taxIDs = taxIDs
        self.businessVATID = businessVATID
    }

    /// Whether this is the deleted stub.
    public var isDeleted: Bool { deleted == true }

    /// The tax id: the first expanded `tax_ids.data[].value`, else the legacy `business_vat_id`.
    public var taxID: String? {
        if let value = taxIDs.first(where: { !$0.value.isEmpty })?.value { return value }
        return businessVATID.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, email, name, phone, description, address, metadata, created, currency, livemode, deleted
        case taxIDs = "tax_ids"
        case businessVATID = "business_vat_id"
    }

    private struct TaxIDList: Codable {
        var object: String?
        var data: [StripeTaxID]
    }

    /// Decodes a customer; see the type's documentation.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decodeIfPresent(String.self, forKey: .object)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        address = try container.decodeIfPresent(StripeAddress.self, forKey: .address)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        created = try container.decodeIfPresent(Int64.self, forKey: .created)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        livemode = try container.decodeIfPresent(Bool.self, forKey: .livemode)
        deleted = try container.decodeIfPresent(Bool.self, forKey: .deleted)
        // `tax_ids` is a list object when expanded; anything else (absent, null) means "not known".
        taxIDs = (try? container.decodeIfPresent(TaxIDList.self, forKey: .taxIDs))?.data ?? []
        businessVATID = try container.decodeIfPresent(String.self, forKey: .businessVATID)
    }

    /// Encodes the customer in Stripe's shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(object, forKey: .object)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(phone, forKey: .phone)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encode(metadata, forKey: .metadata)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encodeIfPresent(currency, forKey: .currency)
        try container.encodeIfPresent(livemode, forKey: .livemode)
        try container.encodeIfPresent(deleted, forKey: .deleted)
        if !taxIDs.isEmpty { try container.encode(TaxIDList(object: "list", data: taxIDs), forKey: .taxIDs) }
        try container.encodeIfPresent(businessVATID, forKey: .businessVATID)
    }
}

/// A Stripe address; every part may be absent.
public struct StripeAddress: Codable, Sendable, Hashable {
    /// Street line 1.
    public var line1: String?
    /// Street line 2.
    public var line2: String?
    /// City.
    public var city: String?
    /// Postal code.
    public var postalCode: String?
    /// State, county, province or region.
    public var state: String?
    /// ISO 3166-1 alpha-2 country code (should be; Stripe does not enforce it everywhere).
    public var country: String?

    /// Creates an address.
    public init(
        line1: String? = nil, line2: String? = nil, city: String? = nil, postalCode: String? = nil, state: String? = nil,
        country: String? = nil
    ) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.state = state
        self.country = country
    }

    enum CodingKeys: String, CodingKey {
        case line1, line2, city, state, country
        case postalCode = "postal_code"
    }
}

/// One entry of a customer's `tax_ids` list.
public struct StripeTaxID: Codable, Sendable, Hashable {
    /// `txi_…`.
    public var id: String?
    /// E.g. `eu_vat`.
    public var type: String?
    /// The number, e.g. `DK12345678`.
    public var value: String
    /// The country it belongs to.
    public var country: String?

    /// Creates a tax id value.
    public init(id: String? = nil, type: String? = nil, value: String, country: String? = nil) {
        self.id = id
        self.type = type
        self.value = value
        self.country = country
    }
}

/// A tax id to attach when creating a customer (`tax_id_data[n][type]`, `tax_id_data[n][value]`).
public struct StripeTaxIDData: Sendable, Hashable {
    /// E.g. `eu_vat`.
    public var type: String
    /// E.g. `DK12345678`.
    public var value: String

    /// Creates tax id data.
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}
