public import Credentials
import Synchronization

/// The API key ids there are, held in memory in front of ``Credentials/APIKeyStore``: a well-formed key whose id
/// does not exist is refused without a query, so a flood of made-up keys (from any number of addresses) costs the
/// server's database pool nothing. A key whose id exists is checked by the store as before (its secret, whether it
/// was revoked). A key made since the last read (by `accord tenant key create` or another replica) is found by
/// reading the ids again on a miss — at most once a second in all (``MissRefreshGate``).
public final class APIKeyDirectory: APIKeyAuthenticator {
    private let keys: any APIKeyAuthenticator
    private let readIDs: @Sendable () async throws -> Set<String>
    private let ids = Mutex<Set<String>?>(nil)
    private let misses: MissRefreshGate

    /// Makes a directory over a store; the ids are read on first use.
    public convenience init(store: APIKeyStore) { self.init(keys: store, ids: { try await store.keyIDs() }) }

    /// Makes a directory over any authenticator and a way to read every key id.
    init(keys: any APIKeyAuthenticator, ids: @escaping @Sendable () async throws -> Set<String>, gap: Duration = .seconds(1)) {
        self.keys = keys
        self.readIDs = ids
        self.misses = MissRefreshGate(gap: gap)
    }

    /// The store's verdict for a key whose id exists; `unknown` for anything else.
    public func authenticate(_ presented: String) async throws -> APIKeyStore.Verdict {
        guard let key = APIKey(parsing: presented), try await exists(key.keyID) else { return .unknown }
        return try await keys.authenticate(presented)
    }

    /// The store's verdict for an id that exists; `unknown` for anything else.
    public func verify(keyID: String) async throws -> APIKeyStore.Verdict {
        guard try await exists(keyID) else { return .unknown }
        return try await keys.verify(keyID: keyID)
    }

    /// Whether the id exists: known, or found by reading the ids again. A miss waits for the next read it may cause
    /// rather than refuse a key made a moment ago, so a new key works at once and a made-up one is refused within
    /// about two gaps, having cost at most a read per gap in all.
    private func exists(_ keyID: String) async throws -> Bool {
        for _ in 0..<3 {
            if ids.withLock({ $0?.contains(keyID) }) == true { return true }
            let read = try await misses.refreshIfDue {
                let current = try await readIDs()
                ids.withLock { $0 = current }
                misses.refreshed()
            }
            if read { return ids.withLock { $0?.contains(keyID) } == true }
            try await Task.sleep(for: misses.untilDue)
        }
        return false
    }
}
