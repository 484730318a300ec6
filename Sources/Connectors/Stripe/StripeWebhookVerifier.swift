import Crypto
public import Foundation

/// Verifies Stripe webhook deliveries the way Stripe's SDKs do (stripe-python's `WebhookSignature`):
///
/// - `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`;
/// - the expected signature is the lowercase hex HMAC-SHA256, keyed with the endpoint secret (`whsec_…`, as
///   UTF-8), of `"<t>.<raw body>"`: the raw bytes as received, never re-serialized JSON;
/// - a delivery passes when **any** `v1` matches **any** configured secret (several secrets while one is being
///   rolled), compared in constant time; `v0` is ignored;
/// - a timestamp older than now − tolerance (300 s by default) is refused; a future one passes, as in
///   stripe-python. The clock is injected for tests.
///
/// The event is parsed only after the signature has been checked.
public struct StripeWebhookVerifier: Sendable {
    /// stripe-python's `DEFAULT_TOLERANCE`.
    public static let defaultTolerance: Duration = .seconds(300)

    /// The endpoint secrets accepted (the current one, plus the previous one during a roll).
    public var secrets: [String]
    /// How old a timestamp may be; `nil` turns the check off.
    public var tolerance: Duration?
    /// The clock.
    public var now: @Sendable () -> Date

    /// Creates a verifier.
    /// - Parameters:
    ///   - secrets: one or more endpoint secrets; at least one.
    ///   - tolerance: the largest accepted age of the timestamp; `nil` for no check.
    ///   - now: the clock (the system clock by default).
    public init(secrets: [String], tolerance: Duration? = StripeWebhookVerifier.defaultTolerance, now: @escaping @Sendable () -> Date = { Date() }) {
        precondition(!secrets.isEmpty && secrets.allSatisfy { !$0.isEmpty }, "a webhook verifier needs at least one non-empty secret")
        self.secrets = secrets
        self.tolerance = tolerance
        self.now = now
    }

    /// Verifies a delivery and parses its event.
    /// - Parameters:
    ///   - payload: the raw request body, exactly as received.
    ///   - signatureHeader: the `Stripe-Signature` header value, `nil` when absent.
    /// - Returns: the event.
    /// - Throws: ``StripeWebhookError``.
    public func verify(payload: some DataProtocol, signatureHeader: String?) throws(StripeWebhookError) -> StripeEvent {
        try verifySignature(payload: payload, signatureHeader: signatureHeader)
        do {
            return try JSONDecoder().decode(StripeEvent.self, from: Data(payload))
        } catch {
            throw .invalidPayload(Self.describe(error))
        }
    }

    /// Verifies the signature only.
    /// - Returns: the header's timestamp (unix seconds).
    /// - Throws: ``StripeWebhookError``.
    @discardableResult
    public func verifySignature(payload: some DataProtocol, signatureHeader: String?) throws(StripeWebhookError) -> Int64 {
        guard let signatureHeader else { throw .missingHeader }
        let header = try StripeSignatureHeader(parsing: signatureHeader)
        guard !header.v1.isEmpty else { throw .noV1Signature }

        // The signed payload is "<t>.<raw body>", fed to the MAC in two pieces rather than copied into one.
        let prefix = Array("\(header.timestamp).".utf8)
        var matched = false
        for secret in secrets {
            var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
            mac.update(data: prefix)
            mac.update(data: payload)
            let expected = Array(mac.finalize())
            for candidate in header.v1 {
                // Every comparison runs to the end, whatever matched before: no timing signal.
                matched = Self.constantTimeEqual(expected, candidate) || matched
            }
        }
        guard matched else { throw .noMatchingSignature }

        if let tolerance {
            let age = Int64(now().timeIntervalSince1970.rounded(.down)) - header.timestamp
            let limit = tolerance.components.seconds
            if age > limit { throw .timestampOutsideTolerance(ageSeconds: age, toleranceSeconds: limit) }
        }
        return header.timestamp
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "not JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\" field"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// A parsed `Stripe-Signature` header.
struct StripeSignatureHeader: Sendable, Hashable {
    /// `t`.
    var timestamp: Int64
    /// Every `v1` signature, hex-decoded (values that are not 64 hex digits decode to nothing and never match).
    var v1: [[UInt8]]

    /// The most items a header may hold; Stripe sends one `t`, one `v1` per active secret, maybe a `v0`.
    static let maxItems = 32

    init(parsing header: String) throws(StripeWebhookError) {
        let items = header.split(separator: ",", omittingEmptySubsequences: true)
        guard !items.isEmpty else { throw .malformedHeader("it is empty") }
        guard items.count <= Self.maxItems else { throw .malformedHeader("it has more than \(Self.maxItems) items") }
        var timestamp: Int64?
        var v1: [[UInt8]] = []
        for item in items {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let key = String(item[..<equals]).trimmingWhitespace()
            let value = String(item[item.index(after: equals)...]).trimmingWhitespace()
            switch key {
            case "t":
                guard timestamp == nil else { continue }  // the first t counts, as in stripe-python
                guard let parsed = Int64(value), parsed >= 0 else { throw .malformedHeader("the timestamp \"\(value.prefix(20))\" is not a number") }
                timestamp = parsed
            case "v1":
                v1.append(Self.hexBytes(value) ?? [])
            default:
                continue  // v0 and unknown schemes are ignored
            }
        }
        guard let timestamp else { throw .malformedHeader("no timestamp (t=)") }
        self.timestamp = timestamp
        self.v1 = v1
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
