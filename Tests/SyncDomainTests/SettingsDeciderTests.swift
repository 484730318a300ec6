import SyncDomain
import Testing

@Suite struct SettingsDeciderTests {
    @Test func firstChangeBecomesVersionOne() throws {
        let new = Fixtures.settings { $0.createPolicy = .manual }
        let events = try SettingsDecider.decide(UpdateSettings(settings: new, expectedVersion: 0), state: .initial)
        let changed = try #require(Fixtures.payloads(events, SettingsChanged.self).first)
        #expect(events.count == 1)
        #expect(changed.settings == new.withVersion(1))
        #expect(!changed.matchFieldsChanged)
        #expect(!changed.mappingsChanged)
        #expect(SettingsDecider.fold(events).version == 1)
        #expect(SettingsDecider.fold(events).effective.createPolicy == .manual)
    }

    @Test func reportsMatchFieldAndMappingChanges() throws {
        let state = SettingsState(recorded: TenantSettings.default.withVersion(4))
        let new = Fixtures.settings {
            $0.matchFields.append(MatchField(source: "tax_id", economic: "corporateIdentificationNumber"))
            $0.fieldMappings.append(FieldMapping("metadata.web", to: "website"))
        }
        let events = try SettingsDecider.decide(UpdateSettings(settings: new, expectedVersion: 4), state: state)
        let changed = try #require(Fixtures.payloads(events, SettingsChanged.self).first)
        #expect(changed.settings.version == 5)
        #expect(changed.matchFieldsChanged)
        #expect(changed.mappingsChanged)
    }

    @Test func staleVersionIsRefused() {
        let state = SettingsState(recorded: TenantSettings.default.withVersion(2))
        #expect(throws: SettingsDecider.Error.staleSettingsVersion(current: 2, given: 1)) {
            try SettingsDecider.decide(UpdateSettings(settings: .default, expectedVersion: 1), state: state)
        }
    }

    @Test func invalidSettingsAreRefusedWithTheSettingsError() {
        let bad = Fixtures.settings { $0.defaults.currency = "kr" }
        #expect(throws: SettingsDecider.Error.invalid(.invalidCurrency("kr"))) {
            try SettingsDecider.decide(UpdateSettings(settings: bad, expectedVersion: 0), state: .initial)
        }
    }

    @Test func identicalSettingsAppendNothing() throws {
        let state = SettingsState(recorded: TenantSettings.default.withVersion(3))
        #expect(try SettingsDecider.decide(UpdateSettings(settings: TenantSettings.default.withVersion(99), expectedVersion: 3), state: state) == [])
    }
}
