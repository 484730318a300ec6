public import Foundation

/// A tenant's connections as the connections page and `GET /api/v1/connections` show them: whether each exists,
/// where it points, and the last test — never a secret.
public struct ConnectionStatus: Codable, Sendable, Hashable {
    /// The outcome of "test connection": a cheap read through the tenant's connection.
    public struct Check: Codable, Sendable, Hashable {
        /// Whether the read worked.
        public var ok: Bool
        /// When it was made.
        public var at: Date
        /// What was found ("e-conomic agreement 123456, Demo A/S") or what went wrong, for a person.
        public var message: String

        /// Makes a check.
        public init(ok: Bool, at: Date, message: String) {
            self.ok = ok
            self.at = at
            self.message = message
        }
    }

    /// The e-conomic connection.
    public struct Economic: Codable, Sendable, Hashable {
        /// Whether tokens are stored.
        public var connected: Bool
        /// The REST base URL the tokens are used with.
        public var baseURL: String?
        /// The last test, since the server started.
        public var lastCheck: Check?
    }

    /// The Stripe connection.
    public struct Stripe: Codable, Sendable, Hashable {
        /// Whether a secret key is stored.
        public var connected: Bool
        /// Stripe's API base URL.
        public var apiBase: String?
        /// How many webhook signing secrets are active (0: webhooks are refused; the catch-up still reads events).
        public var webhookSecrets: Int
        /// The URL to paste into Stripe's webhook settings.
        public var webhookURL: String
        /// The last test, since the server started.
        public var lastCheck: Check?
    }

    /// The e-conomic connection.
    public var economic: Economic
    /// The Stripe connection.
    public var stripe: Stripe
    /// When the connections were last changed.
    public var updatedAt: Date?

    /// What the sync screens say is missing; empty when e-conomic is connected (their actions need it).
    public var missing: [String] {
        var missing: [String] = []
        if !economic.connected { missing.append("e-conomic is not connected: partners cannot be created or updated there.") }
        if !stripe.connected { missing.append("Stripe is not connected: Stripe customers are not received.") }
        return missing
    }
}
