import Credentials
import EventStore
import Server
import Synchronization

/// Web sessions kept in memory, like ``Credentials/SessionStore`` keeps them in PostgreSQL: a random token per
/// session, ended by ``close(_:)``, and not found once its key is revoked in ``MemoryAPIKeys`` (only key sessions:
/// users live in PostgreSQL's tests).
final class MemorySessions: WebSessions {
    private let keys: MemoryAPIKeys
    private let sessions = Mutex<[String: SessionStore.Session]>([:])

    init(keys: MemoryAPIKeys) { self.keys = keys }

    func open(tenant: TenantID, holder: SessionStore.Session.Holder, lifetime: Duration) async throws -> String {
        let token = SecureRandom.bytes(32).base64URLString
        sessions.withLock { $0[token] = SessionStore.Session(tenant: tenant, holder: holder, role: .admin) }
        return token
    }

    func find(_ token: String) async throws -> SessionStore.Session? {
        guard let session = sessions.withLock({ $0[token] }), case .apiKey(let keyID) = session.holder else { return nil }
        guard case .valid(let tenant, _) = try await keys.verify(keyID: keyID), tenant == session.tenant else { return nil }
        return session
    }

    func close(_ token: String) async throws { _ = sessions.withLock { $0.removeValue(forKey: token) } }
}
