public import Connectors
public import SyncDomain

/// Finds out whether an e-conomic create whose outcome is unknown (a timeout, a dropped response, a worker that
/// died after sending) took effect, before it is sent again: e-conomic has no idempotency keys.
///
/// The request's match keys that the payload carries (an e-mail, a CVR, a phone, a chosen customer number, …) say
/// how to look the customer up: by the most selective one, with the exact value that was sent (`email$eq:…`,
/// `corporateIdentificationNumber$eq:…`, or `GET /customers/{n}`); without such keys, by the payload's name.
/// A customer found *matches* when every one of those keys and the name normalise to what was sent.
public enum EconomicReconciler {
    /// What the lookup found.
    public enum Finding: Sendable, Hashable {
        /// No customer matches: creating it is safe.
        case none
        /// Exactly one customer matches: the lost create took effect; this is it.
        case one(EconomicCustomer)
        /// Several customers match: a person must decide (their numbers, ascending).
        case several([Int])
    }

    /// One field the payload carries that identifies the customer, with the value that was sent.
    public struct Identifier: Sendable, Hashable {
        /// The e-conomic field.
        public var field: EconomicField
        /// The value as sent.
        public var value: String
    }

    /// The identifying fields of a create request, most selective first: its match keys as the payload carries
    /// them, else its name.
    public static func identifiers(of request: EconomicWriteRequested) -> [Identifier] {
        var result: [Identifier] = []
        for key in request.matchKeys {
            for field in fields(for: key) {
                guard let value = request.payload[field.rawValue], !value.isEmpty,
                    MatchKey.keys(for: value, field: field).contains(key),
                    !result.contains(where: { $0.field == field })
                else { continue }
                result.append(Identifier(field: field, value: value))
            }
        }
        if result.isEmpty, let name = request.payload[EconomicField.name.rawValue], !name.isEmpty {
            result.append(Identifier(field: .name, value: name))
        }
        let order: [MatchKeyKind] = [.customerNumber, .taxID, .email, .phone, .text, .name]
        return result.sorted { (order.firstIndex(of: $0.field.matchKeyKind) ?? 9) < (order.firstIndex(of: $1.field.matchKeyKind) ?? 9) }
    }

    /// Whether an e-conomic customer matches what the request sent: every identifier and the name.
    public static func matches(_ fields: [String: String], _ request: EconomicWriteRequested) -> Bool {
        var checks = identifiers(of: request)
        if let name = request.payload[EconomicField.name.rawValue], !checks.contains(where: { $0.field == .name }) {
            checks.append(Identifier(field: .name, value: name))
        }
        return checks.allSatisfy { check in
            Set(MatchKey.keys(for: fields[check.field.rawValue] ?? "", field: check.field))
                == Set(MatchKey.keys(for: check.value, field: check.field))
        }
    }

    /// Looks the request's customer up in e-conomic.
    /// - Throws: ``Connectors/EconomicAPIError`` when the lookup fails (then nothing is known yet).
    public static func find(_ request: EconomicWriteRequested, using client: EconomicClient) async throws(EconomicAPIError) -> Finding {
        guard let first = identifiers(of: request).first else { return .none }
        let candidates: [EconomicCustomer]
        if first.field == .customerNumber, let number = Int(first.value) {
            candidates = try await client.customer(number: number).map { [$0] } ?? []
        } else {
            candidates = try await client.allCustomers(filter: .equals(first.field.rawValue, first.value), pageSize: 100)
        }
        let matching = candidates.filter { matches($0.fieldMap, request) }
        switch matching.count {
        case 0: return .none
        case 1: return .one(matching[0])
        default: return .several(matching.compactMap(\.customerNumber).sorted())
        }
    }

    static func fields(for key: MatchKey) -> [EconomicField] {
        switch key.kind {
        case .email: return [.email]
        case .phone: return [.telephoneAndFaxNumber, .mobilePhone]
        case .taxID: return [.corporateIdentificationNumber, .vatNumber]
        case .name: return [.name]
        case .customerNumber: return [.customerNumber]
        case .text:
            guard let colon = key.value.firstIndex(of: ":"), let field = EconomicField(rawValue: String(key.value[..<colon])) else { return [] }
            return [field]
        }
    }
}
