import Foundation

/// The writable part of a customer, as read from a POST or PUT body.
struct CustomerInput: Sendable, Equatable {
    var customerNumber: Int?
    var name = ""
    var currency = ""
    var customerGroup = 0
    var paymentTerms = 0
    var vatZone = 0
    var layout: Int?
    var salesPerson: Int?
    var attention: Int?
    var customerContact: Int?
    var defaultDeliveryLocation: Int?
    var strings: [WritableString: String] = [:]
    var creditLimit: Double?
    var barred = false

    /// Optional text properties and their maximum lengths (economic-api.md §3).
    enum WritableString: String, CaseIterable, Sendable {
        case address, zip, city, country, email, telephoneAndFaxNumber, mobilePhone, website
        case corporateIdentificationNumber, pNumber, vatNumber, ean, publicEntryNumber

        var maxLength: Int {
            switch self {
            case .address: 510
            case .zip: 30
            case .city, .country, .mobilePhone, .vatNumber, .publicEntryNumber: 50
            case .email, .telephoneAndFaxNumber, .website: 255
            case .corporateIdentificationNumber, .ean: 40
            case .pNumber: 10
            }
        }

        var exactLength: Bool { self == .pNumber }
    }

    /// Writes the input over a stored customer: a full replace, so every optional property the input lacks is cleared.
    func apply(to customer: inout SandboxCustomer) {
        customer.name = name
        customer.currency = currency
        customer.customerGroup = customerGroup
        customer.paymentTerms = paymentTerms
        customer.vatZone = vatZone
        customer.layout = layout
        customer.salesPerson = salesPerson
        customer.attention = attention
        customer.customerContact = customerContact
        customer.defaultDeliveryLocation = defaultDeliveryLocation
        customer.address = strings[.address]
        customer.zip = strings[.zip]
        customer.city = strings[.city]
        customer.country = strings[.country]
        customer.email = strings[.email]
        customer.telephoneAndFaxNumber = strings[.telephoneAndFaxNumber]
        customer.mobilePhone = strings[.mobilePhone]
        customer.website = strings[.website]
        customer.corporateIdentificationNumber = strings[.corporateIdentificationNumber]
        customer.pNumber = strings[.pNumber]
        customer.vatNumber = strings[.vatNumber]
        customer.ean = strings[.ean]
        customer.publicEntryNumber = strings[.publicEntryNumber]
        customer.creditLimit = creditLimit
        customer.barred = barred
    }
}

/// Checks a POST/PUT body the way economic-api.md §3 describes and collects every problem as a property error.
struct CustomerInputValidator {
    enum Mode { case create, replace(Int) }

    var seed: SandboxSeed
    var baseURL: String
    var isNumberTaken: (Int) -> Bool

    static let maxCustomerNumber = 999_999_999

    private struct Reference {
        var property: String
        var numberKey: String
        var entity: String
        var path: String
        var required: Bool
    }

    private static let references: [Reference] = [
        Reference(property: "customerGroup", numberKey: "customerGroupNumber", entity: "CustomerGroup", path: "customer-groups", required: true),
        Reference(property: "paymentTerms", numberKey: "paymentTermsNumber", entity: "PaymentTerms", path: "payment-terms", required: true),
        Reference(property: "vatZone", numberKey: "vatZoneNumber", entity: "VatZone", path: "vat-zones", required: true),
        Reference(property: "layout", numberKey: "layoutNumber", entity: "Layout", path: "layouts", required: false),
        Reference(property: "salesPerson", numberKey: "employeeNumber", entity: "Employee", path: "employees", required: false),
        Reference(property: "attention", numberKey: "customerContactNumber", entity: "CustomerContact", path: "contacts", required: false),
        Reference(property: "customerContact", numberKey: "customerContactNumber", entity: "CustomerContact", path: "contacts", required: false),
        Reference(
            property: "defaultDeliveryLocation", numberKey: "deliveryLocationNumber", entity: "DeliveryLocation", path: "delivery-locations",
            required: false),
    ]

