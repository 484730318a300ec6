import Crypto
public import Foundation

/// Makes `Stripe-Signature` headers the way Stripe does, for tests and the demo's fake deliveries.
public struct StripeWebhookSigner: Sendable {
    /// The secrets to sign with: one `v1` per secret, in order.
    public var secrets: [String]

    /// Creates a signer.
    public init(secrets: [String]) {
        self.secrets = secrets
    }

    /// The lowercase hex HMAC-SHA256 of `"<timestamp>.<payload>"` keyed with `secret`.
    public static func signature(payload: some DataProtocol, timestamp: Int64, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: payload)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `t=<timestamp>,v1=<sig for secret 1>[,v1=<sig for secret 2>…][,v0=<fake>]`.
    /// - Parameters:
    ///   - payload: the exact body that will be sent.
    ///   - timestamp: unix seconds.
    ///   - v0: a `v0` value to append (test-mode deliveries carry one; verifiers must ignore it).
    public func header(payload: some DataProtocol, timestamp: Int64, v0: String? = nil) -> String {
        var parts = ["t=\(timestamp)"]
        parts += secrets.map { "v1=" + Self.signature(payload: payload, timestamp: timestamp, secret: $0) }
        if let v0 { parts.append("v0=\(v0)") }
        return parts.joined(separator: ",")
    }
}
