import Foundation
import Projections
import SyncDomain
import Testing

/// The replay fold, pure: tenants' logs built by hand, replayed under proposed settings.
@Suite("replay under proposed rules (pure)")
struct ReplayFoldTests {
    static let anna = CustomerRef.stripe("cus_anna")
    static let bo = CustomerRef.stripe("cus_bo")
    static let carl = CustomerRef.stripe("cus_carl")
    static let dora = CustomerRef.stripe("cus_dora")

    /// The default mappings with the phone sent to e-conomic's mobile phone instead of its telephone number.
    static var wrongPhoneMapping: TenantSettings {
        var settings = TenantSettings.default
        settings.fieldMappings = FieldMapping.defaults.map { $0.economic == "telephoneAndFaxNumber" ? FieldMapping("phone", to: "mobilePhone") : $0 }
        return settings
    }

    /// Anna, Bo and Carl created under the wrong phone mapping (Carl without a phone); Dora matched an existing
    /// customer by e-mail (nothing sent), then changed her phone: an update was sent.
    static func mappingBugLog() throws -> ReplayLog {
        var log = ReplayLog()
        log.change(Self.wrongPhoneMapping)
        try log.create(Self.anna, fields: ["name": "Anna", "email": "anna@example.com", "phone": "+45 11 11 11 11"], as: 1001)
        try log.create(Self.bo, fields: ["name": "Bo", "email": "bo@example.com", "phone": "+45 22 22 22 22"], as: 1002)
        try log.create(Self.carl, fields: ["name": "Carl", "email": "carl@example.com", "address.country": "DE"], as: 1003)
        log.observe(.economic(500), ["name": "Dora", "email": "dora@example.com", "customerNumber": "500"])
        let doraFields = ["name": "Dora", "email": "dora@example.com"]
        let link = log.match(Self.dora, fields: doraFields, to: .economic(500), key: MatchKey(kind: .email, normalizedValue: "dora@example.com"))
        var doraPhoned = doraFields
        doraPhoned["phone"] = "+45 44 44 44 44"
        try log.update(Self.dora, link: link, number: 500, from: doraFields, to: doraPhoned)
        return log
    }

    @Test("a fixed mapping shows exactly the customers and fields synced under the wrong one, and nothing for the rest")
    func mappingBug() throws {
        let log = try Self.mappingBugLog()
        let report = log.fold(.default).report()

        #expect(report.customers.map(\.customer) == [Self.anna, Self.bo, Self.dora])
        for (customer, phone) in [(Self.anna, "+45 11 11 11 11"), (Self.bo, "+45 22 22 22 22"), (Self.dora, "+45 44 44 44 44")] {
            let entry = try #require(report.customers.first { $0.customer == customer })
            #expect(
                entry.differences == [
                    FieldDifference(field: "mobilePhone", sent: phone, proposed: nil),
                    FieldDifference(field: "telephoneAndFaxNumber", sent: nil, proposed: phone),
                ])
            #expect(!entry.matchChanged)
        }
        #expect(report.summary.customers == 4)
        #expect(report.summary.fieldChanges == ["mobilePhone": 3, "telephoneAndFaxNumber": 3])
        #expect(report.summary.wouldUpdate == 3)
        #expect(report.summary.matchChanged == 0 && report.summary.wouldCreate == 0 && report.summary.wouldLink == 0)
        #expect(report.changed == 3)

        // Carl, without a phone, is the same under both: asked for by name, he shows what was sent and no difference.
        let carl = try #require(log.fold(.default).customer(Self.carl))
        #expect(carl.differences.isEmpty && !carl.isChanged)
        #expect(carl.recorded == ReplayMatch(.created, partner: .economic(1003), rule: "created by Accord"))
        #expect(carl.sent["vatZone"] == "2" && carl.sent == carl.proposedPayload)

