/// Identifies one partner link (a source customer paired with an e-conomic customer) and its `link-<id>` stream.
public typealias LinkID = Identifier<LinkKind>

/// The kind of ``LinkID``.
public enum LinkKind: IdentifierKind {
    /// Names of derived link ids start with `link/`.
    public static let name = "link"
}
