/// Something a match key found on the e-conomic side: an existing customer (possibly already
/// partnered) or a creation Accord has requested and not yet seen completed.
public struct MatchCandidate: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What the candidate is.
    public enum Target: Hashable, Sendable, Codable {
        /// An existing e-conomic customer.
        case economic(CustomerRef)
        /// An e-conomic customer being created by an outbound request.
        case pendingCreation(RequestID)
    }

    /// The candidate.
    public var target: Target
    /// The source customer the candidate is partnered with (or being created for); `nil` when free.
    public var partner: CustomerRef?

    /// Creates a candidate.
    public init(target: Target, partner: CustomerRef? = nil) {
        self.target = target
        self.partner = partner
    }

    /// A free existing e-conomic customer.
    /// - Parameter customer: The e-conomic customer.
    public static func free(_ customer: CustomerRef) -> MatchCandidate { MatchCandidate(target: .economic(customer)) }

    /// An existing e-conomic customer partnered with `partner`.
    public static func linked(_ customer: CustomerRef, to partner: CustomerRef) -> MatchCandidate {
        MatchCandidate(target: .economic(customer), partner: partner)
    }

    /// Whether nothing is partnered with the candidate yet.
    public var isFree: Bool { partner == nil }

    /// The e-conomic customer, when the candidate exists.
    public var economicCustomer: CustomerRef? {
        if case .economic(let ref) = target { return ref }
        return nil
    }

    /// e.g. `economic:1042` or `economic:1042 (partner of stripe:cus_1)`.
    public var description: String {
        let base: String
        switch target {
        case .economic(let ref): base = ref.description
        case .pendingCreation(let id): base = "pending creation \(id)"
        }
        guard let partner else { return base }
        return "\(base) (partner of \(partner))"
    }
}
