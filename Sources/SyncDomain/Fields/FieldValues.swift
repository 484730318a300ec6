/// Helpers for the flat `[String: String]` field maps that carry customer data between systems.
///
/// An empty value is never stored: a key is either absent or holds a non-blank value.
public enum FieldValues {
    /// The map without blank values (empty or whitespace-only). Non-blank values are kept as given.
    /// - Parameter fields: A field map as received.
    public static func cleaned(_ fields: [String: String]) -> [String: String] {
        fields.filter { !isBlank($0.value) }
    }

    /// Whether a value counts as absent (empty or only whitespace).
    /// - Parameter value: The value, `nil` meaning absent.
    public static func isBlank(_ value: String?) -> Bool {
        guard let value else { return true }
        return value.unicodeScalars.allSatisfy(UnicodeText.isWhitespace)
    }

    /// The value trimmed of surrounding whitespace, or `nil` when blank.
    /// - Parameter value: The value, `nil` meaning absent.
    public static func trimmedValue(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = UnicodeText.trim(value)
        return trimmed.isEmpty ? nil : trimmed
    }
}
