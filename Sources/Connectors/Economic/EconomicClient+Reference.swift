import NIOHTTP1

extension EconomicClient {
    /// `GET /self`: the agreement the tokens open (a cheap check that the tokens work).
    public func selfInfo() async throws(EconomicAPIError) -> EconomicSelf {
        let response = try await send(.GET, path: "/self", operation: "read the agreement (/self)")
        return try decode(EconomicSelf.self, from: response, operation: "read the agreement (/self)")
    }

    /// All customer groups.
    public func customerGroups() async throws(EconomicAPIError) -> [EconomicCustomerGroup] {
        try await allPages("/customer-groups", operation: "list customer groups")
    }

    /// All payment terms.
    public func paymentTerms() async throws(EconomicAPIError) -> [EconomicPaymentTerms] {
        try await allPages("/payment-terms", operation: "list payment terms")
    }

    /// All VAT zones.
    public func vatZones() async throws(EconomicAPIError) -> [EconomicVatZone] {
        try await allPages("/vat-zones", operation: "list VAT zones")
    }

    /// All layouts that are not deleted.
    public func layouts() async throws(EconomicAPIError) -> [EconomicLayout] {
        try await allPages("/layouts", operation: "list layouts")
    }

    /// All currencies.
    public func currencies() async throws(EconomicAPIError) -> [EconomicCurrency] {
        try await allPages("/currencies", operation: "list currencies")
    }

    private func allPages<Item: Decodable & Sendable>(_ path: String, operation: String) async throws(EconomicAPIError) -> [Item] {
        try await EconomicPages<Item>(pageSize: Self.maxPageSize) { page, pageSize throws(EconomicAPIError) in
            try await collectionPage(path, page: page, pageSize: pageSize, operation: operation)
        }
        .collectAll()
    }

    /// Checks that the defaults for new customers exist in the agreement.
    ///
    /// - Returns: One problem per default that is missing or unusable (empty when all is well).
    /// - Throws: ``EconomicAPIError`` when the reference collections cannot be read.
    public func validateDefaults(_ defaults: EconomicCustomerDefaults) async throws(EconomicAPIError) -> [EconomicDefaultsProblem] {
        var problems: [EconomicDefaultsProblem] = []
        if let number = defaults.paymentTerms {
            let all = try await paymentTerms()
            if !all.contains(where: { $0.paymentTermsNumber == number }) {
                problems.append(
                    .init(
                        field: "paymentTerms", value: String(number), reason: "no payment terms with this number",
                        available: all.map { "\($0.paymentTermsNumber) \($0.name)" }))
            }
        }
        if let number = defaults.customerGroup {
            let all = try await customerGroups()
            if !all.contains(where: { $0.customerGroupNumber == number }) {
                problems.append(
                    .init(
                        field: "customerGroup", value: String(number), reason: "no customer group with this number",
                        available: all.map { "\($0.customerGroupNumber) \($0.name)" }))
            }
        }
        if !defaults.vatZones.isEmpty {
            let all = try await vatZones()
            for (role, number) in defaults.vatZones.sorted(by: { $0.key < $1.key }) {
                let field = role.isEmpty ? "vatZone" : "vatZone.\(role)"
                if let zone = all.first(where: { $0.vatZoneNumber == number }) {
                    if zone.enabledForCustomer == false {
                        problems.append(
                            .init(
                                field: field, value: String(number), reason: "VAT zone '\(zone.name)' is not enabled for customers",
                                available: all.filter { $0.enabledForCustomer != false }.map { "\($0.vatZoneNumber) \($0.name)" }))
                    }
                } else {
                    problems.append(
                        .init(
                            field: field, value: String(number), reason: "no VAT zone with this number",
                            available: all.map { "\($0.vatZoneNumber) \($0.name)" }))
                }
            }
        }
        if let code = defaults.currency {
            let all = try await currencies()
            if !all.contains(where: { $0.code.uppercased() == code.uppercased() }) {
                problems.append(.init(field: "currency", value: code, reason: "no such currency", available: all.map(\.code)))
            }
        }
        if let number = defaults.layout {
            let all = try await layouts()
            if !all.contains(where: { $0.layoutNumber == number }) {
                problems.append(
                    .init(
                        field: "layout", value: String(number), reason: "no layout with this number (or it is deleted)",
                        available: all.map { "\($0.layoutNumber) \($0.name)" }))
            }
        }
        return problems
    }
}

/// The defaults a tenant picks for customers created in e-conomic. `nil` = not set, not checked.
public struct EconomicCustomerDefaults: Sendable, Hashable {
    /// `paymentTermsNumber`.
    public var paymentTerms: Int?
    /// `customerGroupNumber`.
    public var customerGroup: Int?
    /// VAT zone numbers by role: `""` for the single default, or e.g. `"domestic"`, `"eu"`, `"abroad"` when the
    /// zone is derived from the country.
    public var vatZones: [String: Int]
    /// ISO 4217 code.
    public var currency: String?
    /// `layoutNumber`.
    public var layout: Int?

    /// Creates defaults; `vatZone` is the single default zone.
    public init(paymentTerms: Int? = nil, customerGroup: Int? = nil, vatZone: Int? = nil, currency: String? = nil, layout: Int? = nil) {
        self.paymentTerms = paymentTerms
        self.customerGroup = customerGroup
        self.vatZones = vatZone.map { ["": $0] } ?? [:]
        self.currency = currency
        self.layout = layout
    }
}

/// One default that does not work in the agreement.
public struct EconomicDefaultsProblem: Sendable, Hashable, CustomStringConvertible {
    /// The default's name, e.g. `paymentTerms` or `vatZone.eu`.
    public var field: String
    /// The configured value.
    public var value: String
    /// What is wrong.
    public var reason: String
    /// What the agreement offers instead ("number name").
    public var available: [String]

    /// e.g. `paymentTerms 4711: no payment terms with this number (available: 1 Netto 8 dage, 2 Netto 14 dage)`.
    public var description: String {
        "\(field) \(value): \(reason)" + (available.isEmpty ? "" : " (available: \(available.joined(separator: ", ")))")
    }
}
