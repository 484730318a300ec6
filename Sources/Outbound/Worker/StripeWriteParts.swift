import Connectors
import SyncDomain

/// Source-vocabulary values (`name`, `address.city`, `metadata.<key>`) as a Stripe customer write takes them: the
/// customer's own fields and its metadata keys. Shared by field patches and creates.
struct StripeWriteParts {
    /// The customer fields.
    var fields: [StripeCustomerField: String] = [:]
    /// The metadata keys (without the `metadata.` prefix).
    var metadata: [String: String] = [:]

    /// A value for a field Stripe has no place for.
    struct UnsupportedField: Error {
        /// The field, in the source vocabulary.
        let name: String
        /// What the queue records: a request a person must look at.
        var refusal: OutboundError { OutboundError(code: "UNSUPPORTED_FIELD", message: "Accord cannot write the Stripe field '\(name)'") }
    }

    /// Splits `values`.
    /// - Throws: ``UnsupportedField`` for a field that is neither a Stripe customer field nor a metadata key.
    init(_ values: [String: String]) throws(UnsupportedField) {
        for (name, value) in values {
            if name.hasPrefix(SourceField.metadataPrefix) {
                metadata[String(name.dropFirst(SourceField.metadataPrefix.count))] = value
            } else if let field = StripeCustomerField(rawValue: name) {
                fields[field] = value
            } else {
                throw UnsupportedField(name: name)
            }
        }
    }
}
