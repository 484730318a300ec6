/// Who chooses the customer number of e-conomic customers Accord creates.
public enum CustomerNumbering: Hashable, Sendable, Codable {
    /// e-conomic assigns the number (recommended). When `writeBackMetadataKey` is set, the assigned
    /// number is written back to that Stripe metadata key (a key without the `metadata.` prefix).
    case economicAssigns(writeBackMetadataKey: String?)
    /// The number is taken from a source field (e.g. `metadata.customer_number` or, for files,
    /// `customer_number`); it must be an integer 1…999 999 999.
    case fromSource(field: String)

    /// e-conomic assigns, no write-back.
    public static let `default` = CustomerNumbering.economicAssigns(writeBackMetadataKey: nil)
}
