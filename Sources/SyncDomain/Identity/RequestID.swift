/// Identifies one outbound request (an e-conomic or Stripe write) and its `outbound-<id>` stream.
public typealias RequestID = Identifier<RequestKind>

/// The kind of ``RequestID``.
public enum RequestKind: IdentifierKind {
    /// Names of derived request ids start with `request/`.
    public static let name = "request"
}