        // Replaying under the settings actually in force changes nothing.
        #expect(log.fold(log.settings).report().changed == 0)
    }

    @Test("a match-field change turns earlier match failures into matches, and a customer with no match into a creation")
    func matchFieldChange() throws {
        var log = ReplayLog()
        log.observe(.economic(700), ["name": "Cafe Nord", "corporateIdentificationNumber": "DK12345678", "customerNumber": "700"])
        log.observe(.economic(701), ["name": "Linked Already", "email": "linked@example.com", "customerNumber": "701"])
        // E-mail is the required match field: customers without one failed.
        log.observe(Self.anna, ["name": "Cafe Nord ApS", "tax_id": "dk 1234 5678"])
        log.append(.matchFailed(MatchFailed(customer: Self.anna, reason: .matchFieldMissing(field: "email"))))
        log.observe(Self.bo, ["name": "Bo's Bikes", "tax_id": "DK99999999"])
        log.append(.matchFailed(MatchFailed(customer: Self.bo, reason: .matchFieldMissing(field: "email"))))
        _ = log.match(
            Self.carl, fields: ["name": "Carl", "email": "linked@example.com"], to: .economic(701),
            key: MatchKey(kind: .email, normalizedValue: "linked@example.com"))

        var proposal = TenantSettings.default
        proposal.matchFields = [
            MatchField(source: "tax_id", economic: "corporateIdentificationNumber", required: false),
            MatchField(source: "email", economic: "email", required: false),
        ]
        let report = log.fold(proposal).report()

        let anna = try #require(report.customers.first { $0.customer == Self.anna })
        #expect(anna.recorded.outcome == .matchFailed)
        #expect(
            anna.proposed
                == ReplayMatch(
                    .linked, partner: .economic(700), rule: "tax_id ↔ corporateIdentificationNumber",
                    key: MatchKey(kind: .taxID, normalizedValue: "DK12345678")))
        let bo = try #require(report.customers.first { $0.customer == Self.bo })
        #expect(bo.proposed.outcome == .wouldCreate)
        #expect(bo.proposedPayload["name"] == "Bo's Bikes" && bo.proposedPayload["corporateIdentificationNumber"] == "DK99999999")
        #expect(report.customers.map(\.customer) == [Self.anna, Self.bo])
        #expect(report.summary.matchChanged == 2 && report.summary.wouldLink == 1 && report.summary.wouldCreate == 1)

        // Carl stays linked, as recorded, with the rule and key that linked him.
        let carl = try #require(log.fold(proposal).customer(Self.carl))
        #expect(
            carl.recorded
                == ReplayMatch(
                    .linked, partner: .economic(701), rule: "email ↔ email", key: MatchKey(kind: .email, normalizedValue: "linked@example.com")))
        #expect(carl.proposed == carl.recorded)
    }

    @Test("a partner Accord created and e-conomic has not been read back yet still takes its e-mail: a twin stays a match failure")
    func createdPartnerNotReadBack() throws {
        var log = ReplayLog()
        try log.create(Self.anna, fields: ["name": "Twin Peaks Café", "email": "office@twinpeaks.example"], as: 1001, readBack: false)
        log.observe(Self.bo, ["name": "Twin Peaks Coffee", "email": "office@twinpeaks.example"])
        let key = MatchKey(kind: .email, normalizedValue: "office@twinpeaks.example")
        log.append(
            .matchFailed(
                MatchFailed(customer: Self.bo, reason: .candidateAlreadyLinked(key: key, candidates: [.linked(.economic(1001), to: Self.anna)]))))

        let fold = log.fold(.default)
        let bo = try #require(fold.customer(Self.bo))
        #expect(bo.proposed.outcome == .matchFailed && bo.proposed.reason == bo.recorded.reason)
        #expect(fold.report().changed == 0)
    }

    @Test("at a past position the replay reports the state then: the VAT zone a customer got, under which settings, and why")
    func timeTravel() throws {
        var log = ReplayLog()
        log.change(.default)
        try log.create(Self.anna, fields: ["name": "Anna GmbH", "email": "anna@example.de", "address.country": "DE"], as: 1001)
        let annaCreated = log.lastPosition
        var fixed = TenantSettings.default
        fixed.defaults.vatZone = .fixed(zone: 1)
        fixed.defaults.paymentTerms = 7
        log.change(fixed)
        try log.create(Self.bo, fields: ["name": "Bo AB", "email": "bo@example.se", "address.country": "SE"], as: 1002)

        let then = log.fold(fixed, upTo: annaCreated)
        #expect(then.position == annaCreated)
        #expect(then.settings.version == 1)
        #expect(then.customer(Self.bo) == nil)
        let anna = try #require(then.customer(Self.anna))
        let creation = try #require(anna.creation)
        #expect(creation.settingsVersion == 1 && creation.payload["vatZone"] == "2" && creation.payload["paymentTerms"] == "1")
        #expect(creation.explanations.contains { $0.hasPrefix("vatZone 2: country DE is in the EU, home country DK") })
        #expect(anna.differences.map(\.field) == ["paymentTerms", "vatZone"])

        let now = log.fold(fixed)
        #expect(now.settings.version == 2)
        let bo = try #require(now.customer(Self.bo))
        #expect(bo.creation?.settingsVersion == 2 && bo.sent["vatZone"] == "1" && bo.sent["paymentTerms"] == "7")
        #expect(bo.creation?.explanations.contains("vatZone 1: the fixed VAT zone 1 (settings version 2)") == true)
        #expect(bo.differences.isEmpty)
    }

    @Test("proposed settings are read in the settings API's shapes and checked as the settings command checks them")
    func proposedSettings() throws {
        let bare = try ProposedSettings.decode(Data(#"{"matchFields": [{"source": "email", "economic": "email"}]}"#.utf8))
        #expect(bare.matchFields == TenantSettings.default.matchFields)
        let wrapped = try ProposedSettings.decode(
            Data(
                #"{"expectedVersion": 3, "settings": {"version": 3, "matchFields": [{"source": "phone", "economic": "telephoneAndFaxNumber"}]}}"#.utf8
            ))
        #expect(wrapped.matchFields.map(\.source) == ["phone"])

        let invalid = #expect(throws: ReplayError.self) {
            try ProposedSettings.decode(Data(#"{"matchFields": [], "homeCountry": "XX"}"#.utf8))
        }
        #expect(invalid?.code == .invalidSettings)
        #expect(invalid?.problems.count == 2)
        let unreadable = #expect(throws: ReplayError.self) { try ProposedSettings.decode(Data("matchFields: email".utf8)) }
        #expect(unreadable?.code == .unreadableSettings)
        let misshapen = #expect(throws: ReplayError.self) { try ProposedSettings.decode(Data(#"{"matchFields": "email"}"#.utf8)) }
        #expect(misshapen?.message.contains("matchFields") == true)
    }
}
