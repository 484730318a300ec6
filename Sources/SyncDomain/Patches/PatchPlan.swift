/// What a worker sends for a ``FieldPatch`` given the target's live fields (``FieldPatch/plan(live:)``), and what
/// it records afterwards.
public struct PatchPlan: Hashable, Sendable {
    /// Fields to write: field → new value (empty clears it).
    public var writes: [String: String]
    /// Fields the target already holds at the new value: field → the live value.
    public var alreadyThere: [String: String]
    /// Fields not written because the target moved since Accord last looked: field → the live value, kept.
    public var targetMoved: [String: String]

    /// Creates a plan.
    public init(writes: [String: String] = [:], alreadyThere: [String: String] = [:], targetMoved: [String: String] = [:]) {
        self.writes = writes
        self.alreadyThere = alreadyThere
        self.targetMoved = targetMoved
    }

    /// Whether nothing needs to be sent.
    public var sendsNothing: Bool { writes.isEmpty }
}