    func validate(_ body: [String: JSONValue], mode: Mode) -> Result<CustomerInput, SandboxError> {
        var input = CustomerInput()
        var errors: [PropertyError] = []

        func fail(_ property: String, _ message: String, _ code: String, _ value: JSONValue?, hint: String? = nil) {
            errors.append(
                PropertyError(
                    propertyName: property, errorMessage: message, errorCode: code, inputValue: value,
                    developerHint: hint ?? "Correct the value of '\(property)'."))
        }

        // null is never accepted: omit a property to clear it.
        for (key, value) in body where value == .null {
            fail(key, "The value null is not allowed for '\(key)'; omit the property instead.", SandboxErrorCode.nullNotAllowed, .null)
        }

        // customerNumber
        switch body["customerNumber"] {
        case nil, .null?:
            if case .replace(let number) = mode { input.customerNumber = number }
        case .int(let number)?:
            if !(1...Self.maxCustomerNumber).contains(number) {
                fail("customerNumber", "customerNumber must be between 1 and 999999999.", SandboxErrorCode.range, .int(number))
            } else {
                switch mode {
                case .create:
                    if isNumberTaken(number) {
                        fail(
                            "customerNumber", "Customer number \(number) is already in use.", SandboxErrorCode.duplicate, .int(number),
                            hint: "Omit customerNumber to let the system supply one, or pick a free number.")
                    }
                case .replace(let existing) where existing != number:
                    fail(
                        "customerNumber", "Changing the customer number from \(existing) to \(number) is not enabled for this agreement.",
                        SandboxErrorCode.range, .int(number), hint: "The sandbox does not support renumbering through PUT.")
                case .replace:
                    break
                }
                input.customerNumber = number
            }
        case let other?:
            fail("customerNumber", "customerNumber must be an integer.", SandboxErrorCode.wrongType, other)
        }

        // name
        switch body["name"] {
        case nil:
            fail("name", "Property 'name' is required.", SandboxErrorCode.required, nil)
        case .string(let name)?:
            if name.isEmpty || name.count > 255 {
                fail("name", "name must be 1 to 255 characters long.", SandboxErrorCode.length, .string(name))
            }
            input.name = name
        case .null?:
            break
        case let other?:
            fail("name", "name must be a string.", SandboxErrorCode.wrongType, other)
        }

        // currency
        switch body["currency"] {
        case nil:
            fail("currency", "Property 'currency' is required.", SandboxErrorCode.required, nil)
        case .string(let code)?:
            if code.count != 3 {
                fail("currency", "currency must be exactly 3 characters (an ISO 4217 code).", SandboxErrorCode.length, .string(code))
            } else if let currency = seed.currencies.first(where: { $0.code.uppercased() == code.uppercased() }) {
                input.currency = currency.code
            } else {
                fail(
                    "currency", "Currency '\(code)' not found.", SandboxErrorCode.referenceNotFound, .string(code),
                    hint: "Find a list of currencies at \(baseURL)/currencies .")
            }
        case .null?:
            break
        case let other?:
            fail("currency", "currency must be a string.", SandboxErrorCode.wrongType, other)
        }

        // references
        for reference in Self.references {
            guard let value = body[reference.property] else {
                if reference.required {
                    fail(reference.property, "Property '\(reference.property)' is required.", SandboxErrorCode.required, nil)
                }
                continue
            }
            if value == .null { continue }
            guard case .object(let object) = value else {
                fail(
                    reference.property, "\(reference.property) must be an object like {\"\(reference.numberKey)\": 1}.",
                    SandboxErrorCode.wrongType, value)
                continue
            }
            var number: Int?
            if case .int(let n)? = object[reference.numberKey] {
                number = n
            } else if case .string(let link)? = object["self"], let last = link.split(separator: "/").last, let n = Int(last) {
                number = n
            }
            guard let number else {
                fail(
                    reference.property, "No \(reference.numberKey) or self given for \(reference.property).",
                    SandboxErrorCode.referenceWithoutIdentifier, value)
                continue
            }
            if !exists(reference.property, number) {
                fail(
                    reference.property, "\(reference.entity) '\(number)' not found.",
                    reference.property == "paymentTerms" ? SandboxErrorCode.paymentTermsNotFound : SandboxErrorCode.referenceNotFound,
                    .int(number), hint: "Find a list of \(reference.property)s at \(baseURL)/\(reference.path) .")
                continue
            }
            switch reference.property {
            case "customerGroup": input.customerGroup = number
            case "paymentTerms": input.paymentTerms = number
            case "vatZone": input.vatZone = number
            case "layout": input.layout = number
            case "salesPerson": input.salesPerson = number
            case "attention": input.attention = number
            case "customerContact": input.customerContact = number
            default: input.defaultDeliveryLocation = number
            }
        }

        // optional text properties
        for property in CustomerInput.WritableString.allCases {
            guard let value = body[property.rawValue], value != .null else { continue }
            guard case .string(let text) = value else {
                fail(property.rawValue, "\(property.rawValue) must be a string.", SandboxErrorCode.wrongType, value)
                continue
            }
            if property.exactLength, !text.isEmpty, text.count != property.maxLength {
                fail(property.rawValue, "\(property.rawValue) must be exactly \(property.maxLength) characters.", SandboxErrorCode.length, value)
            } else if text.count > property.maxLength {
                fail(
                    property.rawValue, "\(property.rawValue) must be at most \(property.maxLength) characters.", SandboxErrorCode.length, value)
            } else if !text.isEmpty {
                input.strings[property] = text
            }
        }

        switch body["creditLimit"] {
        case nil, .null?: break
        case .int(let n)?: input.creditLimit = Double(n)
        case .double(let n)?: input.creditLimit = n
        case let other?: fail("creditLimit", "creditLimit must be a number.", SandboxErrorCode.wrongType, other)
        }
        switch body["barred"] {
        case nil, .null?: break
        case .bool(let b)?: input.barred = b
        case let other?: fail("barred", "barred must be true or false.", SandboxErrorCode.wrongType, other)
        }

        if errors.isEmpty { return .success(input) }
        errors.sort { ($0.propertyName, $0.errorMessage) < ($1.propertyName, $1.errorMessage) }
        return .failure(.validation(errors))
    }

    private func exists(_ property: String, _ number: Int) -> Bool {
        switch property {
        case "customerGroup": seed.customerGroups.contains { $0.number == number }
        case "paymentTerms": seed.paymentTerms.contains { $0.number == number }
        case "vatZone": seed.vatZones.contains { $0.number == number && $0.enabledForCustomer }
        case "layout": seed.layouts.contains { $0.number == number }
        default: true  // employees, contacts and delivery locations are not modelled
        }
    }
}
