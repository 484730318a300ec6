/// What became of a webhook delivery at the edge: the `outcome` label of `accord_webhook_deliveries_total`.
enum WebhookOutcome: String, CaseIterable, Sendable {
    /// Verified and recorded in the inbox for the first time.
    case accepted
    /// Verified, and the inbox already held its event.
    case duplicate
    /// A bad or missing signature, a stale timestamp, or an event without a usable id or type.
    case rejected
    /// No webhook secret for the tenant, or no such tenant (answered as `rejected` is, so tenants cannot be told apart).
    case unknownEndpoint = "unknown_endpoint"
    /// A body over the webhook limit.
    case tooLarge = "too_large"
}
