/// Why a webhook delivery was refused. Answer 400 for all of them: Stripe retries, and a real delivery signed
/// with a secret that was just rolled is accepted once the new secret is configured.
public enum StripeWebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `Stripe-Signature` header.
    case missingHeader
    /// The header has no readable timestamp `t=<unix seconds>` (or is otherwise unreadable).
    case malformedHeader(String)
    /// The header carries no `v1` signature (only `v0`, which is never accepted, or none).
    case noV1Signature
    /// The timestamp is older than the tolerance allows.
    case timestampOutsideTolerance(ageSeconds: Int64, toleranceSeconds: Int64)
    /// No `v1` signature matches any configured secret: a forged request, a body altered in transit (or
    /// re-serialized before verifying), or the wrong endpoint secret.
    case noMatchingSignature
    /// The signature is valid but the body is not a JSON Stripe event.
    case invalidPayload(String)

    /// A sentence for logs and for the 400 answer (no secrets, no body).
    public var description: String {
        switch self {
        case .missingHeader: return "missing Stripe-Signature header"
        case .malformedHeader(let reason): return "malformed Stripe-Signature header: \(reason)"
        case .noV1Signature: return "the Stripe-Signature header has no v1 signature"
        case .timestampOutsideTolerance(let age, let tolerance):
            return "the webhook timestamp is \(age) s old, more than the \(tolerance) s tolerance (a replay, or a clock out of sync)"
        case .noMatchingSignature:
            return "no v1 signature matches the endpoint secret (wrong secret, forged request, or a body changed before verification)"
        case .invalidPayload(let reason): return "the webhook body is not a Stripe event: \(reason)"
        }
    }
}
