import Foundation
import SyncDomain

/// Shared test data.
enum Fixtures {
    static let settings = TenantSettings.default

    static let stripeJane = CustomerRef.stripe("cus_jane")
    static let economic1042 = CustomerRef.economic(1042)

    static let janeFields: [String: String] = [
        "name": "Jane Doe ApS",
        "email": "Jane@Example.com",
        "phone": "+45 12 34 56 78",
        "address.line1": "Main Street 1",
        "address.city": "Copenhagen",
        "address.postal_code": "1000",
        "address.country": "DK",
    ]

    static let economicJaneFields: [String: String] = [
        "customerNumber": "1042",
        "name": "Jane Doe ApS",
        "email": "jane@example.com",
        "telephoneAndFaxNumber": "+45 12 34 56 78",
        "address": "Main Street 1",
        "city": "Copenhagen",
        "zip": "1000",
        "country": "Denmark",
        "currency": "DKK",
        "customerGroup": "1",
        "paymentTerms": "1",
        "vatZone": "1",
    ]

    static let date = Date(timeIntervalSince1970: 1_800_000_000)

    static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!
    }

    static func settings(_ change: (inout TenantSettings) -> Void) -> TenantSettings {
        var settings = TenantSettings.default
        change(&settings)
        return settings
    }

    /// Observed customer state as the customer stream would hold it.
    static func customerState(_ ref: CustomerRef, _ fields: [String: String], excluded: Bool = false) -> CustomerState {
        CustomerState(customer: ref, fields: fields, exists: true, isExcluded: excluded)
    }

    /// A partnering state with one link between `source` and `economic`, agreed on `agreed`.
    static func linkedState(
        source: CustomerRef = stripeJane, economic: CustomerRef = economic1042, agreed: [String: String], linkId: LinkID = LinkID(uuid(900))
    ) -> PartneringState {
        PartneringDecider.evolve(
            .initial, .partnerLinked(PartnerLinked(linkId: linkId, source: source, economic: economic, origin: .user, agreed: agreed)))
    }

    /// Events of one kind.
    static func payloads<T>(_ events: [SyncEvent], _ type: T.Type) -> [T] {
        events.compactMap { $0.payload as? T }
    }
}
