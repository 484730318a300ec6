/// Identifies one file import and its `import-<id>` stream.
public typealias ImportID = Identifier<ImportKind>

/// The kind of ``ImportID``.
public enum ImportKind: IdentifierKind {
    /// Names of import ids start with `import/`.
    public static let name = "import"
}

extension Identifier where Kind == ImportKind {
    /// The id of an import derived from the file's SHA-256 (hex), so re-uploading the same file
    /// names the same import stream and is recognised as a repeat.
    /// - Parameter sha256: The file's SHA-256 digest as hex.
    public static func forFile(sha256: String) -> ImportID {
        ImportID(NameBasedUUID.make(namespace: NameBasedUUID.accordNamespace, name: "import/" + sha256.lowercased()))
    }
}
