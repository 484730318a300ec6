import EventStore
import Foundation
import PGClient
import Projections
import SyncDomain
import SyncEngine
import Testing

/// Turning on the number write-back for linked customers (issue 12) reaches the pairs linked before it: the settings
/// application gives each linked Stripe customer that lacks its e-conomic number one write-back, and nothing new when
/// done again.
@Suite("Number write-back for pairs linked before the setting", .timeLimit(.minutes(3)))
struct NumberWriteBackEngineTests {
    @Test("switching the write-back to linked customers on gives the earlier pairs their numbers, once; a customer carrying it gets none")
    func reachesEarlierPairs() async throws {
        try await EngineHarness.run { engine throws in
            var settings = TenantSettings.default
            settings.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
            settings.writeBackToLinked = false
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()
            _ = try await engine.observe(.economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "currency": "DKK"])
            _ = try await engine.observe(.economic(8), ["name": "Bo Berg", "email": "bo@berg.example", "currency": "DKK"])
            try await engine.settle()
            _ = try await engine.observe(.stripe("cus_anna"), ["name": "Anna Jensen", "email": "anna@jensen.example"])
            _ = try await engine.observe(
                .stripe("cus_bo"), ["name": "Bo Berg", "email": "bo@berg.example", "metadata.economic_number": "8"])
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.links.count == 2, "both matched by e-mail")
            #expect(try await engine.events().compactMap(\.stripeWrite).isEmpty, "no write-back while the setting is off")

            settings.writeBackToLinked = true
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()
            let applied = try await engine.applyUntilFinished()
            #expect(applied.state == .finished && applied.done == 2, "\(applied)")
            let writes = try await engine.events().compactMap(\.stripeWrite)
            #expect(writes.count == 1, "\(writes)")
            #expect(writes.first?.customerId == "cus_anna")
            #expect(writes.first?.kind == .metadata(["economic_number": "7"]))
            #expect(writes.first?.reason == .customerNumberWriteBack)

            // The application done again from its start issues nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("UPDATE settings_applications SET state = 'running', cursor = NULL, done = 0, finished_at = NULL")
            }
            _ = try await engine.applyUntilFinished()
            #expect(try await engine.events().count == before)
        }
    }

    @Test("which settings changes call for it: on with a key where it was off, or another key; never off, never without a key")
    func settingsChange() {
        var off = TenantSettings.default
        off.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
        off.writeBackToLinked = false
        var on = off
        on.writeBackToLinked = true
        var otherKey = on
        otherKey.numbering = .economicAssigns(writeBackMetadataKey: "erp_number")
        var noKey = on
        noKey.numbering = .economicAssigns(writeBackMetadataKey: nil)
        #expect(SettingsChange(from: off, to: on).numberWriteBackChanged)
        #expect(SettingsChange(from: on, to: otherKey).numberWriteBackChanged)
        #expect(SettingsChange(from: noKey, to: on).numberWriteBackChanged)
        #expect(!SettingsChange(from: on, to: off).numberWriteBackChanged)
        #expect(!SettingsChange(from: on, to: noKey).numberWriteBackChanged)
        #expect(!SettingsChange(from: on, to: on).numberWriteBackChanged)
    }
}

extension SyncEvent {
    var stripeWrite: StripeWriteRequested? { if case .stripeWriteRequested(let write) = self { write } else { nil } }
}
