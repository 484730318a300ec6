import Connectors
import Foundation
import Ingest
import SyncDomain

extension ChaosDriver {
    /// The e-conomic customers that carry a Stripe customer's reference token (its partner; more would be duplicates).
    func partners(of index: Int) async throws -> [EconomicCustomer] {
        let token = ChaosModel.Customer(index: index).token
        let client = sandbox.client
        return try await retry.run("find the partner of #\(index)", logger: logger) {
            try await client.allCustomers(filter: .equals(ChaosMappings.tokenField.rawValue, token))
        }
    }

    /// An accountant edits the partner of a Stripe customer in e-conomic's own screens: the changed fields only, in
    /// one step (``ChaosSandbox/edit(customer:changes:)``) — a screen that wrote back a copy read earlier would undo
    /// Accord's writes made meanwhile, which no sync engine can see or prevent. Only the fields whose value the edit
    /// changed are recorded as the accountant's writes.
    /// - Returns: why nothing was done, or "".
    func editInEconomic(_ index: Int, changes: [String: String]) async throws -> String {
        guard let number = try await partners(of: index).compactMap(\.customerNumber).min() else {
            return "customer #\(index) has no partner in e-conomic yet"
        }
        guard let changed = try await sandbox.edit(customer: number, changes: changes) else { return "e-conomic customer \(number) is gone" }
        // A value set as the customer already held it is no edit (seed 18: a country set to what it was, while Accord
        // was carrying a newer Stripe change of it over).
        model.accountantEdited(index, number: number, changes: changes.filter { changed.contains($0.key) })
        return ""
    }

    /// An accountant creates the customer a Stripe customer will be matched to; once Accord has read it (a full read
    /// through the process), the rule changes if asked, and the Stripe customer is created.
    func createMatchedPair(_ index: Int, fields: [StripeCustomerField: String], byPhone: Bool, switchingRuleTo rule: ChaosMatchRule?) async throws {
        var customer = EconomicCustomer(name: fields[.name] ?? "Chaos \(index)", currency: "DKK", customerGroup: 1, paymentTerms: 1, vatZone: 1)
        var written = ["name": customer.name]
        if byPhone {
            customer.telephoneAndFaxNumber = fields[.phone]
            customer.email = "booked\(index)@\(ChaosScript.domain)"
            written["telephoneAndFaxNumber"] = customer.telephoneAndFaxNumber
        } else {
            customer.email = fields[.email]
        }
        written["email"] = customer.email
        let number = try await sandbox.addCustomer(customer)
        model.matchCreated(index, number: number, fields: written, byPhone: byPhone)
        try await readEconomic()
        if let rule { try await saveSettings(rule: rule, mappings: model.mappings) }
        try await createStripeCustomer(index, fields: fields)
    }

    /// An accountant creates a customer who belongs to nobody.
    func createStranger(_ id: Int, name: String, email: String, phone: String) async throws {
        var customer = EconomicCustomer(name: name, currency: "DKK", customerGroup: 1, paymentTerms: 1, vatZone: 1)
        customer.email = email
        customer.telephoneAndFaxNumber = phone
        let number = try await sandbox.addCustomer(customer)
        model.strangerCreated(id, number: number, fields: ["name": name, "email": email, "telephoneAndFaxNumber": phone])
    }
}
