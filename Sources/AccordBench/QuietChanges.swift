import EventStore
import Foundation
import PGClient
import SyncDomain
import SyncEngine

/// The other tenants during an initial sync: each observes one new Stripe customer per second (whose partner is then
/// requested) until the sync is decided, and each change's time from observed to decided is measured (polled every
/// 10 ms, so a latency is up to 10 ms longer than it was).
struct QuietChanges: Sendable {
    let tenants: [TenantID]
    let handler: CommandHandler
    let store: EventStore

    /// Runs until `done` says so and every change made meanwhile is decided; the latencies, in no order.
    func run(until done: @Sendable () async throws -> Bool) async throws -> [Duration] {
        guard !tenants.isEmpty else { return [] }
        var pending: [Int64: ContinuousClock.Instant] = [:]
        var latencies: [Duration] = []
        var second = 0
        var nextChange = ContinuousClock.now
        var finished = false
        let metadata = CommandMetadata(actor: "bench:quiet")
        while !finished || !pending.isEmpty {
            if !finished, ContinuousClock.now >= nextChange {
                if try await done() {
                    finished = true
                } else {
                    for tenant in tenants {
                        let observed = CustomerObserved(
                            customer: .stripe("cus_quiet_\(second)"),
                            fields: ["name": "Quiet \(second)", "email": "quiet-\(second)@\(tenant).example"])
                        let result = try await handler.observeCustomer(observed, tenant: tenant, metadata: metadata)
                        if let position = result.positions.first { pending[position] = .now }
                    }
                    second += 1
                    nextChange = nextChange.advanced(by: .seconds(1))
                }
            }
            if !pending.isEmpty {
                let keys = Array(pending.keys)
                let decided = try await store.pool.withTransaction(scope: .system) { connection in
                    try await connection.query(
                        """
                        SELECT (metadata->>'causationPosition')::bigint FROM events
                        WHERE tenant_id = ANY(\(tenants.map(\.rawValue))::text[]) AND type = \(PartnerCreationRequested.typeName)
                          AND (metadata->>'causationPosition')::bigint = ANY(\(keys)::int8[])
                        """
                    ).decode(Int64.self)
                }
                let now = ContinuousClock.now
                for position in decided {
                    if let observedAt = pending.removeValue(forKey: position) { latencies.append(now - observedAt) }
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return latencies
    }

    /// Prints the latencies' median and 99th percentile.
    static func printLatencies(_ latencies: [Duration], tenants: Int) {
        let sorted = latencies.sorted()
        guard !sorted.isEmpty else {
            print("the other \(tenants) tenants made no change during the sync (it ended within their first second)")
            return
        }
        func percentile(_ p: Double) -> Duration { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        func milliseconds(_ duration: Duration) -> String { String(format: "%.0f ms", duration.seconds * 1000) }
        report(
            "the other \(tenants) tenants: observed → decided, p50", milliseconds(percentile(0.5)), "", "\(sorted.count) changes during the sync")
        report("the other \(tenants) tenants: observed → decided, p99", milliseconds(percentile(0.99)), "", "max \(milliseconds(sorted.last!))")
    }
}
