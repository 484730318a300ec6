import Foundation
import SyncDomain
import Testing

@Suite struct IdentityTests {
    @Test func customerRefDescriptionAndParsing() throws {
        let ref = CustomerRef.stripe("cus_123")
        #expect(ref.description == "stripe:cus_123")
        #expect(CustomerRef(parsing: "stripe:cus_123") == ref)
        #expect(CustomerRef(parsing: "economic:1042")?.customerNumber == 1042)
        #expect(CustomerRef(parsing: "shopify:1") == nil)
        #expect(CustomerRef(parsing: "file:") == nil)
        #expect(CustomerRef.stripe("x").customerNumber == nil)
    }

    @Test func idsEncodeAsPlainUUIDStrings() throws {
        let id = LinkID(Fixtures.uuid(7))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"00000000-0000-0000-0000-000000000007\"]")
        #expect(try JSONDecoder().decode([LinkID].self, from: data) == [id])
        let request = RequestID(Fixtures.uuid(8))
        #expect(try JSONDecoder().decode(RequestID.self, from: JSONEncoder().encode(request)) == request)
    }

    @Test func nameBasedUUIDMatchesRFCVersion5() {
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(NameBasedUUID.make(namespace: dns, name: "www.example.com").uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(ImportID.forFile(sha256: "ABC").description == "a0297f6c-65c0-5347-b43a-0fc78b2d53e2")
    }

    @Test func derivedIdsAreDeterministicAndPurposeSpecific() {
        let cause = Fixtures.uuid(1)
        #expect(RequestID.derived(from: cause, purpose: "a") == RequestID.derived(from: cause, purpose: "a"))
        #expect(RequestID.derived(from: cause, purpose: "a") != RequestID.derived(from: cause, purpose: "b"))
        #expect(RequestID.derived(from: cause, purpose: "a") != RequestID.derived(from: Fixtures.uuid(2), purpose: "a"))
        #expect(LinkID.derived(from: cause, purpose: "a").rawValue != RequestID.derived(from: cause, purpose: "a").rawValue)
    }

    @Test func streamNames() {
        #expect(StreamName.settings.rawValue == "settings")
        #expect(StreamName.partners.rawValue == "partners")
        #expect(StreamName.customer(.stripe("cus_123")).rawValue == "customer-stripe-cus_123")
        #expect(StreamName.customer(.economic(7)).rawValue == "customer-economic-7")
        #expect(StreamName.outbound(RequestID(Fixtures.uuid(5))).rawValue == "outbound-00000000-0000-0000-0000-000000000005")
        #expect(StreamName.importing(ImportID(Fixtures.uuid(6))).rawValue == "import-00000000-0000-0000-0000-000000000006")
    }

    @Test(arguments: ["cus_1", "row 7/a", "ÆØÅ-1", "a%b", "x-y-z", "100%", "  "])
    func customerStreamIdsAreEscapedAndReversible(id: String) {
        let ref = CustomerRef.file(id)
        let name = StreamName.customer(ref)
        #expect(name.rawValue.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "/" })
        #expect(name.customer == ref)
    }

    @Test func escapingKeepsUnreservedCharacters() {
        #expect(StreamName.escape("a b/c") == "a%20b%2Fc")
        #expect(StreamName.unescape("a%2") == nil)
        #expect(StreamName(rawValue: "partners").customer == nil)
    }
}
