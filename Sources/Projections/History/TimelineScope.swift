import SyncDomain

/// Which links and requests concern one customer, and whether an event does.
struct TimelineScope {
    let customer: CustomerRef
    private(set) var links: Set<LinkID> = []
    private(set) var requests: Set<RequestID> = []

    /// Collects the customer's links first (a `PartnerLinked` names both customers), then the requests of those
    /// links and of its partner's creations, wherever they are in `events` (a created partner's request comes
    /// before the link that names the customer).
    init(_ customer: CustomerRef, events: [SyncEvent]) {
        self.customer = customer
        for event in events {
            switch event {
            case .partnerLinked(let linked) where linked.source == customer || linked.economic == customer:
                links.insert(linked.linkId)
                if case .created(let request) = linked.origin {
                    requests.insert(request)
                    requests.insert(.numberWriteBack(after: request))
                }
            case .partnerCreationRequested(let requested) where requested.from == customer:
                requests.insert(requested.requestId)
                requests.insert(.numberWriteBack(after: requested.requestId))
            default: break
            }
        }
        for event in events {
            switch event {
            case .linkWriteRequested(let write) where links.contains(write.linkId):
                requests.insert(write.requestId)
                requests.formUnion(write.supersedes)
            case .economicWriteRequested(let write):
                if let link = write.linkId, links.contains(link) { requests.insert(write.requestId) }
            case .stripeWriteRequested(let write):
                if let link = write.linkId, links.contains(link) { requests.insert(write.requestId) }
            default: break
            }
        }
    }

    /// Whether the event belongs in the customer's history.
    func concerns(_ event: SyncEvent) -> Bool {
        switch event {
        case .customerObserved(let e): e.customer == customer
        case .customerDeleted(let e): e.customer == customer
        case .customerExcluded(let e): e.customer == customer
        case .customerIncluded(let e): e.customer == customer
        case .matchFailed(let e): e.customer == customer
        case .mappingFailed(let e): e.customer == customer
        case .settingsChanged, .importReceived, .importRowRejected, .importCompleted: false
        case .partnerLinked(let e): links.contains(e.linkId)
        case .partnerUnlinked(let e): links.contains(e.linkId)
        case .syncStopped(let e): links.contains(e.linkId)
        case .syncRestarted(let e): links.contains(e.linkId)
        case .conflictDetected(let e): links.contains(e.linkId)
        case .conflictResolved(let e): links.contains(e.linkId)
        case .linkSynced(let e): links.contains(e.linkId)
        case .linkWriteRequested(let e): links.contains(e.linkId)
        case .linkWriteSettled(let e): links.contains(e.linkId)
        case .partnerCreationRequested(let e): requests.contains(e.requestId)
        case .partnerCreationCancelled(let e): requests.contains(e.requestId)
        case .economicWriteRequested(let e): requests.contains(e.requestId)
        case .stripeWriteRequested(let e): requests.contains(e.requestId)
        case .outboundSucceeded(let e): requests.contains(e.requestId)
        case .outboundFailed(let e): requests.contains(e.requestId)
        case .outboundAbandoned(let e): requests.contains(e.requestId)
        case .outboundRetryRequested(let e): requests.contains(e.requestId)
        case .outboundRateLimited(let e): requests.contains(e.requestId)
        case .economicCreateStarted(let e): requests.contains(e.requestId)
        case .outboundSuperseded(let e): requests.contains(e.requestId)
        }
    }
}
