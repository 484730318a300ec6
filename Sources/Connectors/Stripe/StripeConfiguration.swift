import Foundation

/// Where and how ``StripeClient`` talks to Stripe.
///
/// `description` never shows the secret key.
public struct StripeConfiguration: Sendable, CustomStringConvertible {
    /// Stripe's production API.
    public static let defaultAPIBase = "https://api.stripe.com"

    /// The API's base URL without a trailing slash, e.g. `https://api.stripe.com` or, in tests, localstripe's
    /// `http://127.0.0.1:PORT`.
    public var apiBase: String
    /// The secret (or restricted) key, sent as `Authorization: Bearer`.
    public var secretKey: String
    /// The `Stripe-Version` header to send; `nil` uses the account's default version.
    public var apiVersion: String?
    /// The time limit for each call (connect, send, and read the whole response).
    public var timeout: Duration
    /// Responses larger than this are refused as invalid. Default 8 MiB (a page of 100 customers is far less).
    public var maxResponseBytes: Int
    /// Whether to ask for `tax_ids` to be expanded, so ``StripeCustomer/taxID`` is filled. Default `true`.
    public var expandTaxIDs: Bool
    /// The `User-Agent` header.
    public var userAgent: String

    /// Creates a configuration.
    /// - Parameters:
    ///   - apiBase: the API's base URL (default Stripe's).
    ///   - secretKey: the tenant's secret key (`sk_live_…`, `sk_test_…` or `rk_…`).
    ///   - apiVersion: a `Stripe-Version` to pin, or `nil`.
    ///   - timeout: the limit per call; 30 s by default.
    ///   - maxResponseBytes: the largest response accepted.
    ///   - expandTaxIDs: whether to expand `tax_ids`.
    ///   - userAgent: the `User-Agent` header.
    public init(
        apiBase: String = StripeConfiguration.defaultAPIBase,
        secretKey: String,
        apiVersion: String? = nil,
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 8 * 1024 * 1024,
        expandTaxIDs: Bool = true,
        userAgent: String = "Accord/1.0 (customer sync)"
    ) {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBase = base
        self.secretKey = secretKey
        self.apiVersion = apiVersion
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.expandTaxIDs = expandTaxIDs
        self.userAgent = userAgent
    }

    /// The configuration with the key redacted.
    public var description: String {
        "StripeConfiguration(apiBase: \(apiBase), secretKey: \(StripeSecrets.redactedKey(secretKey)), apiVersion: \(apiVersion ?? "account default"), timeout: \(timeout))"
    }
}

/// Keeps secrets out of messages.
enum StripeSecrets {
    /// The prefixes of Stripe secrets: secret keys, restricted keys, webhook signing secrets.
    static let prefixes = ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"]

    /// `sk_test_…` for a key: its kind, never its value.
    static func redactedKey(_ key: String) -> String {
        let prefix = prefixes.first { key.hasPrefix($0) } ?? ""
        return prefix + "…(redacted)"
    }

    /// `text` with `secret` and anything shaped like a Stripe secret replaced by its redacted form.
    static func redact(_ text: String, secret: String? = nil) -> String {
        var result = text
        if let secret, !secret.isEmpty {
            result = result.replacing(secret, with: redactedKey(secret))
        }
        for prefix in prefixes {
            var output = ""
            var remainder = Substring(result)
            while let range = remainder.range(of: prefix) {
                output += remainder[..<range.lowerBound]
                output += prefix
                var rest = remainder[range.upperBound...]
                let token = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
                if !token.isEmpty {
                    output += "…(redacted)"
                    rest = rest.dropFirst(token.count)
                }
                remainder = rest
            }
            output += remainder
            result = output
        }
        return result
    }
}
