/// A value converted for an e-conomic field, and the warning the conversion produced, if any.
public struct ConvertedValue: Hashable, Sendable {
    /// The value to write.
    public var value: String
    /// Set when the value was changed on purpose (e.g. truncated).
    public var warning: MappingWarning?

    /// Creates a converted value.
    public init(value: String, warning: MappingWarning?) {
        self.value = value
        self.warning = warning
    }
}
