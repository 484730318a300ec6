public import Credentials
public import EventStore
public import SyncDomain

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
    /// What the tenant's e-conomic agreement offers for new customers' defaults (payment terms, customer groups, VAT
    /// zones, currencies, layouts), read through the stored connection; never throws for e-conomic's answers.
    func economicChoices(tenant: TenantID) async throws -> EconomicChoicesState
    /// Checks defaults for new customers against the agreement's own lists (nothing when e-conomic is not connected).
    /// - Returns: one sentence per default the agreement does not offer, naming what it offers instead.
    /// - Throws: ``APIError`` 502 `economic_unavailable` when the lists cannot be read.
    func checkDefaults(_ defaults: NewCustomerDefaults, tenant: TenantID) async throws -> [String]
}

/// The systems a tenant connects to.
public enum ConnectionSystem: String, Sendable, Hashable, CaseIterable {
    case economic, stripe
}
