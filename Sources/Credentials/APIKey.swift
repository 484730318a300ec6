import Crypto
import Foundation

/// An API key as handed to a person once: `ak_<key id>_<secret>`.
///
/// The key id (16 hex digits) is public and names the key in lists and logs; the secret (32 random bytes,
/// base64url) is shown once and only its SHA-256 is stored.
public struct APIKey: Sendable, Hashable, CustomStringConvertible {
    /// The public id.
    public let keyID: String
    /// The secret part.
    let secret: String

    /// The prefix every key starts with.
    public static let prefix = "ak_"

    /// A new random key.
    static func generate() -> APIKey {
        APIKey(keyID: SecureRandom.bytes(8).hexString, secret: SecureRandom.bytes(32).base64URLString)
    }

    init(keyID: String, secret: String) {
        self.keyID = keyID
        self.secret = secret
    }

    /// Parses a presented key; `nil` when it does not have the shape of one.
    public init?(parsing text: some StringProtocol) {
        guard text.hasPrefix(Self.prefix), text.utf8.count <= 200 else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard rest.count > 17 else { return nil }
        let id = rest.prefix(16)
        let separator = rest.dropFirst(16).first
        let secret = rest.dropFirst(17)
        guard id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }), separator == "_", !secret.isEmpty else { return nil }
        self.init(keyID: String(id), secret: String(secret))
    }

    /// The full key, to show once.
    public var token: String { "\(Self.prefix)\(keyID)_\(secret)" }

    /// SHA-256 of the secret, as stored.
    var secretHash: Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    /// Never the secret: `ak_<key id>_…`.
    public var description: String { "\(Self.prefix)\(keyID)_…" }
}
