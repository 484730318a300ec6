extension SyncEvent {
    /// The stream the event is appended to. Deciders may return events for several streams (e.g. a
    /// link in `partners` plus a write request opening `outbound-<id>`); handlers group them by
    /// this stream and append each group with its expected version (new outbound and import streams
    /// expect no prior events).
    public var homeStream: StreamName {
        switch self {
        case .customerObserved(let e): .customer(e.customer)
        case .customerDeleted(let e): .customer(e.customer)
        case .customerExcluded(let e): .customer(e.customer)
        case .customerIncluded(let e): .customer(e.customer)
        case .matchFailed(let e): .customer(e.customer)
        case .mappingFailed(let e): .customer(e.customer)
        case .settingsChanged: .settings
        case .partnerLinked, .partnerUnlinked, .syncStopped, .syncRestarted, .partnerCreationRequested,
            .partnerCreationCancelled, .conflictDetected, .conflictResolved, .linkSynced, .linkWriteRequested, .linkWriteSettled:
            .partners
        case .economicWriteRequested(let e): .outbound(e.requestId)
        case .stripeWriteRequested(let e): .outbound(e.requestId)
        case .outboundSucceeded(let e): .outbound(e.requestId)
        case .outboundFailed(let e): .outbound(e.requestId)
        case .outboundAbandoned(let e): .outbound(e.requestId)
        case .outboundRetryRequested(let e): .outbound(e.requestId)
        case .outboundRateLimited(let e): .outbound(e.requestId)
        case .economicCreateStarted(let e): .outbound(e.requestId)
        case .outboundSuperseded(let e): .outbound(e.requestId)
        case .importReceived(let e): .importing(e.importId)
        case .importRowRejected(let e): .importing(e.importId)
        case .importCompleted(let e): .importing(e.importId)
        }
    }
}
