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
    /// Stripe holds them now (Accord may have written some since the run last did).
    /// - Returns: why nothing was done, or "".
    func updateStripeCustomer(_ index: Int, fields: [StripeCustomerField: String]) async throws -> String {
        guard let customer = model.customer(index), let id = customer.stripeID else { return "customer #\(index) does not exist yet" }
        guard !customer.deleted else { return "customer #\(index) is deleted" }
        var sent: [StripeCustomerField: String?] = fields.mapValues { Optional($0) }
        if fields.keys.contains(where: \.isAddress) {
            guard let current = try await stripe.customer(id: id).customer?.sourceFields else { return "customer #\(index) is gone from Stripe" }
            for part in Self.addressFields where fields[part] == nil { sent[part] = current[part.rawValue] ?? "" }
        }
        _ = try await stripe.updateCustomer(customerID: id, fields: sent, idempotencyKey: nil)
        model.updated(index, fields: fields)
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
