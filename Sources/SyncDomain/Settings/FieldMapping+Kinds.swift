extension SourceField {
    /// The kind of value the field holds, as e-conomic's fields name kinds; nil for metadata (it holds anything).
    public var valueKind: FieldValueKind? {
        switch self {
        case .name, .customerDescription, .addressLine1, .addressLine2, .addressPostalCode, .addressCity, .addressState: .text
        case .email: .email
        case .phone: .phone
        case .addressCountry: .country
        case .taxID: .taxID
        case .currency: .currency
        case .customerNumber: .customerNumber
        case .metadata: nil
        }
    }
}

extension FieldMapping {
    /// A source whose kind of value is not what the e-conomic field expects (an e-mail address mapped to `name`, a name
    /// to `email`): allowed, but most likely a mistake, so the settings page warns next to the mapping.
    public struct KindMismatch: Hashable, Sendable {
        /// The source field.
        public var source: String
        /// What it holds.
        public var holds: FieldValueKind
        /// What the e-conomic field expects.
        public var expected: FieldValueKind

        /// Makes a mismatch.
        public init(source: String, holds: FieldValueKind, expected: FieldValueKind) {
            self.source = source
            self.holds = holds
            self.expected = expected
        }
    }

    /// The sources whose kind of value differs from the e-conomic field's (none for unknown fields and metadata
    /// sources, whose kinds are not known).
    public var kindMismatches: [KindMismatch] {
        guard let target = EconomicField(rawValue: economic) else { return [] }
        let expected = target.spec.kind
        return sources.compactMap { key in
            guard let holds = (try? SourceField(parsing: key))?.valueKind, holds != expected else { return nil }
            return KindMismatch(source: key, holds: holds, expected: expected)
        }
    }
}
