import Connectors
import EventStore
public import Foundation
import HTTPTypes
public import Hummingbird
public import Ingest
import Logging
import NIOCore
import NIOFoundationCompat
public import PGClient

/// `POST /webhooks/stripe/{tenant}`: verifies a Stripe delivery against the tenant's endpoint secrets, records it
/// in the inbox (once per event id; concurrent deliveries share a commit, see ``Ingest/InboxRecorder``) and answers at
/// once; ``Ingest/InboxProcessor`` does the work.
///
/// The signature is checked before any database work, against the secrets ``ServerDependencies/webhookSecrets``
/// holds (in memory, in `accord serve`), and a tenant that does not exist, or has no webhook secret, is refused
/// exactly as a forged signature is — same status, code and message, and the same HMAC work — so deliveries cannot
/// tell which tenants exist:
/// - missing or malformed signature header → 400 naming what is wrong with it (says nothing about the tenant);
/// - no secret of the endpoint signed it (forged, wrong secret, unknown tenant, no webhook configured) → 400
///   `signature_mismatch`;
/// - a signed delivery that is stale or not a Stripe event → 400 with a specific message; nothing is recorded;
/// - a duplicate delivery → 200 (recorded once).
public struct StripeWebhookController: Sendable {
    let dependencies: ServerDependencies
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let inbox: InboxRecorder
    let doorbell: Doorbell
    /// The clock the signature tolerance is measured against.
    let now: @Sendable () -> Date

    /// Makes the controller.
    /// - Parameters:
    ///   - inbox: records the deliveries (one per server: it combines concurrent ones).
    ///   - doorbell: rung after each new delivery, to wake the inbox processor.
    public init(
        dependencies: ServerDependencies, configuration: ServerConfiguration, metrics: ServerMetrics, inbox: InboxRecorder, doorbell: Doorbell,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.dependencies = dependencies
        self.configuration = configuration
        self.metrics = metrics
        self.inbox = inbox
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
        let tenant = try? TenantID(try context.pathParameter("tenant"))
        let body: ByteBuffer
        do {
            body = try await JSONBody.bytes(of: request, limit: configuration.maxWebhookBodyBytes)
        } catch {
            metrics.webhook(.tooLarge)
            throw error
        }
        var secrets: [String] = []
        if let tenant { secrets = try await dependencies.webhookSecrets.webhookSecrets(for: tenant).filter { !$0.isEmpty } }
        let payload = Data(buffer: body)
        let signature = request.headers[Self.signatureHeader]
        let event: StripeEvent
        do throws(StripeWebhookError) {
            // No secret: a decoy that signs nothing, so the refusal costs what a forged signature's does.
            event = try StripeWebhookVerifier(secrets: secrets.isEmpty ? [Self.decoy] : secrets, tolerance: configuration.webhookTolerance, now: now)
                .verify(payload: payload, signatureHeader: signature)
        } catch {
            metrics.webhook(secrets.isEmpty ? .unknownEndpoint : .rejected)
            context.logger.info(
                "stripe webhook refused",
                metadata: [
                    "accord.tenant": "\(tenant.map(\.rawValue) ?? "(invalid)")", "webhook.error": "\(error)", "webhook.secrets": "\(secrets.count)",
                ])
            throw APIError.badRequest(error.description, code: Self.code(for: error))
        }
        guard let tenant else { throw APIError.badRequest(StripeWebhookError.noMatchingSignature.description, code: "signature_mismatch") }
        guard !event.id.isEmpty, event.id.utf8.count <= 255, !event.type.isEmpty, event.type.utf8.count <= 255 else {
            metrics.webhook(.rejected)
            throw APIError.badRequest("the event has no usable id or type", code: "invalid_payload")
        }
        let isNew = try await inbox.record(
            WebhookDelivery(
                tenant: tenant, eventID: event.id, eventType: event.type, objectID: event.customer?.id,
                eventCreated: Date(timeIntervalSince1970: TimeInterval(event.created)), payload: String(decoding: payload, as: UTF8.self)))
        metrics.webhook(isNew ? .accepted : .duplicate)
        if isNew { doorbell.ring() }
        context.logger.debug(
            "stripe webhook recorded", metadata: ["accord.tenant": "\(tenant)", "stripe.event": "\(event.id)", "stripe.event_type": "\(event.type)"])
        return JSONBody.response(Receipt(received: true, duplicate: !isNew, eventId: event.id))
    }

    static let signatureHeader = HTTPField.Name("Stripe-Signature")!

    /// Verifies deliveries for endpoints without a secret: random per process, never known to anyone.
    static let decoy = "whsec_" + (0..<32).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()

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
