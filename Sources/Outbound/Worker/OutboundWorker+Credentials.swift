import Credentials
import EventStore
import SyncDomain
import Synchronization

/// The tenants' connections, cached briefly, and the attempt to record when they cannot be used.
extension OutboundWorker {
    /// The tenant's connections (cached for ``OutboundWorkerConfiguration/credentialCacheTTL``), or the attempt to
    /// record when they cannot be used.
    func connections(for tenant: TenantID) async -> Result<TenantConnections, OutboundAttemptFailure> {
        let now = ContinuousClock.now
        if let cached = connectionCache.withLock({ $0[tenant] }), now - cached.loaded < configuration.credentialCacheTTL {
            return cached.connections.map { .success($0) } ?? .failure(Self.noConnections(tenant))
        }
        do {
            let loaded = try await credentials.load(tenant)
            connectionCache.withLock { $0[tenant] = (loaded, now) }
            return loaded.map { .success($0) } ?? .failure(Self.noConnections(tenant))
        } catch let error as CredentialError where error.code != .database {
            return .failure(OutboundAttemptFailure(.needsPerson(OutboundError(code: "CREDENTIALS", message: error.description))))
        } catch {
            return .failure(
                OutboundAttemptFailure(
                    .failed(OutboundError(code: "CREDENTIALS", message: "the tenant's credentials could not be read: \(error)"), retryAfter: nil)))
        }
    }

    static func noConnections(_ tenant: TenantID) -> OutboundAttemptFailure {
        OutboundAttemptFailure(.waitingForConnection("tenant \(tenant) has no connections yet"))
    }
}
