/// Why a partner link was removed.
public enum UnlinkReason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A user split the pair (e.g. a wrong automatic match).
    case user
    /// One of the customers was deleted in its system.
    case customerDeleted(customer: CustomerRef)

    /// A short explanation.
    public var description: String {
        switch self {
        case .user: "unlinked by a user"
        case .customerDeleted(let customer): "\(customer) was deleted"
        }
    }
}
