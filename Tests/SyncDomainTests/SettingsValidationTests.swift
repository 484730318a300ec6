import Foundation
import SyncDomain
import Testing

@Suite struct SettingsValidationTests {
    @Test func defaultSettingsAreValidAndAsDocumented() throws {
        let settings = TenantSettings.default
        try settings.validate()
        #expect(settings.version == 0)
        #expect(settings.matchFields == [MatchField(source: "email", economic: "email")])
        #expect(settings.numbering == .economicAssigns(writeBackMetadataKey: nil))
        #expect(
            settings.defaults
                == NewCustomerDefaults(paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK"))
        #expect(settings.homeCountry == "DK")
        #expect(settings.createPolicy == .automatic)
        #expect(settings.conflictPolicy(for: .name) == .ask)
        #expect(settings.fieldMappings.count == 8)
    }

    @Test func fullyConfiguredSettingsAreValid() throws {
        let settings = Fixtures.settings {
            $0.matchFields = [
                MatchField(source: "email", economic: "email"),
                MatchField(source: "metadata.customer_number", economic: "customerNumber", required: false),
                MatchField(source: "tax_id", economic: "corporateIdentificationNumber", required: false),
                MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false),
                MatchField(source: "name", economic: "name", required: false),
            ]
            $0.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
            $0.defaults.layout = 19
            $0.conflictPolicies = ["name": .sourceWins]
            $0.emptyOverwrites = ["city"]
        }
        #expect(settings.validationErrors() == [])
    }

    static let cases: [(String, @Sendable (inout TenantSettings) -> Void, SettingsError)] = [
        ("no match fields", { $0.matchFields = [] }, .noMatchFields),
        ("unknown source field", { $0.matchFields = [MatchField(source: "mail", economic: "email")] }, .unknownSourceField("mail")),
        ("unknown e-conomic field", { $0.matchFields = [MatchField(source: "email", economic: "eMail")] }, .unknownEconomicField("eMail")),
        ("not matchable", { $0.matchFields = [MatchField(source: "email", economic: "vatZone")] }, .notMatchable(economic: "vatZone")),
        (
            "duplicate match field",
            {
                $0.matchFields = [MatchField(source: "email", economic: "email"), MatchField(source: "email", economic: "email", required: false)]
            }, .duplicateMatchField(source: "email", economic: "email")
        ),
        (
            "invalid metadata key in match", { $0.matchFields = [MatchField(source: "metadata.a]b", economic: "email")] },
            .invalidMetadataKey(key: "a]b", reason: "Stripe does not allow '[' or ']' in metadata keys")
        ),
        (
            "write-back key too long", { $0.numbering = .economicAssigns(writeBackMetadataKey: String(repeating: "x", count: 41)) },
            .invalidMetadataKey(key: String(repeating: "x", count: 41), reason: "Stripe allows at most 40 characters, this key has 41")
        ),
        ("numbering field missing", { $0.numbering = .fromSource(field: "") }, .numberingFieldMissing),
        (
            "numbering field invalid", { $0.numbering = .fromSource(field: "number") },
            .numberingFieldInvalid(field: "number", reason: FieldError.unknownSourceField("number").description)
        ),
        ("lower-case currency", { $0.defaults.currency = "dkk" }, .invalidCurrency("dkk")),
        ("long currency", { $0.defaults.currency = "DKKR" }, .invalidCurrency("DKKR")),
        ("zero payment terms", { $0.defaults.paymentTerms = 0 }, .invalidReferenceNumber(field: "paymentTerms", value: 0)),
        ("negative group", { $0.defaults.customerGroup = -1 }, .invalidReferenceNumber(field: "customerGroup", value: -1)),
        ("zero VAT zone", { $0.defaults.vatZone = .byCountry(domestic: 1, eu: 0, abroad: 3) }, .invalidReferenceNumber(field: "vatZone", value: 0)),
        ("zero layout", { $0.defaults.layout = 0 }, .invalidReferenceNumber(field: "layout", value: 0)),
        ("unknown home country", { $0.homeCountry = "XX" }, .invalidCountry("XX")),
        ("home country as name", { $0.homeCountry = "Denmark" }, .invalidCountry("Denmark")),
        (
            "mapping to customer number", { $0.fieldMappings.append(FieldMapping("customer_number", to: "customerNumber")) },
            .mappingToReadOnlyField("customerNumber")
        ),
        ("mapping to unknown field", { $0.fieldMappings.append(FieldMapping("description", to: "notes")) }, .unknownEconomicField("notes")),
        ("mapping from unknown field", { $0.fieldMappings.append(FieldMapping("fax", to: "mobilePhone")) }, .unknownSourceField("fax")),
        ("duplicate mapping target", { $0.fieldMappings.append(FieldMapping("description", to: "name")) }, .duplicateMappingTarget("name")),
        (
            "mapping without sources", { $0.fieldMappings.append(FieldMapping(sources: [], economic: "website")) },
            .mappingWithoutSources(economic: "website")
        ),
        ("policy for unmapped field", { $0.conflictPolicies = ["website": .sourceWins] }, .conflictPolicyForUnmappedField("website")),
        ("empty overwrites unmapped field", { $0.emptyOverwrites = ["ean"] }, .emptyOverwritesUnmappedField("ean")),
        ("empty overwrites required field", { $0.emptyOverwrites = ["name"] }, .emptyOverwritesRequiredField("name")),
        ("negative version", { $0.version = -1 }, .invalidVersion(-1)),
    ]

