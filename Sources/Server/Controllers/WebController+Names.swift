import EventStore
import Projections
import SyncDomain

/// How feedback names customers: by name, as a bookkeeper knows them, never by an internal id.
extension WebController {
    /// Each customer's name for a sentence: its name, else its e-mail address, else what identifies it to a person
    /// ("e-conomic customer 1001", "file customer 7001", "a Stripe customer without a name").
    func names(_ refs: [CustomerRef], tenant: TenantID) async throws -> [CustomerRef: String] {
        let rows = try await dependencies.reads.customers(tenant, refs: refs)
        var found: [CustomerRef: CustomerRow] = [:]
        for row in rows { found[CustomerRef(system: System(rawValue: row.system) ?? .stripe, id: row.externalID)] = row }
        return Dictionary(uniqueKeysWithValues: refs.map { ($0, Self.spoken($0, row: found[$0])) })
    }

    /// One customer's name for a sentence (see ``names(_:tenant:)``).
    func name(_ ref: CustomerRef, tenant: TenantID) async throws -> String {
        try await names([ref], tenant: tenant)[ref] ?? Self.spoken(ref, row: nil)
    }

    static func spoken(_ ref: CustomerRef, row: CustomerRow?) -> String {
        if let name = row?.name, !name.isEmpty { return name }
        if let email = row?.email, !email.isEmpty { return email }
        switch ref.system {
        case .economic: return "e-conomic customer \(ref.id)"
        case .file: return "file customer \(ref.id)"
        case .stripe: return "a Stripe customer without a name"
        }
    }
}
