import Foundation
import HTTPTypes
import HummingbirdTesting
import SyncDomain
import Testing

@testable import Server

/// `/metrics` shows what an operator of a hosted backend watches: the outbound queue, how far each follower is
/// behind each tenant, and the database pool.
@Suite("operations metrics", .timeLimit(.minutes(5)))
struct OperationsMetricsTests {
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("the reactor's lag on a tenant shows while it has not decided, and goes to 0 once it has; the queue and pool are reported")
    func lagQueueAndPool() async throws {
        try await ServerHarness.run { harness in
            try await harness.manualCreation()
            try await harness.settle()
            _ = try await harness.observe(.stripe("cus_metrics"), ["name": "Metrics A/S", "email": "metrics@example.com"])
            try await harness.withClient { client throws in
                let before = try await client.get("/metrics").text
                let lag = try #require(Self.value(before, #"accord_follower_lag_events{follower="reactor",tenant="acme"}"#))
                #expect(lag >= 1)
                #expect(Self.value(before, #"accord_outbound_requests{status="pending"}"#) != nil)
                #expect(Self.value(before, #"accord_outbound_requests{status="in_flight"}"#) == 0)
                #expect(Self.value(before, "accord_outbound_oldest_due_seconds") != nil)
                #expect(Self.value(before, #"accord_db_pool_connections{state="idle"}"#) != nil)
                #expect(Self.value(before, "accord_db_pool_waiting") == 0)
            }
            try await harness.settle()
            try await harness.withClient { client throws in
                let after = try await client.get("/metrics").text
                #expect(Self.value(after, #"accord_follower_lag_events{follower="reactor",tenant="acme"}"#) == 0, "caught up")
            }
        }
    }
}
