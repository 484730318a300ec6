/// Something a chaos run found wrong after quiescence.
public struct ChaosFinding: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of wrong, by the promise they break.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        /// An e-conomic customer twice: one Stripe customer with several partners, a customer created although one
        /// matched, an e-conomic customer Accord created for nobody, or a stranger taken for someone.
        case duplicate = "duplicates"
        /// A write that was overwritten without a conflict: a mapped field holds an older value than the last one
        /// written on either side, or a field Accord does not manage lost the accountant's last write.
        case lostEdit = "lost edits"
        /// A mapped field that differs between the two sides with no open conflict naming it.
        case divergentField = "divergent fields"
        /// A Stripe customer without a partner, with no reason shown to a person.
        case missingPartner = "missing partners"
        /// A partner Accord does not hold as linked (or links to another customer).
        case unlinked = "unlinked partners"
        /// A created customer whose number was not written back to Stripe.
        case numberNotWrittenBack = "numbers not written back"
        /// A read model that differs from the fold of the streams, or from the command side.
        case readModel = "read-model differences"
        /// The sync did not come to rest within the time allowed.
        case unsettled = "unsettled runs"
        /// The run itself could not go on (an operation failed, a process did not start).
        case runFailed = "failed runs"

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// What was broken.
    public var kind: Kind
    /// Who and what, precisely enough to find it in the run's log.
    public var detail: String
    /// A lost edit the sandbox saw undone by a `PUT` that wrote back what it had read before the edit
    /// (``EconomicSandbox/SandboxOverwrite``): e-conomic's API has no conditional write, so no client can prevent it.
    /// Still a lost edit; told apart so that a person can see which lost edits Accord could have prevented.
    public var undoneInsideReadWriteWindow = false

    /// Makes a finding.
    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// `kind: detail`.
    public var description: String {
        "\(kind.rawValue): \(detail)" + (undoneInsideReadWriteWindow ? " [undone by a PUT that had read the customer before the edit]" : "")
    }
}
