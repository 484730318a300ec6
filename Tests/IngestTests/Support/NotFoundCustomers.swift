import Connectors
import EventStore
import Ingest

/// A Stripe that answers every customer as not found (so the inbox records a deletion).
struct NotFoundCustomers: StripeCustomerSource {
    func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup { .notFound(id: id) }
}
