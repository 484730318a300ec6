import Foundation

/// The customer properties that `filter=` and `sort=` may name (customers.get schema, plus `mobilePhone`
/// from the newer schema). Everything else gives 400.
enum CustomerField: String, Sendable, CaseIterable {
    case address, balance, barred, city, corporateIdentificationNumber, country, creditLimit, currency
    case customerNumber, ean, email, lastUpdated, mobilePhone, name, publicEntryNumber, telephoneAndFaxNumber
    case vatNumber, website, zip

    enum Kind: Sendable { case string, number, bool, date }

    enum FieldValue: Sendable, Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case date(Date)
    }

    static func caseInsensitive(_ name: String) -> CustomerField? {
        allCases.first { $0.rawValue.lowercased() == name.lowercased() }
    }

    var isFilterable: Bool { true }
    /// "Sortable: the same list minus barred."
    var isSortable: Bool { self != .barred }

    var kind: Kind {
        switch self {
        case .balance, .creditLimit, .customerNumber: .number
        case .barred: .bool
        case .lastUpdated: .date
        default: .string
        }
    }

    func value(of customer: SandboxCustomer) -> FieldValue? {
        func text(_ value: String?) -> FieldValue? { value.map { .string($0) } }
        switch self {
        case .address: return text(customer.address)
        case .balance: return .number(customer.balance)
        case .barred: return .bool(customer.barred)
        case .city: return text(customer.city)
        case .corporateIdentificationNumber: return text(customer.corporateIdentificationNumber)
        case .country: return text(customer.country)
        case .creditLimit: return customer.creditLimit.map { .number($0) }
        case .currency: return .string(customer.currency)
        case .customerNumber: return .number(Double(customer.customerNumber))
        case .ean: return text(customer.ean)
        case .email: return text(customer.email)
        case .lastUpdated: return .date(customer.lastUpdated)
        case .mobilePhone: return text(customer.mobilePhone)
        case .name: return .string(customer.name)
        case .publicEntryNumber: return text(customer.publicEntryNumber)
        case .telephoneAndFaxNumber: return text(customer.telephoneAndFaxNumber)
        case .vatNumber: return text(customer.vatNumber)
        case .website: return text(customer.website)
        case .zip: return text(customer.zip)
        }
    }
}

/// A parsed `sort=` parameter: `name`, `-name` (descending), `~customerNumber` (numbers compared as text),
/// several keys separated by commas. Sorting is case-insensitive; ties fall back to `customerNumber`.
struct CustomerSort: Sendable, Equatable {
    struct Key: Sendable, Equatable {
        var field: CustomerField
        var descending: Bool
        var alphabetic: Bool
    }

    var keys: [Key]

    static let byNumber = CustomerSort(keys: [])

    static func parse(_ text: String) throws(CustomerFilter.ParseError) -> CustomerSort {
        var keys: [Key] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            var name = Substring(raw.trimmingCharacters(in: .whitespaces))
            var descending = false
            var alphabetic = false
            while let first = name.first, first == "-" || first == "~" {
                if first == "-" { descending = true } else { alphabetic = true }
                name = name.dropFirst()
            }
            guard let field = CustomerField(rawValue: String(name)) ?? CustomerField.caseInsensitive(String(name)) else {
                throw .init(message: "Cannot sort by '\(name)': not a property of a customer.")
            }
            guard field.isSortable else { throw .init(message: "Sorting by '\(name)' is not allowed.") }
            keys.append(Key(field: field, descending: descending, alphabetic: alphabetic))
        }
        return CustomerSort(keys: keys)
    }

    func areInIncreasingOrder(_ a: SandboxCustomer, _ b: SandboxCustomer) -> Bool {
        for key in keys {
            let order = Self.compare(key.field.value(of: a), key.field.value(of: b), alphabetic: key.alphabetic)
            if order != 0 { return key.descending ? order > 0 : order < 0 }
        }
        return a.customerNumber < b.customerNumber
    }

    /// -1, 0 or 1; a missing value sorts before any value.
    private static func compare(_ a: CustomerField.FieldValue?, _ b: CustomerField.FieldValue?, alphabetic: Bool) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (.number(let x), .number(let y)) where !alphabetic: return x < y ? -1 : (x > y ? 1 : 0)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default:
            let x = text(a!)
            let y = text(b!)
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    private static func text(_ value: CustomerField.FieldValue) -> String {
        switch value {
        case .string(let s): s.lowercased()
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        case .date(let d): SandboxTime.lastUpdated(d)
        }
    }
}
