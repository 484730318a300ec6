import Testing

@testable import SyncDomain

@Suite("partner suggestions")
struct PartnerSuggestionTests {
    static let stripe: [String: String] = [
        "name": "  Anna   Jensen ApS", "email": "Anna@Example.com", "phone": "+45 12 34 56 78", "tax_id": "dk 12-34-56-78",
    ]

    @Test("ranked by what is shared, normalised as matching normalises: tax id over e-mail over phone over name; nothing shared, not suggested")
    func ranking() {
        let candidates: [(customer: CustomerRef, fields: [String: String])] = [
            (.economic(1), ["name": "Someone Else", "email": "other@example.com"]),
            (.economic(2), ["name": "anna jensen aps", "telephoneAndFaxNumber": "99 99 99 99"]),
            (.economic(3), ["name": "Anna Jensen", "mobilePhone": "+4512345678"]),
            (.economic(4), ["name": "A. Jensen", "corporateIdentificationNumber": "DK12345678", "email": "info@example.com; anna@example.com"]),
            (.economic(5), ["name": "Jensen", "vatNumber": "DK 12 34 56 78"]),
        ]
        let ranked = PartnerSuggestion.rank(Self.stripe, system: .stripe, candidates: candidates, limit: 10)
        #expect(ranked.map(\.customer) == [.economic(4), .economic(5), .economic(3), .economic(2)])
        #expect(ranked.map(\.reasons) == [[.taxID, .email], [.taxID], [.phone], [.name]])
        #expect(ranked.map(\.score) == [12, 8, 2, 1])
        #expect(
            PartnerSuggestion.rank(Self.stripe, system: .stripe, candidates: candidates, limit: 2).map(\.customer) == [.economic(4), .economic(5)])
    }

    @Test("from the e-conomic side: source fields are compared; equal scores are ordered by reference")
    func fromEconomic() {
        let economic = ["name": "Bo Berg", "email": "bo@example.com", "telephoneAndFaxNumber": "11223344"]
        let candidates: [(customer: CustomerRef, fields: [String: String])] = [
            (.stripe("cus_b"), ["name": "BO BERG"]),
            (.file("7"), ["name": "Bo  Berg"]),
            (.stripe("cus_a"), ["email": "BO@example.com", "phone": "11 22 33 44"]),
            (.stripe("cus_c"), ["name": "Bo Bergström"]),
        ]
        let ranked = PartnerSuggestion.rank(economic, system: .economic, candidates: candidates, limit: 10)
        #expect(ranked.map(\.customer) == [.stripe("cus_a"), .file("7"), .stripe("cus_b")])
        #expect(ranked.first?.reasons == [.email, .phone])
    }

    @Test("blank values share nothing")
    func blanks() {
        let ranked = PartnerSuggestion.rank(
            ["name": " ", "email": ""], system: .stripe, candidates: [(.economic(1), ["name": "", "email": " "])], limit: 10)
        #expect(ranked.isEmpty)
        #expect(PartnerSuggestion.keys(of: ["name": " ", "phone": "n/a"], system: .stripe).isEmpty)
    }
}
