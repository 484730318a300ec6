import Connectors
import EventStore
public import Foundation
import HTTPTypes
public import Hummingbird
import Ingest
import Logging
import NIOCore
import NIOFoundationCompat
public import PGClient

/// `POST /webhooks/stripe/{tenant}`: verifies a Stripe delivery against the tenant's endpoint secrets, records it
/// in the inbox (once per event id) and answers at once; ``Ingest/InboxProcessor`` does the work.
///
/// - unknown tenant, or a tenant without a webhook secret → 404;
/// - missing, malformed, forged or stale signature, or a body that is not a Stripe event → 400 with a specific
///   message, and nothing is recorded;
/// - a duplicate delivery → 200 (recorded once).
public struct StripeWebhookController: Sendable {
    let dependencies: ServerDependencies
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let doorbell: Doorbell
    /// The clock the signature tolerance is measured against.
    let now: @Sendable () -> Date

    /// Makes the controller.
    /// - Parameter doorbell: rung after each new delivery, to wake the inbox processor.
    public init(
        dependencies: ServerDependencies, configuration: ServerConfiguration, metrics: ServerMetrics, doorbell: Doorbell,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.dependencies = dependencies
        self.configuration = configuration
        self.metrics = metrics
        self.doorbell = doorbell
        self.now = now
    }

    /// Adds the route.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/webhooks/stripe/:tenant", use: receive)
    }

    /// The answer to an accepted delivery.
    struct Receipt: Codable {
        var received: Bool
        var duplicate: Bool
        var eventId: String
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenantText = try context.pathParameter("tenant")
        guard let tenant = try? TenantID(tenantText), try await TenantDirectory(pool: dependencies.pool).contains(tenant) else {
            metrics.webhook("unknown_tenant")
            throw APIError.notFound("unknown tenant", code: "unknown_tenant")
        }
        let body: ByteBuffer
        do {
            body = try await JSONBody.bytes(of: request, limit: configuration.maxWebhookBodyBytes)
        } catch {
            metrics.webhook("too_large")
            throw error
        }
        let secrets = try await dependencies.webhookSecrets.webhookSecrets(for: tenant).filter { !$0.isEmpty }
        guard !secrets.isEmpty else {
            metrics.webhook("not_configured")
            throw APIError.notFound("this tenant has no Stripe webhook endpoint configured", code: "webhook_not_configured")
        }
        let payload = Data(buffer: body)
        let signature = request.headers[Self.signatureHeader]
        let event: StripeEvent
        do throws(StripeWebhookError) {
            event = try StripeWebhookVerifier(secrets: secrets, tolerance: configuration.webhookTolerance, now: now)
                .verify(payload: payload, signatureHeader: signature)
        } catch {
            metrics.webhook("rejected")
            context.logger.info("stripe webhook refused", metadata: ["accord.tenant": "\(tenant)", "webhook.error": "\(error)"])
            throw APIError.badRequest(error.description, code: Self.code(for: error))
        }
        guard !event.id.isEmpty, event.id.utf8.count <= 255, !event.type.isEmpty, event.type.utf8.count <= 255 else {
            metrics.webhook("rejected")
            throw APIError.badRequest("the event has no usable id or type", code: "invalid_payload")
        }
        let isNew = try await WebhookInbox(pool: dependencies.pool).record(
            tenant: tenant, eventID: event.id, eventType: event.type, objectID: event.customer?.id,
            eventCreated: Date(timeIntervalSince1970: TimeInterval(event.created)),
            payload: PGJSON(text: String(decoding: payload, as: UTF8.self)))
        metrics.webhook(isNew ? "accepted" : "duplicate")
        if isNew { doorbell.ring() }
        context.logger.debug(
            "stripe webhook recorded", metadata: ["accord.tenant": "\(tenant)", "stripe.event": "\(event.id)", "stripe.event_type": "\(event.type)"])
        return JSONBody.response(Receipt(received: true, duplicate: !isNew, eventId: event.id))
    }

    static let signatureHeader = HTTPField.Name("Stripe-Signature")!

    static func code(for error: StripeWebhookError) -> String {
        switch error {
        case .missingHeader: "missing_signature"
        case .malformedHeader: "malformed_signature"
        case .noV1Signature: "no_v1_signature"
        case .timestampOutsideTolerance: "stale_timestamp"
        case .noMatchingSignature: "signature_mismatch"
        case .invalidPayload: "invalid_payload"
        }
    }
}
