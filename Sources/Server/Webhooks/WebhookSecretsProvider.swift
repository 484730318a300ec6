public import EventStore
import Synchronization

/// Where the server finds a tenant's Stripe webhook endpoint secrets (`whsec_…`).
///
/// `accord serve` wires it to the encrypted tenant credential store; tests use ``InMemoryWebhookSecrets``.
public protocol WebhookSecretsProvider: Sendable {
    /// The tenant's endpoint secrets: usually one, two while a secret is being rolled. Empty when the tenant has
    /// no Stripe webhook configured (deliveries are then refused with 404).
    /// - Throws: when the store cannot be read (the delivery is answered 500 and Stripe retries).
    func webhookSecrets(for tenant: TenantID) async throws -> [String]
}

/// Secrets kept in memory (tests, the demo).
public final class InMemoryWebhookSecrets: WebhookSecretsProvider {
    private let secrets: Mutex<[TenantID: [String]]>

    /// Makes a provider with initial secrets.
    public init(_ secrets: [TenantID: [String]] = [:]) { self.secrets = Mutex(secrets) }

    /// Sets a tenant's secrets.
    public func set(_ values: [String], for tenant: TenantID) { secrets.withLock { $0[tenant] = values } }

    /// The tenant's secrets.
    public func webhookSecrets(for tenant: TenantID) async throws -> [String] { secrets.withLock { $0[tenant] ?? [] } }
}
