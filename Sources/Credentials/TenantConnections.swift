public import EventStore
public import Foundation

/// A tenant's connections to the outside systems: where e-conomic and Stripe are, and the secrets to call them.
///
/// Its `description` (and `dump`) shows where, never the secrets: every secret is a ``Secret``.
public struct TenantConnections: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the tenant's e-conomic agreement.
    public struct Economic: Sendable, Hashable, CustomStringConvertible {
        /// The REST API's base URL (`https://restapi.e-conomic.com`, or a sandbox).
        public var baseURL: String
        /// The app's `X-AppSecretToken`.
        public var appSecretToken: Secret
        /// The agreement's `X-AgreementGrantToken`.
        public var agreementGrantToken: Secret

        /// Makes an e-conomic connection.
        public init(baseURL: String = "https://restapi.e-conomic.com", appSecretToken: Secret, agreementGrantToken: Secret) {
            self.baseURL = baseURL
            self.appSecretToken = appSecretToken
            self.agreementGrantToken = agreementGrantToken
        }

        /// The base URL; tokens redacted.
        public var description: String {
            "Economic(baseURL: \(baseURL), appSecretToken: <redacted>, agreementGrantToken: <redacted>)"
        }
    }

    /// How to reach the tenant's Stripe account and verify its webhooks.
    public struct Stripe: Sendable, Hashable, CustomStringConvertible {
        /// The API's base URL (`https://api.stripe.com`, or localstripe).
        public var apiBase: String
        /// The secret or restricted key (`sk_…`, `rk_…`).
        public var secretKey: Secret
        /// The webhook endpoint's signing secrets (`whsec_…`); several while a secret is being rolled.
        public var webhookSecrets: [Secret]

        /// Makes a Stripe connection.
        public init(apiBase: String = "https://api.stripe.com", secretKey: Secret, webhookSecrets: [Secret] = []) {
            self.apiBase = apiBase
            self.secretKey = secretKey
            self.webhookSecrets = webhookSecrets
        }

        /// The base URL and how many webhook secrets there are; secrets redacted.
        public var description: String {
            "Stripe(apiBase: \(apiBase), secretKey: <redacted>, webhookSecrets: \(webhookSecrets.count) <redacted>)"
        }
    }

    /// The tenant.
    public var tenant: TenantID
    /// The e-conomic connection, if configured.
    public var economic: Economic?
    /// The Stripe connection, if configured.
    public var stripe: Stripe?
    /// When the stored row last changed (set by ``CredentialStore``).
    public var updatedAt: Date?
    /// The id of the master key the stored secrets are sealed with (set by ``CredentialStore``).
    public var keyID: String?

    /// Makes a tenant's connections.
    public init(tenant: TenantID, economic: Economic? = nil, stripe: Stripe? = nil, updatedAt: Date? = nil, keyID: String? = nil) {
        self.tenant = tenant
        self.economic = economic
        self.stripe = stripe
        self.updatedAt = updatedAt
        self.keyID = keyID
    }

    /// Where the tenant is connected; every secret is `<redacted>`.
    public var description: String {
        "TenantConnections(tenant: \(tenant), economic: \(economic.map(\.description) ?? "none"), stripe: \(stripe.map(\.description) ?? "none"))"
    }

    /// Problems that keep these connections from being saved; empty when they are fine.
    public var problems: [String] {
        var problems: [String] = []
        func checkURL(_ url: String, _ name: String) {
            let lower = url.lowercased()
            if !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || url.count < 10 || url.count > 500
                || url.contains(where: \.isWhitespace)
            {
                problems.append("\(name) must be an http(s) URL of at most 500 characters")
            }
        }
        func checkSecret(_ secret: Secret, _ name: String) {
            if secret.revealed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("\(name) must not be empty")
            } else if secret.revealed.utf8.count > 4096 {
                problems.append("\(name) must be at most 4096 bytes")
            }
        }
        if let economic {
            checkURL(economic.baseURL, "the e-conomic base URL")
            checkSecret(economic.appSecretToken, "the e-conomic app secret token")
            checkSecret(economic.agreementGrantToken, "the e-conomic agreement grant token")
        }
        if let stripe {
            checkURL(stripe.apiBase, "the Stripe API base URL")
            checkSecret(stripe.secretKey, "the Stripe secret key")
            if stripe.webhookSecrets.count > 10 { problems.append("at most 10 webhook secrets can be active at once") }
            for secret in stripe.webhookSecrets { checkSecret(secret, "a Stripe webhook secret") }
        }
        return problems
    }
}

/// Which connections a tenant has, without any secret (for `accord tenant list` and the UI).
public struct ConnectionSummary: Sendable, Hashable, CustomStringConvertible {
    /// The tenant.
    public var tenant: TenantID
    /// The e-conomic base URL, when e-conomic is connected.
    public var economicBaseURL: String?
    /// The Stripe API base URL, when Stripe is connected.
    public var stripeAPIBase: String?
    /// Whether webhook signing secrets are stored.
    public var hasWebhookSecrets: Bool
    /// The master key the secrets are sealed with.
    public var keyID: String
    /// When the connections last changed.
    public var updatedAt: Date

    /// Makes a summary.
    public init(tenant: TenantID, economicBaseURL: String?, stripeAPIBase: String?, hasWebhookSecrets: Bool, keyID: String, updatedAt: Date) {
        self.tenant = tenant
        self.economicBaseURL = economicBaseURL
        self.stripeAPIBase = stripeAPIBase
        self.hasWebhookSecrets = hasWebhookSecrets
        self.keyID = keyID
        self.updatedAt = updatedAt
    }

    /// `acme: e-conomic https://…, Stripe https://… (webhooks), key k-…`.
    public var description: String {
        var parts: [String] = []
        parts.append(economicBaseURL.map { "e-conomic \($0)" } ?? "no e-conomic")
        parts.append(stripeAPIBase.map { "Stripe \($0)" + (hasWebhookSecrets ? " (webhooks)" : "") } ?? "no Stripe")
        return "\(tenant): \(parts.joined(separator: ", ")), key \(keyID)"
    }
}
