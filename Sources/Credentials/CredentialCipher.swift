import Crypto
public import EventStore
public import Foundation

/// Seals and opens tenant secrets with AES-256-GCM.
///
/// Each value is sealed on its own with a fresh random 96-bit nonce; the stored bytes are
/// `nonce ‖ ciphertext ‖ tag`. The associated data is `accord.tenant_connections`, the tenant id and the column,
/// so a sealed value moved to another tenant's row or another column fails to open.
///
/// New values are always sealed with ``current``; values sealed with one of ``previous`` still open (rotation:
/// configure the new key as current and the old one as previous, then ``CredentialStore/reseal()``).
public struct CredentialCipher: Sendable, CustomStringConvertible {
    /// The key new values are sealed with.
    public let current: MasterKey
    /// Older keys still accepted for opening.
    public let previous: [MasterKey]

    /// Makes a cipher.
    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        self.previous = previous.filter { $0.id != current.id }
    }

    /// The keys from ``MasterKey/environmentVariable`` and ``MasterKey/previousKeysEnvironmentVariable``.
    /// - Throws: ``CredentialError`` (`masterKeyMissing`, `masterKeyInvalid`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialError)
        -> CredentialCipher
    {
        let current = try MasterKey.fromEnvironment(environment)
        var previous: [MasterKey] = []
        for part in (environment[MasterKey.previousKeysEnvironmentVariable] ?? "").split(separator: ",") where !part.isEmpty {
            do {
                previous.append(try MasterKey(base64: String(part)))
            } catch {
                throw CredentialError(code: .masterKeyInvalid, message: "\(MasterKey.previousKeysEnvironmentVariable) is unusable: \(error.message)")
            }
        }
        return CredentialCipher(current: current, previous: previous)
    }

    /// The ids of every key this cipher can open with.
    public var keyIDs: [String] { [current.id] + previous.map(\.id) }

    /// `CredentialCipher(current: k-…, previous: […])`: ids only.
    public var description: String { "CredentialCipher(current: \(current.id), previous: \(previous.map(\.id)))" }

    /// Seals one value with the current key.
    /// - Throws: ``CredentialError`` only if the system's random generator or AES fails.
    public func seal(_ plaintext: String, tenant: TenantID, field: String) throws(CredentialError) -> Data {
        do {
            let box = try AES.GCM.seal(
                Data(plaintext.utf8), using: current.key, nonce: AES.GCM.Nonce(), authenticating: Self.associatedData(tenant, field))
            guard let combined = box.combined else {
                throw CredentialError(code: .decryptionFailed, message: "AES-GCM produced no combined box", tenant: tenant)
            }
            return combined
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError(code: .decryptionFailed, message: "sealing \(field) failed: \(error)", tenant: tenant)
        }
    }

    /// Opens a value sealed with the key named `keyID`.
    /// - Throws: ``CredentialError`` with code `wrongMasterKey` (the key is not configured) or `decryptionFailed`.
    public func open(_ sealed: Data, keyID: String, tenant: TenantID, field: String) throws(CredentialError) -> String {
        guard let key = ([current] + previous).first(where: { $0.id == keyID }) else {
            throw CredentialError(
                code: .wrongMasterKey,
                message: "the secrets of tenant \(tenant) were sealed with master key \(keyID), but the configured key is \(current.id)"
                    + (previous.isEmpty ? "" : " (previous: \(previous.map(\.id).joined(separator: ", ")))")
                    + "; set \(MasterKey.environmentVariable) to the key they were stored with",
                tenant: tenant)
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plaintext = try AES.GCM.open(box, using: key.key, authenticating: Self.associatedData(tenant, field))
            guard let text = String(data: plaintext, encoding: .utf8) else {
                throw CredentialError(code: .decryptionFailed, message: "\(field) of tenant \(tenant) is not UTF-8 text", tenant: tenant)
            }
            return text
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError(
                code: .decryptionFailed,
                message:
                    "\(field) of tenant \(tenant) does not authenticate under key \(keyID): it was altered, or copied from another tenant or column",
                tenant: tenant)
        }
    }

    static func associatedData(_ tenant: TenantID, _ field: String) -> Data {
        Data("accord.tenant_connections\u{0}\(tenant.rawValue)\u{0}\(field)".utf8)
    }
}
