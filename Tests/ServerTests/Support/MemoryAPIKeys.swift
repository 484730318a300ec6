import Credentials
import EventStore
import Server
import Synchronization

/// API keys kept in memory, made and checked like ``Credentials/APIKeyStore`` makes and checks them (a key is
/// `ak_<16 hex id>_<random secret>`; a revoked key is refused, and so are its sessions).
final class MemoryAPIKeys: APIKeyAuthenticator {
    private struct Key {
        var tenant: TenantID
        var token: String
        var revoked: Bool
    }

    private let keys = Mutex<[String: Key]>([:])

    /// Makes a key for a tenant and returns it (`ak_…`).
    func create(tenant: TenantID) -> String {
        let keyID = SecureRandom.bytes(8).hexString
        let token = "\(APIKey.prefix)\(keyID)_\(SecureRandom.bytes(32).base64URLString)"
        keys.withLock { $0[keyID] = Key(tenant: tenant, token: token, revoked: false) }
        return token
    }

    /// Revokes a tenant's key; false when it has no such live key.
    @discardableResult
    func revoke(keyID: String, tenant: TenantID) -> Bool {
        keys.withLock { keys in
            guard let key = keys[keyID], key.tenant == tenant, !key.revoked else { return false }
            keys[keyID]?.revoked = true
            return true
        }
    }

    func authenticate(_ presented: String) async throws -> APIKeyStore.Verdict {
        guard let key = APIKey(parsing: presented) else { return .unknown }
        let stored = keys.withLock { $0[key.keyID] }
        guard let stored, constantTimeEqual(Array(stored.token.utf8), Array(presented.utf8)) else { return .unknown }
        return stored.revoked ? .revoked : .valid(tenant: stored.tenant, keyID: key.keyID)
    }

    /// A well-formed key no one made.
    func madeUp() -> String { "\(APIKey.prefix)\(SecureRandom.bytes(8).hexString)_\(SecureRandom.bytes(32).base64URLString)" }

    /// Every key id made (revoked ones too).
    var ids: Set<String> { keys.withLock { Set($0.keys) } }

    func verify(keyID: String) async throws -> APIKeyStore.Verdict {
        guard let stored = keys.withLock({ $0[keyID] }) else { return .unknown }
        return stored.revoked ? .revoked : .valid(tenant: stored.tenant, keyID: keyID)
    }
}
