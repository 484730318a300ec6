import Foundation
import PropertyBased
import SyncDomain
import Testing

@Suite struct NormalizationTests {
    @Test(arguments: [
        (MatchKeyKind.email, "  Jane.Doe@Example.COM \n", "jane.doe@example.com"),
        (.phone, "+45 12 34-56 78", "+4512345678"),
        (.phone, "(0045) 12 34 56 78", "004512345678"),
        (.phone, "tel: 12 34", "1234"),
        (.phone, "n/a", ""),
        (.taxID, "dk-12 34 56 78", "DK12345678"),
        (.taxID, "DE 123.456.789", "DE123456789"),
        (.name, "  Jane   Doe\tApS ", "jane doe aps"),
        (.name, "Jose\u{301} Møller", "jos\u{e9} møller"),
        (.name, "MÜLLER", "müller"),
        (.customerNumber, "00042", "42"),
        (.customerNumber, "C-0042", "42"),
        (.customerNumber, "000", "0"),
        (.customerNumber, "none", ""),
        (.text, "  Copenhagen K ", "copenhagen k"),
    ])
    func normalisesPerKind(kind: MatchKeyKind, raw: String, expected: String) {
        #expect(MatchNormalizer.normalize(raw, as: kind) == expected)
    }

    @Test func namesKeepDiacritics() {
        #expect(MatchNormalizer.normalize("Müller", as: .name) != MatchNormalizer.normalize("Muller", as: .name))
        #expect(MatchNormalizer.normalize("Mu\u{308}ller", as: .name) == MatchNormalizer.normalize("Müller", as: .name))
    }

    @Test func keysFromEconomicEmailFieldSplitAddresses() {
        let keys = MatchKey.keys(for: "A@x.dk  b@y.dk,a@X.dk", field: .email)
        #expect(keys == [MatchKey(kind: .email, normalizedValue: "a@x.dk"), MatchKey(kind: .email, normalizedValue: "b@y.dk")])
    }

    @Test func textKeysAreNamespacedByField() {
        let city = MatchKey.keys(for: "Aarhus", field: .city)
        let website = MatchKey.keys(for: "Aarhus", field: .website)
        #expect(city == [MatchKey(kind: .text, normalizedValue: "city:aarhus")])
        #expect(city != website)
        #expect(MatchKey.keys(for: "   ", field: .name) == [])
    }

    @Test func matchKeysRoundTripAsJSON() throws {
        let key = MatchKey(kind: .taxID, normalizedValue: "DK12345678")
        #expect(key.description == "taxID:DK12345678")
        let data = try JSONEncoder().encode(key)
        #expect(try JSONDecoder().decode(MatchKey.self, from: data) == key)
    }

    @Test func normalisationIsIdempotentForEveryKind() async {
        await propertyCheck(count: 400, input: Generators.messyString) { raw in
            for kind in MatchKeyKind.allCases {
                let once = MatchNormalizer.normalize(raw, as: kind)
                #expect(
                    MatchNormalizer.normalize(once, as: kind) == once,
                    "kind \(kind) of \(Array(raw.unicodeScalars).map { String($0.value, radix: 16) })")
            }
        }
    }

    @Test func valueEquivalenceIsIdempotentForEveryField() async {
        await propertyCheck(count: 400, input: Generators.messyString) { raw in
            for field in EconomicField.allCases {
                let once = ValueEquivalence.canonical(raw, for: field)
                #expect(
                    ValueEquivalence.canonical(once, for: field) == once,
                    "field \(field) of \(Array(raw.unicodeScalars).map { String($0.value, radix: 16) })")
            }
        }
    }

    @Test func valueEquivalencePerKind() {
        #expect(ValueEquivalence.areEquivalent("Denmark", "DK", for: .country))
        #expect(ValueEquivalence.areEquivalent("Danmark", "dk", for: .country))
        #expect(!ValueEquivalence.areEquivalent("Denmark", "Germany", for: .country))
        #expect(ValueEquivalence.areEquivalent("Main St 1\r\nBack", " Main  St 1\nBack ", for: .address))
        #expect(!ValueEquivalence.areEquivalent("acme", "Acme", for: .name))
        #expect(ValueEquivalence.areEquivalent("A@X.dk", "a@x.dk", for: .email))
        #expect(ValueEquivalence.areEquivalent("+45 1234", "+451234", for: .telephoneAndFaxNumber))
        #expect(ValueEquivalence.areEquivalent("007", "7", for: .customerGroup))
        #expect(ValueEquivalence.areEquivalent(nil, "  ", for: .city))
    }
}
