import PropertyBased
import SyncDomain
import Testing

@Test func systemRawValues() {
    #expect(System.stripe.rawValue == "stripe")
}
