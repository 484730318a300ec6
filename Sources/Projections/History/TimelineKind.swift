/// What a ``TimelineEntry`` records, in words a person filters by (`--json` and the API spell it as the raw value).
/// Several stored event types can share a kind (an e-conomic and a Stripe write are both a `requested`), and one
/// type can have several (a link is `matched` when Accord found the partner by a match key, `linked` otherwise).
public enum TimelineKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// The customer was seen in its system (field-level changes in ``TimelineEntry/changes``).
    case observed
    /// The customer was deleted in its system.
    case deleted
    /// A person chose "Don't synchronise".
    case excluded
    /// A person undid "Don't synchronise".
    case included
    /// Automatic matching found no single free partner, or the match field was empty.
    case matchFailed
    /// The customer's values cannot be written to e-conomic.
    case mappingFailed
    /// Linked automatically by a match key under the match rule in force.
    case matched
    /// Linked otherwise: by a person, by creating the partner, by copying to the file.
    case linked
    /// The link was removed.
    case unlinked
    /// Synchronisation of the pair was stopped.
    case syncStopped
    /// Synchronisation of the pair was restarted.
    case syncRestarted
    /// Accord will create the partner in the other system.
    case creationRequested
    /// A pending creation was given up.
    case creationCancelled
    /// Both sides changed a mapped field to different values.
    case conflictDetected
    /// A person chose the values a conflicting pair keeps.
    case conflictResolved
    /// What the pair agrees on moved on.
    case linkSynced
    /// A write of the pair's fields to one side was opened (the request follows as `requested`).
    case writeOpened
    /// The outcome of the pair's write is folded into the link.
    case writeSettled
    /// An outbound request: a create's payload, an update's field patch with bases, a number write-back.
    case requested
    /// An e-conomic create is about to be sent.
    case sending
    /// The target carried the request out.
    case succeeded
    /// Stripe took the customer number e-conomic assigned (the success of a number write-back).
    case writtenBack
    /// An attempt failed and will be retried.
    case failed
    /// The target asked Accord to slow down (HTTP 429); a wait, not a failure.
    case rateLimited
    /// A newer request of the pair carries this one's changes; it is never sent.
    case superseded
    /// The request failed for good and waits for a person.
    case abandoned
    /// A person asked to retry an abandoned request.
    case retryRequested
}
