import Connectors
import Credentials
import EventStore
import SyncDomain

/// Attempts at Stripe: metadata and field updates, each with the request id as its Idempotency-Key.
extension OutboundWorker {
    func attemptStripe(_ write: StripeWriteRequested, tenant: TenantID) async -> OutboundAttempt {
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt
        case .success(let loaded): connections = loaded
        }
        guard let stripe = connections.stripe else {
            return .needsPerson(
                OutboundError(code: "NO_CONNECTION", message: "tenant \(tenant) has no Stripe connection: add its secret key, then retry the request")
            )
        }
        let client = StripeClient(
            configuration: StripeConfiguration(apiBase: stripe.apiBase, secretKey: stripe.secretKey.revealed, timeout: configuration.stripeTimeout),
            httpClient: httpClient, logger: logger)
        // The request id is the Idempotency-Key: a retry after a lost answer gets Stripe's first answer back.
        let key = write.requestId.description
        do {
            switch write.kind {
            case .metadata(let values):
                count { $0.sent += 1 }
                let customer = try await client.updateMetadata(customerID: write.customerId, values.mapValues { Optional($0) }, idempotencyKey: key)
                return .succeeded(customerNumber: nil, written: values.keys.reduce(into: [:]) { $0[$1] = customer.metadata[$1] ?? "" })
            case .fields(let values):
                var fields: [StripeCustomerField: String?] = [:]
                var metadata: [String: String?] = [:]
                for (name, value) in values {
                    if name.hasPrefix("metadata.") {
                        metadata[String(name.dropFirst("metadata.".count))] = value
                    } else if let field = StripeCustomerField(rawValue: name) {
                        fields[field] = value
                    } else {
                        return .needsPerson(OutboundError(code: "UNSUPPORTED_FIELD", message: "Accord cannot write the Stripe field '\(name)'"))
                    }
                }
                count { $0.sent += 1 }
                var customer: StripeCustomer?
                if !fields.isEmpty {
                    customer = try await client.updateCustomer(customerID: write.customerId, fields: fields, idempotencyKey: key)
                }
                if !metadata.isEmpty {
                    customer = try await client.updateMetadata(
                        customerID: write.customerId, metadata, idempotencyKey: fields.isEmpty ? key : key + "/metadata")
                }
                let source = customer?.sourceFields ?? [:]
                return .succeeded(customerNumber: nil, written: values.keys.reduce(into: [:]) { $0[$1] = source[$1] ?? "" })
            }
        } catch {
            return OutboundAttempt.from(error)
        }
    }
}
