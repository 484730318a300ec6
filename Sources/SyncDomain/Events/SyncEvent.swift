/// Every event Accord records. One case per payload type; see ``typeName`` and ``schemaVersion``
/// for what is stored, ``encode()`` / ``decode(type:schemaVersion:data:)`` for the codec and
/// ``homeStream`` for the stream each event belongs to.
public enum SyncEvent: Hashable, Sendable {
    /// See ``CustomerObserved``.
    case customerObserved(CustomerObserved)
    /// See ``CustomerDeleted``.
    case customerDeleted(CustomerDeleted)
    /// See ``CustomerExcluded``.
    case customerExcluded(CustomerExcluded)
    /// See ``CustomerIncluded``.
    case customerIncluded(CustomerIncluded)
    /// See ``MatchFailed``.
    case matchFailed(MatchFailed)
    /// See ``MappingFailed``.
    case mappingFailed(MappingFailed)
    /// See ``SettingsChanged``.
    case settingsChanged(SettingsChanged)
    /// See ``PartnerLinked``.
    case partnerLinked(PartnerLinked)
    /// See ``PartnerUnlinked``.
    case partnerUnlinked(PartnerUnlinked)
    /// See ``SyncStopped``.
    case syncStopped(SyncStopped)
    /// See ``SyncRestarted``.
    case syncRestarted(SyncRestarted)
    /// See ``PartnerCreationRequested``.
    case partnerCreationRequested(PartnerCreationRequested)
    /// See ``PartnerCreationCancelled``.
    case partnerCreationCancelled(PartnerCreationCancelled)
    /// See ``ConflictDetected``.
    case conflictDetected(ConflictDetected)
    /// See ``ConflictResolved``.
    case conflictResolved(ConflictResolved)
    /// See ``LinkSynced``.
    case linkSynced(LinkSynced)
    /// See ``EconomicWriteRequested``.
    case economicWriteRequested(EconomicWriteRequested)
    /// See ``StripeWriteRequested``.
    case stripeWriteRequested(StripeWriteRequested)
    /// See ``OutboundSucceeded``.
    case outboundSucceeded(OutboundSucceeded)
    /// See ``OutboundFailed``.
    case outboundFailed(OutboundFailed)
    /// See ``OutboundAbandoned``.
    case outboundAbandoned(OutboundAbandoned)
    /// See ``OutboundRetryRequested``.
    case outboundRetryRequested(OutboundRetryRequested)
    /// See ``OutboundRateLimited``.
    case outboundRateLimited(OutboundRateLimited)
    /// See ``EconomicCreateStarted``.
    case economicCreateStarted(EconomicCreateStarted)
    /// See ``ImportReceived``.
    case importReceived(ImportReceived)
    /// See ``ImportRowRejected``.
    case importRowRejected(ImportRowRejected)
    /// See ``ImportCompleted``.
    case importCompleted(ImportCompleted)
    /// See ``OutboundSuperseded``.
    case outboundSuperseded(OutboundSuperseded)
    /// See ``LinkWriteRequested``.
    case linkWriteRequested(LinkWriteRequested)
    /// See ``LinkWriteSettled``.
    case linkWriteSettled(LinkWriteSettled)

    /// Every payload type, for the decoder's table and for documentation.
    public static let payloadTypes: [any SyncEventPayload.Type] = [
        CustomerObserved.self,
        CustomerDeleted.self,
        CustomerExcluded.self,
        CustomerIncluded.self,
        MatchFailed.self,
        MappingFailed.self,
        SettingsChanged.self,
        PartnerLinked.self,
        PartnerUnlinked.self,
        SyncStopped.self,
        SyncRestarted.self,
        PartnerCreationRequested.self,
        PartnerCreationCancelled.self,
        ConflictDetected.self,
        ConflictResolved.self,
        LinkSynced.self,
        EconomicWriteRequested.self,
        StripeWriteRequested.self,
        OutboundSucceeded.self,
        OutboundFailed.self,
        OutboundAbandoned.self,
        OutboundRetryRequested.self,
        ImportReceived.self,
        ImportRowRejected.self,
        ImportCompleted.self,
        OutboundRateLimited.self,
        EconomicCreateStarted.self,
        OutboundSuperseded.self,
        LinkWriteRequested.self,
        LinkWriteSettled.self,
    ]

