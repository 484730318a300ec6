import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@testable import Server

@Suite("health without a database")
struct HealthTests {
    @Test("/health answers that the process is alive without the database; /ready answers 503 naming the database; /metrics still answers")
    func databaseDown() async throws {
        try await MemoryHarness.run(databaseAnswers: false) { harness in
            try await harness.withClient { client throws in
                let health = try await client.get("/health")
                #expect(health.status == .ok)
                #expect(try health.json()["status"] as? String == "alive")
                let ready = try await client.get("/ready")
                #expect(ready.status == .serviceUnavailable)
                #expect(try ready.json()["status"] as? String == "unavailable")
                #expect(try ready.json()["database"] as? String == "unreachable")
                let metrics = try await client.get("/metrics")
                #expect(metrics.status == .ok)
                #expect(metrics.text.contains("accord_inbox_backlog 0"))
            }
        }
    }

    @Test("readiness is asked once however many callers come at once, and again only once the answer is older than its age")
    func askedOnce() async throws {
        let probe = CountingHealth()
        let cache = ReadinessCache(probe: probe, maxAge: .seconds(60))
        let answers = await withTaskGroup(of: ReadinessCache.Answer.self) { group in
            for _ in 0..<50 { group.addTask { await cache.current() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.ready })
        #expect(probe.asked == 1)
        let fresh = ReadinessCache(probe: probe, maxAge: .zero)
        _ = await fresh.current()
        _ = await fresh.current()
        #expect(probe.asked == 3)
    }
}

/// Counts how often readiness is asked.
final class CountingHealth: ServerHealth {
    private let count = Mutex(0)

    var asked: Int { count.withLock { $0 } }

    func readModelsBuilt() async throws -> Bool {
        count.withLock { $0 += 1 }
        try await Task.sleep(for: .milliseconds(50))
        return true
    }

    func operations() async throws -> OperationsSnapshot { OperationsSnapshot() }
}
