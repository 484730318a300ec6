import Connectors

extension ChaosDriver {
    static let addressFields = StripeCustomerField.allCases.filter(\.isAddress)

    /// A Stripe user creates the customer, with its reference token in the metadata.
    func createStripeCustomer(_ index: Int, fields: [StripeCustomerField: String]) async throws {
        let token = ChaosModel.Customer(index: index).token
        let created = try await stripe.createCustomer(fields: fields, metadata: [ChaosMappings.tokenKey: token])
        model.created(index, stripeID: created.id, fields: fields)
    }

    /// A Stripe user changes (or, with empty values, clears) fields. Stripe takes an address as one value, so every
    /// part of it is sent whenever one part changes, as a form in Stripe's dashboard would: the parts not changed as
    /// Stripe holds them now (Accord may have written some since the run last did). A field set to the value Stripe
    /// already holds is saved, but it is no edit: nothing changed, so it is not recorded as the field's last write
    /// (seed 129: a country re-saved as it was, while the accountant's newer change of it was still on its way over).
    /// - Returns: why nothing was done, or "".
    func updateStripeCustomer(_ index: Int, fields: [StripeCustomerField: String]) async throws -> String {
        guard let customer = model.customer(index), let id = customer.stripeID else { return "customer #\(index) does not exist yet" }
        guard !customer.deleted else { return "customer #\(index) is deleted" }
        guard let current = try await stripe.customer(id: id).customer?.sourceFields else { return "customer #\(index) is gone from Stripe" }
        var sent: [StripeCustomerField: String?] = fields.mapValues { Optional($0) }
        if fields.keys.contains(where: \.isAddress) {
            for part in Self.addressFields where fields[part] == nil { sent[part] = current[part.rawValue] ?? "" }
        }
        _ = try await stripe.updateCustomer(customerID: id, fields: sent, idempotencyKey: nil)
        let changed = Set(fields.keys.filter { (current[$0.rawValue] ?? "") != fields[$0] })
        model.updated(index, fields: fields, changed: changed)
        return ""
    }

    /// A Stripe user deletes the customer.
    /// - Returns: why nothing was done, or "".
    func deleteStripeCustomer(_ index: Int) async throws -> String {
        guard let customer = model.customer(index), let id = customer.stripeID else { return "customer #\(index) does not exist yet" }
        guard !customer.deleted else { return "customer #\(index) is deleted" }
        try await stripe.deleteCustomer(id: id)
        model.deleted(index)
        return ""
    }
}
