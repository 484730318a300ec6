public import Foundation

/// A customer of e-conomic's legacy REST API (`/customers/{customerNumber}`).
///
/// Decoding is tolerant: unknown properties are kept in ``otherFields`` and written back on a PUT, so a
/// read-modify-write (``EconomicClient/updateCustomer(number:modify:)``) does not wipe what this type does not model.
/// Writing leaves out `nil` and empty values (e-conomic rejects `null`) and the read-only properties.
public struct EconomicCustomer: Codable, Sendable, Hashable {
    /// `{customerGroupNumber, self}`.
    public typealias CustomerGroupReference = EconomicReference<EconomicReferenceKinds.CustomerGroup>
    /// `{paymentTermsNumber, self}`.
    public typealias PaymentTermsReference = EconomicReference<EconomicReferenceKinds.PaymentTerms>
    /// `{vatZoneNumber, self}`.
    public typealias VatZoneReference = EconomicReference<EconomicReferenceKinds.VatZone>
    /// `{layoutNumber, self}`.
    public typealias LayoutReference = EconomicReference<EconomicReferenceKinds.Layout>
    /// `{employeeNumber, self}`.
    public typealias EmployeeReference = EconomicReference<EconomicReferenceKinds.Employee>
    /// `{customerContactNumber, self}`.
    public typealias ContactReference = EconomicReference<EconomicReferenceKinds.CustomerContact>
    /// `{deliveryLocationNumber, self}`.
    public typealias DeliveryLocationReference = EconomicReference<EconomicReferenceKinds.DeliveryLocation>

    /// 1…999 999 999; `nil` on a new customer lets e-conomic assign one.
    public var customerNumber: Int?
    /// Required, 1–255 characters.
    public var name: String
    /// Required ISO 4217 code that exists in `/currencies`.
    public var currency: String
    /// Required.
    public var customerGroup: CustomerGroupReference?
    /// Required.
    public var paymentTerms: PaymentTermsReference?
    /// Required.
    public var vatZone: VatZoneReference?
    /// Invoice layout.
    public var layout: LayoutReference?
    /// Sales person.
    public var salesPerson: EmployeeReference?
    /// Attention contact.
    public var attention: ContactReference?
    /// Main contact.
    public var customerContact: ContactReference?
    /// Default delivery location.
    public var defaultDeliveryLocation: DeliveryLocationReference?
    /// ≤ 510.
    public var address: String?
    /// ≤ 30.
    public var zip: String?
    /// ≤ 50.
    public var city: String?
    /// Free text (not ISO), ≤ 50.
    public var country: String?
    /// ≤ 255; may hold several addresses separated by spaces.
    public var email: String?
    /// ≤ 255.
    public var telephoneAndFaxNumber: String?
    /// ≤ 50.
    public var mobilePhone: String?
    /// ≤ 255.
    public var website: String?
    /// CVR in Denmark, ≤ 40.
    public var corporateIdentificationNumber: String?
    /// Exactly 10 characters.
    public var pNumber: String?
    /// ≤ 50; used by SE/UK/DE/PL/FI agreements.
    public var vatNumber: String?
    /// ≤ 40.
    public var ean: String?
    /// ≤ 50.
    public var publicEntryNumber: String?
    /// Credit limit.
    public var creditLimit: Double?
    /// Barred from invoicing (e-conomic sends it only when true).
    public var barred: Bool?
    /// Read-only here: changeable only through PATCH, ignored by PUT.
    public var eInvoicingDisabledByDefault: Bool?
    /// Read-only.
    public var balance: Double?
    /// Read-only.
    public var dueAmount: Double?
    /// Read-only, server-set, as sent: `YYYY-MM-DDTHH:MM:SSZ`.
    public var lastUpdated: String?
    /// Read-only URL of the resource.
    public var selfURL: String?
    /// Properties this type does not model (e.g. `priceGroup`), kept as sent; read-only link properties
    /// (`contacts`, `templates`, `totals`, `invoices`, `deliveryLocations`, `metaData`) are dropped on write.
    public var otherFields: [String: JSONValue]

