/// A field of a link waiting for a user's choice.
public struct OpenConflict: Hashable, Sendable, Codable {
    /// The e-conomic field.
    public var field: String
    /// The mapped source value when detected (`nil` = empty).
    public var sourceValue: String?
    /// The e-conomic value when detected.
    public var economicValue: String?
    /// The value both sides last agreed on.
    public var baseValue: String?

    /// Creates an open conflict.
    public init(field: String, sourceValue: String?, economicValue: String?, baseValue: String?) {
        self.field = field
        self.sourceValue = sourceValue
        self.economicValue = economicValue
        self.baseValue = baseValue
    }
}
