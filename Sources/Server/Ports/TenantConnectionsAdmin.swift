public import Credentials
public import EventStore

/// Connecting a tenant to e-conomic and Stripe from the API and the connections page, always for one tenant.
/// ``CredentialConnections`` stores through ``Credentials/CredentialStore`` (which seals every secret, as
/// `accord tenant connect` does) and tests with the connectors.
public protocol TenantConnectionsAdmin: Sendable {
    /// The tenant's connections without secrets; `webhookURL` is where Stripe must send the tenant's events.
    func status(of tenant: TenantID, webhookURL: String) async throws -> ConnectionStatus
    /// Stores (replaces) the e-conomic connection.
    /// - Throws: ``Credentials/CredentialError`` `invalidConnections` naming every problem.
    func connectEconomic(_ economic: TenantConnections.Economic, tenant: TenantID) async throws
    /// Stores (replaces) the Stripe connection.
    /// - Throws: ``Credentials/CredentialError`` `invalidConnections` naming every problem.
    func connectStripe(_ stripe: TenantConnections.Stripe, tenant: TenantID) async throws
    /// Reads something cheap through the stored connection and remembers the outcome as its last check.
    /// - Throws: ``APIError`` 404 when the tenant has no such connection.
    func test(_ system: ConnectionSystem, tenant: TenantID) async throws -> ConnectionStatus.Check
}

/// The systems a tenant connects to.
public enum ConnectionSystem: String, Sendable, Hashable, CaseIterable {
    case economic, stripe
}
