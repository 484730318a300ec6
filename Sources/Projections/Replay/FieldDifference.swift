import SyncDomain

/// One e-conomic field on which what was sent and what a proposal would send disagree; `nil` is "not sent" (or
/// sent empty, which clears the field).
public struct FieldDifference: Hashable, Sendable, Codable {
    /// The e-conomic field.
    public var field: String
    /// The last value actually sent.
    public var sent: String?
    /// The value the proposal would have sent.
    public var proposed: String?

    /// Creates a difference.
    public init(field: String, sent: String?, proposed: String?) {
        self.field = field
        self.sent = sent
        self.proposed = proposed
    }

    /// The fields on which two payloads disagree, by field name; blank and absent count as the same.
    /// - Parameters:
    ///   - sent: What was sent (field → value, empty meaning cleared).
    ///   - proposed: What the proposal would send.
    public static func between(sent: [String: String], proposed: [String: String]) -> [FieldDifference] {
        Set(sent.keys).union(proposed.keys).sorted().compactMap { field in
            let old = FieldValues.trimmedValue(sent[field])
            let new = FieldValues.trimmedValue(proposed[field])
            return old == new ? nil : FieldDifference(field: field, sent: old, proposed: new)
        }
    }
}
