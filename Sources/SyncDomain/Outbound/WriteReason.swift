/// Why an outbound write was requested (shown in the activity view).
public enum WriteReason: String, Hashable, Sendable, Codable {
    /// No match and the create policy is automatic.
    case autoCreate
    /// A user asked to create the partner (Create partner / Create partners).
    case createPartner
    /// The source changed a mapped field.
    case sourceChanged
    /// e-conomic changed a mapped field.
    case economicChanged
    /// A user resolved a conflict.
    case conflictResolved
    /// Writing the e-conomic customer number back to a Stripe metadata key.
    case customerNumberWriteBack
}
