/// A customer of the other side that may be a customer's partner, and why: the keys the two share, normalised
/// as automatic matching normalises them (``MatchKey``), whatever the tenant's match fields are.
public struct PartnerSuggestion: Hashable, Sendable {
    /// A key two customers share.
    public enum Reason: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
        /// The same CVR or VAT number.
        case taxID
        /// The same e-mail address.
        case email
        /// The same phone number.
        case phone
        /// The same name (case, spacing and Unicode composition aside).
        case name

        /// How much the reason says: a tax id names one company, an e-mail one mailbox, a phone is shared more
        /// often, a name most often. Weights are powers of two, so one stronger reason outranks all weaker ones.
        public var weight: Int {
            switch self {
            case .taxID: 8
            case .email: 4
            case .phone: 2
            case .name: 1
            }
        }

        /// The kind of key compared.
        var kind: MatchKeyKind {
            switch self {
            case .taxID: .taxID
            case .email: .email
            case .phone: .phone
            case .name: .name
            }
        }

        /// Stronger first.
        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.weight > rhs.weight }
    }

    /// The suggested partner.
    public var customer: CustomerRef
    /// What the two share, strongest first.
    public var reasons: [Reason]

    /// Creates a suggestion.
    public init(customer: CustomerRef, reasons: [Reason]) {
        self.customer = customer
        self.reasons = reasons.sorted()
    }

    /// The rank: the sum of the reasons' weights.
    public var score: Int { reasons.reduce(0) { $0 + $1.weight } }

    /// The comparable keys of a customer, by reason: from source fields (`email`, `phone`, `tax_id`, `name`) for
    /// a Stripe or file customer, from e-conomic fields (`email`, `telephoneAndFaxNumber`, `mobilePhone`,
    /// `corporateIdentificationNumber`, `vatNumber`, `name`) for an e-conomic one. An e-mail field may hold
    /// several addresses.
    public static func keys(of fields: [String: String], system: System) -> [Reason: Set<MatchKey>] {
        var keys: [Reason: Set<MatchKey>] = [:]
        let pairs: [(String, EconomicField)]
        if system == .economic {
            pairs = [
                EconomicField.email, .telephoneAndFaxNumber, .mobilePhone, .corporateIdentificationNumber, .vatNumber, .name,
            ].map { ($0.rawValue, $0) }
        } else {
            pairs = [
                (SourceField.email.key, .email), (SourceField.phone.key, .telephoneAndFaxNumber),
                (SourceField.taxID.key, .corporateIdentificationNumber), (SourceField.name.key, .name),
            ]
        }
        for (key, field) in pairs {
            guard let value = fields[key], let reason = Reason.allCases.first(where: { $0.kind == field.matchKeyKind }) else { continue }
            keys[reason, default: []].formUnion(MatchKey.keys(for: value, field: field))
        }
        return keys.filter { !$0.value.isEmpty }
    }

    /// Ranks candidates of the other side for a customer: those sharing at least one key, highest score
    /// first, then by reference; at most `limit`.
    /// - Parameters:
    ///   - fields: the customer's fields.
    ///   - system: the customer's system.
    ///   - candidates: customers of the other side with their fields.
    public static func rank(
        _ fields: [String: String], system: System, candidates: [(customer: CustomerRef, fields: [String: String])], limit: Int
    ) -> [PartnerSuggestion] {
        let own = keys(of: fields, system: system)
        var suggestions: [PartnerSuggestion] = []
        for candidate in candidates {
            let theirs = keys(of: candidate.fields, system: candidate.customer.system)
            let reasons = Reason.allCases.filter { reason in !(own[reason] ?? []).isDisjoint(with: theirs[reason] ?? []) }
            if !reasons.isEmpty { suggestions.append(PartnerSuggestion(customer: candidate.customer, reasons: reasons)) }
        }
        return Array(
            suggestions.sorted { ($0.score, $1.customer.description) > ($1.score, $0.customer.description) }.prefix(max(0, limit)))
    }
}
