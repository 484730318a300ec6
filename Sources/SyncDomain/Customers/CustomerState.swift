public import Foundation

/// The fold of one `customer-<system>-<id>` stream.
public struct CustomerState: Hashable, Sendable, Codable {
    /// The customer, once anything was recorded.
    public var customer: CustomerRef?
    /// The last observed fields (blank values left out).
    public var fields: [String: String]
    /// Whether the customer was ever observed.
    public var exists: Bool
    /// Whether the system reported the customer deleted (and no newer observation came since).
    public var isDeleted: Bool
    /// Whether a user chose "Don't synchronise".
    public var isExcluded: Bool
    /// The newest `sourceUpdatedAt` recorded (observation or deletion).
    public var lastSourceUpdatedAt: Date?
    /// The `sourceEventId` of the last recorded observation or deletion.
    public var lastSourceEventId: String?
    /// The match failure recorded since the last observation, if any.
    public var lastMatchFailure: MatchFailure?
    /// The mapping failure recorded since the last observation, if any.
    public var lastMappingFailure: MappingError?

    /// Creates a state.
    public init(
        customer: CustomerRef? = nil, fields: [String: String] = [:], exists: Bool = false, isDeleted: Bool = false,
        isExcluded: Bool = false, lastSourceUpdatedAt: Date? = nil, lastSourceEventId: String? = nil,
        lastMatchFailure: MatchFailure? = nil, lastMappingFailure: MappingError? = nil
    ) {
        self.customer = customer
        self.fields = fields
        self.exists = exists
        self.isDeleted = isDeleted
        self.isExcluded = isExcluded
        self.lastSourceUpdatedAt = lastSourceUpdatedAt
        self.lastSourceEventId = lastSourceEventId
        self.lastMatchFailure = lastMatchFailure
        self.lastMappingFailure = lastMappingFailure
    }

    /// The state of an empty stream.
    public static let initial = CustomerState()
}
