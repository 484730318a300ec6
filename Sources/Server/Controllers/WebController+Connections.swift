import EventStore
import Foundation

/// What the sync screens need to know about the tenant's connections.
extension WebController {
    /// The tenant's connections, or nil when this server does not manage them (then nothing is gated).
    func connectionStatus(_ tenant: TenantID) async throws -> ConnectionStatus? {
        guard let connections = dependencies.connections else { return nil }
        return try await connections.status(of: tenant, webhookURL: "\(configuration.baseURL)/webhooks/stripe/\(tenant.rawValue)")
    }

    /// Whether e-conomic customers are offered a partner created in Stripe: unless Stripe is known not to be connected
    /// (a server that does not manage connections offers it; the request waits for a connection anyway).
    func offersStripe(_ tenant: TenantID) async -> Bool {
        (try? await connectionStatus(tenant))??.stripe.connected ?? true
    }

    /// A sync screen's body, saying what is missing and with its actions disabled until e-conomic is connected.
    /// When the stored connections cannot be read (a wrong master key), the screen is shown as it is: the
    /// connections page says what is wrong.
    func gated(_ body: HTML, tenant: TenantID) async throws -> HTML {
        Pages.gated(body, status: try? await connectionStatus(tenant))
    }
}
