import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import SyncDomain
import SyncEngine
import Testing

/// A saved change of mappings reaches the linked pairs through a recorded application: in chunks, with progress,
/// pausable, and once.
@Suite("applying a change of mappings", .timeLimit(.minutes(5)))
struct SettingsApplicationTests {
    static let pairs = 7

    /// Links `pairs` pairs under mappings without the phone; returns the settings saved (version 1).
    static func linkPairs(_ engine: EngineHarness) async throws -> TenantSettings {
        var settings = TenantSettings.default
        settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.telephoneAndFaxNumber.rawValue }
        try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
        for number in 1...pairs {
            _ = try await engine.observe(.economic(number), ["name": "Pair \(number)", "email": "p\(number)@example.com", "currency": "DKK"])
            _ = try await engine.observe(
                .stripe("cus_\(number)"), ["name": "Pair \(number)", "email": "p\(number)@example.com", "phone": "+45 00 00 00 0\(number)"])
        }
        try await engine.settle()
        #expect(try await engine.snapshot().partnering.links.count == pairs)
        return settings
    }

    static func phonePatches(_ engine: EngineHarness) async throws -> [EconomicWriteRequested] {
        try await engine.events().compactMap(\.economicWrite).filter { $0.patch.fields["telephoneAndFaxNumber"] != nil }
    }

    @Test("chunk by chunk with its progress recorded; paused it stops after its chunk, resumed it goes on; done again it sends nothing")
    func chunksPauseResumeOnce() async throws {
        try await EngineHarness.run { engine throws in
            var settings = try await Self.linkPairs(engine)
            let applications = SettingsApplications(store: engine.store)
            let first = try #require(try await applications.latest(of: engine.tenant), "the first settings changed the default mappings")
            #expect(first.state == .finished && first.settingsVersion == 1, "\(first)")

            settings.fieldMappings = FieldMapping.defaults
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle(applying: false)
            let recorded = try #require(try await applications.latest(of: engine.tenant))
            #expect(recorded.state == .running && recorded.total == Self.pairs && recorded.done == 0 && recorded.settingsVersion == 2)
            #expect(try await Self.phonePatches(engine).isEmpty, "the reactor records the change; it does not apply it in its turn")

            let service = SettingsApplicationService(
                reactor: engine.reactor, store: engine.store, cache: TenantStateCache(store: engine.store), chunkSize: 3, logger: engine.database.logger)
            #expect(try await service.applyReady() == 1)
            #expect(try await applications.latest(of: engine.tenant)?.done == 3)
            #expect(try await Self.phonePatches(engine).count == 3)

            #expect(try await applications.pause(engine.tenant)?.state == .paused)
            #expect(try await applications.pause(engine.tenant) == nil, "nothing runs to pause")
            #expect(try await service.applyReady() == 0, "a paused application is left alone")
            #expect(try await Self.phonePatches(engine).count == 3)

            #expect(try await applications.resume(engine.tenant)?.state == .running)
            try await service.applyAll()
            let finished = try #require(try await applications.latest(of: engine.tenant))
            #expect(finished.state == .finished && finished.done == Self.pairs && finished.total == Self.pairs && finished.finishedAt != nil)
            let patches = try await Self.phonePatches(engine)
            #expect(patches.count == Self.pairs, "one patch per linked pair")
            #expect(Set(patches.map(\.linkId)).count == Self.pairs)

            // Its cursor lost (as after a crash before the cursor moved) and applied again from the first link: nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    """
                    UPDATE settings_applications SET state = 'running', cursor = NULL, done = 0, finished_at = NULL
                    WHERE global_position = \(recorded.position)
                    """)
            }
            try await service.applyAll()
            try await engine.settle()
            #expect(try await engine.events().count == before)
            #expect(try await applications.latest(of: engine.tenant)?.state == .finished)
        }
    }

    @Test("a newer change of mappings supersedes an unfinished one, and handling a change again records nothing new")
    func newerChangeSupersedes() async throws {
        try await EngineHarness.run { engine throws in
            var settings = try await Self.linkPairs(engine)
            let applications = SettingsApplications(store: engine.store)
            settings.fieldMappings = FieldMapping.defaults
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle(applying: false)
            let first = try #require(try await applications.latest(of: engine.tenant))

            settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.city.rawValue }
            try await engine.handler.updateSettings(settings, expectedVersion: 2, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle(applying: false)
            let second = try #require(try await applications.latest(of: engine.tenant))
            #expect(second.position > first.position && second.state == .running && second.settingsVersion == 3)
            let states = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT state FROM settings_applications ORDER BY global_position").decode(String.self)
            }
            #expect(states == ["finished", "superseded", "running"], "version 1 (no pair linked yet), 2 superseded by 3")

            // The reactor handles both changes again (its checkpoints lost): the rows stay as they are.
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
            }
            try await engine.settle(applying: false)
            let again = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT state FROM settings_applications ORDER BY global_position").decode(String.self)
            }
            #expect(again == ["finished", "superseded", "running"])
            try await engine.settle()
            #expect(try await applications.latest(of: engine.tenant)?.state == .finished)
            #expect(try await Self.phonePatches(engine).count == Self.pairs, "the phone reaches every pair once, under the newer change")
        }
    }
}

/// The chunk selection: the next links after the cursor in id order, stopped ones left out — as sorting them all would.
@Suite struct SettingsApplicationChunkTests {
    @Test("the next links after the cursor are the ones sorting every link gives, for every cursor and chunk size")
    func nextLinksAgreeWithASort() {
        let links = (0..<200).map { index in
            PartnerLink(
                id: LinkID(UUID()), source: .stripe("cus_\(index)"), economic: .economic(index + 1), origin: .user, isStopped: index % 5 == 0)
        }
        let sorted = links.filter { !$0.isStopped }.map(\.id.description).sorted()
        for cursor in [nil] + sorted.map(Optional.some) {
            for count in [1, 7, 50, 500] {
                let expected = Array(sorted.filter { cursor == nil || $0 > cursor! }.prefix(count))
                for order in [links, links.reversed(), Array(links[100...] + links[..<100])] {
                    #expect(SettingsApplicationService.next(count, of: order, after: cursor).map(\.id.description) == expected)
                }
            }
        }
    }
}