    /// A new customer with the required properties.
    public init(
        customerNumber: Int? = nil,
        name: String,
        currency: String,
        customerGroup: Int,
        paymentTerms: Int,
        vatZone: Int,
        layout: Int? = nil
    ) {
        self.customerNumber = customerNumber
        self.name = name
        self.currency = currency
        self.customerGroup = CustomerGroupReference(customerGroup)
        self.paymentTerms = PaymentTermsReference(paymentTerms)
        self.vatZone = VatZoneReference(vatZone)
        self.layout = layout.map(LayoutReference.init)
        self.otherFields = [:]
    }

    /// `lastUpdated` as a date (UTC), if present and well formed.
    public var lastUpdatedDate: Date? {
        lastUpdated.flatMap(EconomicDate.parse)
    }

    // MARK: Coding

    struct Key: CodingKey, Hashable {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Text properties, in the order they are written.
    static var textKeys: [WritableKeyPath<EconomicCustomer, String?>] {
        [
            \.address, \.zip, \.city, \.country, \.email, \.telephoneAndFaxNumber, \.mobilePhone, \.website,
            \.corporateIdentificationNumber, \.pNumber, \.vatNumber, \.ean, \.publicEntryNumber,
        ]
    }
    static let textKeyNames = [
        "address", "zip", "city", "country", "email", "telephoneAndFaxNumber", "mobilePhone", "website",
        "corporateIdentificationNumber", "pNumber", "vatNumber", "ean", "publicEntryNumber",
    ]
    static let modelledKeys: Set<String> = Set(textKeyNames).union([
        "customerNumber", "name", "currency", "customerGroup", "paymentTerms", "vatZone", "layout", "salesPerson", "attention",
        "customerContact", "defaultDeliveryLocation", "creditLimit", "barred", "eInvoicingDisabledByDefault", "balance", "dueAmount",
        "lastUpdated", "self",
    ])
    /// Read-only links that are never written back.
    static let readOnlyLinkKeys: Set<String> = ["contacts", "templates", "totals", "invoices", "deliveryLocations", "metaData"]

    /// Reads a customer, keeping unknown properties in ``otherFields``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        customerNumber = try c.decodeIfPresent(Int.self, forKey: Key("customerNumber"))
        name = try c.decodeIfPresent(String.self, forKey: Key("name")) ?? ""
        currency = try c.decodeIfPresent(String.self, forKey: Key("currency")) ?? ""
        customerGroup = try c.decodeIfPresent(CustomerGroupReference.self, forKey: Key("customerGroup"))
        paymentTerms = try c.decodeIfPresent(PaymentTermsReference.self, forKey: Key("paymentTerms"))
        vatZone = try c.decodeIfPresent(VatZoneReference.self, forKey: Key("vatZone"))
        layout = try c.decodeIfPresent(LayoutReference.self, forKey: Key("layout"))
        salesPerson = try c.decodeIfPresent(EmployeeReference.self, forKey: Key("salesPerson"))
        attention = try c.decodeIfPresent(ContactReference.self, forKey: Key("attention"))
        customerContact = try c.decodeIfPresent(ContactReference.self, forKey: Key("customerContact"))
        defaultDeliveryLocation = try c.decodeIfPresent(DeliveryLocationReference.self, forKey: Key("defaultDeliveryLocation"))
        creditLimit = try c.decodeIfPresent(Double.self, forKey: Key("creditLimit"))
        barred = try c.decodeIfPresent(Bool.self, forKey: Key("barred"))
        eInvoicingDisabledByDefault = try c.decodeIfPresent(Bool.self, forKey: Key("eInvoicingDisabledByDefault"))
        balance = try c.decodeIfPresent(Double.self, forKey: Key("balance"))
        dueAmount = try c.decodeIfPresent(Double.self, forKey: Key("dueAmount"))
        lastUpdated = try c.decodeIfPresent(String.self, forKey: Key("lastUpdated"))
        selfURL = try c.decodeIfPresent(String.self, forKey: Key("self"))
        otherFields = [:]
        for (keyPath, name) in Swift.zip(Self.textKeys, Self.textKeyNames) {
            self[keyPath: keyPath] = try c.decodeIfPresent(String.self, forKey: Key(name))
        }
        for key in c.allKeys where !Self.modelledKeys.contains(key.stringValue) {
            otherFields[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
    }

    /// Writes every property, read-only ones included (a faithful copy of what was read).
    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, forWriting: false)
    }

