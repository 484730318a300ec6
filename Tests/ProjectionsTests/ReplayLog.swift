import Foundation
import Projections
import SyncDomain

/// A tenant's log built by hand for replay tests, shaped as the reactor and the outbound worker record it: customers
/// observed, partners created (request, answer, link, observation of the new e-conomic customer) or matched, updates
/// sent. Positions count from 1.
struct ReplayLog {
    private(set) var events: [(position: Int64, event: SyncEvent)] = []
    private var requests = 0

    /// The settings actually in force (the last `SettingsChanged`).
    private(set) var settings = TenantSettings.default

    var lastPosition: Int64 { events.last?.position ?? 0 }

    mutating func append(_ event: SyncEvent) {
        events.append((lastPosition + 1, event))
    }

    mutating func change(_ settings: TenantSettings) {
        var next = settings
        next.version = self.settings.version + 1
        self.settings = next
        append(.settingsChanged(SettingsChanged(settings: next, matchFieldsChanged: true, mappingsChanged: true)))
    }

    mutating func observe(_ customer: CustomerRef, _ fields: [String: String]) {
        append(.customerObserved(CustomerObserved(customer: customer, fields: fields)))
    }

    private mutating func nextRequest() -> RequestID {
        requests += 1
        let digits = String(requests)
        return RequestID(UUID(uuidString: "00000000-0000-0000-0000-" + String(repeating: "0", count: 12 - digits.count) + digits)!)
    }

    /// The source customer is created in e-conomic under the settings in force, as number `number`, and (unless
    /// `readBack` is false) the new customer is observed when e-conomic is next read.
    mutating func create(_ source: CustomerRef, fields: [String: String], as number: Int, readBack: Bool = true) throws {
        observe(source, fields)
        let request = nextRequest()
        let payload = try CustomerMapper.createPayload(fields, settings: settings, customerNumber: nil).fields
        let keys = MatchResolver.sourceKeys(fields, settings: settings)
        append(
            .partnerCreationRequested(
                PartnerCreationRequested(
                    requestId: request, from: source, targetSystem: .economic, numbering: .economicAssigns, payload: payload, matchKeys: keys)))
        append(
            .economicWriteRequested(
                EconomicWriteRequested(requestId: request, kind: .create, source: source, payload: payload, matchKeys: keys, reason: .autoCreate)))
        append(.outboundSucceeded(OutboundSucceeded(requestId: request, customerNumber: number, written: payload)))
        append(
            .partnerLinked(
                PartnerLinked(
                    linkId: LinkID(request.rawValue), source: source, economic: .economic(number), origin: .created(requestId: request),
                    agreed: try CustomerMapper.mapFields(fields, settings: settings).fields)))
        guard readBack else { return }
        var observed = payload
        observed["customerNumber"] = String(number)
        observe(.economic(number), observed)
    }

    /// The source customer is matched to an existing e-conomic customer by `key`.
    mutating func match(_ source: CustomerRef, fields: [String: String], to economic: CustomerRef, key: MatchKey) -> LinkID {
        observe(source, fields)
        let link = LinkID(nextRequest().rawValue)
        append(.partnerLinked(PartnerLinked(linkId: link, source: source, economic: economic, origin: .autoMatch(key: key))))
        return link
    }

    /// The source customer's fields change and the link sends the changed mapped fields as an update that succeeds.
    mutating func update(_ source: CustomerRef, link: LinkID, number: Int, from old: [String: String], to new: [String: String]) throws {
        observe(source, new)
        let before = try CustomerMapper.mapFields(old, settings: settings).fields
        let after = try CustomerMapper.mapFields(new, settings: settings).fields
        var patch: [String: FieldWrite] = [:]
        for field in Set(before.keys).union(after.keys) where before[field] != after[field] {
            patch[field] = FieldWrite(value: after[field] ?? "", base: before[field], kind: EconomicField(rawValue: field)?.spec.kind ?? .text)
        }
        let request = nextRequest()
        append(
            .economicWriteRequested(
                EconomicWriteRequested(
                    requestId: request, kind: .update(customerNumber: number), linkId: link, patch: FieldPatch(patch), reason: .sourceChanged)))
        append(.outboundSucceeded(OutboundSucceeded(requestId: request, written: FieldPatch(patch).values)))
    }

    /// The fold of the log up to a position (all of it by default), under `proposal`.
    func fold(_ proposal: TenantSettings, upTo position: Int64? = nil) -> ReplayFold {
        var fold = ReplayFold(proposal: proposal)
        for (at, event) in events where position.map({ at <= $0 }) ?? true { fold.apply(event, position: at) }
        return fold
    }
}
