extension StripeCustomer {
    /// The keys of ``sourceFields``, apart from `metadata.<key>`.
    public static let sourceKeys: [String] = [
        "name", "email", "phone", "description", "address.line1", "address.line2", "address.postal_code", "address.city",
        "address.state", "address.country", "tax_id", "currency",
    ]

    /// The customer flattened into the source vocabulary the rest of Accord uses: `name`, `email`, `phone`,
    /// `description`, `address.line1`, `address.line2`, `address.postal_code`, `address.city`, `address.state`,
    /// `address.country`, `tax_id`, `currency` and `metadata.<key>`. Empty values are left out (localstripe
    /// stores a "deleted" metadata value as `""`, which therefore disappears here as it does in Stripe).
    public var sourceFields: [String: String] {
        var fields: [String: String] = [:]
        func put(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { fields[key] = value }
        }
        put("name", name)
        put("email", email)
        put("phone", phone)
        put("description", description)
        put("address.line1", address?.line1)
        put("address.line2", address?.line2)
        put("address.postal_code", address?.postalCode)
        put("address.city", address?.city)
        put("address.state", address?.state)
        put("address.country", address?.country)
        put("tax_id", taxID)
        put("currency", currency)
        for (key, value) in metadata {
            put("metadata." + key, value)
        }
        return fields
    }
}