    func encode(to encoder: any Encoder, forWriting: Bool) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(customerNumber, forKey: Key("customerNumber"))
        if !(forWriting && name.isEmpty) { try c.encode(name, forKey: Key("name")) }
        if !(forWriting && currency.isEmpty) { try c.encode(currency, forKey: Key("currency")) }
        try c.encodeIfPresent(customerGroup, forKey: Key("customerGroup"))
        try c.encodeIfPresent(paymentTerms, forKey: Key("paymentTerms"))
        try c.encodeIfPresent(vatZone, forKey: Key("vatZone"))
        try c.encodeIfPresent(layout, forKey: Key("layout"))
        try c.encodeIfPresent(salesPerson, forKey: Key("salesPerson"))
        try c.encodeIfPresent(attention, forKey: Key("attention"))
        try c.encodeIfPresent(customerContact, forKey: Key("customerContact"))
        try c.encodeIfPresent(defaultDeliveryLocation, forKey: Key("defaultDeliveryLocation"))
        for (keyPath, name) in Swift.zip(Self.textKeys, Self.textKeyNames) {
            guard let value = self[keyPath: keyPath], !(forWriting && value.isEmpty) else { continue }
            try c.encode(value, forKey: Key(name))
        }
        try c.encodeIfPresent(creditLimit, forKey: Key("creditLimit"))
        if forWriting {
            if barred == true { try c.encode(true, forKey: Key("barred")) }
        } else {
            try c.encodeIfPresent(barred, forKey: Key("barred"))
            try c.encodeIfPresent(eInvoicingDisabledByDefault, forKey: Key("eInvoicingDisabledByDefault"))
            try c.encodeIfPresent(balance, forKey: Key("balance"))
            try c.encodeIfPresent(dueAmount, forKey: Key("dueAmount"))
            try c.encodeIfPresent(lastUpdated, forKey: Key("lastUpdated"))
            try c.encodeIfPresent(selfURL, forKey: Key("self"))
        }
        for (key, value) in otherFields {
            if forWriting && (Self.readOnlyLinkKeys.contains(key) || value == .null) { continue }
            try c.encode(value, forKey: Key(key))
        }
    }

    /// The body of a POST or PUT: writable properties only, nothing `nil` or empty.
    public var writeBody: WriteBody { WriteBody(customer: self) }

    /// Encodes a customer for POST/PUT (see ``EconomicCustomer/writeBody``).
    public struct WriteBody: Encodable, Sendable {
        /// The customer to write.
        public var customer: EconomicCustomer

        /// Writes the writable properties.
        public func encode(to encoder: any Encoder) throws {
            try customer.encode(to: encoder, forWriting: true)
        }
    }
}

/// e-conomic's `lastUpdated` format, `YYYY-MM-DDTHH:MM:SSZ`, always UTC.
public enum EconomicDate {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Formats a date as `2019-01-13T11:22:22Z` (fractions of a second dropped).
    public static func format(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` with or without `Z` (read as UTC).
    public static func parse(_ text: String) -> Date? {
        var text = Substring(text)
        if text.last == "Z" || text.last == "z" { text = text.dropLast() }
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).map { Int($0) }
        guard parts.count == 6, parts.allSatisfy({ $0 != nil }) else { return nil }
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
        guard (1...12).contains(parts[1]!), (1...31).contains(parts[2]!) else { return nil }
        return calendar.date(from: components)
    }
}
