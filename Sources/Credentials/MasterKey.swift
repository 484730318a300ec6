import Crypto
public import Foundation

/// A 256-bit key that seals tenant secrets (AES-256-GCM), identified by a digest so that stored rows can say
/// which key sealed them without revealing it.
///
/// Configure it as `ACCORD_MASTER_KEY`: 32 random bytes in base64 (e.g. `openssl rand -base64 32`).
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The environment variable holding the current key.
    public static let environmentVariable = "ACCORD_MASTER_KEY"
    /// The environment variable holding older keys, comma-separated, still accepted for reading (key rotation).
    public static let previousKeysEnvironmentVariable = "ACCORD_MASTER_KEY_PREVIOUS"

    /// `k-` and 16 hex digits of a SHA-256 over a fixed label and the key: names the key, reveals nothing of it.
    public let id: String
    /// The key bytes (kept as `Data`, which is `Sendable`; `SymmetricKey` is made when needed).
    private let bytes: Data

    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Wraps 32 key bytes.
    /// - Throws: ``CredentialError`` with code `masterKeyInvalid` when there are not exactly 32 bytes.
    public init(bytes: some ContiguousBytes) throws(CredentialError) {
        let key = SymmetricKey(data: bytes)
        guard key.bitCount == 256 else {
            throw CredentialError(
                code: .masterKeyInvalid, message: "a master key must be 32 bytes (256 bits), not \(key.bitCount / 8) bytes")
        }
        self.bytes = key.withUnsafeBytes { Data($0) }
        self.id = Self.identifier(of: key)
    }

    /// Decodes a base64 key.
    /// - Throws: ``CredentialError`` with code `masterKeyInvalid` when the text is not base64 of 32 bytes.
    public init(base64 text: String) throws(CredentialError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else {
            throw CredentialError(
                code: .masterKeyInvalid, message: "the master key is not valid base64 (generate one with `openssl rand -base64 32`)")
        }
        try self.init(bytes: data)
    }

    /// A new random key (for `accord` to print once, and for tests).
    public static func generate() -> MasterKey {
        // 32 random bytes always make a valid key.
        try! MasterKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The key in base64, to store in a secret manager. Never log it.
    public func exportBase64() -> String {
        bytes.base64EncodedString()
    }

    /// The key named by ``environmentVariable``.
    /// - Parameter environment: the environment to read (the process's by default).
    /// - Throws: ``CredentialError`` with code `masterKeyMissing` or `masterKeyInvalid`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialError)
        -> MasterKey
    {
        guard let text = environment[environmentVariable], !text.isEmpty else {
            throw CredentialError(
                code: .masterKeyMissing,
                message: "\(environmentVariable) is not set: set it to 32 random bytes in base64 (e.g. `openssl rand -base64 32`) "
                    + "to read or store tenant secrets")
        }
        do {
            return try MasterKey(base64: text)
        } catch {
            throw CredentialError(code: .masterKeyInvalid, message: "\(environmentVariable) is unusable: \(error.message)")
        }
    }

    /// `MasterKey(k-…)`: the id only.
    public var description: String { "MasterKey(\(id))" }

    /// `MasterKey(k-…)`: the id only.
    public var debugDescription: String { description }

    /// Only the id, so `dump` never shows key bytes.
    public var customMirror: Mirror { Mirror(self, children: ["id": id], displayStyle: .struct) }

    static func identifier(of key: SymmetricKey) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("accord.master-key-id\u{0}".utf8))
        key.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let digest = hasher.finalize()
        return "k-"
            + digest.prefix(8).map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
    }
}
