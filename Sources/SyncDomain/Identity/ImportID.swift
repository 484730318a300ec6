public import Foundation

/// Identifies one file import and its `import-<id>` stream.
///
/// Encodes as a plain UUID string.
public struct ImportID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    /// The underlying UUID.
    public var rawValue: UUID

    /// Wraps a UUID.
    /// - Parameter rawValue: The UUID.
    public init(rawValue: UUID) { self.rawValue = rawValue }

    /// Wraps a UUID.
    /// - Parameter uuid: The UUID.
    public init(_ uuid: UUID) { self.rawValue = uuid }

    /// The id of an import derived from the file's SHA-256 (hex), so re-uploading the same file
    /// names the same import stream and is recognised as a repeat.
    /// - Parameter sha256: The file's SHA-256 digest as hex.
    public static func forFile(sha256: String) -> ImportID {
        ImportID(NameBasedUUID.make(namespace: NameBasedUUID.accordNamespace, name: "import/" + sha256.lowercased()))
    }

    /// Encodes as a plain UUID string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Decodes a plain UUID string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    /// The lower-case UUID string.
    public var description: String { rawValue.uuidString.lowercased() }
}
