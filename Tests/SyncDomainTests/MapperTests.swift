import PropertyBased
import SyncDomain
import Synchronization
import Testing

@Suite struct MapperTests {
    let settings = TenantSettings.default

    @Test func defaultMappingOfAStripeCustomer() throws {
        let mapped = try CustomerMapper.mapFields(
            Fixtures.janeFields.merging(["address.line2": "2nd floor", "tax_id": "DK12345678"]) { $1 }, settings: settings)
        #expect(
            mapped.fields == [
                "name": "Jane Doe ApS", "email": "Jane@Example.com", "telephoneAndFaxNumber": "+45 12 34 56 78",
                "address": "Main Street 1\n2nd floor", "zip": "1000", "city": "Copenhagen", "country": "Denmark",
                "corporateIdentificationNumber": "DK12345678",
            ])
        #expect(mapped.warnings == [])
    }

    @Test(arguments: [("DK", "1"), ("Danmark", "1"), (nil, "1"), ("DE", "2"), ("Tyskland", "2"), ("US", "3"), ("NO", "3"), ("Atlantis", "3")])
    func createPayloadAppliesDefaultsAndVatZoneByCountry(country: String?, zone: String) throws {
        var source = ["name": "Acme", "email": "a@acme.test"]
        source["address.country"] = country
        let payload = try CustomerMapper.createPayload(source, settings: settings, customerNumber: nil).fields
        #expect(payload["vatZone"] == zone)
        #expect(payload["currency"] == "DKK")
        #expect(payload["paymentTerms"] == "1")
        #expect(payload["customerGroup"] == "1")
        #expect(payload["customerNumber"] == nil)
        #expect(payload["layout"] == nil)
    }

    @Test func createPayloadWithLayoutAndNumberAndFixedZone() throws {
        let settings = Fixtures.settings {
            $0.defaults = NewCustomerDefaults(paymentTerms: 4, customerGroup: 2, vatZone: .fixed(zone: 4), currency: "EUR", layout: 19)
        }
        let payload = try CustomerMapper.createPayload(["name": "Acme", "address.country": "US"], settings: settings, customerNumber: 5001).fields
        #expect(
            payload == [
                "name": "Acme", "country": "United States", "paymentTerms": "4", "customerGroup": "2", "vatZone": "4", "currency": "EUR",
                "layout": "19", "customerNumber": "5001",
            ])
    }

    @Test func nameFallsBackToEmail() throws {
        let mapped = try CustomerMapper.createPayload(["email": "billing@acme.test other@acme.test"], settings: settings, customerNumber: nil)
        #expect(mapped.fields["name"] == "billing@acme.test")
        #expect(mapped.warnings == [.nameFromEmail])
    }

    @Test func noNameAndNoEmailIsASpecificError() {
        #expect(throws: MappingError(problems: [.requiredFieldMissing(field: "name")])) {
            try CustomerMapper.createPayload(["phone": "+4512345678"], settings: settings, customerNumber: nil)
        }
    }

    @Test func tooLongNameIsRefusedNotTruncated() {
        let long = String(repeating: "n", count: 256)
        #expect(throws: MappingError(problems: [.valueTooLong(field: "name", length: 256, limit: 255)])) {
            try CustomerMapper.createPayload(["name": long], settings: settings, customerNumber: nil)
        }
    }

    @Test func tooLongAddressIsTruncatedOnCharacterBoundary() throws {
        let line = String(repeating: "a", count: 509) + "👍🏽" + "tail"
        let mapped = try CustomerMapper.mapFields(["name": "X", "address.line1": line], settings: settings)
        let address = try #require(mapped.fields["address"])
        #expect(address == String(repeating: "a", count: 509))
        #expect(mapped.warnings == [.truncated(field: "address", length: line.utf16.count, limit: 510)])
    }

    @Test func invalidMappedValuesAreAllReported() {
        let settings = Fixtures.settings {
            $0.fieldMappings.append(FieldMapping("currency", to: "currency"))
            $0.fieldMappings.append(FieldMapping("metadata.group", to: "customerGroup"))
        }
        #expect(
            throws: MappingError(problems: [
                .invalidValue(field: "currency", value: "euro", reason: "a currency is a three-letter ISO 4217 code"),
                .invalidValue(field: "customerGroup", value: "vip", reason: "expected a number from 1 to 999999999"),
            ])
        ) {
            try CustomerMapper.mapFields(["name": "X", "currency": "euro", "metadata.group": "vip"], settings: settings)
        }
    }

    @Test func mappedCurrencyAndReferencesAreNormalised() throws {
        let settings = Fixtures.settings {
            $0.fieldMappings.append(FieldMapping("currency", to: "currency"))
            $0.fieldMappings.append(FieldMapping("metadata.group", to: "customerGroup"))
        }
        let payload = try CustomerMapper.createPayload(
            ["name": "X", "currency": "eur", "metadata.group": "002"], settings: settings, customerNumber: nil)
        #expect(payload.fields["currency"] == "EUR")
        #expect(payload.fields["customerGroup"] == "2")
    }

    @Test func customerNumbersFromSource() throws {
        #expect(try CustomerMapper.customerNumber(in: ["customer_number": " 0042 "], field: "customer_number") == 42)
        #expect(throws: MappingError(problems: [.customerNumberMissing(sourceField: "metadata.no")])) {
            try CustomerMapper.customerNumber(in: [:], field: "metadata.no")
        }
        #expect(throws: MappingError(problems: [.invalidCustomerNumber(value: "1000000000")])) {
            try CustomerMapper.customerNumber(in: ["n": "1000000000"], field: "n")
        }
        #expect(CustomerMapper.parseCustomerNumber("-5") == nil)
        #expect(CustomerMapper.parseCustomerNumber("0") == nil)
    }

    @Test func mergeForUpdateKeepsUnmanagedFields() {
        let current = Fixtures.economicJaneFields.merging(["website": "https://jane.example", "ean": "5790000000000"]) { $1 }
        let merged = CustomerMapper.mergeForUpdate(current: current, changes: ["city": "Aarhus", "zip": ""])
        #expect(merged["city"] == "Aarhus")
        #expect(merged["zip"] == nil)
        #expect(merged["website"] == "https://jane.example")
        #expect(merged["ean"] == "5790000000000")
        #expect(merged["vatZone"] == "1")
        #expect(merged.count == current.count - 1)
    }

    @Test func reverseMappingSplitsAddressAndUsesISOCountry() {
        let reversed = CustomerMapper.reverse(
            ["name": "Acme", "address": "Line A\nLine B\nLine C", "country": "Danmark", "zip": "8000", "balance": "12"], settings: settings)
        #expect(
            reversed == [
                "name": "Acme", "address.line1": "Line A", "address.line2": "Line B\nLine C", "address.country": "DK", "address.postal_code": "8000",
            ])
        let clears = CustomerMapper.sourceChanges(for: ["address": ""], settings: settings)
        #expect(clears == ["address.line1": "", "address.line2": ""])
    }

    @Test func mappingNeverExceedsLimitsNorLeavesRequiredFieldsEmpty() async {
        // Free-text fields get long values (truncated on success), the others short ones (so that
        // both the success path and the error path are exercised).
        let longKeys = ["address.line1", "address.line2", "address.city", "address.country"]
        let shortKeys = ["name", "email", "phone", "address.postal_code", "tax_id", "currency", "metadata.web", "metadata.ean"]
        let settings = Fixtures.settings {
            $0.fieldMappings += [
                FieldMapping("currency", to: "currency"), FieldMapping("metadata.web", to: "website"), FieldMapping("metadata.ean", to: "ean"),
            ]
        }
        let sourceGen = Generators.longMessyString.array(of: 12...12).map { values in
            var source: [String: String] = [:]
            for (index, key) in (longKeys + shortKeys).enumerated() where values[index].count % 4 != 0 {
                source[key] = index < longKeys.count ? values[index] : String(values[index].prefix(values[index].count % 20))
            }
            return source
        }
        let successes = Mutex(0)
        // About one case in ten maps successfully; 1,000 cases make "more than 20" a certainty, not a coin toss.
        await propertyCheck(count: 1000, input: sourceGen) { source in
            do {
                let payload = try CustomerMapper.createPayload(source, settings: settings, customerNumber: nil)
                successes.withLock { $0 += 1 }
                for (key, value) in payload.fields {
                    let field = try #require(EconomicField(rawValue: key))
                    #expect(value.utf16.count <= field.spec.maxLength, "\(key) too long")
                    #expect(!FieldValues.isBlank(value), "\(key) blank")
                }
                for field in EconomicField.requiredOnCreate {
                    #expect(payload.fields[field.rawValue] != nil, "\(field) missing")
                }
            } catch let error as MappingError {
                #expect(!error.problems.isEmpty)
            }
        }
        #expect(successes.withLock { $0 } > 20)
    }
}
