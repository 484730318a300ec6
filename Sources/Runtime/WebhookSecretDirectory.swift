import Credentials
import EventStore
import Foundation
import Logging
import Server
import ServiceLifecycle
import Synchronization

/// Every tenant's Stripe webhook endpoint secrets, held in memory and refreshed in the background (a `Service`), so
/// that a delivery's signature is checked before any database work: deliveries for made-up tenants, or with forged
/// signatures, never cost a query. Each refresh is one query for the list of connections, plus one load for each
/// tenant whose connections changed since the last one; a changed or added secret takes effect at the next refresh
/// (Stripe keeps accepting the old secret for a while when one is rolled, and Accord accepts both meanwhile). A
/// lookup for a tenant without secrets — one just connected, or a made-up one — refreshes early, but at most once a
/// second (``missRefreshGap``) and never twice at once: a flood of deliveries for made-up tenants costs at most one
/// query a second.
final class WebhookSecretDirectory: WebhookSecretsProvider, Service {
    private struct Entry {
        var updatedAt: Date
        var secrets: [String]
    }

    private struct State {
        var entries: [TenantID: Entry] = [:]
        var loaded = false
    }

    /// The least time between two refreshes caused by lookups that found no secrets.
    static let missRefreshGap: Duration = .seconds(1)
    private let misses = MissRefreshGate(gap: missRefreshGap)

    private let credentials: CredentialStore
    private let refreshInterval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// Makes the directory; nothing is read until the first lookup or the service's first refresh.
    init(credentials: CredentialStore, refreshInterval: Duration = .seconds(15), logger: Logger) {
        self.credentials = credentials
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The tenant's secrets as of the last refresh (the first lookup before any refresh waits for one; a lookup that
    /// finds none may refresh early, see ``missRefreshGap``).
    func webhookSecrets(for tenant: TenantID) async throws -> [String] {
        if !state.withLock({ $0.loaded }) { try await refresh() }
        if let secrets = state.withLock({ $0.entries[tenant]?.secrets }), !secrets.isEmpty { return secrets }
        guard try await misses.refreshIfDue({ try await refresh() }) else { return [] }
        return state.withLock { $0.entries[tenant]?.secrets ?? [] }
    }

    /// Reads which tenants have webhook secrets, and the secrets of those whose connections changed. A tenant whose
    /// secrets cannot be opened keeps what was loaded before (and the failure is logged).
    func refresh() async throws {
        let summaries = try await credentials.list().filter(\.hasWebhookSecrets)
        let known = state.withLock { $0.entries }
        var entries: [TenantID: Entry] = [:]
        for summary in summaries {
            if let entry = known[summary.tenant], entry.updatedAt == summary.updatedAt {
                entries[summary.tenant] = entry
                continue
            }
            do {
                let secrets = try await credentials.load(summary.tenant)?.stripe?.webhookSecrets.map(\.revealed) ?? []
                entries[summary.tenant] = Entry(updatedAt: summary.updatedAt, secrets: secrets.filter { !$0.isEmpty })
            } catch {
                logger.error("could not open a tenant's webhook secrets", metadata: ["accord.tenant": "\(summary.tenant)", "error": "\(error)"])
                if let entry = known[summary.tenant] { entries[summary.tenant] = entry }
            }
        }
        state.withLock {
            $0.entries = entries
            $0.loaded = true
        }
        misses.refreshed()
    }

    /// Refreshes every ``refreshInterval`` until graceful shutdown; a failed refresh keeps the secrets it had.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.refresh()
                } catch {
                    self.logger.warning("could not refresh the webhook secrets; keeping the ones loaded", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.refreshInterval)
            }
        }
    }
}
