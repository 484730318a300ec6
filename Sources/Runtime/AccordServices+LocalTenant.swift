import Connectors
import Credentials
public import EventStore
import Foundation
public import SyncDomain
import SyncEngine

extension AccordServices {
    /// Where a tenant's e-conomic and Stripe are when both are local stand-ins (the e-conomic sandbox and
    /// localstripe): the demo, the end-to-end tests and the sync benchmark.
    public struct LocalConnections: Sendable {
        /// The sandbox's base URL.
        public var economicBaseURL: String
        /// The sandbox's app secret token.
        public var economicAppSecretToken: String
        /// The sandbox's agreement grant token.
        public var economicAgreementGrantToken: String
        /// localstripe's base URL.
        public var stripeAPIBase: String
        /// The Stripe secret key to use (localstripe accepts any `sk_…`).
        public var stripeSecretKey: String

        /// Makes the connection details.
        public init(
            economicBaseURL: String, economicAppSecretToken: String, economicAgreementGrantToken: String, stripeAPIBase: String,
            stripeSecretKey: String
        ) {
            self.economicBaseURL = economicBaseURL
            self.economicAppSecretToken = economicAppSecretToken
            self.economicAgreementGrantToken = economicAgreementGrantToken
            self.stripeAPIBase = stripeAPIBase
            self.stripeSecretKey = stripeSecretKey
        }
    }

    /// Sets a tenant up against local stand-ins: adds it if missing, stores its connections, saves its settings
    /// (if they differ), and registers this process's webhook URL with localstripe under a fresh secret.
    /// - Parameters:
    ///   - tenant: the tenant.
    ///   - connections: where the sandbox and localstripe are.
    ///   - accordURL: the URL this process's HTTP server listens at (for the webhook).
    ///   - webhookID: localstripe's id for the webhook (registering it again replaces it).
    ///   - configure: adjusts the settings (starting from the tenant's current ones).
    /// - Throws: database, command or localstripe errors.
    public func setUpLocalTenant(
        _ tenant: TenantID, connections: LocalConnections, accordURL: String, webhookID: String,
        configure: (inout TenantSettings) -> Void
    ) async throws {
        if try await !TenantDirectory(pool: pool).contains(tenant) {
            try await TenantDirectory(pool: pool).add(tenant, name: tenant.rawValue)
        }
        let webhookSecret = "whsec_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await credentials.save(
            TenantConnections(
                tenant: tenant,
                economic: .init(
                    baseURL: connections.economicBaseURL, appSecretToken: Secret(connections.economicAppSecretToken),
                    agreementGrantToken: Secret(connections.economicAgreementGrantToken)),
                stripe: .init(
                    apiBase: connections.stripeAPIBase, secretKey: Secret(connections.stripeSecretKey), webhookSecrets: [Secret(webhookSecret)])))
        let current = try await commands.settings(of: tenant)
        var settings = current
        configure(&settings)
        if settings != current {
            try await commands.updateSettings(settings, expectedVersion: current.version, tenant: tenant, metadata: CommandMetadata(actor: "setup"))
        }
        try await LocalStripeAdmin.configureWebhook(
            apiBase: connections.stripeAPIBase, id: webhookID, url: "\(accordURL)/webhooks/stripe/\(tenant)", secret: webhookSecret)
    }
}
