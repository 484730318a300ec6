import SyncDomain
import Testing

@Suite struct FieldTests {
    @Test func knownSourceFieldsParse() throws {
        for field in SourceField.known {
            #expect(try SourceField(parsing: field.key) == field)
        }
        #expect(try SourceField(parsing: "address.postal_code") == .addressPostalCode)
        #expect(try SourceField(parsing: "metadata.crm_id") == .metadata("crm_id"))
    }

    @Test func unknownSourceFieldIsRejected() {
        #expect(throws: FieldError.unknownSourceField("address.zip")) { try SourceField(parsing: "address.zip") }
    }

    @Test(arguments: [
        ("metadata.", "the key is empty"),
        ("metadata.a[b]", "Stripe does not allow '[' or ']' in metadata keys"),
        ("metadata." + String(repeating: "k", count: 41), "Stripe allows at most 40 characters, this key has 41"),
    ])
    func invalidMetadataKeysAreRejected(key: String, reason: String) {
        #expect(throws: FieldError.invalidMetadataKey(key: String(key.dropFirst(9)), reason: reason)) { try SourceField(parsing: key) }
    }

    @Test func metadataKeyOfFortyCharactersIsAccepted() throws {
        let key = String(repeating: "k", count: 40)
        #expect(try SourceField(parsing: "metadata." + key) == .metadata(key))
    }

    @Test func economicCatalogue() throws {
        #expect(EconomicField.requiredOnCreate == [.name, .currency, .customerGroup, .paymentTerms, .vatZone])
        #expect(EconomicField.name.spec.maxLength == 255)
        #expect(EconomicField.address.spec.maxLength == 510)
        #expect(EconomicField.ean.spec.maxLength == 13)
        #expect(EconomicField.vatNumber.spec.maxLength == 20)
        #expect(!EconomicField.customerNumber.spec.isMappable)
        #expect(!EconomicField.vatZone.spec.isFilterable)
        #expect(EconomicField.telephoneAndFaxNumber.matchKeyKind == .phone)
        #expect(EconomicField.mobilePhone.matchKeyKind == .phone)
        #expect(EconomicField.vatNumber.matchKeyKind == .taxID)
        #expect(EconomicField.website.matchKeyKind == .text)
        #expect(throws: FieldError.unknownEconomicField("balance")) { try EconomicField(parsing: "balance") }
    }

    @Test(arguments: [
        ("DK", "DK"), ("dk", "DK"), ("Denmark", "DK"), (" Danmark ", "DK"), ("DANMARK", "DK"), ("Tyskland", "DE"),
        ("Deutschland", "DE"), ("Sverige", "SE"), ("Norge", "NO"), ("Grønland", "GL"), ("Færøerne", "FO"), ("U.S.A.", "US"),
        ("United Kingdom", "GB"), ("Åland", "AX"), ("Aland", "AX"),
    ])
    func countriesNormaliseToISOCodes(text: String, code: String) {
        #expect(CountryTable.lookup(text)?.code == code)
    }

    @Test func unknownCountries() {
        #expect(CountryTable.lookup("Atlantis") == nil)
        #expect(CountryTable.lookup("") == nil)
    }

    @Test func euMembership() {
        #expect(CountryTable.country(code: "DE")?.isEUMember == true)
        #expect(CountryTable.country(code: "dk")?.isEUMember == true)
        #expect(CountryTable.country(code: "NO")?.isEUMember == false)
        #expect(CountryTable.country(code: "GB")?.isEUMember == false)
        #expect(CountryTable.country(code: "GL")?.isEUMember == false)
        #expect(CountryTable.all.filter(\.isEUMember).count == 27)
        #expect(Set(CountryTable.all.map(\.code)).count == CountryTable.all.count)
    }

    @Test func fieldValuesDropBlanks() {
        #expect(FieldValues.cleaned(["a": "x", "b": "", "c": "  \n"]) == ["a": "x"])
        #expect(FieldValues.cleaned(["a": " x "]) == ["a": " x "])
    }
}
