/// The result of mapping a source customer into e-conomic's vocabulary.
public struct MappedCustomer: Hashable, Sendable {
    /// e-conomic fields (``EconomicField`` names) with non-empty values within e-conomic's limits.
    public var fields: [String: String]
    /// What the mapper changed on purpose.
    public var warnings: [MappingWarning]

    /// Creates a result.
    public init(fields: [String: String], warnings: [MappingWarning] = []) {
        self.fields = fields
        self.warnings = warnings
    }
}