    @Test(arguments: 0..<cases.count)
    func eachInvalidSettingIsReported(index: Int) {
        let (name, change, expected) = Self.cases[index]
        let settings = Fixtures.settings(change)
        #expect(settings.validationErrors() == [expected], "\(name)")
        #expect(throws: expected) { try settings.validate() }
    }

    @Test("each problem names the part of the settings it concerns, so a page shows it there")
    func problemsNameTheirPart() {
        let settings = Fixtures.settings {
            $0.matchFields = [MatchField(source: "fax", economic: "email")]
            $0.numbering = .economicAssigns(writeBackMetadataKey: "a[b]")
            $0.defaults.currency = "kroner"
            $0.homeCountry = "XX"
            $0.fieldMappings += [FieldMapping(sources: ["fax"], economic: "name")]
            $0.emptyOverwrites = ["ean"]
        }
        let parts = settings.validationProblems().map { "\($0.part): \($0.error)" }
        #expect(
            settings.validationProblems().map(\.part) == [.matching, .numbering, .defaults, .defaults, .mappings, .mappings, .policies],
            "\(parts)")
        #expect(settings.validationProblems().map(\.error) == settings.validationErrors())
    }

    @Test func descriptionsNameTheOffendingValue() {
        #expect(SettingsError.unknownSourceField("mail").description.contains("'mail'"))
        #expect(SettingsError.invalidCurrency("dkk").description.contains("'dkk'"))
        #expect(SettingsError.invalidReferenceNumber(field: "vatZone", value: 0).description.contains("vatZone number 0"))
        #expect(SettingsError.duplicateMatchField(source: "email", economic: "email").description.contains("email ↔ email"))
        #expect(SettingsError.mappingToReadOnlyField("customerNumber").description.contains("customerNumber"))
    }

    @Test func settingsRoundTripThroughJSONAndToleratesMissingNewerKeys() throws {
        let settings = Fixtures.settings {
            $0.numbering = .fromSource(field: "metadata.no")
            $0.defaults.vatZone = .fixed(zone: 4)
            $0.conflictPolicies = ["email": .economicWins]
            $0.emptyOverwrites = ["city"]
            $0.writeBackToLinked = false
        }
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(TenantSettings.self, from: data) == settings)

        let minimal = #"{"version":3,"matchFields":[{"source":"email","economic":"email"}]}"#
        let decoded = try JSONDecoder().decode(TenantSettings.self, from: Data(minimal.utf8))
        #expect(decoded == TenantSettings.default.withVersion(3))
    }

    @Test func vatZoneByCountry() {
        let rule = VatZoneRule.byCountry(domestic: 1, eu: 2, abroad: 3)
        #expect(rule.zone(forCountry: "DK", homeCountry: "DK") == 1)
        #expect(rule.zone(forCountry: nil, homeCountry: "DK") == 1)
        #expect(rule.zone(forCountry: "DE", homeCountry: "DK") == 2)
        #expect(rule.zone(forCountry: "US", homeCountry: "DK") == 3)
        #expect(rule.zone(forCountry: "NO", homeCountry: "DK") == 3)
        #expect(rule.zone(forCountry: "DK", homeCountry: "SE") == 2)
        #expect(rule.zone(forCountry: "ZZ", homeCountry: "DK") == 3)
        #expect(VatZoneRule.fixed(zone: 4).zone(forCountry: "US", homeCountry: "DK") == 4)
    }

    @Test("a mapping warns when a source holds another kind of value than the e-conomic field expects")
    func kindMismatches() {
        #expect(TenantSettings.default.fieldMappings.allSatisfy { $0.kindMismatches.isEmpty }, "the default mappings fit")
        #expect(FieldMapping("email", to: "name").kindMismatches == [.init(source: "email", holds: .email, expected: .text)])
        #expect(FieldMapping("name", to: "email").kindMismatches == [.init(source: "name", holds: .text, expected: .email)])
        #expect(FieldMapping("phone", to: "mobilePhone").kindMismatches.isEmpty)
        #expect(FieldMapping("address.country", to: "country").kindMismatches.isEmpty)
        #expect(FieldMapping("address.city", to: "country").kindMismatches.map(\.source) == ["address.city"])
        #expect(FieldMapping("metadata.anything", to: "email").kindMismatches.isEmpty, "metadata may hold anything")
        #expect(FieldMapping(sources: ["address.line1", "email"], economic: "address").kindMismatches.map(\.source) == ["email"])
        #expect(FieldMapping("email", to: "noSuchField").kindMismatches.isEmpty, "an unknown field is a validation error, not a warning")
    }
}
