public import Foundation

/// A customer as the sandbox stores it: references are kept as plain numbers, `lastUpdated` as a date
/// (e-conomic shows it with second precision, so it is stored truncated to whole seconds).
public struct SandboxCustomer: Codable, Sendable, Equatable {
    /// 1…999 999 999, unique in the agreement.
    public var customerNumber: Int
    /// 1–255 characters.
    public var name: String
    /// ISO 4217 code that exists in `/currencies`.
    public var currency: String
    /// `customerGroupNumber`.
    public var customerGroup: Int
    /// `paymentTermsNumber`.
    public var paymentTerms: Int
    /// `vatZoneNumber`.
    public var vatZone: Int
    /// `layoutNumber`.
    public var layout: Int?
    /// `employeeNumber` of the sales person (not checked: employees are not modelled).
    public var salesPerson: Int?
    /// `customerContactNumber` of the attention contact (not checked: contacts are not modelled).
    public var attention: Int?
    /// `customerContactNumber` of the main contact (not checked).
    public var customerContact: Int?
    /// `deliveryLocationNumber` of the default delivery location (not checked).
    public var defaultDeliveryLocation: Int?
    /// Free text, ≤ 510.
    public var address: String?
    /// ≤ 30.
    public var zip: String?
    /// ≤ 50.
    public var city: String?
    /// Free text (not ISO), ≤ 50.
    public var country: String?
    /// ≤ 255; several addresses may be given separated by spaces.
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
    /// ≤ 50.
    public var vatNumber: String?
    /// ≤ 40.
    public var ean: String?
    /// ≤ 50.
    public var publicEntryNumber: String?
    /// Credit limit.
    public var creditLimit: Double?
    /// Barred from invoicing.
    public var barred: Bool
    /// Only changeable through PATCH in e-conomic; a PUT ignores it.
    public var eInvoicingDisabledByDefault: Bool
    /// Read-only balance.
    public var balance: Double
    /// Read-only due amount.
    public var dueAmount: Double
    /// Server-set time of the last change.
    public var lastUpdated: Date

    /// Creates a stored customer. Only the required fields have no default.
    public init(
        customerNumber: Int,
        name: String,
        currency: String = "DKK",
        customerGroup: Int = 1,
        paymentTerms: Int = 1,
        vatZone: Int = 1,
        layout: Int? = nil,
        address: String? = nil,
        zip: String? = nil,
        city: String? = nil,
        country: String? = nil,
        email: String? = nil,
        telephoneAndFaxNumber: String? = nil,
        mobilePhone: String? = nil,
        website: String? = nil,
        corporateIdentificationNumber: String? = nil,
        vatNumber: String? = nil,
        ean: String? = nil,
        publicEntryNumber: String? = nil,
        barred: Bool = false,
        balance: Double = 0,
        lastUpdated: Date = Date(timeIntervalSince1970: 1_767_225_600)
    ) {
        self.customerNumber = customerNumber
        self.name = name
        self.currency = currency
        self.customerGroup = customerGroup
        self.paymentTerms = paymentTerms
        self.vatZone = vatZone
        self.layout = layout
        self.address = address
        self.zip = zip
        self.city = city
        self.country = country
        self.email = email
        self.telephoneAndFaxNumber = telephoneAndFaxNumber
        self.mobilePhone = mobilePhone
        self.website = website
        self.corporateIdentificationNumber = corporateIdentificationNumber
        self.vatNumber = vatNumber
        self.ean = ean
        self.publicEntryNumber = publicEntryNumber
        self.barred = barred
        self.eInvoicingDisabledByDefault = false
        self.balance = balance
        self.dueAmount = balance
        self.lastUpdated = lastUpdated
    }
}
