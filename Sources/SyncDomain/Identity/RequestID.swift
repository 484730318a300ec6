/// Identifies one outbound request (an e-conomic or Stripe write) and its `outbound-<id>` stream.
public typealias RequestID = Identifier<RequestKind>

/// The kind of ``RequestID``.
public enum RequestKind: IdentifierKind {
    /// Names of derived request ids start with `request/`.
    public static let name = "request"
}

extension Identifier where Kind == RequestKind {
    /// The request that writes the customer number e-conomic assigned back to Stripe, after the creation `creation`
    /// succeeded. Derived from the creation, so deciding the link twice asks for one write-back, and whoever reads
    /// a customer's history can find the write-back's stream from the creation alone.
    /// - Parameter creation: The partner creation's request.
    public static func numberWriteBack(after creation: RequestID) -> RequestID {
        .derived(from: creation.rawValue, purpose: "customer-number-write-back")
    }

    /// The request that writes the e-conomic customer number to a Stripe customer linked to an existing e-conomic
    /// customer (matched or chosen). Derived from the link, so deciding the link again asks for one write-back.
    /// - Parameter link: The link.
    public static func numberWriteBack(linked link: LinkID) -> RequestID {
        .derived(from: link.rawValue, purpose: "customer-number-write-back")
    }
}
