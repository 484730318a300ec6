/// The catalogue entry of one ``EconomicField``.
public struct EconomicFieldSpec: Hashable, Sendable {
    /// What to do with a mapped value longer than ``maxLength``.
    public enum TooLongPolicy: String, Hashable, Sendable, Codable {
        /// Cut at a character (not byte) boundary and report a warning. Only for free text where the
        /// beginning still means the same thing (address, city, country).
        case truncate
        /// Refuse the value with an error: identifiers and names must not be silently altered.
        case reject
    }

    /// How values are validated and compared.
    public var kind: FieldValueKind
    /// The maximum length in characters (for references and customer numbers: digits).
    public var maxLength: Int
    /// Whether e-conomic requires the field on create (and on every `PUT`).
    public var requiredOnCreate: Bool
    /// What to do with a too-long value.
    public var whenTooLong: TooLongPolicy
    /// Whether e-conomic can filter customers on this field (a requirement for match pairs).
    public var isFilterable: Bool
    /// Whether a field mapping may write this field (the customer number belongs to the numbering
    /// setting, not to mappings).
    public var isMappable: Bool

    /// Creates a catalogue entry.
    public init(
        kind: FieldValueKind, maxLength: Int, requiredOnCreate: Bool, whenTooLong: TooLongPolicy,
        isFilterable: Bool, isMappable: Bool = true
    ) {
        self.kind = kind
        self.maxLength = maxLength
        self.requiredOnCreate = requiredOnCreate
        self.whenTooLong = whenTooLong
        self.isFilterable = isFilterable
        self.isMappable = isMappable
    }
}
