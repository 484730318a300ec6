import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Testing

@Suite("health without a database")
struct HealthTests {
    @Test("/health answers 503 with a JSON body when the database does not answer, and /metrics still answers")
    func databaseDown() async throws {
        try await MemoryHarness.run(databaseAnswers: false) { harness in
            try await harness.withClient { client throws in
                let health = try await client.get("/health")
                #expect(health.status == .serviceUnavailable)
                #expect(try health.json()["status"] as? String == "unavailable")
                #expect(try health.json()["database"] as? String == "unreachable")
                let metrics = try await client.get("/metrics")
                #expect(metrics.status == .ok)
                #expect(metrics.text.contains("accord_inbox_backlog 0"))
            }
        }
    }
}