    /// The payload.
    public var payload: any SyncEventPayload {
        switch self {
        case .customerObserved(let payload): payload
        case .customerDeleted(let payload): payload
        case .customerExcluded(let payload): payload
        case .customerIncluded(let payload): payload
        case .matchFailed(let payload): payload
        case .mappingFailed(let payload): payload
        case .settingsChanged(let payload): payload
        case .partnerLinked(let payload): payload
        case .partnerUnlinked(let payload): payload
        case .syncStopped(let payload): payload
        case .syncRestarted(let payload): payload
        case .partnerCreationRequested(let payload): payload
        case .partnerCreationCancelled(let payload): payload
        case .conflictDetected(let payload): payload
        case .conflictResolved(let payload): payload
        case .linkSynced(let payload): payload
        case .economicWriteRequested(let payload): payload
        case .stripeWriteRequested(let payload): payload
        case .outboundSucceeded(let payload): payload
        case .outboundFailed(let payload): payload
        case .outboundAbandoned(let payload): payload
        case .outboundRetryRequested(let payload): payload
        case .outboundRateLimited(let payload): payload
        case .economicCreateStarted(let payload): payload
        case .importReceived(let payload): payload
        case .importRowRejected(let payload): payload
        case .importCompleted(let payload): payload
        case .outboundSuperseded(let payload): payload
        case .linkWriteRequested(let payload): payload
        case .linkWriteSettled(let payload): payload
        }
    }

    /// Wraps a payload of the catalogue in its case (internal: only the decoder needs it, and a
    /// payload type from outside the catalogue would be a programming error).
    init(_ payload: any SyncEventPayload) {
        switch payload {
        case let payload as CustomerObserved: self = .customerObserved(payload)
        case let payload as CustomerDeleted: self = .customerDeleted(payload)
        case let payload as CustomerExcluded: self = .customerExcluded(payload)
        case let payload as CustomerIncluded: self = .customerIncluded(payload)
        case let payload as MatchFailed: self = .matchFailed(payload)
        case let payload as MappingFailed: self = .mappingFailed(payload)
        case let payload as SettingsChanged: self = .settingsChanged(payload)
        case let payload as PartnerLinked: self = .partnerLinked(payload)
        case let payload as PartnerUnlinked: self = .partnerUnlinked(payload)
        case let payload as SyncStopped: self = .syncStopped(payload)
        case let payload as SyncRestarted: self = .syncRestarted(payload)
        case let payload as PartnerCreationRequested: self = .partnerCreationRequested(payload)
        case let payload as PartnerCreationCancelled: self = .partnerCreationCancelled(payload)
        case let payload as ConflictDetected: self = .conflictDetected(payload)
        case let payload as ConflictResolved: self = .conflictResolved(payload)
        case let payload as LinkSynced: self = .linkSynced(payload)
        case let payload as EconomicWriteRequested: self = .economicWriteRequested(payload)
        case let payload as StripeWriteRequested: self = .stripeWriteRequested(payload)
        case let payload as OutboundSucceeded: self = .outboundSucceeded(payload)
        case let payload as OutboundFailed: self = .outboundFailed(payload)
        case let payload as OutboundAbandoned: self = .outboundAbandoned(payload)
        case let payload as OutboundRetryRequested: self = .outboundRetryRequested(payload)
        case let payload as OutboundRateLimited: self = .outboundRateLimited(payload)
        case let payload as EconomicCreateStarted: self = .economicCreateStarted(payload)
        case let payload as ImportReceived: self = .importReceived(payload)
        case let payload as ImportRowRejected: self = .importRowRejected(payload)
        case let payload as ImportCompleted: self = .importCompleted(payload)
        case let payload as OutboundSuperseded: self = .outboundSuperseded(payload)
        case let payload as LinkWriteRequested: self = .linkWriteRequested(payload)
        case let payload as LinkWriteSettled: self = .linkWriteSettled(payload)
        default: preconditionFailure("\(type(of: payload)) is not in the SyncEvent catalogue")
        }
    }

    /// The stable type name, e.g. `CustomerObserved`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version the payload is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
